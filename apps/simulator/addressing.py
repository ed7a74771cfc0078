"""Networks and their addresses: where an account's networks sit, which addresses are claimed,
and which address a new server, network adapter or public IP gets.

Claimed addresses are never stored: an address is claimed when it is one of the internal addresses
(``Server.internal_ips``) of a server of the same account and data center, and *reserved* while a
queued operation holds it (``op.params`` ``reservedAddress`` + ``networkId``, e.g. a secondary
network being added). So deleting a server frees its addresses with nothing to update.

Layout (the simulator's choices, see docs/simulator.md):
- Each data center has its own private pool, ``10.<16 × (1 + its index)>.0.0/12``; networks of
  every account in that data center are carved from it without overlapping (aligned blocks, /24 by
  default, larger when a seed needs room for many servers).
- In a block, ``.1`` is the gateway, the next ten addresses belong to the platform and the last five
  are never handed out: servers get addresses from ``.12`` up, lowest free first.
- VLAN numbers are unique per data center from 700; a network's default name and description are
  ``vlan_<vlan>_<first three octets>`` (as in the docs' examples).
"""

import hashlib
import ipaddress

from . import errors
from .models import Network
from .state import World

FIRST_HOST = 12  # offset of the first address handed out (.1 gateway, .2-.11 platform)
TAIL_RESERVED = 5  # the last addresses of a block (broadcast included) are never handed out
FIRST_VLAN = 700
MAX_NETWORKS_PER_DC = 10  # per account and data center, queued claims included
POOL_PREFIX = 12


# --- lookups -------------------------------------------------------------------------------------
def seeded_network_id(alias: str, dc: str, index: int) -> str:
    """The stable id of a seed's ``index``-th network of an account in a data center."""
    return hashlib.md5(f"{alias.upper()}:{dc.upper()}:{index}".encode()).hexdigest()


def networks_of(world: World, alias: str, dc: str) -> list[Network]:
    """The account's networks in a data center, in the order they were claimed."""
    return [
        n
        for n in world.networks.values()
        if n.alias.upper() == alias.upper() and n.location.upper() == dc.upper()
    ]


def find(world: World, alias: str, dc: str, network_id) -> Network | None:
    if not isinstance(network_id, str):
        return None
    network = world.networks.get(network_id.strip().lower())
    if network is None or network.alias.upper() != alias.upper() or network.location.upper() != dc.upper():
        return None
    return network


def _bounds(network: Network) -> tuple[int, int]:
    block = ipaddress.IPv4Network(network.cidr)
    return int(block.network_address), int(block.broadcast_address)


def usable(network: Network) -> range:
    """The addresses (as integers) servers may get."""
    low, high = _bounds(network)
    return range(low + FIRST_HOST, high - TAIL_RESERVED + 1)


def _as_int(address) -> int | None:
    try:
        return int(ipaddress.IPv4Address(str(address).strip()))
    except ValueError:
        return None


def contains(network: Network, address) -> bool:
    value = _as_int(address)
    low, high = _bounds(network)
    return value is not None and low <= value <= high


def network_of(world: World, alias: str, dc: str, address) -> Network | None:
    """The account's network in ``dc`` that holds ``address``."""
    for network in networks_of(world, alias, dc):
        if contains(network, address):
            return network
    return None


def primary_network(world: World, server) -> Network:
    """The network of a server's first address (its ``network_id``)."""
    network = find(world, server.alias, server.location, server.network_id)
    if network is None and server.internal_ips:
        network = network_of(world, server.alias, server.location, server.internal_ips[0])
    return network or default_network(world, server.alias, server.location)


# --- claims --------------------------------------------------------------------------------------
def _servers_in(world: World, network: Network):
    for server in world.servers.values():
        if (
            server.alias.upper() == network.alias.upper()
            and server.location.upper() == network.location.upper()
        ):
            yield server


def claims(world: World, network: Network) -> dict[str, str]:
    """Internal address -> server id, for every claimed address of the network."""
    low, high = _bounds(network)
    out = {}
    for server in _servers_in(world, network):
        for address in server.internal_ips:
            value = _as_int(address)
            if value is not None and low <= value <= high:
                out[address] = server.id
    return out


def public_claims(world: World, network: Network) -> list[tuple[str, str]]:
    """(public address, server id) for the public IPs mapped to addresses of the network."""
    low, high = _bounds(network)
    out = []
    for server in _servers_in(world, network):
        for ip in server.public_ips:
            value = _as_int(ip.internal)
            if value is not None and low <= value <= high:
                out.append((ip.address, server.id))
    return out


def reserved(world: World, network: Network) -> set[str]:
    """Addresses held by operations still running (they become claims when those complete)."""
    return {
        op.params["reservedAddress"]
        for op in world.operations.values()
        if not op.applied
        and op.params.get("networkId") == network.id
        and isinstance(op.params.get("reservedAddress"), str)
    }


def taken(world: World, network: Network) -> set[int]:
    return {_as_int(a) for a in (set(claims(world, network)) | reserved(world, network))}


def free_addresses(world: World, network: Network, limit: int | None = None) -> list[str]:
    busy = taken(world, network)
    out = []
    for value in usable(network):
        if value not in busy:
            out.append(str(ipaddress.IPv4Address(value)))
            if limit is not None and len(out) >= limit:
                break
    return out


