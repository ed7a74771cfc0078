"""A server's page (details, cost, group), its credentials, and checks of server ids a person picked."""

from dataclasses import dataclass, field

from apps.clc import billing as clc_billing
from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.clc import servers as clc_servers
from apps.clc.entities import (
    Server,
    ServerCostEstimate,
    ServerDetails,
    values_of,
)
from apps.clc.links import HasLinks, Link

from .. import patches
from ..cache import PersonCache
from .common import NotFound, Panel, _CachedPage, _panel, checked_id, own_client, reraise_fatal, run_tasks
from .datacenters import _DataCenterData, _dc_patch
from .rows import DataCenterRef, GroupRef, ServerRow


@dataclass(frozen=True, kw_only=True)
class ServerDetail(ServerDetails, HasLinks):
    """A server's page: its row (``server``), its details (``ServerDetails``: the fields are declared
    there), its group and data center, its cost estimate."""

    server: ServerRow
    group: GroupRef | None
    datacenter: DataCenterRef | None
    cost: Panel[ServerCostEstimate]

    @property
    def links(self) -> tuple[Link, ...]:
        return self.server.links


@dataclass(frozen=True)
class Credentials:
    user_name: str
    password: str = field(repr=False)


def _server_cost(client, server: Server) -> ServerCostEstimate | None:
    return clc_billing.server_cost_estimate(client, server)


def _group_name(client, cache: PersonCache, server: Server) -> GroupRef | None:
    if not server.group_id:
        return None
    cached_dc = (
        cache.peek(f"dc:{server.location_id.lower()}", patch=_dc_patch(client))
        if server.location_id
        else None
    )
    if isinstance(cached_dc, _DataCenterData):
        node = cached_dc.tree.find(server.group_id)
        if node is not None:
            return GroupRef(node.id, node.name)
    group = clc_groups.get_group(client, server.group_id)
    return GroupRef(group.id, group.name)


def _fetch_server_detail(client, cache: PersonCache, server_id: str) -> ServerDetail:
    try:
        server = clc_servers.get_server(client, server_id)
    except errors.NotFound:
        raise NotFound(f"No server {server_id.upper()} in your account.") from None
    cost_result, group_result = run_tasks(
        [lambda: _server_cost(client, server), lambda: _group_name(client, cache, server)]
    )
    reraise_fatal(group_result)
    if isinstance(group_result, errors.ClcError):
        group_result = GroupRef(server.group_id) if server.group_id else None
    return ServerDetail(
        server=ServerRow.from_server(server, group_result.name if group_result else ""),
        **values_of(ServerDetails, server),
        group=group_result,
        datacenter=DataCenterRef(id=server.location_id) if server.location_id else None,
        cost=_panel(cost_result, "cost", "The cost estimate"),
    )


_SERVER_PAGE = _CachedPage(
    "server",
    _fetch_server_detail,
    cacheable=lambda detail: detail.cost.error is None,
    patch=patches.server_page,
)


def server_detail(user, server_id: str, *, client=None, fresh: bool = False) -> ServerDetail:
    return _SERVER_PAGE.read(user, server_id, client=client, fresh=fresh)


def checked_server_ids(raw, *, limit: int) -> list[str]:
    """Server ids a person picked (a form's or a body's list): upper-cased, each once, in order.
    Raises ``ValueError`` with a message for people (none, too many, not an id)."""
    if isinstance(raw, str):
        raw = [raw]
    out: list[str] = []
    for value in raw or ():
        value = str(value).strip().upper()
        if not value:
            continue
        if len(value) > 64 or not value.replace("-", "").isalnum():
            raise ValueError(f"{value[:64]} is not a server id.")
        if value not in out:
            out.append(value)
    if not out:
        raise ValueError("Select at least one server first.")
    if len(out) > limit:
        raise ValueError(f"Select at most {limit:,} servers at once.")
    return out


def require_visible_servers(client, server_ids) -> None:
    """Raise ``NotFound`` naming the ids the person's account cannot read (another account's or
    unknown), before anything is sent upstream: one concurrent GET per server, the person's token."""
    ids = [str(s).upper() for s in server_ids]
    found = clc_servers.get_servers(client, ids, return_exceptions=True)
    hidden = (errors.NotFound, errors.BadRequest, errors.Forbidden)
    unseen = [i for i, got in zip(ids, found, strict=True) if isinstance(got, hidden)]
    for got in found:  # 401, upstream down: answered as for any other call
        if isinstance(got, Exception) and not isinstance(got, hidden):
            raise got
    if unseen:
        raise NotFound(f"Not found: {', '.join(unseen)}.")


def server_credentials(user, server_id: str, *, client=None) -> Credentials:
    """The server's administrator credentials: one GET, never cached, never logged."""
    server_id = checked_id(server_id, "server")
    client = own_client(user, client)
    try:
        raw = clc_servers.get_credentials(client, server_id)
    except errors.NotFound:
        raise NotFound(f"No server {server_id.upper()} in your account.") from None
    return Credentials(user_name=str(raw.get("userName", "")), password=str(raw.get("password", "")))
