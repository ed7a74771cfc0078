"""Alert policies (``Alert Policies/``) and their mapping onto servers.

GET    /v2/alertPolicies/{alias}                         ``{items, links}``
POST   /v2/alertPolicies/{alias}                         ``{name, actions, triggers}`` -> the policy
GET    /v2/alertPolicies/{alias}/{id}                    the policy
PUT    /v2/alertPolicies/{alias}/{id}                    ``{name, actions, triggers}`` -> the policy
DELETE /v2/alertPolicies/{alias}/{id}                    200, no content (unmapped from servers)
GET    /v2/servers/{alias}/{id}/alertPolicies            the server's policies (``alertPolicyMappings``)
POST   /v2/servers/{alias}/{id}/alertPolicies            ``{id}`` -> ``{id, links}``
GET    /v2/servers/{alias}/{id}/alertPolicies/{policy}   one mapping (``alertPolicyMap``)
DELETE /v2/servers/{alias}/{id}/alertPolicies/{policy}   200, no content

Validation as documented: actions are ``email`` with a non-empty ``settings.recipients`` list;
each trigger has ``metric`` cpu|memory|disk, ``duration`` 00:05:00|00:10:00|00:15:00 and a
``threshold`` from 5 to 95 in steps of 5 (answered as an integer: typed clients decode it as one);
one trigger per metric. Names are unique in the account. Viewing roles may read; AccountAdmin and
ServerAdmin change policies; the server operators add and remove them on servers. Mapped policies
fire on the simulator clock (``monitoring.watch``).
"""

from .. import errors
from ..links import link
from ..monitoring.model import AlertPolicy
from ..monitoring.watch import duration_seconds, ensure_tick, forget_alert_runs
from ..roles import can, require
from ..router import route
from ..serializers_server import server_href
from .policy_common import PolicyKind, active_server, id_field, listing, mapped_server, name_field, verbs

POLICIES = PolicyKind("/v2/alertPolicies", "alert_policies", "alert policy", model=AlertPolicy)

METRICS = ("cpu", "memory", "disk")
DURATIONS = {300: "00:05:00", 600: "00:10:00", 900: "00:15:00"}


# --- validation -------------------------------------------------------------------------------
def _actions(req, value) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise errors.bad_request("The request is invalid: actions must be a non-empty list.")
    out = []
    for item in value:
        action = req.field(item, "action") if isinstance(item, dict) else None
        if not isinstance(action, str) or action.strip().lower() != "email":
            raise errors.bad_request("The only action supported by alert policies is 'email'.")
        settings = req.field(item, "settings")
        recipients = req.field(settings, "recipients") if isinstance(settings, dict) else None
        if not isinstance(recipients, list) or not recipients:
            raise errors.bad_request("An email action needs settings.recipients: a list of email addresses.")
        cleaned = []
        for address in recipients:
            if not isinstance(address, str) or "@" not in address.strip() or len(address.strip()) > 254:
                raise errors.bad_request(f"'{address}' is not a valid email address.")
            if any(ch.isspace() or ord(ch) < 32 for ch in address.strip()):
                raise errors.bad_request(f"'{address}' is not a valid email address.")
            cleaned.append(address.strip())
        out.append({"action": "email", "settings": {"recipients": cleaned}})
    return out


def _duration(value) -> str:
    try:
        seconds = duration_seconds(value.strip()) if isinstance(value, str) else None
    except ValueError:
        seconds = None
    if seconds not in DURATIONS:
        raise errors.bad_request(f"The duration '{value}' is not valid: use 00:05:00, 00:10:00 or 00:15:00.")
    return DURATIONS[seconds]


