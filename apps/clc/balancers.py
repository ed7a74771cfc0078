"""Shared load balancers (``Shared Load Balancers/``): load balancers, their pools and nodes.

    list_balancers(client, "WA1")                     -> [LoadBalancer]  (pools and nodes included)
    create_balancer(client, "WA1", "Web", "")         -> LoadBalancer    (200 with the new entity)
    set_nodes(client, "WA1", lb_id, pool_id, [{"ipAddress": "10.0.0.5", "privatePort": 80}])

Every change applies at once (200 or 204, no queued operation), so these calls return ``None`` or
the new entity, never a status link. The entities carry the data center they were read from
(the API's bodies don't say it).
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from .client import ClcClient
from .entities import as_int, each
from .links import HasLinks, Link, parse_links

PORTS = (80, 443)  # a pool's public port (the create page: "Must be either 80 (HTTP) or 443 (HTTPS)")
METHODS = ("roundRobin", "leastConnection")
PERSISTENCES = ("standard", "sticky")
STATUSES = ("enabled", "disabled")


@dataclass(frozen=True)
class Node:
    """A pool member: a server's internal address and the private port traffic goes to."""

    ip_address: str
    private_port: int
    status: str = "enabled"

    @property
    def key(self) -> str:
        """``10.0.0.5:80``: how a page names one node of a pool."""
        return f"{self.ip_address}:{self.private_port}"

    @property
    def enabled(self) -> bool:
        return self.status == "enabled"

    def as_api(self) -> dict:
        return {"ipAddress": self.ip_address, "privatePort": self.private_port, "status": self.status}

    @classmethod
    def from_api(cls, raw: dict) -> "Node":
        return cls(
            ip_address=str(raw.get("ipAddress") or "").strip(),
            private_port=as_int(raw.get("privatePort")),
            status=str(raw.get("status") or "enabled").lower(),
        )


@dataclass(frozen=True)
class Pool(HasLinks):
    id: str
    port: int
    method: str = "roundRobin"
    persistence: str = "standard"
    nodes: tuple[Node, ...] = ()
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "Pool":
        return cls(
            id=str(raw.get("id") or "").lower(),
            port=as_int(raw.get("port")),
            method=str(raw.get("method") or "roundRobin"),
            persistence=str(raw.get("persistence") or "standard"),
            nodes=each(Node.from_api, raw.get("nodes")),
            links=parse_links(raw.get("links")),
        )


@dataclass(frozen=True)
class LoadBalancer(HasLinks):
    id: str
    name: str
    datacenter: str  # "WA1": the data center it was read from
    description: str = ""
    ip_address: str = ""
    status: str = "enabled"
    pools: tuple[Pool, ...] = ()
    links: tuple[Link, ...] = field(default=())

    def pool(self, pool_id: str) -> Pool | None:
        wanted = (pool_id or "").lower()
        return next((p for p in self.pools if p.id == wanted), None)

    @property
    def node_count(self) -> int:
        return sum(len(p.nodes) for p in self.pools)

    @classmethod
    def from_api(cls, raw: dict, datacenter: str) -> "LoadBalancer":
        return cls(
            id=str(raw.get("id") or "").lower(),
            name=str(raw.get("name") or ""),
            datacenter=datacenter.upper(),
            description=str(raw.get("description") or ""),
            ip_address=str(raw.get("ipAddress") or ""),
            status=str(raw.get("status") or "enabled").lower(),
            pools=each(Pool.from_api, raw.get("pools")),
            links=parse_links(raw.get("links")),
        )


def href(alias: str, dc: str, lb_id: str | None = None, pool_id: str | None = None, tail: str = "") -> str:
    """A load balancer's (or pool's) path as the API's links write it (``alias`` may be "{alias}")."""
    path = f"/v2/sharedLoadBalancers/{alias}/{quote(dc.lower(), safe='')}"
    if lb_id is not None:
        path += f"/{quote(lb_id.lower(), safe='')}"
    if pool_id is not None:
        path += f"/pools/{quote(pool_id.lower(), safe='')}"
    return path + tail


def _path(dc: str, lb_id: str | None = None, pool_id: str | None = None, tail: str = "") -> str:
    return href("{alias}", dc, lb_id, pool_id, tail)


# --- load balancers ------------------------------------------------------------------------------
def list_balancers(client: ClcClient, dc: str) -> list[LoadBalancer]:
    body = client.get(_path(dc))
    return list(each(LoadBalancer.from_api, body, dc))


def get_balancer(client: ClcClient, dc: str, lb_id: str) -> LoadBalancer:
    return LoadBalancer.from_api(client.get(_path(dc, lb_id)) or {}, dc)


def create_balancer(
    client: ClcClient, dc: str, name: str, description: str = "", status: str = "enabled"
) -> LoadBalancer:
    body = {"name": name, "description": description, "status": status}
    return LoadBalancer.from_api(client.post(_path(dc), json=body) or {}, dc)


def update_balancer(
    client: ClcClient, dc: str, lb_id: str, *, name: str, description: str, status: str
) -> None:
    """PUT name, description (required, may be empty) and status: 204."""
    client.put(_path(dc, lb_id), json={"name": name, "description": description, "status": status})


def delete_balancer(client: ClcClient, dc: str, lb_id: str) -> None:
    client.delete(_path(dc, lb_id))


# --- pools and nodes -----------------------------------------------------------------------------
def create_pool(
    client: ClcClient,
    dc: str,
    lb_id: str,
    *,
    port: int,
    method: str = "roundRobin",
    persistence: str = "standard",
) -> Pool:
    body = {"port": port, "method": method, "persistence": persistence}
    return Pool.from_api(client.post(_path(dc, lb_id, tail="/pools"), json=body) or {})


def update_pool(
    client: ClcClient, dc: str, lb_id: str, pool_id: str, *, port: int, method: str, persistence: str
) -> None:
    client.put(_path(dc, lb_id, pool_id), json={"port": port, "method": method, "persistence": persistence})


def delete_pool(client: ClcClient, dc: str, lb_id: str, pool_id: str) -> None:
    client.delete(_path(dc, lb_id, pool_id))


def set_nodes(client: ClcClient, dc: str, lb_id: str, pool_id: str, nodes) -> None:
    """Replace the pool's whole node list (``[Node]`` or API dicts): 204."""
    body = [n.as_api() if isinstance(n, Node) else dict(n) for n in nodes]
    client.put(_path(dc, lb_id, pool_id, "/nodes"), json=body)
