"""The account's policies and a server's mappings onto them (the only code that knows their paths).

    list_alert_policies(client)                         -> PolicyList of AlertPolicyDefinition
    create_alert_policy(client, "CPU 80", triggers=[AlertTrigger("cpu", "00:05:00", 80)],
                        recipients=["ops@example.com"])  -> AlertPolicyDefinition
    add_alert_policy(client, "WA1DEMOWEB01", policy_id)  # POST .../alertPolicies {"id"}
    list_anti_affinity_policies(client)                 -> PolicyList
    list_autoscale_policies(client)                     -> PolicyList  (read only: the API
                                                           cannot create them)
    server_autoscale_policy(client, "WA1DEMODB01")      -> PolicyMapping | None (404: none)

Every change applies at once (200/204, no queued operation). Alert policy thresholds are sent as
numbers (``80.0`` as the docs' examples), durations as ``00:05:00``.
"""

from urllib.parse import quote

from .client import ClcClient
from .entities import (
    AlertPolicyDefinition,
    AlertTrigger,
    AntiAffinityPolicy,
    AutoscalePolicy,
    PolicyList,
    PolicyMapping,
)
from .errors import NotFound


def href(kind: str, alias: str, policy_id: str = "") -> str:
    """A policy's path as the API's links write it (``alias`` in place): ``kind`` is alert,
    antiAffinity or autoscale; the paths are the ones this module calls."""
    base = {"alert": ALERTS, "antiAffinity": ANTI, "autoscale": AUTOSCALE}[kind]
    return base.replace("{alias}", alias.lower()) + (f"/{_q(policy_id)}" if policy_id else "")


def server_href(alias: str, server_id: str, tail: str = "") -> str:
    return _server(server_id, tail).replace("{alias}", alias.lower())


def _q(value: str) -> str:
    return quote(str(value).lower(), safe="")


def _server(server_id: str, tail: str = "") -> str:
    return f"/v2/servers/{{alias}}/{_q(server_id)}{tail}"


# --- alert policies -------------------------------------------------------------------------------
ALERTS = "/v2/alertPolicies/{alias}"


def _alert_body(name: str, triggers, recipients) -> dict:
    return {
        "name": name,
        "actions": [{"action": "email", "settings": {"recipients": list(recipients)}}],
        "triggers": [t.as_api() if isinstance(t, AlertTrigger) else dict(t) for t in triggers],
    }


def list_alert_policies(client: ClcClient) -> PolicyList:
    """``{items, links}``: the policies and whether the caller may create one."""
    return PolicyList.from_api(client.get(ALERTS), AlertPolicyDefinition.from_api)


def get_alert_policy(client: ClcClient, policy_id: str) -> AlertPolicyDefinition:
    return AlertPolicyDefinition.from_api(client.get(f"{ALERTS}/{_q(policy_id)}") or {})


def create_alert_policy(client: ClcClient, name: str, *, triggers, recipients) -> AlertPolicyDefinition:
    return AlertPolicyDefinition.from_api(
        client.post(ALERTS, json=_alert_body(name, triggers, recipients)) or {}
    )


def update_alert_policy(
    client: ClcClient, policy_id: str, name: str, *, triggers, recipients
) -> AlertPolicyDefinition:
    """PUT the whole policy (name, actions and triggers are all required)."""
    body = client.put(f"{ALERTS}/{_q(policy_id)}", json=_alert_body(name, triggers, recipients))
    return AlertPolicyDefinition.from_api(body or {})


def delete_alert_policy(client: ClcClient, policy_id: str) -> None:
    client.delete(f"{ALERTS}/{_q(policy_id)}")


def add_alert_policy(client: ClcClient, server_id: str, policy_id: str) -> PolicyMapping:
    """``POST /v2/servers/{alias}/{id}/alertPolicies {"id"}`` (the doc's URL omits the last part;
    its example answer and the server's ``alertPolicyMappings`` link have it)."""
    body = client.post(_server(server_id, "/alertPolicies"), json={"id": policy_id})
    return PolicyMapping.from_api(body or {})


def remove_alert_policy(client: ClcClient, server_id: str, policy_id: str) -> None:
    client.delete(_server(server_id, f"/alertPolicies/{_q(policy_id)}"))


# --- anti-affinity policies -----------------------------------------------------------------------
ANTI = "/v2/antiAffinityPolicies/{alias}"


def list_anti_affinity_policies(client: ClcClient) -> PolicyList:
    return PolicyList.from_api(client.get(ANTI), AntiAffinityPolicy.from_api)


def get_anti_affinity_policy(client: ClcClient, policy_id: str) -> AntiAffinityPolicy:
    return AntiAffinityPolicy.from_api(client.get(f"{ANTI}/{_q(policy_id)}") or {})


def create_anti_affinity_policy(client: ClcClient, name: str, location: str) -> AntiAffinityPolicy:
    return AntiAffinityPolicy.from_api(client.post(ANTI, json={"name": name, "location": location}) or {})


def update_anti_affinity_policy(client: ClcClient, policy_id: str, name: str) -> AntiAffinityPolicy:
    return AntiAffinityPolicy.from_api(client.put(f"{ANTI}/{_q(policy_id)}", json={"name": name}) or {})


def delete_anti_affinity_policy(client: ClcClient, policy_id: str) -> None:
    client.delete(f"{ANTI}/{_q(policy_id)}")


def set_server_anti_affinity(client: ClcClient, server_id: str, policy_id: str) -> None:
    """Move a (hyperscale) server into the policy (out of any other): the server's
    ``antiAffinityPolicyMapping`` link, ``PUT {"id"}``."""
    client.put(_server(server_id, "/antiAffinityPolicy"), json={"id": policy_id})


def remove_server_anti_affinity(client: ClcClient, server_id: str) -> None:
    client.delete(_server(server_id, "/antiAffinityPolicy"))


# --- vertical autoscale policies ------------------------------------------------------------------
AUTOSCALE = "/v2/autoscalePolicies/{alias}"


def list_autoscale_policies(client: ClcClient) -> PolicyList:
    """A bare array (no links: the API cannot create autoscale policies)."""
    return PolicyList.from_api(client.get(AUTOSCALE), AutoscalePolicy.from_api)


def get_autoscale_policy(client: ClcClient, policy_id: str) -> AutoscalePolicy:
    return AutoscalePolicy.from_api(client.get(f"{AUTOSCALE}/{_q(policy_id)}") or {})


def server_autoscale_policy(client: ClcClient, server_id: str) -> PolicyMapping | None:
    """The server's policy, None when it has none (the cloud answers 404)."""
    try:
        body = client.get(_server(server_id, "/cpuAutoscalePolicy"))
    except NotFound:
        return None
    found = PolicyMapping.from_api(body or {})
    return found if found.id else None


def set_server_autoscale_policy(client: ClcClient, server_id: str, policy_id: str) -> PolicyMapping:
    body = client.put(_server(server_id, "/cpuAutoscalePolicy"), json={"id": policy_id})
    return PolicyMapping.from_api(body or {})


def remove_server_autoscale_policy(client: ClcClient, server_id: str) -> None:
    client.delete(_server(server_id, "/cpuAutoscalePolicy"))
