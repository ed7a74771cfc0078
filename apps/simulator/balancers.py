"""Shared load balancers: the entities, their public addresses, their JSON, and the demo's.

A load balancer lives in one data center of one account and has a public address (VIP) from that
data center's range; it holds pools (one per public port, 80 or 443), each with a method, a
persistence and nodes (a server's internal address and a private port). What the routes answer is
in ``routes/load_balancers.py``; the rules the simulator had to guess are in docs/simulator.md.
"""

import hashlib
from dataclasses import dataclass, field

from . import errors
from .ledger import BalancerUsage
from .roles import can
from .state import World

PORTS = (80, 443)
METHODS = ("roundRobin", "leastConnection")
PERSISTENCES = ("standard", "sticky")
LB_STATUSES = ("enabled", "disabled")
NODE_STATUSES = ("enabled", "disabled", "deleted")
HOURLY_PRICE = 0.04  # per load balancer-hour: $29.76 for a 31-day month, as a recorded invoice shows

# Data centers without shared load balancers (deploymentCapabilities says so; create is refused).
UNSUPPORTED = {"CA3"}
# The public range each data center's VIPs come from (first three octets).
VIP_RANGES = {
    "WA1": "66.150.160",
    "VA1": "66.150.161",
    "UC1": "66.150.162",
    "IL1": "66.150.163",
    "GB3": "66.150.164",
    "CA3": "66.150.165",
}
DAY = 86400.0


@dataclass
class Node:
    ip_address: str
    private_port: int
    status: str = "enabled"


@dataclass
class Pool:
    id: str
    port: int
    method: str = "roundRobin"
    persistence: str = "standard"
    nodes: list[Node] = field(default_factory=list)


@dataclass
class LoadBalancer:
    id: str  # 32 hex digits
    alias: str
    location: str  # data center id, e.g. "WA1"
    name: str
    description: str
    ip_address: str
    status: str = "enabled"
    pools: list[Pool] = field(default_factory=list)


def supports_shared_load_balancer(dc_id: str) -> bool:
    return dc_id.upper() not in UNSUPPORTED


# --- lookups -------------------------------------------------------------------------------------
def balancers_in(world: World, alias: str, dc_id: str) -> list[LoadBalancer]:
    return [
        lb
        for lb in world.load_balancers.values()
        if lb.alias == alias.upper() and lb.location == dc_id.upper()
    ]


def find(world: World, alias: str, dc_id: str, lb_id: str) -> LoadBalancer:
    lb = world.load_balancers.get(lb_id.lower())
    if lb is None or lb.alias != alias.upper() or lb.location != dc_id.upper():
        raise errors.not_found()
    return lb


def find_pool(lb: LoadBalancer, pool_id: str) -> Pool:
    for pool in lb.pools:
        if pool.id == pool_id.lower():
            return pool
    raise errors.not_found()


def new_id(world: World) -> str:
    return world.new_group_id()  # 32 hex digits, like the documented ids


def allocate_vip(world: World, dc_id: str) -> str:
    prefix = VIP_RANGES.get(dc_id.upper())
    if prefix is None:
        octet = int(hashlib.md5(dc_id.upper().encode()).hexdigest(), 16) % 200 + 20
        prefix = f"66.150.{octet}"
    used = {lb.ip_address for lb in world.load_balancers.values()}
    for host in range(11, 255):
        candidate = f"{prefix}.{host}"
        if candidate not in used:
            return candidate
    raise errors.bad_request(f"No shared load balancer address is left in {dc_id.upper()}.")


def add_balancer(
    world: World, alias, dc_id, name, description, status="enabled", *, lb_id=None, created=None
) -> LoadBalancer:
    lb = LoadBalancer(
        id=(lb_id or new_id(world)).lower(),
        alias=alias.upper(),
        location=dc_id.upper(),
        name=name,
        description=description,
        ip_address=allocate_vip(world, dc_id),
        status=status,
    )
    world.load_balancers[lb.id] = lb
    at = world.now() if created is None else created
    world.usage.balancers[lb.id] = BalancerUsage(lb.alias, lb.location, at)
    return lb


def remove_balancer(world: World, lb: LoadBalancer) -> None:
    world.load_balancers.pop(lb.id, None)
    usage = world.usage.balancers.get(lb.id)
    if usage is not None and usage.deleted is None:
        usage.deleted = world.now()


