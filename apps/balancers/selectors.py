"""Reads of shared load balancers for the pages, the API and the actions (cached per person).

Upstream calls, cold (the data center's servers come from the inventory's cached data center view,
shared with the data center page, so a person who has seen it pays nothing for them):

* a data center's load balancers: 1 list (pools and nodes included) + 1 deployment capabilities
  (does the data center offer shared load balancers? cached an hour);
* a load balancer or a pool: its data center's list when cached, else 1 GET; + the data center view
  (names, addresses and power states of the node servers);
* the server page's panel: the list of the server's data center (shared with the list page).

A change (any registered action) bumps the account's cache generation, so every later read is fresh;
an action's target is read fresh on POST (the node list it replaces is the cloud's current one).
"""

import re
from dataclasses import dataclass, field

from apps.accounts.reads import own_client, url_part
from apps.clc import balancers as clc_balancers
from apps.clc import datacenters as clc_datacenters
from apps.clc import errors
from apps.clc.balancers import LoadBalancer, Node, Pool
from apps.clc.links import HasLinks, Link
from apps.inventory import selectors as inventory
from apps.inventory.cache import PersonCache

_DC = re.compile(r"^[A-Za-z0-9]{2,16}$")
_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
CAPABILITY_SECONDS = 3600
NOT_RUNNING = {"stopped": "stopped", "paused": "paused"}


class NotFound(errors.NotFound):
    """No such data center, load balancer or pool for this person (or another account's)."""


def checked_dc(dc: str) -> str:
    return url_part(dc, _DC, "data center", NotFound, 20).upper()


def checked_id(value: str, what: str) -> str:
    return url_part(value, _ID, what, NotFound, 64).lower()


# --- the data center's servers, by address -----------------------------------------------------
@dataclass(frozen=True)
class ServerIndex:
    """The data center's servers (inventory rows) and who holds which internal address."""

    rows: tuple = ()  # inventory ServerRow, in the data center view's order
    by_address: dict = field(default_factory=dict)  # "10.0.0.5" -> ServerRow

    @classmethod
    def of(cls, rows) -> "ServerIndex":
        usable = tuple(r for r in rows if not r.error)
        by_address = {ip: r for r in usable for ip in r.internal_ips}
        return cls(usable, by_address)

    def server(self, address: str):
        return self.by_address.get(address)

    def find(self, name_or_id: str):
        wanted = (name_or_id or "").strip().upper()
        return next((r for r in self.rows if r.id.upper() == wanted or r.name.upper() == wanted), None)

    @property
    def candidates(self) -> list:
        """Servers a node may be added on: not archived, sorted by name."""
        return sorted((r for r in self.rows if r.status != "archived"), key=lambda r: (r.name, r.id))


def _server_index(user, dc: str, client) -> tuple[ServerIndex | None, str]:
    """The index, or None and why (a role that can't read servers, the cloud down)."""
    try:
        view = inventory.datacenter_view(user, dc, client=client)
    except errors.Unauthorized:
        raise
    except errors.Forbidden:
        return None, "Your role can't read this data center's servers, so nodes show as addresses only."
    except errors.ClcError:
        return None, "The data center's servers could not be read right now, so nodes show as addresses only."
    return ServerIndex.of(view.servers), ""


# --- what pages show ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NodeRow:
    """A node of a pool with the server behind its address (when the portal can tell)."""

    node: Node
    server: object = None  # inventory ServerRow
    flag: str = ""  # why it serves no traffic: "server stopped", "server archived", ...

    @property
    def key(self) -> str:
        return self.node.key


def flag_of(node: Node, server, index: ServerIndex | None) -> str:
    if index is None:
        return ""
    if server is None:
        return "not the address of a server in this data center (any more)"
    if server.status == "archived":
        return "server archived"
    if server.status != "active":
        return f"server {server.status or 'not active'}"
    if server.power_state in NOT_RUNNING:
        return f"server {NOT_RUNNING[server.power_state]}"
    return ""


def node_rows(pool: Pool, index: ServerIndex | None) -> tuple[NodeRow, ...]:
    out = []
    for node in pool.nodes:
        server = index.server(node.ip_address) if index is not None else None
        out.append(NodeRow(node, server, flag_of(node, server, index)))
    return tuple(out)


@dataclass(frozen=True)
class DataCenterBalancers:
    """A data center's load balancers (the list page; the target of "create")."""

    dc: str
    balancers: tuple[LoadBalancer, ...]
    supported: bool | None = None  # None: unknown (the capabilities could not be read)

    def allows(self, rel, verb) -> bool:  # the list has no links of its own: the roles decide
        return True


@dataclass(frozen=True)
class OfBalancer(HasLinks):
    """A load balancer's page (or a part's): its data center is the balancer's."""

    balancer: LoadBalancer

    @property
    def dc(self) -> str:
        return self.balancer.datacenter


