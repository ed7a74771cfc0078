"""The network actions, one declaration each (``apps.actions.registry``):

* a data center's networks (``/datacenters/<dc>/networks/actions/claimNetwork/``): claim one;
* a network (``/datacenters/<dc>/networks/<id>/actions/<name>/``): rename, release;
* a server: add / remove a secondary network, add / edit / remove a public IP (its open ports and
  allowed sources) — the server page's network panel shows them;
* firewall policies: ``actions_firewall``.

A target loads its resource fresh for a POST, so a refusal ("servers still use it") is the truth
of now. Each action says what it changed for the audit entry (``audit``).
"""

from django.urls import reverse

from apps.actions.declare import (
    asks,
    at_once,
    changes,
    datacenter_item,
    datacenter_target,
    declare,
    edits,
    fresh_load,
    server_call,
    unmodifiable,
)
from apps.actions.registry import ALLOWED, refuse_role, refuse_state
from apps.actions.roles import NETWORKS, SERVER_ADMINS
from apps.clc import networks as clc_networks
from apps.clc import servers as clc_servers

from . import (
    actions_firewall,  # noqa: F401  (the firewall policy declarations)
    selectors,
)
from . import forms as f
from .validation import port_text

# Adding or removing a server's secondary network is network and server work (docs/simulator.md).
SERVER_NETWORKS = NETWORKS | SERVER_ADMINS


def networks_crumbs(dc: str) -> list:
    return [("Networks", reverse("networks")), (dc, reverse("datacenter-networks", args=[dc.lower()]))]


# --- targets -------------------------------------------------------------------------------------
datacenter_target(
    "networks",
    "networks",
    fresh_load(selectors.network_list),
    "{dc}",
    "datacenter-networks",
    crumbs=lambda d: [("Networks", reverse("networks"))],
)
datacenter_item(
    "network",
    "networks",
    "network_id",
    fresh_load(selectors.network_detail),
    lambda d: d.network,
    "network",
    crumbs=lambda d: networks_crumbs(d.dc),
)


# --- networks ------------------------------------------------------------------------------------
def _in_use(detail) -> str | None:
    held = [a for a in detail.addresses if a.claimed and a.type == "private"]
    if not held:
        return None
    servers = detail.servers
    named = ", ".join(servers[:3]) + (f" and {len(servers) - 3} more" if len(servers) > 3 else "")
    count = len(held)
    return (
        f"servers still use it ({count} address{'es' if count != 1 else ''} claimed"
        f"{' by ' + named if named else ''}): remove their addresses in it first"
    )


def _releasable(user, detail):
    if detail.network.link("release") is None:
        if detail.network.releasing:
            return refuse_state("it is already being released")
        return refuse_state("the cloud does not offer to release it now")
    return ALLOWED


def _renamed(run) -> dict:
    network, data = run.resource.network, run.data
    return changes(
        {"name": network.name, "description": network.description},
        {"name": data["name"], "description": data["description"]},
    )


networks = declare("networks", roles=NETWORKS)
network = declare("network", roles=NETWORKS)
networks(
    "claimNetwork",
    "Claim a network",
    lambda run: clc_networks.claim_network(run.client, run.resource.dc),
    question="Claim a new network in {name}?",
    button="Claim",
    order=10,
    audit=lambda run: {"datacenter": run.resource.dc},
    description="Claim a new network in the data center (queued: an activity follows; the network "
    "appears when it ends).",
)
network(
    "renameNetwork",
    "Rename",
    lambda run: clc_networks.rename_network(
        run.client, run.resource.dc, run.resource.network.id, run.data["name"], run.data["description"]
    ),
    form=f.RenameNetworkForm,
    **edits("Network saved."),
    order=10,
    audit=_renamed,
    example={"name": "web", "description": "Web tier"},
    description="Rename the network and change its description (done at once).",
)
network(
    "releaseNetwork",
    "Release",
    lambda run: clc_networks.release_network(run.client, run.resource.dc, run.resource.network.id),
    state=_in_use,
    check=_releasable,
    **asks("Release {name}? Its addresses go back to the cloud; the network is gone for good."),
    **at_once("Release requested: the network disappears once the cloud has released it."),
    order=90,
    then=lambda run: reverse("datacenter-networks", args=[run.resource.dc.lower()]),
    audit=lambda run: {"network": run.resource.network.name, "cidr": run.resource.network.cidr},
    description="Release the network (refused while servers hold addresses in it).",
)