# --- JSON ----------------------------------------------------------------------------------------
def href(lb: LoadBalancer) -> str:
    return f"/v2/sharedLoadBalancers/{lb.alias.lower()}/{lb.location.lower()}/{lb.id}"


def may_change(roles) -> bool:
    return can(roles, "manage_load_balancers")


def node_json(node: Node, *, named: bool) -> dict:
    out = {"status": node.status, "ipAddress": node.ip_address, "privatePort": node.private_port}
    if named:  # inside a pool the documented node also carries its name (the address)
        out["name"] = node.ip_address
    return out


def pool_json(lb: LoadBalancer, pool: Pool, roles) -> dict:
    manage = may_change(roles)
    base = f"{href(lb)}/pools/{pool.id}"
    return {
        "id": pool.id,
        "port": pool.port,
        "method": pool.method,
        "persistence": pool.persistence,
        "nodes": [node_json(node, named=True) for node in pool.nodes],
        "links": [
            {"rel": "self", "href": base, "verbs": ["GET", "PUT", "DELETE"] if manage else ["GET"]},
            {"rel": "nodes", "href": f"{base}/nodes", "verbs": ["GET", "PUT"] if manage else ["GET"]},
        ],
    }


def balancer_json(lb: LoadBalancer, roles) -> dict:
    manage = may_change(roles)
    return {
        "id": lb.id,
        "name": lb.name,
        "description": lb.description,
        "ipAddress": lb.ip_address,
        "status": lb.status,
        "pools": [pool_json(lb, pool, roles) for pool in lb.pools],
        "links": [
            {"rel": "self", "href": href(lb), "verbs": ["GET", "PUT", "DELETE"] if manage else ["GET"]},
            {"rel": "pools", "href": f"{href(lb)}/pools", "verbs": ["GET", "POST"] if manage else ["GET"]},
        ],
    }


# --- the demo's load balancers -------------------------------------------------------------------
def _stable_id(*parts) -> str:
    return hashlib.md5("|".join(parts).encode()).hexdigest()


def _addresses(world: World, alias: str, dc_id: str, role: str) -> list[str]:
    """Internal addresses of the account's active servers in a data center named like ``role``."""
    stem = f"{dc_id}{alias}{role}".upper()
    return [
        server.internal_ips[0]
        for server in sorted(world.servers.values(), key=lambda s: s.id)
        if server.alias == alias.upper()
        and server.id.startswith(stem)
        and server.status == "active"
        and server.internal_ips
    ]


def _seed_balancer(world: World, alias, dc_id, key, name, description, created, pools, status="enabled"):
    """A seeded load balancer with ``pools`` of (port, method, persistence, nodes); the ids are
    stable (from the account, data center, ``key`` and port)."""
    lb = add_balancer(
        world, alias, dc_id, name, description, status, lb_id=_stable_id(alias, dc_id, key), created=created
    )
    for port, method, persistence, nodes in pools:
        lb.pools.append(Pool(_stable_id(alias, dc_id, key, str(port)), port, method, persistence, nodes))


def seed_load_balancers(world: World) -> None:
    """DEMO gets two load balancers in WA1 in front of its web and API servers; OTHR one in VA1."""
    if world.seed_name != "demo":
        return
    day = world.now() // DAY * DAY
    web = _addresses(world, "DEMO", "WA1", "WEB")
    api = _addresses(world, "DEMO", "WA1", "API")
    web_443 = [Node(ip, 443, "disabled" if i == len(web) - 1 else "enabled") for i, ip in enumerate(web)]
    front = [
        (80, "roundRobin", "standard", [Node(ip, 80) for ip in web]),
        (443, "leastConnection", "sticky", web_443),
    ]
    _seed_balancer(
        world, "DEMO", "WA1", "web", "Web Frontend", "Public entry to the web servers", day - 120 * DAY, front
    )
    internal = [(80, "leastConnection", "standard", [Node(ip, 8080) for ip in api])]
    _seed_balancer(world, "DEMO", "WA1", "api", "API", "API servers", day - 45 * DAY, internal, "disabled")
    pay = [
        (443, "roundRobin", "standard", [Node(ip, 8443) for ip in _addresses(world, "OTHR", "VA1", "PAY")])
    ]
    _seed_balancer(world, "OTHR", "VA1", "pay", "Payments", "Payments front end", day - 60 * DAY, pay)
