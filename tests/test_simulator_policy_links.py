"""Every monitoring/policy link a server or group advertises answers each of its verbs (no 404 or
405): statistics, scheduled activities, alert policy mappings, anti-affinity and autoscale."""

import pytest

from apps.simulator.seed import build_demo

ALIAS = "DEMO"
_DEMO = build_demo()
SERVER_RELS = {
    "statistics",
    "scheduledActivities",
    "alertPolicyMappings",
    "antiAffinityPolicyMapping",
    "cpuAutoscalePolicyMapping",
}
GROUP_RELS = {
    "statistics",
    "scheduledActivities",
    "upcomingScheduledActivities",
    "horizontalAutoscalePolicyMapping",
}


def answers(session, url: str, verbs: list[str]) -> dict[str, int]:
    """The status of each verb; a body-taking verb is sent an empty object (a 400 is an answer)."""
    out = {}
    for verb in verbs:
        body = {} if verb in ("POST", "PUT") else None
        out[verb] = session.request(verb, url, json=body, timeout=10).status_code
    return out


@pytest.mark.parametrize("user", ["demo", "operator", "viewer"])
def test_server_and_group_links_answer_every_verb(simulator, user):
    session = simulator.session(user)
    server = next(
        s for s in _DEMO.servers.values() if s.alias == ALIAS and s.status == "active" and s.alert_policies
    )
    detail = session.get(f"{simulator.url}/v2/servers/{ALIAS}/{server.id}", timeout=10).json()
    links = [lk for lk in detail["links"] if lk["rel"] in SERVER_RELS]
    links += [lk for policy in detail["details"]["alertPolicies"] for lk in policy["links"]]
    group = session.get(f"{simulator.url}/v2/groups/{ALIAS}/{server.group_id}", timeout=10).json()
    links += [lk for lk in group["links"] if lk["rel"] in GROUP_RELS]
    seen = {lk["rel"] for lk in links}
    assert {"statistics", "scheduledActivities", "self"} <= seen
    if user != "viewer":
        assert SERVER_RELS | {"alertPolicyMap"} <= seen
    failures = {}
    # DELETE last, so the mappings are still there for the other verbs.
    for link in sorted(links, key=lambda lk: "DELETE" in lk.get("verbs", [])):
        codes = answers(session, f"{simulator.url}{link['href']}", link.get("verbs") or ["GET"])
        bad = {verb: code for verb, code in codes.items() if code in (404, 405) or code >= 500}
        if bad:
            failures[link["rel"]] = bad
    assert failures == {}
