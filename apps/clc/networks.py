"""Networks (``/v2-experimental/networks``), a server's secondary networks and its public IPs' rules.

    nets = list_networks(client, "WA1")                       # [Network] without addresses
    net = get_network(client, "WA1", net_id, addresses="all")  # with .addresses
    link = claim_network(client, "WA1")                       # StatusLink (queued, experimental)
    rename_network(client, "WA1", net_id, "web", "Web tier")  # None (204, done at once)
    release_network(client, "WA1", net_id)                    # None (204; the cloud releases it later)
    link = add_secondary_network(client, "WA1DEMOWEB01", net_id, "10.16.2.12")   # StatusLink
    rules = get_public_ip(client, "WA1DEMOWEB01", "64.94.100.2")                 # PublicIp
    link = update_public_ip(client, "WA1DEMOWEB01", "64.94.100.2", body)         # StatusLink

Claims and secondary-network changes answer ``{"operationId", "uri"}``: their status lives on the
experimental path (``/v2-experimental/operations/{alias}/status/{id}``), which
``operations.get_status`` follows when given the href.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from .client import ClcClient
from .entities import StatusLink, as_int, each
from .links import HasLinks, Link, parse_links

BASE = "/v2-experimental/networks/{alias}"
ADDRESS_FILTERS = ("none", "claimed", "free", "all")


def _part(value: str) -> str:
    return quote(str(value), safe="")


def _dc(dc: str) -> str:
    return _part(dc.upper())


@dataclass(frozen=True)
class NetworkAddress:
    """One address of a network: ``private`` (claimed by a server, or free) or ``publicMapped``."""

    address: str
    claimed: bool
    server: str = ""
    type: str = "private"

    @classmethod
    def from_api(cls, raw: dict) -> "NetworkAddress":
        return cls(
            address=str(raw.get("address", "")),
            claimed=bool(raw.get("claimed")),
            server=str(raw.get("server") or "").upper(),
            type=str(raw.get("type") or "private"),
        )


@dataclass(frozen=True)
class Network(HasLinks):
    """An account's network in one data center (with ``addresses`` when they were asked for)."""

    id: str
    name: str
    description: str = ""
    cidr: str = ""
    gateway: str = ""
    netmask: str = ""
    type: str = ""
    vlan: int = 0
    location: str = ""
    links: tuple[Link, ...] = ()
    addresses: tuple[NetworkAddress, ...] | None = None

    @property
    def releasing(self) -> bool:
        """May be edited but offers no release: the cloud is releasing it (as the simulator and
        the pages describe; a role that may not edit sees neither link)."""
        return self.allows("self", "PUT") and self.link("release") is None

    @classmethod
    def from_api(cls, raw: dict, location: str = "") -> "Network":
        addresses = raw.get("ipAddresses")
        return cls(
            id=str(raw.get("id", "")),
            name=str(raw.get("name") or ""),
            description=str(raw.get("description") or ""),
            cidr=str(raw.get("cidr") or ""),
            gateway=str(raw.get("gateway") or ""),
            netmask=str(raw.get("netmask") or ""),
            type=str(raw.get("type") or ""),
            vlan=as_int(raw.get("vlan")),
            location=location.upper(),
            links=parse_links(raw.get("links")),
            addresses=None if addresses is None else each(NetworkAddress.from_api, addresses),
        )


@dataclass(frozen=True)
class Port:
    protocol: str  # TCP | UDP | ICMP
    port: int = 0
    port_to: int | None = None

    @property
    def spec(self) -> str:
        """``tcp/80``, ``udp/1000-2000``, ``icmp``: how people write it."""
        if self.protocol.upper() == "ICMP":
            return "icmp"
        if self.port_to and self.port_to != self.port:
            return f"{self.protocol.lower()}/{self.port}-{self.port_to}"
        return f"{self.protocol.lower()}/{self.port}"


