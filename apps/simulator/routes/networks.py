"""Networks (``/v2-experimental/networks``): list, get (``?ipAddresses=``), IP address list, claim
(queued), release (queued, 204), rename, network log forwarding; plus the status of the
``/v2-experimental`` operations.

Roles (ROLES.md): listing networks and addresses is "view a public IP; list networks and IP
addresses"; claim, rename and release are "create, edit, delete networks" (AccountAdmin,
NetworkAdmin); log forwarding carries firewall logs, so changing it goes with firewall policies
(AccountAdmin, NetworkAdmin, SecurityAdmin). Links and their verbs follow the caller's roles.
"""

import ipaddress
import re

from .. import addressing, errors, experimental_ops
from ..links import link
from ..roles import can, require
from ..router import route
from ..state import effect, failure_effect

IP_FILTERS = ("none", "claimed", "free", "all")
PROTOCOLS = ("tcp", "udp")
MAX_NAME = 256
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def _network(req, alias, dc, network_id):
    req.world.datacenter(alias, dc)
    return errors.found(addressing.find(req.world, alias, dc, network_id))


def network_href(network) -> str:
    return f"/v2-experimental/networks/{network.alias.upper()}/{network.location.upper()}/{network.id}"


def network_links(network, roles) -> list[dict]:
    href = network_href(network)
    manage = can(roles, "manage_networks")
    links = [
        link("self", href, verbs=["GET", "PUT"] if manage else ["GET"]),
        link("ipAddresses", f"{href}/ipAddresses", verbs=["GET"]),
    ]
    if manage and not network.releasing:
        links.append(link("release", f"{href}/release", verbs=["POST"]))
    return links


def network_json(world, network, roles, ip_filter: str = "none") -> dict:
    out = {
        "id": network.id,
        "cidr": network.cidr,
        "description": network.description,
        "gateway": network.gateway,
        "name": network.name,
        "netmask": network.netmask,
        "type": network.type,
        "vlan": network.vlan,
    }
    if ip_filter != "none":
        out["ipAddresses"] = ip_addresses(world, network, ip_filter)
    out["links"] = network_links(network, roles)
    return out


def ip_addresses(world, network, kind: str) -> list[dict]:
    """Private addresses by address (claimed ones with their server), then the public addresses
    mapped to them (``publicMapped``, always claimed)."""
    claimed = addressing.claims(world, network)
    private = []
    if kind in ("claimed", "all"):
        private += [
            {"address": a, "claimed": True, "server": server, "type": "private"}
            for a, server in claimed.items()
        ]
    if kind in ("free", "all"):
        private += [
            {"address": a, "claimed": False, "type": "private"}
            for a in addressing.free_addresses(world, network)
        ]
    private.sort(key=lambda entry: int(ipaddress.IPv4Address(entry["address"])))
    public = []
    if kind in ("claimed", "all"):
        public = [
            {"address": a, "claimed": True, "server": server, "type": "publicMapped"}
            for a, server in sorted(addressing.public_claims(world, network))
        ]
    return private + public


def _filter(req, name: str, default: str) -> str:
    value = (req.param(name) or default).strip().lower()
    if value not in IP_FILTERS or (name == "type" and value == "none"):
        allowed = IP_FILTERS if name != "type" else IP_FILTERS[1:]
        raise errors.bad_request(f"{name} must be one of {', '.join(allowed)}.")
    return value


# --- log forwarding (before the {network_id} routes: "logging" is not a network id) -----------
def _dc_key(alias, dc) -> str:
    return f"{alias.upper()}:{dc.upper()}"


@route("GET", "/v2-experimental/networks/{alias}/{dc}/logging")
def get_log_forwarding(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "view_networks")
    config = req.world.log_forwarding.get(_dc_key(alias, datacenter.id))
    return dict(config) if config else {"remoteAddress": "", "protocol": "tcp"}


@route("PUT", "/v2-experimental/networks/{alias}/{dc}/logging")
def update_log_forwarding(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "manage_firewall")
    body = req.json_object()
    protocol = req.field(body, "protocol")
    if not isinstance(protocol, str) or protocol.strip().lower() not in PROTOCOLS:
        raise errors.bad_request("protocol is required: tcp or udp.")
    remote = req.field(body, "remoteAddress")
    if remote is None:
        remote = ""
    if not isinstance(remote, str):
        raise errors.bad_request("remoteAddress must be an IP address or a host name.")
    remote = remote.strip()
    if remote and not _valid_host(remote):
        raise errors.bad_request(f"The remote address '{remote}' is not an IP address or a host name.")
    config = {"remoteAddress": remote, "protocol": protocol.strip().lower()}
    key = _dc_key(alias, datacenter.id)
    op = experimental_ops.queue(
        req, datacenter.id, "updateLogForwarding", [key], {"key": key, "config": config}
    )
    return 202, {"operationID": op.params["operationId"], "status": "pending"}


