"""Shared load balancers (``Shared Load Balancers/``): load balancers, pools, nodes.

GET    /v2/sharedLoadBalancers/{alias}/{dc}                              list (200, [] when none)
POST   /v2/sharedLoadBalancers/{alias}/{dc}                              create: 200 with the load balancer
GET    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}                         one
PUT    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}                         name, description, status: 204
DELETE /v2/sharedLoadBalancers/{alias}/{dc}/{lb}                         204
GET    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools                   list
POST   /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools                   port, method, persistence: 200 with the pool
GET    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools/{pool}            one
PUT    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools/{pool}            port, method, persistence: 204
DELETE /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools/{pool}            204
GET    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools/{pool}/nodes      the nodes
PUT    /v2/sharedLoadBalancers/{alias}/{dc}/{lb}/pools/{pool}/nodes      replaces the nodes: 204

Changes apply at once (no queued operation), as the 200/204 answers of the real service suggest.
Reading needs a role that may list load balancers (not BillingAdmin); changing needs AccountAdmin,
NetworkAdmin or ServerAdmin (ROLES.md), else 403. Bad input answers 400 ``{"message"}``.
"""

import ipaddress

from .. import errors
from ..balancers import (
    LB_STATUSES,
    METHODS,
    NODE_STATUSES,
    PERSISTENCES,
    PORTS,
    Node,
    Pool,
    add_balancer,
    balancer_json,
    balancers_in,
    find,
    find_pool,
    new_id,
    node_json,
    pool_json,
    remove_balancer,
    supports_shared_load_balancer,
)
from ..fields import text
from ..roles import require
from ..router import route

BASE = "/v2/sharedLoadBalancers/{alias}/{dc}"
MAX_NAME = 256
MAX_DESCRIPTION = 1024


def _datacenter(req, alias: str, dc: str):
    return req.world.datacenter(alias, dc)  # 404 when the account has no such data center


def _balancer(req, alias: str, dc: str, lb_id: str, capability: str):
    """The account's load balancer in the data center (404), when the roles allow ``capability``."""
    lb = find(req.world, alias, _datacenter(req, alias, dc).id, lb_id)
    require(req, capability)
    return lb


def _pool_of(req, alias: str, dc: str, lb_id: str, pool_id: str, capability: str):
    """(load balancer, pool): both found (404), then the role (403)."""
    lb = find(req.world, alias, _datacenter(req, alias, dc).id, lb_id)
    pool = find_pool(lb, pool_id)
    require(req, capability)
    return lb, pool


# --- input ---------------------------------------------------------------------------------------
def _choice(value, allowed, what: str, default):
    """One of ``allowed`` in any case; missing or empty (the Go CLI sends "") means ``default``."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        for option in allowed:
            if option.lower() == value.strip().lower():
                return option
    raise errors.bad_request(f"The {what} '{value}' is not valid: use " + " or ".join(allowed) + ".")


def _integer(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _port(value) -> int:
    port = _integer(value)
    if port not in PORTS:
        raise errors.bad_request(f"The port '{value}' is not valid: a pool listens on port 80 or 443.")
    return port


def _unique_port(lb, port: int, exclude=None) -> None:
    for pool in lb.pools:
        if pool is not exclude and pool.port == port:
            raise errors.bad_request(f"The load balancer already has a pool on port {port}.")


def _pool_settings(req, lb, current: Pool | None) -> tuple[int, str, str]:
    """(port, method, persistence) of a new pool (the port required) or of ``current`` changed
    (what the body leaves out stays); the port must be free in the load balancer."""
    body = req.json_object()
    raw_port = req.field(body, "port")
    if current is None and raw_port is None:
        raise errors.bad_request("The request is invalid: port is required (80 or 443).")
    port = current.port if current is not None and raw_port in (None, "") else _port(raw_port)
    method, persistence = (current.method, current.persistence) if current else ("roundRobin", "standard")
    method = _choice(req.field(body, "method"), METHODS, "method", method)
    persistence = _choice(req.field(body, "persistence"), PERSISTENCES, "persistence", persistence)
    _unique_port(lb, port, exclude=current)
    return port, method, persistence


def _server_addresses(world, alias: str, location: str) -> set[str]:
    """Internal addresses of the account's servers in the data center (nodes must be one)."""
    out = set()
    for server in world.servers.values():
        if server.alias == alias and server.location == location:
            out.update(server.internal_ips)
            out.update(server.secondary_ips)
    return out