@dataclass(frozen=True)
class PublicIp:
    """A public IP's rules: the internal address it maps to, open ports, allowed sources."""

    address: str
    internal: str = ""
    ports: tuple[Port, ...] = ()
    source_restrictions: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def port_specs(self) -> list[str]:
        return [p.spec for p in self.ports]

    @classmethod
    def from_api(cls, address: str, raw: dict) -> "PublicIp":
        return cls(
            address=address,
            internal=str(raw.get("internalIPAddress") or ""),
            ports=each(
                lambda p: Port(
                    protocol=str(p.get("protocol") or "").upper(),
                    port=as_int(p.get("port")),
                    port_to=as_int(p.get("portTo")) or None,
                ),
                raw.get("ports"),
            ),
            source_restrictions=each(lambda r: str(r.get("cidr")), raw.get("sourceRestrictions")),
            raw=raw,
        )


def operation_link(body) -> StatusLink | None:
    """``{"operationId", "uri"}`` (claims, secondary networks) -> a StatusLink to follow."""
    if not isinstance(body, dict):
        return None
    op_id = str(body.get("operationId") or body.get("operationID") or "")
    uri = str(body.get("uri") or "")
    if not op_id and not uri:
        return StatusLink.from_body(body)
    return StatusLink(id=op_id or uri.rstrip("/").rsplit("/", 1)[-1], href=uri)


# --- networks -----------------------------------------------------------------------------------
def list_networks(client: ClcClient, dc: str) -> list[Network]:
    body = client.get(f"{BASE}/{_dc(dc)}")
    return list(each(Network.from_api, body, dc))


def get_network(client: ClcClient, dc: str, network_id: str, *, addresses: str = "none") -> Network:
    if addresses not in ADDRESS_FILTERS:
        raise ValueError(f"addresses must be one of {ADDRESS_FILTERS}")
    params = {"ipAddresses": addresses} if addresses != "none" else None
    return Network.from_api(client.get(f"{BASE}/{_dc(dc)}/{_part(network_id)}", params=params) or {}, dc)


def claim_network(client: ClcClient, dc: str) -> StatusLink | None:
    """POST .../claim: queued (202 ``{"operationId", "uri"}``); the network exists once it ends."""
    return operation_link(client.post(f"{BASE}/{_dc(dc)}/claim"))


def rename_network(client: ClcClient, dc: str, network_id: str, name: str, description: str | None) -> None:
    body = {"name": name}
    if description is not None:
        body["description"] = description
    client.put(f"{BASE}/{_dc(dc)}/{_part(network_id)}", json=body)


def release_network(client: ClcClient, dc: str, network_id: str) -> None:
    """POST .../release: 204. The cloud refuses (400) while servers hold addresses in it."""
    client.post(f"{BASE}/{_dc(dc)}/{_part(network_id)}/release")


# --- a server's secondary networks --------------------------------------------------------------
def _server(server_id: str) -> str:
    return f"/v2/servers/{{alias}}/{_part(server_id.lower())}"


def add_secondary_network(
    client: ClcClient, server_id: str, network_id: str, address: str = ""
) -> StatusLink | None:
    body = {"networkId": network_id}
    if address:
        body["ipAddress"] = address
    return operation_link(client.post(f"{_server(server_id)}/networks", json=body))


def remove_secondary_network(client: ClcClient, server_id: str, network_id: str) -> StatusLink | None:
    return operation_link(client.delete(f"{_server(server_id)}/networks/{_part(network_id)}"))


# --- public IPs (adding and removing one: ``servers.add_public_ip`` / ``remove_public_ip``) ----
def get_public_ip(client: ClcClient, server_id: str, address: str) -> PublicIp:
    return PublicIp.from_api(
        address, client.get(f"{_server(server_id)}/publicIPAddresses/{_part(address)}") or {}
    )


def update_public_ip(client: ClcClient, server_id: str, address: str, spec: dict) -> StatusLink | None:
    """PUT ``{"ports": [...], "sourceRestrictions": [...]}``: the whole new rule set (queued)."""
    return StatusLink.from_body(
        client.put(f"{_server(server_id)}/publicIPAddresses/{_part(address)}", json=spec)
    )