def _threshold(value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = float(value) if isinstance(value, int | float | str) else None
    except ValueError:
        number = None
    if number is None or not 5 <= number <= 95 or number % 5:
        raise errors.bad_request(
            f"The threshold '{value}' is not valid: use a percentage from 5.0 to 95.0 that is a multiple of 5.0."
        )
    return int(number)


def _triggers(req, value) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise errors.bad_request("The request is invalid: triggers must be a non-empty list.")
    out, seen = [], set()
    for item in value:
        if not isinstance(item, dict):
            raise errors.bad_request("Each trigger must be an object with metric, duration and threshold.")
        metric = req.field(item, "metric")
        metric = metric.strip().lower() if isinstance(metric, str) else metric
        if metric not in METRICS:
            raise errors.bad_request(f"The metric '{metric}' is not valid: use cpu, memory or disk.")
        if metric in seen:
            raise errors.bad_request(f"An alert policy has one trigger per metric ('{metric}' repeats).")
        seen.add(metric)
        out.append(
            {
                "metric": metric,
                "duration": _duration(req.field(item, "duration")),
                "threshold": _threshold(req.field(item, "threshold")),
            }
        )
    return out


def _parse(req, alias: str, exclude=None) -> tuple[str, list, list]:
    body = req.json_object()
    name = name_field(req.field(body, "name"))
    POLICIES.unique_name(req.world, alias, name, exclude)
    return name, _actions(req, req.field(body, "actions")), _triggers(req, req.field(body, "triggers"))


# --- answers ----------------------------------------------------------------------------------
@POLICIES.get_route
def policy_json(req, policy: AlertPolicy) -> dict:
    return {
        "id": policy.id,
        "name": policy.name,
        "actions": [
            {"action": a["action"], "settings": {"recipients": list(a["settings"]["recipients"])}}
            for a in policy.actions
        ],
        "links": [link("self", POLICIES.href(policy), verbs=verbs(req, "DELETE", "PUT"))],
        "triggers": [dict(t) for t in policy.triggers],
    }


def _mapped_servers(world, policy_id: str):
    for server in world.servers.values():
        if any(ref["id"] == policy_id for ref in server.alert_policies):
            yield server


# --- policies ---------------------------------------------------------------------------------
@route("GET", "/v2/alertPolicies/{alias}")
def list_policies(req, alias):
    items = sorted(POLICIES.of(req, alias), key=lambda p: p.name.lower())
    return listing(
        [policy_json(req, p) for p in items], f"/v2/alertPolicies/{alias.lower()}", verbs(req, "POST")
    )


@route("POST", "/v2/alertPolicies/{alias}")
def create_policy(req, alias):
    require(req, "manage_policies")
    name, actions, triggers = _parse(req, alias)
    return policy_json(req, POLICIES.new(req, alias, name, actions, triggers))


@route("PUT", "/v2/alertPolicies/{alias}/{policy_id}")
def update_policy(req, alias, policy_id):
    policy = POLICIES.at(req, alias, policy_id, "manage_policies")
    policy.name, policy.actions, policy.triggers = _parse(req, alias, exclude=policy)
    world = req.world
    forget_alert_runs(world, policy_id=policy.id)  # the triggers may have changed: start over
    for server in _mapped_servers(world, policy.id):
        for ref in server.alert_policies:
            if ref["id"] == policy.id:
                ref["name"] = policy.name
    return policy_json(req, policy)


@route("DELETE", "/v2/alertPolicies/{alias}/{policy_id}")
def delete_policy(req, alias, policy_id):
    world = req.world
    policy = POLICIES.at(req, alias, policy_id, "manage_policies")
    for server in list(_mapped_servers(world, policy.id)):
        server.alert_policies = [ref for ref in server.alert_policies if ref["id"] != policy.id]
    forget_alert_runs(world, policy_id=policy.id)
    del world.monitoring.alert_policies[policy.id]
    return 200, None


# --- on a server ------------------------------------------------------------------------------
def _mapping_json(req, server, policy_id: str, name: str) -> dict:
    href = f"{server_href(server)}/alertPolicies/{policy_id}"
    may_remove = can(req.user.roles, "manage_alert_policy_on_server") and server.status == "active"
    links = [link("self", href, verbs=["DELETE"] if may_remove else None)]
    links.append(link("alertPolicy", f"/v2/alertPolicies/{server.alias.lower()}/{policy_id}"))
    return {"id": policy_id, "name": name, "links": links}


@route("GET", "/v2/servers/{alias}/{server_id}/alertPolicies")
def server_policies(req, alias, server_id):
    server = mapped_server(req, alias, server_id, "view")
    return [_mapping_json(req, server, ref["id"], ref.get("name", "")) for ref in server.alert_policies]


@route("POST", "/v2/servers/{alias}/{server_id}/alertPolicies")
def add_to_server(req, alias, server_id):
    world = req.world
    server = mapped_server(req, alias, server_id)
    policy_id = id_field(req, req.json_object())
    policy = POLICIES.named(world, alias, policy_id)
    active_server(req, server, "add an alert policy")
    if not any(ref["id"] == policy.id for ref in server.alert_policies):  # adding twice is harmless
        server.alert_policies.append({"id": policy.id, "name": policy.name})
    world.monitoring.alert_servers.add(server.key)
    ensure_tick(world)
    answer = _mapping_json(req, server, policy.id, policy.name)
    return {"id": policy.id, "links": answer["links"][:1]}


def _mapped(req, server, policy_id: str) -> dict:
    for ref in server.alert_policies:
        if ref["id"] == policy_id.strip().lower():
            return ref
    raise errors.not_found()


@route("GET", "/v2/servers/{alias}/{server_id}/alertPolicies/{policy_id}")
def server_policy(req, alias, server_id, policy_id):
    server = mapped_server(req, alias, server_id, "view")
    ref = _mapped(req, server, policy_id)
    return _mapping_json(req, server, ref["id"], ref.get("name", ""))


@route("DELETE", "/v2/servers/{alias}/{server_id}/alertPolicies/{policy_id}")
def remove_from_server(req, alias, server_id, policy_id):
    server = mapped_server(req, alias, server_id)
    ref = _mapped(req, server, policy_id)
    active_server(req, server, "remove an alert policy")
    server.alert_policies = [r for r in server.alert_policies if r is not ref]
    forget_alert_runs(req.world, policy_id=ref["id"], server_key=server.key)
    return 200, None