@dataclass(frozen=True)
class BalancerView(OfBalancer):
    index: ServerIndex | None = None
    servers_note: str = ""

    @property
    def links(self) -> tuple[Link, ...]:
        return self.balancer.links

    def pools(self) -> list[tuple[Pool, tuple[NodeRow, ...]]]:
        return [(p, node_rows(p, self.index)) for p in sorted(self.balancer.pools, key=lambda p: p.port)]

    @property
    def flagged(self) -> int:
        return sum(1 for _pool, rows in self.pools() for r in rows if r.flag)


@dataclass(frozen=True)
class PoolView(OfBalancer):
    pool: Pool
    index: ServerIndex | None = None
    servers_note: str = ""

    @property
    def links(self) -> tuple[Link, ...]:
        return self.pool.links

    @property
    def rows(self) -> tuple[NodeRow, ...]:
        return node_rows(self.pool, self.index)

    def node(self, key: str) -> Node | None:
        return next((n for n in self.pool.nodes if n.key == key), None)


# --- reads ---------------------------------------------------------------------------------------
def _supported(client, cache: PersonCache, dc: str) -> bool | None:
    resource = f"lbcap:{dc}"
    cached = cache.get_stable(resource)
    if isinstance(cached, bool):
        return cached
    try:
        value = clc_datacenters.deployment_capabilities(client, dc).supports_shared_load_balancer
    except errors.Unauthorized:
        raise
    except errors.ClcError:
        return None
    cache.put_stable(resource, value, CAPABILITY_SECONDS)
    return value


def _list_key(dc: str) -> str:
    return f"lbs:{dc}"


def _list(client, cache: PersonCache, dc: str, fresh: bool = False) -> tuple[LoadBalancer, ...]:
    def fetch():
        try:
            return tuple(clc_balancers.list_balancers(client, dc))
        except errors.NotFound:
            raise NotFound(f"No data center {dc} in your account.") from None

    return cache.get_or_fetch(_list_key(dc), fetch, fresh=fresh)


def datacenter_balancers(user, dc: str, *, client=None, fresh: bool = False) -> DataCenterBalancers:
    dc = checked_dc(dc)
    client = own_client(user, client)
    cache = PersonCache(user)
    balancers = _list(client, cache, dc, fresh)
    return DataCenterBalancers(
        dc, tuple(sorted(balancers, key=lambda b: (b.name.lower(), b.id))), _supported(client, cache, dc)
    )


def _balancer(client, cache: PersonCache, dc: str, lb_id: str, fresh: bool) -> LoadBalancer:
    if not fresh:
        listed = cache.peek(_list_key(dc))
        if listed is not None:
            found = next((b for b in listed if b.id == lb_id), None)
            if found is None:
                raise NotFound(f"No load balancer {lb_id} in {dc}.")
            return found

    def fetch():
        try:
            return clc_balancers.get_balancer(client, dc, lb_id)
        except errors.NotFound:
            raise NotFound(f"No load balancer {lb_id} in {dc}.") from None

    return cache.get_or_fetch(f"lb:{dc}:{lb_id}", fetch, fresh=fresh)


def balancer(user, dc: str, lb_id: str, *, client=None, fresh: bool = False) -> BalancerView:
    dc, lb_id = checked_dc(dc), checked_id(lb_id, "load balancer")
    client = own_client(user, client)
    found = _balancer(client, PersonCache(user), dc, lb_id, fresh)
    index, note = _server_index(user, dc, client)
    return BalancerView(found, index, note)


def pool(user, dc: str, lb_id: str, pool_id: str, *, client=None, fresh: bool = False) -> PoolView:
    view = balancer(user, dc, lb_id, client=client, fresh=fresh)
    pool_id = checked_id(pool_id, "pool")
    found = view.balancer.pool(pool_id)
    if found is None:
        raise NotFound(f"No pool {pool_id} on load balancer {view.balancer.name}.")
    return PoolView(view.balancer, found, view.index, view.servers_note)


# --- a server's pools (the server page's panel, the API) ----------------------------------------
@dataclass(frozen=True)
class Membership:
    balancer: LoadBalancer
    pool: Pool
    node: Node


@dataclass(frozen=True)
class ServerPools:
    """The pools a server is a node of: ``memberships`` by load balancer name, then pool port."""

    server: object  # inventory ServerRow
    memberships: tuple[Membership, ...]


def pools_of_server(user, detail, *, client=None, fresh: bool = False) -> ServerPools:
    """Every pool (of the server's data center) with a node on one of the server's internal
    addresses; ``detail`` is the inventory's ``ServerDetail``."""
    server = detail.server
    if not server.location_id or not server.internal_ips:
        return ServerPools(server, ())
    dc = checked_dc(server.location_id)
    balancers = _list(own_client(user, client), PersonCache(user), dc, fresh)
    addresses = set(server.internal_ips)
    return ServerPools(
        server,
        tuple(
            Membership(lb, p, n)
            for lb in sorted(balancers, key=lambda b: (b.name.lower(), b.id))
            for p in sorted(lb.pools, key=lambda p: p.port)
            for n in p.nodes
            if n.ip_address in addresses
        ),
    )
