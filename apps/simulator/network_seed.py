"""What the seeds put in place for networks and firewalls (called from ``seed.py``).

Every account gets three networks in each of its data centers: the first sized for the servers the
seed places there (and room to grow), a second renamed "Backend", a third left empty (so it can be
released). The demo account also gets a few servers with a secondary network adapter and a few
firewall policies in WA1.
"""

import hashlib
import ipaddress

from .addressing import create_network, seeded_network_id, usable
from .models import CrossDcFirewallPolicy, FirewallPolicy, Network
from .state import World


def seed_networks(world: World, alias: str, dc: str, servers: int = 0) -> list[Network]:
    primary = create_network(
        world, alias, dc, hosts=servers + servers // 4 + 40, network_id=seeded_network_id(alias, dc, 0)
    )
    backend = create_network(world, alias, dc, network_id=seeded_network_id(alias, dc, 1))
    backend.name = "Backend"
    backend.description = f"Databases and caches on {backend.cidr}"
    spare = create_network(world, alias, dc, network_id=seeded_network_id(alias, dc, 2))
    return [primary, backend, spare]


class SequentialAddresses:
    """Hands a seed network's addresses out in order without looking at the servers (a seed that
    places thousands of servers would otherwise rescan them for every one)."""

    def __init__(self, network: Network):
        self.network = network
        self._next = iter(usable(network))

    def __next__(self) -> str:
        try:
            return str(ipaddress.IPv4Address(next(self._next)))
        except StopIteration:
            raise ValueError(f"the seed network {self.network.cidr} is full") from None


def add_secondary_address(world: World, server, network: Network) -> str:
    """Give a seeded server an adapter in ``network`` (its lowest free address)."""
    from .addressing import allocate

    address = allocate(world, network)
    server.internal_ips.append(address)
    return address


def _policy_id(*parts) -> str:
    return hashlib.md5(":".join(parts).encode()).hexdigest()


def seed_firewall_policies(world: World, alias: str = "DEMO") -> None:
    """WA1: web -> backend (MySQL, Redis), a disabled ping rule back, and WA1 -> VA1 across data
    centers. All active already."""
    wa1 = [world.networks[seeded_network_id(alias, "WA1", i)] for i in range(2)]
    va1 = world.networks.get(seeded_network_id(alias, "VA1", 0))
    for name, source, destination, ports, enabled in (
        ("web-to-backend", wa1[0], wa1[1], ["tcp/3306", "tcp/6379"], True),
        ("backend-ping", wa1[1], wa1[0], ["icmp"], False),
    ):
        policy = FirewallPolicy(
            id=_policy_id(alias, "WA1", name),
            alias=alias,
            location="WA1",
            destination_account=alias,
            source=[source.cidr],
            destination=[destination.cidr],
            ports=ports,
            enabled=enabled,
            status="active",
        )
        world.firewall_policies[policy.id] = policy
    if va1 is not None:
        cross = CrossDcFirewallPolicy(
            id=_policy_id(alias, "WA1", "to-va1"),
            alias=alias,
            location="WA1",
            source_cidr=wa1[0].cidr,
            destination_account=alias,
            destination_location="VA1",
            destination_cidr=va1.cidr,
            enabled=True,
            status="active",
        )
        world.cross_dc_policies[cross.id] = cross