def _valid_host(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(value)) and not value.replace(".", "").isdigit()


@effect("updateLogForwarding")
def _log_forwarding_updated(world, op):
    world.log_forwarding[op.params["key"]] = dict(op.params["config"])


# --- list, claim -------------------------------------------------------------------------------
@route("GET", "/v2-experimental/networks/{alias}/{dc}")
def list_networks(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "view_networks")
    return [
        network_json(req.world, n, req.user.roles)
        for n in addressing.networks_of(req.world, alias, datacenter.id)
    ]


@route("POST", "/v2-experimental/networks/{alias}/{dc}/claim")
def claim_network(req, alias, dc):
    world = req.world
    datacenter = world.datacenter(alias, dc)
    require(req, "manage_networks")
    pending = [op for op in world.operations.values() if op.kind == "claimNetwork" and not op.applied]
    pending = [op for op in pending if op.resource_ids == [_dc_key(alias, datacenter.id)]]
    if (
        len(addressing.networks_of(world, alias, datacenter.id)) + len(pending)
        >= addressing.MAX_NETWORKS_PER_DC
    ):
        raise errors.bad_request(
            f"The account has reached its limit of {addressing.MAX_NETWORKS_PER_DC} networks in {datacenter.id}."
        )
    op = experimental_ops.queue(req, datacenter.id, "claimNetwork", [_dc_key(alias, datacenter.id)])
    return 202, experimental_ops.answer(req, op)


@effect("claimNetwork")
def _claimed(world, op):
    alias, dc = op.resource_ids[0].split(":", 1)
    try:
        network = addressing.create_network(world, alias, dc)
    except errors.ApiError:  # the data center's pool is exhausted: nothing to link to
        return
    op.params["links"] = [link("network", network_href(network), id=network.id)]


# --- one network -------------------------------------------------------------------------------
@route("GET", "/v2-experimental/networks/{alias}/{dc}/{network_id}")
def get_network(req, alias, dc, network_id):
    network = _network(req, alias, dc, network_id)
    require(req, "view_networks")
    return network_json(req.world, network, req.user.roles, _filter(req, "ipAddresses", "none"))


@route("GET", "/v2-experimental/networks/{alias}/{dc}/{network_id}/ipAddresses")
def list_ip_addresses(req, alias, dc, network_id):
    network = _network(req, alias, dc, network_id)
    require(req, "view_networks")
    return ip_addresses(req.world, network, _filter(req, "type", "claimed"))


@route("PUT", "/v2-experimental/networks/{alias}/{dc}/{network_id}")
def update_network(req, alias, dc, network_id):
    network = _network(req, alias, dc, network_id)
    require(req, "manage_networks")
    body = req.json_object()
    name = req.field(body, "name")
    if not isinstance(name, str) or not name.strip():
        raise errors.bad_request("name is required.")
    description = req.field(body, "description")
    if description is not None and not isinstance(description, str):
        raise errors.bad_request("description must be a string.")
    for value, what in ((name, "name"), (description or "", "description")):
        if len(value) > MAX_NAME:
            raise errors.bad_request(f"{what} must be at most {MAX_NAME} characters.")
    network.name = name.strip()
    if description is not None:
        network.description = description
    return 204, None


@route("POST", "/v2-experimental/networks/{alias}/{dc}/{network_id}/release")
def release_network(req, alias, dc, network_id):
    world = req.world
    network = _network(req, alias, dc, network_id)
    require(req, "manage_networks")
    if network.releasing:
        raise errors.bad_request(f"The network {network.name} is already being released.")
    held = set(addressing.claims(world, network)) | addressing.reserved(world, network)
    if held:
        raise errors.bad_request(
            f"The network {network.name} cannot be released: {len(held)} IP address"
            f"{'es are' if len(held) > 1 else ' is'} claimed by servers. Remove them first."
        )
    network.releasing = True
    experimental_ops.queue(req, network.location, "releaseNetwork", [network.id])
    return 204, None


@effect("releaseNetwork")
def _released(world, op):
    network = world.networks.get(op.resource_ids[0])
    if network is None:
        return
    if addressing.claims(world, network):  # cannot happen (no new addresses while releasing)
        network.releasing = False
        return
    del world.networks[network.id]


@failure_effect("releaseNetwork")
def _release_failed(world, op):
    network = world.networks.get(op.resource_ids[0])
    if network is not None:
        network.releasing = False


# --- the status of /v2-experimental operations -------------------------------------------------
@route("GET", "/v2-experimental/operations/{alias}/status/{operation_id}")
def experimental_status(req, alias, operation_id):
    require(req, "view_queue")
    op = errors.found(experimental_ops.find(req.world, alias, operation_id))
    return experimental_ops.status_body(req.world, op)