def allocate(world: World, network: Network, wanted=None) -> str:
    """A free address of the network: ``wanted`` (checked) or the lowest free one; 400 otherwise."""
    if network.releasing:
        raise errors.bad_request(f"The network {network.name} is being released.")
    if wanted is None:
        found = free_addresses(world, network, limit=1)
        if not found:
            raise errors.bad_request(f"The network {network.name} has no free IP address.")
        return found[0]
    value = _as_int(wanted) if isinstance(wanted, str) else None
    if value is None:
        raise errors.bad_request(f"The IP address '{wanted}' is not a valid IPv4 address.")
    address = str(ipaddress.IPv4Address(value))
    if not contains(network, address):
        raise errors.bad_request(f"The IP address {address} is not in the network {network.cidr}.")
    if value not in usable(network):
        raise errors.bad_request(f"The IP address {address} is reserved in the network {network.cidr}.")
    if value in taken(world, network):
        raise errors.bad_request(f"The IP address {address} is already claimed.")
    return address


# --- creating networks ---------------------------------------------------------------------------
def _prefix_for(hosts: int) -> int:
    prefix = 24
    while 2 ** (32 - prefix) - FIRST_HOST - TAIL_RESERVED < hosts and prefix > POOL_PREFIX + 1:
        prefix -= 1
    return prefix


def _pool(world: World, dc: str) -> tuple[int, int]:
    keys = list(world.datacenters)
    index = keys.index(dc.lower()) if dc.lower() in keys else len(keys)
    start = int(ipaddress.IPv4Address(f"10.{16 * (1 + index % 15)}.0.0"))
    return start, start + 2 ** (32 - POOL_PREFIX)


def _place(world: World, dc: str, prefix: int) -> ipaddress.IPv4Network:
    """The lowest aligned free block of that size in the data center's pool."""
    size = 2 ** (32 - prefix)
    start, end = _pool(world, dc)
    used = sorted(_bounds(n) for n in world.networks.values() if n.location.upper() == dc.upper())
    candidate = start
    for low, high in used:
        if low > candidate + size - 1:
            break
        if high >= candidate:
            candidate = -(-(high + 1) // size) * size
    if candidate + size > end:
        raise errors.bad_request(f"No network is available in {dc.upper()}.")
    return ipaddress.IPv4Network((candidate, prefix))


def default_name(vlan: int, cidr: str) -> str:
    first_three = str(ipaddress.IPv4Network(cidr).network_address).rsplit(".", 1)[0]
    return f"vlan_{vlan}_{first_three}"


def create_network(
    world: World, alias: str, dc: str, *, hosts: int = 0, network_id: str | None = None
) -> Network:
    """Claim a new network for the account in ``dc`` at once (queued claims call this when done)."""
    block = _place(world, dc, _prefix_for(hosts))
    vlans = [n.vlan for n in world.networks.values() if n.location.upper() == dc.upper()]
    vlan = max(vlans) + 1 if vlans else FIRST_VLAN
    cidr = str(block)
    name = default_name(vlan, cidr)
    network = Network(
        id=(network_id or world.new_group_id()).lower(),
        alias=alias.upper(),
        location=dc.upper(),
        cidr=cidr,
        gateway=str(block.network_address + 1),
        netmask=str(block.netmask),
        vlan=vlan,
        name=name,
        description=name,
    )
    world.networks[network.id] = network
    return network


def default_network(world: World, alias: str, dc: str) -> Network:
    """Where a server goes when no network is named: the first network with a free address; an
    account without any in that data center gets one claimed for it (create-server says so)."""
    existing = networks_of(world, alias, dc)
    for network in existing:
        if not network.releasing and free_addresses(world, network, limit=1):
            return network
    if len(existing) >= MAX_NETWORKS_PER_DC:
        raise errors.bad_request(f"Every network of the account in {dc.upper()} is full.")
    return create_network(world, alias, dc)


def for_new_server(world: World, alias: str, group, network_id=None, ip_address=None) -> tuple[Network, str]:
    """The network and address of a server about to be created in ``group`` (create-server rules):
    ``networkId`` must be one of the account's networks in the group's data center; ``ipAddress``
    must be a free address of it (or, without ``networkId``, of one of those networks). Otherwise
    the group's default network, else the first network with a free address."""
    dc = group.location
    if network_id not in (None, ""):
        network = find(world, alias, dc, network_id)
        if network is None:
            raise errors.bad_request(f"The network '{network_id}' does not exist in {dc.upper()}.")
    elif ip_address not in (None, ""):
        network = network_of(world, alias, dc, ip_address)
        if network is None:
            if _as_int(ip_address) is None or not isinstance(ip_address, str):
                raise errors.bad_request(f"The IP address '{ip_address}' is not a valid IPv4 address.")
            raise errors.bad_request(
                f"The IP address {ip_address} is not in any network of the account in {dc}."
            )
    else:
        network = find(world, alias, dc, group_default_network_id(world, group))
        if network is None or network.releasing or not free_addresses(world, network, limit=1):
            network = default_network(world, alias, dc)
    wanted = ip_address if ip_address not in (None, "") else None
    return network, allocate(world, network, wanted)


def group_default_network_id(world: World, group) -> str | None:
    current = group
    while current is not None:
        value = current.defaults.get("networkId")
        if value:
            return value
        current = world.groups.get(current.parent_id) if current.parent_id else None
    return None
