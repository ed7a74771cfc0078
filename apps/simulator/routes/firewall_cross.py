"""Cross data center firewall policies (``/v2-experimental/crossDcFirewallPolicies/{alias}/{dc}``):
list (``?destinationAccountId=``), create, get, enable/disable (``PUT ...?enabled=true|false``),
delete.

As the pages show: accounts and locations come back in lower case (``sourceAccount: "src"``,
``sourceLocation: "va1"``) and so do the hrefs; a new policy is ``pending`` until its queued
provisioning completes (then ``active``, or ``error`` when it fails). Create answers 201 with the
whole policy; update and delete answer 204 without a body. The destination must be another data
center that the destination account uses. Roles as for intra data center policies.
"""

from .. import errors, firewall_rules
from ..links import link
from ..models import CrossDcFirewallPolicy
from ..roles import require
from ..router import route

BASE = "/v2-experimental/crossDcFirewallPolicies"


def policy_href(policy) -> str:
    return f"{BASE}/{policy.alias.lower()}/{policy.location.lower()}/{policy.id}"


def policy_json(policy, roles) -> dict:
    return {
        **firewall_rules.state_json(policy),
        "sourceCidr": policy.source_cidr,
        "sourceAccount": policy.alias.lower(),
        "sourceLocation": policy.location.lower(),
        "destinationCidr": policy.destination_cidr,
        "destinationAccount": policy.destination_account.lower(),
        "destinationLocation": policy.destination_location.lower(),
        "links": [link("self", policy_href(policy), verbs=firewall_rules.verbs(roles))],
    }


FAMILY = firewall_rules.Family(
    BASE,
    "cross_dc_policies",
    "createCrossDcFirewallPolicy",
    policy_json,
    ("destinationAccountId", "destinationAccountAlias", "destinationAccount"),
)


@route("POST", "/v2-experimental/crossDcFirewallPolicies/{alias}/{dc}")
def create_policy(req, alias, dc):
    world = req.world
    datacenter, body = FAMILY.creating(req, alias, dc)
    f = lambda name: req.field(body, name)  # noqa: E731
    destination_account = firewall_rules.account(world, f("destinationAccountId"), "destinationAccountId")
    location = f("destinationLocationId")
    if not isinstance(location, str) or not location.strip():
        raise errors.bad_request("destinationLocationId is required.")
    location = location.strip().upper()
    if location.lower() not in world.datacenters:
        raise errors.bad_request(f"destinationLocationId: the data center '{location}' does not exist.")
    if location == datacenter.id.upper():
        raise errors.bad_request(
            "destinationLocationId must be another data center: use an intra data center policy within one."
        )
    if location.lower() not in world.account_datacenters.get(destination_account, {}):
        raise errors.bad_request(f"The account {destination_account} has no network in {location}.")
    destination_cidr = firewall_rules.cidr(f("destinationCidr"), "destinationCidr")
    source_cidr = firewall_rules.cidr(f("sourceCidr"), "sourceCidr")
    enabled = f("enabled")
    if enabled is None:
        raise errors.bad_request("enabled is required: true or false.")
    policy = FAMILY.add(
        req,
        alias,
        datacenter,
        CrossDcFirewallPolicy,
        source_cidr=source_cidr,
        destination_account=destination_account,
        destination_location=location,
        destination_cidr=destination_cidr,
        enabled=firewall_rules.boolean(enabled, "enabled"),
    )
    return 201, policy_json(policy, req.user.roles)


@route("PUT", "/v2-experimental/crossDcFirewallPolicies/{alias}/{dc}/{policy_id}")
def update_policy(req, alias, dc, policy_id):
    policy = FAMILY.find(req, alias, dc, policy_id)
    require(req, "manage_firewall")
    enabled = req.param("enabled")
    if enabled is None:  # the page puts it in the query; a body {"enabled": ...} is taken too
        enabled = req.field(req.json_object(), "enabled")
    if enabled is None:
        raise errors.bad_request("enabled is required: ?enabled=true or ?enabled=false.")
    policy.enabled = firewall_rules.boolean(enabled, "enabled")
    return 204, None
