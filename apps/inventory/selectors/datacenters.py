"""The data center view: its group tree and every server row, cached as one entry."""

from collections.abc import Callable
from dataclasses import dataclass

from apps.clc import datacenters as clc_datacenters
from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.clc import servers as clc_servers
from apps.clc.bulk import bulk_parsing

from .. import memo, patches
from ..cache import PersonCache
from .common import NotFound, PanelError, checked_id, own_client
from .rows import (
    DataCenterRef,
    GroupNode,
    PowerBreakdown,
    ServerRow,
    _group_lookup,
    _server_result_rows,
    _sorted_rows,
)


@dataclass(frozen=True)
class DataCenterView:
    datacenter: DataCenterRef
    tree: GroupNode
    groups: tuple[GroupNode, ...]
    selected_group: GroupNode | None
    servers: tuple[ServerRow, ...]
    server_errors: tuple[PanelError, ...]
    power: PowerBreakdown


ROOT_GROUP_SECONDS = 3600


def _datacenter_ref(client, cache: PersonCache, dc: str) -> DataCenterRef:
    """The data center and its root group id (1 call, then cached an hour: it never changes)."""
    resource = f"dcref:{dc}"
    cached = cache.get_stable(resource)
    if isinstance(cached, DataCenterRef):
        return cached
    try:
        entity = clc_datacenters.get_datacenter(client, dc, group_links=True)
    except errors.NotFound:
        raise NotFound(f"No data center {dc.upper()} in your account.") from None
    ref = DataCenterRef(id=entity.id or dc.upper(), name=entity.name, root_group_id=entity.root_group_id)
    if ref.root_group_id:
        cache.put_stable(resource, ref, ROOT_GROUP_SECONDS)
    return ref


@dataclass(frozen=True)
class _DataCenterData:
    """What one data center view needs, cached as one entry: the tree and every server row."""

    datacenter: DataCenterRef
    tree: GroupNode
    servers: tuple[ServerRow, ...]
    server_errors: tuple[PanelError, ...]


def _tree_task(client, ref: DataCenterRef) -> GroupNode:
    """The data center's group tree alone (server links only: breadcrumbs, parent choices)."""
    if not ref.root_group_id:
        raise errors.NotFound("This data center has no root group.")
    return GroupNode.from_group(clc_groups.get_group(client, ref.root_group_id))


def _dc_task(client, ref: DataCenterRef) -> _DataCenterData:
    """The tree and every server of the data center: one detailed group call (``get_group_servers``;
    per-server reads only for servers the answer names by link only)."""
    if not ref.root_group_id:
        raise errors.NotFound("This data center has no root group.")
    group, found = clc_groups.get_group_servers(client, ref.root_group_id)
    with bulk_parsing(exclusive=True):  # a thousand rows: no collector passes meanwhile, one at a time
        tree = GroupNode.from_group(group)
        names, server_groups, order = _group_lookup(tree)
        ids = [sid for node in tree.walk() for sid in node.server_ids]
        rows, problems = _server_result_rows([found[sid] for sid in ids], ids, names, server_groups)
        return _DataCenterData(ref, tree, _sorted_rows(rows, order), tuple(problems))


def _fetch_dc_data(client, cache: PersonCache, dc: str) -> _DataCenterData:
    ref = _datacenter_ref(client, cache, dc)
    try:
        return _dc_task(client, ref)
    except errors.NotFound:
        raise NotFound(f"No data center {dc.upper()} in your account.") from None


def _dc_patch(client) -> Callable:
    """Brings a cached data center view up to the account's changes: only changed servers are
    read again (``patches.datacenter_view``)."""

    def patch(data: _DataCenterData, changes: list[dict]):
        return patches.datacenter_view(
            data,
            changes,
            fetch_servers=lambda ids: clc_servers.get_servers(client, ids, return_exceptions=True),
            row_of=ServerRow.from_server,
        )

    return patch


def _dc_data(client, cache: PersonCache, dc: str, fresh: bool = False) -> _DataCenterData:
    return cache.get_or_fetch(
        f"dc:{dc}",
        lambda: _fetch_dc_data(client, cache, dc),
        cacheable=lambda data: not data.server_errors,
        fresh=fresh,
        patch=_dc_patch(client),
    )


def _view_of(data: _DataCenterData, group_id: str | None) -> DataCenterView:
    selected = None
    rows = data.servers
    errors_ = data.server_errors
    if group_id:
        selected = data.tree.find(group_id)
        if selected is None:
            raise NotFound(f"No group {group_id} in {data.datacenter.id}.")
        wanted = {g.id.lower() for g in selected.walk()}
        rows = tuple(r for r in rows if r.group_id.lower() in wanted)
        failed = {r.id for r in rows if r.error}
        errors_ = tuple(e for e in errors_ if any(sid in e.message for sid in failed))
    return DataCenterView(
        datacenter=data.datacenter,
        tree=data.tree,
        groups=tuple(data.tree.walk()),
        selected_group=selected,
        servers=rows,
        server_errors=errors_,
        power=PowerBreakdown.of(rows),
    )


def datacenter_view(
    user, dc: str, group_id: str | None = None, *, client=None, fresh: bool = False
) -> DataCenterView:
    """The group tree of a data center and every server in it (or in ``group_id``'s subtree)."""
    dc = checked_id(dc, "data center").lower()
    if group_id:
        group_id = checked_id(group_id, "group")
    client = own_client(user, client)
    cache = PersonCache(user)
    data = _dc_data(client, cache, dc, fresh)
    # The same cached entry (``memo``: held by this process) gives the same view object, so what
    # pages derive from it (rows sorted and rendered) is reused until the entry changes.
    return memo.derived(data, ("view", (group_id or "").lower()), lambda: _view_of(data, group_id))


def datacenter_servers(
    user, dc: str, group_id: str | None = None, *, client=None, fresh: bool = False
) -> tuple[ServerRow, ...]:
    return datacenter_view(user, dc, group_id, client=client, fresh=fresh).servers
