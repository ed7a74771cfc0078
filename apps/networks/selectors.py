"""Network reads for pages and the API, through ``apps.clc`` with the person's token, cached per
person (``apps.inventory.cache.PersonCache``: any change to the account makes the next read fresh).

Upstream calls, cold (N = the data center's networks, P = the server's public IPs):

* a data center's networks with their address use: 1 list + N network reads (all addresses);
* one network with its addresses: 1 (0 after the data center's page: the same entries);
* a server's networks panel: 1 list of its data center's networks (shared with the pages above)
  + P public IP reads;
* the networks index: the data center list (the top bar's, cached) + 1 list per data center.

Firewall reads are in ``selectors_firewall``.
"""

import ipaddress
import re
from dataclasses import dataclass

from apps.accounts.reads import own_client, url_part
from apps.accounts.services import client_for_request, user_datacenters
from apps.activities.models import TERMINAL, Activity
from apps.clc import errors
from apps.clc import networks as clc_networks
from apps.clc.fanout import fan_out
from apps.clc.links import HasLinks, Link
from apps.clc.networks import Network, NetworkAddress, PublicIp
from apps.inventory.cache import PersonCache, alias_of

from .validation import network_of

_DC = re.compile(r"^[A-Za-z0-9]{2,8}$")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
SERVER_VIEWERS = frozenset(
    {"AccountAdmin", "AccountViewer", "SecurityAdmin", "ServerAdmin", "ServerOperator"}
)


class NotFound(errors.NotFound):
    """No such data center or network in the person's account."""


def checked_dc(dc: str) -> str:
    return url_part(dc, _DC, "data center", NotFound, 20).upper()


def checked_id(value: str, what: str) -> str:
    return url_part(value, _ID, what, NotFound)


def checked_ip(value: str) -> str:
    return url_part(value, _IP, "address", NotFound)


def can_view_servers(user) -> bool:
    """The cloud lets these roles read servers (ROLES.md); a Network Manager sees ids, no links."""
    return bool(set(getattr(user, "roles", None) or ()) & SERVER_VIEWERS)


def cached_many(cache: PersonCache, wanted: list, fresh: bool = False) -> dict:
    """``[(key, fetch), ...]`` -> ``{key: value or ClcError}``: cached entries first, the missing
    ones fetched together (one bounded fan-out) and stored. Cache access stays in this thread."""
    out, missing = {}, []
    for key, fetch in wanted:
        value = None if fresh else cache.peek(key)
        if value is None:
            missing.append((key, fetch))
        else:
            out[key] = value
    results = fan_out(lambda item: item[1](), missing, return_exceptions=True)
    for (key, _fetch), value in zip(missing, results, strict=True):
        if isinstance(value, errors.Unauthorized):
            raise value
        if not isinstance(value, errors.ClcError):
            cache.put(key, value)
        out[key] = value
    return out


# --- shapes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddressUse:
    """Private addresses claimed by servers and free ones; public addresses mapped into it."""

    claimed: int = 0
    free: int = 0
    public: int = 0

    @property
    def total(self) -> int:
        return self.claimed + self.free

    @property
    def percent(self) -> int:
        return round(100 * self.claimed / self.total) if self.total else 0

    @classmethod
    def of(cls, addresses) -> "AddressUse":
        claimed = sum(1 for a in addresses if a.type == "private" and a.claimed)
        free = sum(1 for a in addresses if a.type == "private" and not a.claimed)
        return cls(claimed, free, sum(1 for a in addresses if a.type != "private"))


@dataclass(frozen=True)
class NetworkRow:
    network: Network
    use: AddressUse | None = None
    error: str = ""  # its addresses could not be read


@dataclass(frozen=True)
class DataCenterNetworks:
    """A data center's networks (what the claim action acts on)."""

    dc: str
    networks: tuple[Network, ...]
    rows: tuple[NetworkRow, ...] = ()

    def allows(self, rel, verb) -> bool:  # the list carries no claim link: roles and the cloud decide
        return True

    @property
    def releasing(self) -> list[Network]:
        return [n for n in self.networks if n.releasing]


class ViewOf(HasLinks):
    """A page's view of one entity (the attribute ``of`` names: a network, a policy): its data
    center (``location``) and its links are the entity's."""

    of = ""

    @property
    def dc(self) -> str:
        return getattr(self, self.of).location

    @property
    def links(self) -> tuple[Link, ...]:
        return getattr(self, self.of).links


