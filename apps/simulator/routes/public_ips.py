"""Public IP addresses of a server: add (POST), get, update (PUT), remove (DELETE).

Adding, updating and removing are queued (202 with a bare status link); the address itself is
allocated when the add completes. Without ``internalIPAddress`` a new internal address of the
server's primary network is held for it from the request on (400 when that network is full).
A port's ``portTo`` of 0 means "no range" (the Go CLI always sends it).
"""

import ipaddress

from .. import addressing, errors
from ..models import PublicIp
from ..router import route
from ..serializers_server import public_ip_json
from ..state import effect
from ..webhook_events import server_updated
from .servers import member, queued, refuse_unless_active, server_for, sub_resource

PROTOCOLS = ("TCP", "UDP", "ICMP")


def _ip(public_ip: str):
    return lambda server: member(server.public_ips, public_ip, "address")


def _rules(req, body: dict) -> tuple[list[dict], list[dict]]:
    """Validate ``ports`` (required) and ``sourceRestrictions`` -> stored lists."""
    ports = req.field(body, "ports")
    if not isinstance(ports, list) or not ports:
        raise errors.bad_request("ports is required: a list of {protocol, port, portTo?}.")
    out_ports = [_port(req, p) for p in ports]
    restrictions = req.field(body, "sourceRestrictions") or []
    if not isinstance(restrictions, list):
        raise errors.bad_request("sourceRestrictions must be a list of {cidr}.")
    return out_ports, [_cidr(req, r) for r in restrictions]


def _port(req, item) -> dict:
    if not isinstance(item, dict):
        raise errors.bad_request("Each port must be an object {protocol, port, portTo?}.")
    protocol = req.field(item, "protocol")
    if not isinstance(protocol, str) or protocol.upper() not in PROTOCOLS:
        raise errors.bad_request(f"The protocol '{protocol}' is not one of tcp, udp, icmp.")
    protocol = protocol.upper()
    if protocol == "ICMP":
        return {"protocol": "ICMP", "port": 0}
    port = _port_number(req.field(item, "port"), "port")
    entry = {"protocol": protocol, "port": port}
    port_to = req.field(item, "portTo")
    if port_to is not None and str(port_to).strip() not in ("0", ""):
        port_to = _port_number(port_to, "portTo")
        if port_to < port:
            raise errors.bad_request(f"portTo ({port_to}) must not be below port ({port}).")
        entry["portTo"] = port_to
    return entry


def _port_number(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise errors.bad_request(f"{name} must be a number between 1 and 65535.")
    try:
        number = int(value)
    except ValueError:
        raise errors.bad_request(f"{name} must be a number between 1 and 65535.")
    if not 1 <= number <= 65535:
        raise errors.bad_request(f"{name} must be a number between 1 and 65535.")
    return number


def _cidr(req, item) -> dict:
    cidr = req.field(item, "cidr") if isinstance(item, dict) else None
    try:
        if not isinstance(cidr, str) or "/" not in cidr:
            raise ValueError
        ipaddress.IPv4Network(cidr.strip(), strict=False)
    except ValueError:
        raise errors.bad_request(f"The source restriction '{cidr}' is not an IPv4 CIDR block.")
    return {"cidr": cidr.strip()}


@route("POST", "/v2/servers/{alias}/{server_id}/publicIPAddresses")
def add_public_ip(req, alias, server_id):
    server = server_for(req, alias, server_id, "manage_public_ips")
    refuse_unless_active(req, server, "add a public IP address")
    body = req.json_object()
    internal = req.field(body, "internalIPAddress")
    if internal is not None:
        if not isinstance(internal, str) or internal.strip() not in server.internal_ips:
            raise errors.bad_request(f"The internal address '{internal}' does not belong to {server.id}.")
        internal = internal.strip()
        if any(ip.internal == internal for ip in server.public_ips):
            raise errors.bad_request(f"The internal address {internal} already has a public address.")
    ports, restrictions = _rules(req, body)
    params = {"internal": internal, "ports": ports, "sourceRestrictions": restrictions}
    if internal is None:  # hold a new address of the primary network for it
        network = addressing.primary_network(req.world, server)
        params.update(networkId=network.id, reservedAddress=addressing.allocate(req.world, network))
    return queued(req, server, "addPublicIp", params)


@route("GET", "/v2/servers/{alias}/{server_id}/publicIPAddresses/{public_ip}")
def get_public_ip(req, alias, server_id, public_ip):
    _server, ip = sub_resource(req, alias, server_id, "view_public_ips", _ip(public_ip))
    return public_ip_json(ip)


@route("PUT", "/v2/servers/{alias}/{server_id}/publicIPAddresses/{public_ip}")
def update_public_ip(req, alias, server_id, public_ip):
    server, ip = sub_resource(
        req, alias, server_id, "manage_public_ips", _ip(public_ip), "change a public IP address"
    )
    ports, restrictions = _rules(req, req.json_object())
    params = {"address": ip.address, "ports": ports, "sourceRestrictions": restrictions}
    return queued(req, server, "updatePublicIp", params, extra_ids=[ip.address])


@route("DELETE", "/v2/servers/{alias}/{server_id}/publicIPAddresses/{public_ip}")
def remove_public_ip(req, alias, server_id, public_ip):
    server, ip = sub_resource(
        req, alias, server_id, "manage_public_ips", _ip(public_ip), "remove a public IP address"
    )
    return queued(req, server, "removePublicIp", {"address": ip.address}, extra_ids=[ip.address])


@effect("addPublicIp")
def _added(world, op):
    server = world.op_server(op)
    if server is None:
        return
    internal = op.params.get("internal") or op.params["reservedAddress"]
    if internal not in server.internal_ips:
        server.internal_ips.append(internal)
    address = _free_public_address(world)
    server.public_ips.append(
        PublicIp(address, internal, list(op.params["ports"]), list(op.params["sourceRestrictions"]))
    )
    server_updated(world, server)


@effect("updatePublicIp")
def _updated(world, op):
    server = world.op_server(op)
    for ip in server.public_ips if server else []:
        if ip.address == op.params["address"]:
            ip.ports = list(op.params["ports"])
            ip.source_restrictions = list(op.params["sourceRestrictions"])
            server_updated(world, server)


@effect("removePublicIp")
def _removed(world, op):
    server = world.op_server(op)
    if server is not None:
        server.public_ips = [ip for ip in server.public_ips if ip.address != op.params["address"]]
        server_updated(world, server)


def _free_public_address(world) -> str:
    used = {ip.address for s in world.servers.values() for ip in s.public_ips}
    while True:
        world._seq += 1
        n = world._seq
        candidate = f"66.150.{(n // 250) % 250}.{n % 250 + 1}"
        if candidate not in used:
            return candidate