def _nodes(req, lb, body) -> list[Node]:
    if isinstance(body, dict):  # tolerate {"nodes": [...]}
        body = req.field(body, "nodes")
    if not isinstance(body, list):
        raise errors.bad_request("The request is invalid: the body must be an array of nodes.")
    addresses = _server_addresses(req.world, lb.alias, lb.location)
    out = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise errors.bad_request(f"The request is invalid: node {index + 1} must be an object.")
        address = req.field(item, "ipAddress")
        if not isinstance(address, str) or not address.strip():
            raise errors.bad_request(f"The request is invalid: node {index + 1} needs an ipAddress.")
        address = address.strip()
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            raise errors.bad_request(f"The node address '{address}' is not a valid IPv4 address.") from None
        if address not in addresses:
            raise errors.bad_request(
                f"The node address {address} is not the address of a server of {lb.alias} in {lb.location}."
            )
        raw_port = req.field(item, "privatePort")
        port = _integer(raw_port)
        if port is None or not 1 <= port <= 65535:
            raise errors.bad_request(
                f"The privatePort '{raw_port}' of node {address} is not valid: use a number from 1 to 65535."
            )
        status = _choice(req.field(item, "status"), NODE_STATUSES, "node status", "enabled")
        if status != "deleted":  # a node sent as deleted is taken out of the pool
            out.append(Node(address, port, status))
    return out


# --- load balancers ------------------------------------------------------------------------------
@route("GET", BASE)
def list_balancers(req, alias, dc):
    datacenter = _datacenter(req, alias, dc)
    require(req, "view_load_balancers")
    roles = req.user.roles
    return [balancer_json(lb, roles) for lb in balancers_in(req.world, alias, datacenter.id)]


@route("POST", BASE)
def create_balancer(req, alias, dc):
    datacenter = _datacenter(req, alias, dc)
    require(req, "manage_load_balancers")
    if not supports_shared_load_balancer(datacenter.id):
        raise errors.bad_request(f"Shared load balancers are not available in {datacenter.id}.")
    body = req.json_object()
    name = text(req.field(body, "name"), "name", MAX_NAME, required=True)
    description = text(req.field(body, "description"), "description", MAX_DESCRIPTION, required=False)
    status = _choice(req.field(body, "status"), LB_STATUSES, "status", "enabled")
    lb = add_balancer(req.world, alias, datacenter.id, name, description, status)
    return balancer_json(lb, req.user.roles)


@route("GET", BASE + "/{lb_id}")
def get_balancer(req, alias, dc, lb_id):
    lb = _balancer(req, alias, dc, lb_id, "view_load_balancers")
    return balancer_json(lb, req.user.roles)


@route("PUT", BASE + "/{lb_id}")
def update_balancer(req, alias, dc, lb_id):
    lb = _balancer(req, alias, dc, lb_id, "manage_load_balancers")
    body = req.json_object()
    name = text(req.field(body, "name"), "name", MAX_NAME, required=True)
    description = text(
        req.field(body, "description"), "description", MAX_DESCRIPTION, required=True, allow_empty=True
    )
    status = _choice(req.field(body, "status"), LB_STATUSES, "status", lb.status)
    lb.name, lb.description, lb.status = name, description, status
    return 204, None


@route("DELETE", BASE + "/{lb_id}")
def delete_balancer(req, alias, dc, lb_id):
    lb = _balancer(req, alias, dc, lb_id, "manage_load_balancers")
    remove_balancer(req.world, lb)
    return 204, None


# --- pools ---------------------------------------------------------------------------------------
@route("GET", BASE + "/{lb_id}/pools")
def list_pools(req, alias, dc, lb_id):
    lb = _balancer(req, alias, dc, lb_id, "view_load_balancers")
    return [pool_json(lb, pool, req.user.roles) for pool in lb.pools]


@route("POST", BASE + "/{lb_id}/pools")
def create_pool(req, alias, dc, lb_id):
    lb = _balancer(req, alias, dc, lb_id, "manage_load_balancers")
    pool = Pool(new_id(req.world), *_pool_settings(req, lb, None))
    lb.pools.append(pool)
    return pool_json(lb, pool, req.user.roles)


@route("GET", BASE + "/{lb_id}/pools/{pool_id}")
def get_pool(req, alias, dc, lb_id, pool_id):
    lb, pool = _pool_of(req, alias, dc, lb_id, pool_id, "view_load_balancers")
    return pool_json(lb, pool, req.user.roles)


@route("PUT", BASE + "/{lb_id}/pools/{pool_id}")
def update_pool(req, alias, dc, lb_id, pool_id):
    lb, pool = _pool_of(req, alias, dc, lb_id, pool_id, "manage_load_balancers")
    pool.port, pool.method, pool.persistence = _pool_settings(req, lb, pool)
    return 204, None


@route("DELETE", BASE + "/{lb_id}/pools/{pool_id}")
def delete_pool(req, alias, dc, lb_id, pool_id):
    lb, pool = _pool_of(req, alias, dc, lb_id, pool_id, "manage_load_balancers")
    lb.pools.remove(pool)
    return 204, None


# --- nodes ---------------------------------------------------------------------------------------
@route("GET", BASE + "/{lb_id}/pools/{pool_id}/nodes")
def list_nodes(req, alias, dc, lb_id, pool_id):
    lb, pool = _pool_of(req, alias, dc, lb_id, pool_id, "view_load_balancers")
    return [node_json(node, named=False) for node in pool.nodes]


@route("PUT", BASE + "/{lb_id}/pools/{pool_id}/nodes")
def update_nodes(req, alias, dc, lb_id, pool_id):
    lb, pool = _pool_of(req, alias, dc, lb_id, pool_id, "manage_load_balancers")
    pool.nodes = _nodes(req, lb, req.body)
    return 204, None