@dataclass(frozen=True)
class NetworkDetail(ViewOf):
    """One network with every address (claimed with its server, free, public mapped)."""

    of = "network"
    network: Network
    use: AddressUse

    @property
    def addresses(self) -> tuple[NetworkAddress, ...]:
        return self.network.addresses or ()

    @property
    def servers(self) -> list[str]:
        """The servers with an address in it, in address order."""
        return list(dict.fromkeys(a.server for a in self.addresses if a.claimed and a.server))


# --- reads -------------------------------------------------------------------------------------
def _list_key(dc: str) -> str:
    return f"nets:{dc}"


def _network_key(dc: str, network_id: str) -> str:
    return f"net:{dc}:{network_id}"


def _public_ip_key(server_id: str, address: str) -> str:
    return f"pip:{server_id.upper()}:{address}"


def network_list(user, dc: str, *, client=None, fresh: bool = False) -> DataCenterNetworks:
    """The data center's networks, without addresses (1 call cold)."""
    dc = checked_dc(dc)
    client = own_client(user, client)
    cache = PersonCache(user)

    def fetch():
        try:
            return tuple(clc_networks.list_networks(client, dc))
        except errors.NotFound:
            raise NotFound(f"No data center {dc} in your account.") from None

    return DataCenterNetworks(dc, cache.get_or_fetch(_list_key(dc), fetch, fresh=fresh))


def datacenter_networks(user, dc: str, *, client=None, fresh: bool = False) -> DataCenterNetworks:
    """The data center's networks, each with its address use (1 + N calls cold)."""
    client = own_client(user, client)
    listed = network_list(user, dc, client=client, fresh=fresh)
    cache = PersonCache(user)
    found = cached_many(
        cache,
        [
            (
                _network_key(listed.dc, n.id),
                lambda n=n: clc_networks.get_network(client, listed.dc, n.id, addresses="all"),
            )
            for n in listed.networks
        ],
        fresh=fresh,
    )
    rows = []
    for network in listed.networks:
        detail = found[_network_key(listed.dc, network.id)]
        if isinstance(detail, errors.ClcError):
            rows.append(NetworkRow(network, None, _unreadable(detail)))
        else:
            rows.append(NetworkRow(network, AddressUse.of(detail.addresses or ())))
    return DataCenterNetworks(listed.dc, listed.networks, tuple(rows))


def _unreadable(exc: errors.ClcError) -> str:
    if isinstance(exc, errors.NotFound):
        return "gone"
    if isinstance(exc, errors.Forbidden):
        return "not readable with your role"
    return "could not be read right now"


def network_detail(user, dc: str, network_id: str, *, client=None, fresh: bool = False) -> NetworkDetail:
    """One network with all its addresses (1 call cold)."""
    dc = checked_dc(dc)
    network_id = checked_id(network_id, "network")
    client = own_client(user, client)
    cache = PersonCache(user)

    def fetch():
        try:
            return clc_networks.get_network(client, dc, network_id, addresses="all")
        except errors.NotFound:
            raise NotFound(f"No network {network_id} in {dc}.") from None

    network = cache.get_or_fetch(_network_key(dc, network_id.lower()), fetch, fresh=fresh)
    return NetworkDetail(network, AddressUse.of(network.addresses or ()))


def account_networks(user, dcs, *, client=None) -> dict[str, tuple[Network, ...]]:
    """Networks of several data centers (one list each, cached): ``{dc: networks}``; a data
    center that can't be read is left out."""
    client = own_client(user, client)
    cache = PersonCache(user)
    keys = {dc.upper(): _list_key(dc.upper()) for dc in dcs if _DC.match(dc or "")}
    found = cached_many(
        cache,
        [(key, lambda dc=dc: tuple(clc_networks.list_networks(client, dc))) for dc, key in keys.items()],
    )
    return {dc: found[key] for dc, key in keys.items() if not isinstance(found[key], errors.ClcError)}


def person_datacenters(request) -> list[dict]:
    """``[{"id", "name"}]``: the account's data centers (the top bar's cached list)."""
    return user_datacenters(request)


@dataclass(frozen=True)
class DataCenterCount:
    id: str
    name: str
    networks: int | None  # None: could not be read


