"""Anti-affinity policies (api.json ``/v2/antiAffinityPolicies``) and a server's membership.

GET    /v2/antiAffinityPolicies/{alias}              ``{items, links}``
POST   /v2/antiAffinityPolicies/{alias}              ``{name, location}`` -> the policy
GET    /v2/antiAffinityPolicies/{alias}/{id}         the policy; its members are ``server`` links
PUT    /v2/antiAffinityPolicies/{alias}/{id}         ``{name}`` -> the policy
DELETE /v2/antiAffinityPolicies/{alias}/{id}         200, no content (its servers leave it)
GET    /v2/servers/{alias}/{id}/antiAffinityPolicy   ``{id, name, links}``; 404 when the server has none
PUT    /v2/servers/{alias}/{id}/antiAffinityPolicy   ``{id}`` -> ``{id, links}``
DELETE /v2/servers/{alias}/{id}/antiAffinityPolicy   200, no content

A policy belongs to one data center; only hyperscale servers of that data center may join it
(create-server's ``antiAffinityPolicyId`` says so), each server in at most one policy. Names
are unique in the account. Viewing roles may read; AccountAdmin and ServerAdmin change policies;
the server operators move a server in or out (the server's ``antiAffinityPolicyMapping`` link).
"""

from .. import errors
from ..fields import identifier
from ..links import link
from ..monitoring.model import AntiAffinityPolicy
from ..roles import require
from ..router import route
from ..serializers_server import server_href
from .policy_common import PolicyKind, active_server, id_field, listing, mapped_server, name_field, verbs

POLICIES = PolicyKind(
    "/v2/antiAffinityPolicies", "anti_affinity", "anti-affinity policy", model=AntiAffinityPolicy
)


def members(world, policy: AntiAffinityPolicy) -> list:
    """The policy's servers that still exist (deleted servers drop out)."""
    policy.servers = [key for key in policy.servers if key in world.servers]
    return [world.servers[key] for key in policy.servers]


@POLICIES.get_route
def policy_json(req, policy: AntiAffinityPolicy) -> dict:
    links = [link("self", POLICIES.href(policy), verbs=verbs(req, "DELETE", "PUT"))]
    for server in members(req.world, policy):
        links.append(link("server", server_href(server), id=server.key, name=server.id))
    return {"id": policy.id, "name": policy.name, "location": policy.location, "links": links}


def policy_of(world, server) -> AntiAffinityPolicy | None:
    for policy in world.monitoring.anti_affinity.values():
        if server.key in policy.servers:
            return policy
    return None


def check_member(world, alias: str, policy_id, server_type: str, location: str) -> AntiAffinityPolicy:
    """The policy a (new or existing) server may join, or a 400 saying why not."""
    policy = POLICIES.named(world, alias, policy_id)
    if server_type != "hyperscale":
        raise errors.bad_request("Anti-affinity policies are only valid for hyperscale servers.")
    if policy.location.upper() != location.upper():
        raise errors.bad_request(
            f"The anti-affinity policy '{policy.name}' is in {policy.location}; the server is in {location.upper()}."
        )
    return policy


def join(world, server, policy: AntiAffinityPolicy) -> None:
    current = policy_of(world, server)
    if current is not None and current is not policy:
        current.servers.remove(server.key)
    if server.key not in policy.servers:
        policy.servers.append(server.key)


# --- policies ---------------------------------------------------------------------------------
@route("GET", "/v2/antiAffinityPolicies/{alias}")
def list_policies(req, alias):
    items = POLICIES.of(req, alias)
    return listing(
        [policy_json(req, p) for p in sorted(items, key=lambda p: (p.location, p.name.lower()))],
        f"/v2/antiAffinityPolicies/{alias.lower()}",
        verbs(req, "POST"),
    )


@route("POST", "/v2/antiAffinityPolicies/{alias}")
def create_policy(req, alias):
    require(req, "manage_policies")
    world = req.world
    body = req.json_object()
    name = name_field(req.field(body, "name"))
    location = req.field(body, "location")
    wanted = identifier(location, "location")
    try:
        datacenter = world.datacenter(alias, wanted)
    except errors.ApiError:
        raise errors.bad_request(f"The data center '{location}' is not available to this account.") from None
    POLICIES.unique_name(world, alias, name)
    return policy_json(req, POLICIES.new(req, alias, name, datacenter.id.upper()))


@route("PUT", "/v2/antiAffinityPolicies/{alias}/{policy_id}")
def update_policy(req, alias, policy_id):
    policy = POLICIES.at(req, alias, policy_id, "manage_policies")
    body = req.json_object()
    name = name_field(req.field(body, "name"))
    POLICIES.unique_name(req.world, alias, name, exclude=policy)
    policy.name = name
    return policy_json(req, policy)


@route("DELETE", "/v2/antiAffinityPolicies/{alias}/{policy_id}")
def delete_policy(req, alias, policy_id):
    policy = POLICIES.at(req, alias, policy_id, "manage_policies")
    del req.world.monitoring.anti_affinity[policy.id]
    return 200, None


# --- a server's membership --------------------------------------------------------------------
def _membership_json(server, policy: AntiAffinityPolicy) -> dict:
    return {
        "id": policy.id,
        "name": policy.name,
        "links": [
            link("self", f"{server_href(server)}/antiAffinityPolicy"),
            link("antiAffinityPolicy", POLICIES.href(policy), id=policy.id, name=policy.name),
        ],
    }


@route("GET", "/v2/servers/{alias}/{server_id}/antiAffinityPolicy")
def server_policy(req, alias, server_id):
    server = mapped_server(req, alias, server_id, "view")
    policy = errors.found(policy_of(req.world, server), "The server is not in an anti-affinity policy.")
    return _membership_json(server, policy)


@route("PUT", "/v2/servers/{alias}/{server_id}/antiAffinityPolicy")
def set_server_policy(req, alias, server_id):
    world = req.world
    server = mapped_server(req, alias, server_id)
    policy_id = id_field(req, req.json_object())
    active_server(req, server, "change its anti-affinity policy")
    policy = check_member(world, alias, policy_id, server.type, server.location)
    join(world, server, policy)
    answer = _membership_json(server, policy)
    return {"id": policy.id, "links": answer["links"]}


@route("DELETE", "/v2/servers/{alias}/{server_id}/antiAffinityPolicy")
def remove_server_policy(req, alias, server_id):
    world = req.world
    server = mapped_server(req, alias, server_id)
    active_server(req, server, "change its anti-affinity policy")
    policy = policy_of(world, server)
    if policy is not None:
        policy.servers.remove(server.key)
    return 200, None
