"""Intra data center firewall policies (``/v2-experimental/firewallPolicies/{alias}/{dc}``): list
(``?destinationAccount=``), create, get, update, delete.

A new policy is ``pending`` and becomes ``active`` when its (queued) provisioning completes, or
``error`` when that fails; clients poll the policy's ``status`` (scripts written against the real
service did exactly that). Create answers 201 with the documented ``{"links": [self]}``; update and
delete answer 204 at once. Hrefs are paths with the alias and data center in upper case, as in the
examples. Roles: listing is "Firewall policies: list", changes "add, change, delete" (AccountAdmin,
NetworkAdmin, SecurityAdmin); the self link's verbs say which.
"""

from .. import errors, firewall_rules
from ..links import link
from ..models import FirewallPolicy
from ..roles import require
from ..router import route

BASE = "/v2-experimental/firewallPolicies"


def policy_href(policy) -> str:
    return f"{BASE}/{policy.alias.upper()}/{policy.location.upper()}/{policy.id}"


def _links(policy, roles) -> list[dict]:
    return [link("self", policy_href(policy), verbs=firewall_rules.verbs(roles))]


def policy_json(policy, roles) -> dict:
    return {
        **firewall_rules.state_json(policy),
        "source": list(policy.source),
        "destination": list(policy.destination),
        "destinationAccount": policy.destination_account,
        "ports": list(policy.ports),
        "links": _links(policy, roles),
    }


FAMILY = firewall_rules.Family(
    BASE,
    "firewall_policies",
    "createFirewallPolicy",
    policy_json,
    ("destinationAccount", "destinationAccountAlias"),
)


@route("POST", "/v2-experimental/firewallPolicies/{alias}/{dc}")
def create_policy(req, alias, dc):
    datacenter, body = FAMILY.creating(req, alias, dc)
    destination_account = firewall_rules.account(
        req.world, req.field(body, "destinationAccount"), "destinationAccount"
    )
    source = firewall_rules.cidr_list(req.field(body, "source"), "source")
    destination = firewall_rules.cidr_list(req.field(body, "destination"), "destination")
    ports = req.field(body, "ports")
    ports = ["any"] if ports is None else firewall_rules.port_list(ports)
    enabled = req.field(body, "enabled")
    policy = FAMILY.add(
        req,
        alias,
        datacenter,
        FirewallPolicy,
        destination_account=destination_account,
        source=source,
        destination=destination,
        ports=ports,
        enabled=True if enabled is None else firewall_rules.boolean(enabled, "enabled"),
    )
    return 201, {"links": _links(policy, req.user.roles)}


@route("PUT", "/v2-experimental/firewallPolicies/{alias}/{dc}/{policy_id}")
def update_policy(req, alias, dc, policy_id):
    policy = FAMILY.find(req, alias, dc, policy_id)
    require(req, "manage_firewall")
    body = req.json_object()
    missing = object()
    raw = {name: req.field(body, name, missing) for name in ("enabled", "source", "destination", "ports")}
    given = {name: value for name, value in raw.items() if value is not missing}
    if not given:
        raise errors.bad_request("Nothing to update: send enabled, source, destination or ports.")
    changes = {}
    if "enabled" in given:
        changes["enabled"] = firewall_rules.boolean(given["enabled"], "enabled")
    for name in ("source", "destination"):
        if name in given:
            changes[name] = firewall_rules.cidr_list(given[name], name)
    if "ports" in given:
        changes["ports"] = firewall_rules.port_list(given["ports"])
    for name, value in changes.items():
        setattr(policy, name, value)
    return 204, None
