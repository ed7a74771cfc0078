"""Horizontal autoscale: a group's policy (``Groups/*-group-horizontal-autoscale-policy.md``) and the
account's horizontal policies the mapping links to.

GET    /v2/groups/{alias}/{id}/horizontalAutoscalePolicy   the group's mapping; ``{}`` when it has none
PUT    /v2/groups/{alias}/{id}/horizontalAutoscalePolicy   ``{policyId, loadBalancerPool?}`` -> mapping
DELETE /v2/groups/{alias}/{id}/horizontalAutoscalePolicy   200, no content
GET    /v2/horizontalAutoscalePolicies/{alias}             ``{items, links}`` (read-only here)
GET    /v2/horizontalAutoscalePolicies/{alias}/{id}        one policy

Stored and validated only: the documentation does not describe how a group scales, so nothing
powers servers on or off by itself. ``availableServers`` counts the group's active servers,
``targetSize`` is the number started (at least the policy's minimum, at most what is available),
``scaleDirection``/``scaleResourceReason`` are ``None``. ``loadBalancerPool`` is optional (the
published Python SDK sends only ``policyId``); its ports must be 1-65535. Viewing roles read;
AccountAdmin and ServerAdmin set and remove (the group link's verbs).
"""

from .. import errors
from ..links import link
from ..monitoring.model import HorizontalMapping, HorizontalPolicy
from ..router import route
from ..state import iso
from .groups import group_for
from .policy_common import PolicyKind, listing

POLICIES = PolicyKind("/v2/horizontalAutoscalePolicies", "horizontal_policies", "horizontal autoscale policy")


@POLICIES.get_route
def policy_json(req, policy: HorizontalPolicy) -> dict:
    return {
        "id": policy.id,
        **policy.data,
        "links": [link("self", POLICIES.href(policy))],
    }


@route("GET", "/v2/horizontalAutoscalePolicies/{alias}")
def list_policies(req, alias):
    items = POLICIES.of(req, alias)
    return listing(
        [policy_json(req, p) for p in sorted(items, key=lambda p: p.data["name"].lower())],
        f"/v2/horizontalAutoscalePolicies/{alias.lower()}",
        ["GET"],
    )


# --- a group's mapping ------------------------------------------------------------------------
def _port(value, name: str) -> int:
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise errors.bad_request(
            f"The request is invalid: loadBalancerPool.{name} must be a port from 1 to 65535."
        )
    return value


def _pool(req, value) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.bad_request(
            "The request is invalid: loadBalancerPool must be an object {id, publicPort, privatePort}."
        )
    lb_id = req.field(value, "id")
    if not isinstance(lb_id, str) or not lb_id.strip() or len(lb_id.strip()) > 64:
        raise errors.bad_request("The request is invalid: loadBalancerPool.id is required.")
    return {
        "id": lb_id.strip().lower(),
        "publicPort": _port(req.field(value, "publicPort"), "publicPort"),
        "privatePort": _port(req.field(value, "privatePort"), "privatePort"),
    }


def _load_balancer_details(world, lb_id: str) -> tuple[str, str]:
    """(name, public IP) of a shared load balancer, when the world keeps them; else blanks."""
    balancers = getattr(world, "load_balancers", None)
    found = balancers.get(lb_id) if isinstance(balancers, dict) else None
    if found is None:
        return "", ""
    get = found.get if isinstance(found, dict) else lambda k, d=None: getattr(found, k, d)
    return str(get("name", "") or ""), str(get("ip_address", "") or get("publicIP", "") or "")


def mapping_json(world, group, mapping: HorizontalMapping) -> dict:
    alias = group.alias.lower()
    policy = world.monitoring.horizontal_policies.get(mapping.policy_id)
    available = [s for s in world.members(group) if s.status == "active" and not s.is_template]
    started = sum(1 for s in available if s.power_state == "started")
    minimum = int(policy.data.get("minimumServerCount", 0)) if policy else 0
    balancer = None
    if mapping.load_balancer is not None:
        name, address = _load_balancer_details(world, mapping.load_balancer["id"])
        balancer = {
            **mapping.load_balancer,
            "name": name,
            "publicIP": address,
            "links": [
                link(
                    "self",
                    f"/v2/sharedLoadBalancers/{alias}/{group.location.lower()}/{mapping.load_balancer['id']}",
                )
            ],
        }
    return {
        "groupId": group.id,
        "policyId": mapping.policy_id,
        "locationId": group.location,
        "name": policy.data["name"] if policy else "",
        "availableServers": len(available),
        "targetSize": min(max(started, minimum), len(available)),
        "scaleDirection": "None",
        "scaleResourceReason": "None",
        "loadBalancer": balancer,
        "timestamp": iso(mapping.since),
        "links": [
            link("self", f"/v2/groups/{alias}/{group.id}/horizontalAutoscalePolicy"),
            link("group", f"/v2/groups/{alias}/{group.id}"),
            link("horizontalAutoscalePolicy", f"/v2/horizontalAutoscalePolicies/{alias}/{mapping.policy_id}"),
        ],
    }


def _changeable(group) -> None:
    if group.status == "archived" or group.type == "archive":
        raise errors.bad_request(f"The group '{group.name}' is archived: its autoscale policy cannot change.")


@route("GET", "/v2/groups/{alias}/{group_id}/horizontalAutoscalePolicy")
def group_policy(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "view")
    mapping = world.monitoring.group_horizontal.get(group.id)
    if mapping is None or mapping.policy_id not in world.monitoring.horizontal_policies:
        return {}
    return mapping_json(world, group, mapping)


@route("PUT", "/v2/groups/{alias}/{group_id}/horizontalAutoscalePolicy")
def set_group_policy(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_policies")
    body = req.json_object()
    policy_id = req.field(body, "policyId")
    policy = POLICIES.named(world, alias, policy_id)
    pool = _pool(req, req.field(body, "loadBalancerPool"))
    _changeable(group)
    mapping = HorizontalMapping(group.id, policy.id, pool, world.now())
    world.monitoring.group_horizontal[group.id] = mapping
    return mapping_json(world, group, mapping)


@route("DELETE", "/v2/groups/{alias}/{group_id}/horizontalAutoscalePolicy")
def remove_group_policy(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_policies")
    _changeable(group)
    world.monitoring.group_horizontal.pop(group.id, None)
    return 200, None