# --- a server's networks and public IPs -----------------------------------------------------------
def _has_public_ip(detail) -> str | None:
    return unmodifiable(detail) or (None if f.public_ips(detail) else "it has no public IP")


def _offers(verb: str):
    """After the roles: the cloud offers ``verb`` on one of the server's public IPs (it answers the
    verbs a role may use: without it, the role is what is missing)."""

    def check(user, detail):
        found = f.public_ips(detail, removable_only=verb == "DELETE", editable_only=verb == "PUT")
        return ALLOWED if found else refuse_role(SERVER_ADMINS)

    return check


def _secondary_added(run) -> dict:
    chosen = next((n for n in run.form.networks.available if n.id == run.data["network"]), None)
    out = {"network": run.data["network"]}
    if chosen is not None:
        out.update(name=chosen.name, cidr=chosen.cidr)
    if run.data.get("ip_address"):
        out["address"] = run.data["ip_address"]
    return out


def _secondary_removed(run) -> dict:
    found = next((n for n in run.form.networks.secondary if n.network.id == run.data["network"]), None)
    out = {"network": run.data["network"]}
    if found is not None:
        out.update(name=found.network.name, addresses=list(found.addresses))
    return out


def _rules_before(run) -> dict:
    try:
        rules = selectors.public_ip_rules(run.user, run.resource.server.id, run.data["ip"], client=run.client)
    except Exception:
        return {}
    return {"ports": port_text(rules.ports), "source_restrictions": ", ".join(rules.source_restrictions)}


def _rules_after(spec: dict) -> dict:
    return {
        "ports": port_text(spec["ports"]),
        "source_restrictions": ", ".join(r["cidr"] for r in spec["sourceRestrictions"]),
    }


def _update_public_ip(run):
    run.result["before"] = _rules_before(run)  # the audit says what changed
    return clc_networks.update_public_ip(run.client, run.resource.server.id, run.data["ip"], run.data["spec"])


def _public_ip_changes(run) -> dict:
    after = _rules_after(run.data["spec"])
    return {"address": run.data["ip"], **changes(run.result.get("before") or {}, after)}


server = declare("server", roles=SERVER_ADMINS, state=unmodifiable)
server_network = declare("server", roles=SERVER_NETWORKS, state=unmodifiable)  # network and server work
server_network(
    "addSecondaryNetwork",
    "Add a network",
    server_call(clc_networks.add_secondary_network, "network", "ip_address"),
    form=f.AddSecondaryNetworkForm,
    button="Add network",
    placement="networks",
    order=45,
    audit=_secondary_added,
    example={"network": "<network id>", "ip_address": ""},
    description="Give the server an address in another network of its data center (queued).",
)
server_network(
    "removeSecondaryNetwork",
    "Remove network",
    server_call(clc_networks.remove_secondary_network, "network"),
    form=f.SecondaryNetworkTargetForm,
    **asks("Remove {name}'s address in {target}?"),
    button="Remove",
    placement="item",
    audit=_secondary_removed,
    example={"network": "<network id>"},
    description="Remove a secondary network (the server's address in it) from the server (queued).",
)
server(
    "addPublicIp",
    "Add public IP",
    server_call(clc_servers.add_public_ip, "spec"),
    form=f.AddPublicIpForm,
    link=("publicIPAddresses", "POST"),
    order=40,
    audit=lambda run: {
        **_rules_after(run.data["spec"]),
        "internal": run.data["spec"].get("internalIPAddress", "new"),
    },
    example={"ports": "tcp/80, tcp/443", "source_restrictions": "203.0.113.0/24"},
)
server(
    "updatePublicIp",
    "Change ports and sources",
    _update_public_ip,
    form=f.UpdatePublicIpForm,
    state=_has_public_ip,
    check=_offers("PUT"),
    button="Save rules",
    placement="none",  # edited in place in the server page's network panel
    audit=_public_ip_changes,
    example={"ip": "64.94.100.2", "ports": "tcp/443", "source_restrictions": "203.0.113.0/24"},
    description="Replace a public IP's open ports and allowed sources (what is not listed is closed).",
)
server(
    "removePublicIp",
    "Remove public IP",
    server_call(clc_servers.remove_public_ip, "ip"),
    form=f.PublicIpTargetForm,
    state=_has_public_ip,
    check=_offers("DELETE"),
    **asks("Remove the public IP address {target} from {name}?"),
    button="Remove",
    placement="item",
    audit=lambda run: {"address": run.data["ip"]},
    example={"ip": "65.39.180.12"},
)