def networks_index(request) -> list[DataCenterCount]:
    dcs = person_datacenters(request)
    found = account_networks(request.user, [d["id"] for d in dcs], client=client_for_request(request))
    return [
        DataCenterCount(d["id"], d["name"], len(found[d["id"].upper()]) if d["id"].upper() in found else None)
        for d in dcs
    ]


# --- a server's networks and public IPs ----------------------------------------------------------
@dataclass(frozen=True)
class ServerNetwork:
    network: Network | None  # None: an address in none of the account's networks
    addresses: tuple[str, ...]
    primary: bool = False


@dataclass(frozen=True)
class PublicIpView:
    address: str
    internal: str
    rules: PublicIp | None = None
    error: str = ""
    editable: bool = False  # the cloud offers PUT on it


@dataclass(frozen=True)
class ServerNetworks:
    dc: str
    attached: tuple[ServerNetwork, ...]  # the primary first
    available: tuple[Network, ...]  # the data center's networks it has no address in
    public_ips: tuple[PublicIpView, ...]

    @property
    def secondary(self) -> list[ServerNetwork]:
        return [n for n in self.attached if not n.primary and n.network is not None]


def _sorted_addresses(addresses) -> list[str]:
    def key(a):
        try:
            return (0, int(ipaddress.IPv4Address(a)))
        except ValueError:
            return (1, 0)

    return sorted(addresses, key=key)


def attached_networks(networks, internal_ips) -> tuple[ServerNetwork, ...]:
    """The server's addresses grouped by network; the first address's network is the primary."""
    groups: dict[str, list[str]] = {}
    by_id = {}
    order = []
    for address in internal_ips:
        network = network_of(address, networks)
        key = network.id if network else ""
        if key not in groups:
            groups[key] = []
            order.append(key)
            by_id[key] = network
        groups[key].append(address)
    return tuple(
        ServerNetwork(by_id[key], tuple(_sorted_addresses(groups[key])), primary=(i == 0 and key != ""))
        for i, key in enumerate(order)
    )


def server_networks(user, detail, *, client=None, fresh: bool = False) -> ServerNetworks:
    """``detail``: the inventory's ``ServerDetail``. 1 + P calls cold."""
    client = own_client(user, client)
    server = detail.server
    dc = detail.datacenter.id if detail.datacenter else server.location_id
    listed = network_list(user, dc, client=client, fresh=fresh)
    attached = attached_networks(listed.networks, list(server.internal_ips))
    used = {n.network.id for n in attached if n.network is not None}
    available = tuple(n for n in listed.networks if n.id not in used and not n.releasing)
    links = {link.id: link for link in server.links if link.rel == "publicIPAddress" and link.id}
    pairs = [(ip.public, ip.internal) for ip in detail.ip_addresses if ip.public]
    for address in links:
        if address not in {p for p, _ in pairs}:
            pairs.append((address, ""))
    cache = PersonCache(user)
    found = cached_many(
        cache,
        [
            (
                _public_ip_key(server.id, public),
                lambda a=public: clc_networks.get_public_ip(client, server.id, a),
            )
            for public, _internal in pairs
        ],
        fresh=fresh,
    )
    ips = []
    for public, internal in pairs:
        rules = found[_public_ip_key(server.id, public)]
        link = links.get(public)
        editable = bool(link and link.allows("PUT"))
        if isinstance(rules, errors.ClcError):
            ips.append(PublicIpView(public, internal, None, _unreadable(rules), editable))
        else:
            ips.append(PublicIpView(public, internal or rules.internal, rules, "", editable))
    return ServerNetworks(dc.upper(), attached, available, tuple(ips))


def public_ip_rules(user, server_id: str, address: str, *, client=None) -> PublicIp:
    """One public IP's rules (cached with the server's panel)."""
    address = checked_ip(address)
    client = own_client(user, client)
    cache = PersonCache(user)
    return cache.get_or_fetch(
        _public_ip_key(server_id, address), lambda: clc_networks.get_public_ip(client, server_id, address)
    )


# --- claims in progress (the team's activities: what the data center page shows while they run) --
def pending_claims(user, dc: str, limit: int = 10) -> list:
    """The account's network claims in ``dc`` that have not ended (newest first)."""
    alias = alias_of(user)
    found = (
        Activity.objects.filter(account_alias=alias, operation="claimNetwork", resource_type="datacenter")
        .exclude(status__in=TERMINAL)
        .select_related("user")[: limit * 3]
    )
    return [a for a in found if dc.upper() in [str(r).upper() for r in a.resource_ids or ()]][:limit]
