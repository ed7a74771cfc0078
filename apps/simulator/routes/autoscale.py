"""Vertical (CPU) autoscale policies (``Autoscale Policies/``) and a server's policy.

GET    /v2/autoscalePolicies/{alias}                 the account's policies (a bare array)
GET    /v2/autoscalePolicies/{alias}/{id}            one policy
GET    /v2/servers/{alias}/{id}/cpuAutoscalePolicy   ``{id, links}``; 404 when the server has none
PUT    /v2/servers/{alias}/{id}/cpuAutoscalePolicy   ``{id}`` -> ``{id, links}``
DELETE /v2/servers/{alias}/{id}/cpuAutoscalePolicy   204

The API has no call to create a policy: accounts define them (``monitoring/seed.py``). Viewing
roles read them; the server operators apply and remove them (the server's
``cpuAutoscalePolicyMapping`` link). A policy acts on the simulator clock (``monitoring.watch``):
each CPU change is a queued ``autoscaleCpu`` operation.
"""

from .. import errors
from ..links import link
from ..monitoring.model import AutoscalePolicy
from ..monitoring.watch import ensure_tick
from ..router import route
from ..serializers_server import server_href
from .policy_common import PolicyKind, active_server, id_field, mapped_server

POLICIES = PolicyKind("/v2/autoscalePolicies", "autoscale_policies", "autoscale policy")


@POLICIES.get_route
def policy_json(req, policy: AutoscalePolicy) -> dict:
    return {
        "id": policy.id,
        "name": policy.name,
        "resourceType": "cpu",
        "thresholdPeriodMinutes": policy.threshold_period_minutes,
        "scaleUpIncrement": policy.scale_up_increment,
        "range": {"max": policy.max_cpu, "min": policy.min_cpu},
        "scaleUpThreshold": policy.scale_up_threshold,
        "scaleDownThreshold": policy.scale_down_threshold,
        "scaleDownWindow": {"start": policy.window_start, "end": policy.window_end},
        "links": [link("self", POLICIES.href(policy))],
    }


def check_policy(world, alias: str, policy_id) -> AutoscalePolicy:
    return POLICIES.named(world, alias, policy_id)


def apply(world, server, policy: AutoscalePolicy) -> None:
    mon = world.monitoring
    if mon.server_autoscale.get(server.key) != policy.id:
        mon.server_autoscale[server.key] = policy.id
        mon.autoscale_runs.pop(server.key, None)
    ensure_tick(world)


@route("GET", "/v2/autoscalePolicies/{alias}")
def list_policies(req, alias):
    items = POLICIES.of(req, alias)
    return [policy_json(req, p) for p in sorted(items, key=lambda p: p.name.lower())]


def _mapping_json(server, policy_id: str) -> dict:
    return {"id": policy_id, "links": [link("self", f"{server_href(server)}/cpuAutoscalePolicy")]}


@route("GET", "/v2/servers/{alias}/{server_id}/cpuAutoscalePolicy")
def server_policy(req, alias, server_id):
    server = mapped_server(req, alias, server_id, "view")
    policy = req.world.monitoring.autoscale_policies.get(
        req.world.monitoring.server_autoscale.get(server.key)
    )
    return _mapping_json(server, errors.found(policy, "The server has no autoscale policy.").id)


@route("PUT", "/v2/servers/{alias}/{server_id}/cpuAutoscalePolicy")
def set_server_policy(req, alias, server_id):
    world = req.world
    server = mapped_server(req, alias, server_id)
    policy = check_policy(world, alias, id_field(req, req.json_object()))
    active_server(req, server, "set its autoscale policy")
    if server.type == "bareMetal":
        raise errors.bad_request("Autoscale policies are not available for bare metal servers.")
    apply(world, server, policy)
    return _mapping_json(server, policy.id)


@route("DELETE", "/v2/servers/{alias}/{server_id}/cpuAutoscalePolicy")
def remove_server_policy(req, alias, server_id):
    world = req.world
    server = mapped_server(req, alias, server_id)
    active_server(req, server, "remove its autoscale policy")
    world.monitoring.server_autoscale.pop(server.key, None)
    world.monitoring.autoscale_runs.pop(server.key, None)
    return 204, None
