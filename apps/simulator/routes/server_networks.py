"""Secondary networks of a server: ``POST /v2/servers/{alias}/{id}/networks`` (add an adapter) and
``DELETE /v2/servers/{alias}/{id}/networks/{networkId}`` (remove it). Both are queued and answer
``{"operationId", "uri"}`` (202); the status is at ``/v2-experimental/operations/...``.

Rules (the pages and the simulator's choices): the network must be one of the account's networks
in the server's data center; a server has at most three secondary networks and one address in each;
``ipAddress`` (optional) must be a free address of the network, else the lowest free one is used.
The address is held from the request on (nobody else gets it) and appears in
``details.ipAddresses`` when the operation completes; removing frees it. The primary network (that
of the server's first address) cannot be added or removed; an address with a public IP mapped to
it cannot be removed before that public IP. Roles: AccountAdmin, NetworkAdmin, ServerAdmin.
"""

from .. import addressing, errors, experimental_ops
from ..links import link
from ..router import route
from ..state import effect
from .networks import network_href
from .servers import refuse_if_busy, refuse_unless_active, server_for

MAX_SECONDARY = 3


def _attached(world, server) -> dict[str, list[str]]:
    """network id -> the server's addresses in it (every network it has an adapter in)."""
    out: dict[str, list[str]] = {}
    for address in server.internal_ips:
        network = addressing.network_of(world, server.alias, server.location, address)
        if network is not None:
            out.setdefault(network.id, []).append(address)
    return out


def _pending_adds(world, server) -> list[str]:
    return [
        op.params["networkId"]
        for op in world.operations.values()
        if op.kind == "addSecondaryNetwork" and not op.applied and op.resource_ids[0].lower() == server.key
    ]


def _queued(req, server, kind: str, params: dict):
    """Queue ``kind`` on an idle server; 202 with the /v2-experimental operation (absolute links)."""
    refuse_if_busy(req, server)
    op = experimental_ops.queue(req, server.location, kind, [server.id], params)
    return 202, experimental_ops.answer(req, op, absolute=True)


@route("POST", "/v2/servers/{alias}/{server_id}/networks")
def add_secondary_network(req, alias, server_id):
    world = req.world
    server = server_for(req, alias, server_id, "server_networks")
    refuse_unless_active(req, server, "add a network")
    body = req.json_object()
    network_id = req.field(body, "networkId")
    if not isinstance(network_id, str) or not network_id.strip():
        raise errors.bad_request("networkId is required.")
    network = addressing.find(world, alias, server.location, network_id)
    if network is None:
        raise errors.bad_request(f"The network '{network_id}' does not exist in {server.location}.")
    primary = addressing.primary_network(world, server)
    attached = _attached(world, server)
    if network.id == primary.id:
        raise errors.bad_request(f"{network.name} is the primary network of {server.id}.")
    if network.id in attached or network.id in _pending_adds(world, server):
        raise errors.bad_request(f"The server {server.id} already has an address in {network.name}.")
    secondary = (set(attached) - {primary.id}) | set(_pending_adds(world, server))
    if len(secondary) >= MAX_SECONDARY:
        raise errors.bad_request(
            f"The server {server.id} already has {MAX_SECONDARY} secondary networks (4 adapters in all)."
        )
    wanted = req.field(body, "ipAddress")
    address = addressing.allocate(world, network, wanted if wanted not in (None, "") else None)
    return _queued(req, server, "addSecondaryNetwork", {"networkId": network.id, "reservedAddress": address})


@route("DELETE", "/v2/servers/{alias}/{server_id}/networks/{network_id}")
def remove_secondary_network(req, alias, server_id, network_id):
    world = req.world
    server = server_for(req, alias, server_id, "server_networks")
    network = errors.found(addressing.find(world, alias, server.location, network_id))
    refuse_unless_active(req, server, "remove a network")
    if network.id == addressing.primary_network(world, server).id:
        raise errors.bad_request(
            f"{network.name} is the primary network of {server.id}: it cannot be removed."
        )
    addresses = _attached(world, server).get(network.id)
    if not addresses:
        raise errors.bad_request(f"The server {server.id} has no address in {network.name}.")
    mapped = [ip.address for ip in server.public_ips if ip.internal in addresses]
    if mapped:
        raise errors.bad_request(f"Remove the public IP address {mapped[0]} of {server.id} first.")
    return _queued(req, server, "removeSecondaryNetwork", {"networkId": network.id, "addresses": addresses})


def _links(server, network) -> list[dict]:
    alias = server.alias.lower()
    return [
        link("server", f"/v2/servers/{alias}/{server.id.lower()}", id=server.id),
        link("network", network_href(network), id=network.id),
    ]


@effect("addSecondaryNetwork")
def _added(world, op):
    server = world.op_server(op)
    network = world.networks.get(op.params["networkId"])
    if server is None or network is None:
        return
    address = op.params["reservedAddress"]
    if address not in server.internal_ips:
        server.internal_ips.append(address)
    op.params["links"] = _links(server, network)


@effect("removeSecondaryNetwork")
def _removed(world, op):
    server = world.op_server(op)
    if server is None:
        return
    gone = set(op.params["addresses"])
    server.internal_ips = [a for a in server.internal_ips if a not in gone]
    server.public_ips = [ip for ip in server.public_ips if ip.internal not in gone]
    network = world.networks.get(op.params["networkId"])
    if network is not None:
        op.params["links"] = _links(server, network)
