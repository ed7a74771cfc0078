"""Alert policies over HTTP: the account's policies, their mapping onto servers, roles, validation,
and policies that fire on the simulator clock (``/control/alerts`` and ``Alert.Notification``)."""

import pytest
import requests

from apps.simulator.seed import ALERT_POLICIES, build_demo

ALIAS = "DEMO"
_DEMO = build_demo()
EMAIL = [{"action": "email", "settings": {"recipients": ["oncall@demo.example"]}}]


def server_where(*, alerts: bool | None = None, power: str = "started"):
    for server in _DEMO.servers.values():
        if server.alias != ALIAS or server.location != "WA1" or server.status != "active":
            continue
        if server.power_state == power and (alerts is None or bool(server.alert_policies) == alerts):
            return server
    raise LookupError("no such server in the demo seed")


def policy_body(name="CPU Above 80%", metric="cpu", duration="00:05:00", threshold=80.0, actions=EMAIL):
    return {
        "name": name,
        "actions": actions,
        "triggers": [{"metric": metric, "duration": duration, "threshold": threshold}],
    }


def create(api, **fields):
    response = api("POST", f"/v2/alertPolicies/{ALIAS}", json=policy_body(**fields))
    assert response.status_code == 200, response.text
    return response.json()


def rels(body) -> dict:
    return {link["rel"]: link for link in body["links"]}


# --- the account's policies -----------------------------------------------------------------------
def test_seeded_policies_are_real_and_the_server_links_answer(simulator, api):
    listed = api("GET", f"/v2/alertPolicies/{ALIAS}").json()
    assert {p["id"] for p in listed["items"]} == {p["id"] for p in ALERT_POLICIES}
    assert rels(listed)["self"]["verbs"] == ["GET", "POST"]
    for policy in listed["items"]:
        assert policy["triggers"] and policy["actions"][0]["action"] == "email"
        assert rels(policy)["self"]["verbs"] == ["GET", "DELETE", "PUT"]
    server = server_where(alerts=True)
    detail = api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()
    for entry in detail["details"]["alertPolicies"]:
        for link in entry["links"]:  # self -> the policy; alertPolicyMap -> the mapping
            answer = api("GET", link["href"])
            assert answer.status_code == 200 and answer.json()["id"] == entry["id"], link
    mappings = next(link for link in detail["links"] if link["rel"] == "alertPolicyMappings")
    listed_on_server = api("GET", mappings["href"]).json()
    assert [p["id"] for p in listed_on_server] == [p["id"] for p in server.alert_policies]


def test_create_get_update_delete(api):
    created = create(api, name="Disk Above 80%", metric="disk", threshold="80")
    assert created["name"] == "Disk Above 80%"
    assert created["triggers"] == [{"metric": "disk", "duration": "00:05:00", "threshold": 80}]
    assert created["actions"] == EMAIL
    href = rels(created)["self"]["href"]
    assert href == f"/v2/alertPolicies/demo/{created['id']}"
    assert api("GET", href).json() == created
    assert api("GET", f"/v2/alertPolicies/{ALIAS}/{created['id'].upper()}").status_code == 200

    changed = api("PUT", href, json=policy_body(name="Disk Above 90%", metric="DISK", threshold=90.0)).json()
    assert changed["id"] == created["id"] and changed["name"] == "Disk Above 90%"
    assert changed["triggers"][0]["threshold"] == 90
    assert api("GET", href).json()["name"] == "Disk Above 90%"

    deleted = api("DELETE", href)
    assert deleted.status_code == 200 and deleted.content == b""
    assert api("GET", href).status_code == 404
    assert created["id"] not in {p["id"] for p in api("GET", f"/v2/alertPolicies/{ALIAS}").json()["items"]}


@pytest.mark.parametrize(
    "body, message",
    [
        ({"actions": EMAIL, "triggers": policy_body()["triggers"]}, "name is required"),
        (policy_body(actions=[]), "actions must be a non-empty list"),
        (policy_body(actions=[{"action": "sms", "settings": {"recipients": ["a@b.c"]}}]), "only action"),
        (policy_body(actions=[{"action": "email", "settings": {"recipients": []}}]), "recipients"),
        (
            policy_body(actions=[{"action": "email", "settings": {"recipients": ["nobody"]}}]),
            "not a valid email",
        ),
        ({**policy_body(), "triggers": []}, "triggers must be a non-empty list"),
        (policy_body(metric="network"), "metric 'network' is not valid"),
        (policy_body(duration="00:07:00"), "duration '00:07:00' is not valid"),
        (policy_body(threshold=97.5), "multiple of 5.0"),
        (policy_body(threshold=0), "from 5.0 to 95.0"),
        (policy_body(threshold="high"), "threshold 'high'"),
        ({**policy_body(), "triggers": policy_body()["triggers"] * 2}, "one trigger per metric"),
        (policy_body(name="Production Web Servers - CPU"), "already exists"),
    ],
)
def test_invalid_policies_are_400(api, body, message):
    response = api("POST", f"/v2/alertPolicies/{ALIAS}", json=body)
    assert response.status_code == 400 and message in response.json()["message"], response.text


def test_roles_and_other_accounts(simulator, api):
    policy_id = ALERT_POLICIES[0]["id"]
    viewer, operator, other = (simulator.session(u) for u in ("viewer", "operator", "other"))
    for session in (viewer, operator):
        listed = api("GET", f"/v2/alertPolicies/{ALIAS}", session=session).json()
        assert rels(listed)["self"]["verbs"] == ["GET"]
        assert rels(listed["items"][0])["self"]["verbs"] == ["GET"]
        assert (
            api("POST", f"/v2/alertPolicies/{ALIAS}", session=session, json=policy_body()).status_code == 403
        )
        forbidden = api("DELETE", f"/v2/alertPolicies/{ALIAS}/{policy_id}", session=session)
        assert forbidden.status_code == 403 and forbidden.json()["message"]
    assert api("GET", f"/v2/alertPolicies/{ALIAS}/{policy_id}", session=other).status_code == 404
    assert api("GET", "/v2/alertPolicies/OTHR", session=other).json()["items"] == []
    assert api("GET", f"/v2/alertPolicies/OTHR/{policy_id}", session=other).status_code == 404
    # ...and a DEMO policy cannot be reached through OTHR's alias either.
    assert (
        api("PUT", f"/v2/alertPolicies/OTHR/{policy_id}", session=other, json=policy_body()).status_code
        == 404
    )


# --- on servers -----------------------------------------------------------------------------------
def test_add_and_remove_a_policy_on_a_server(simulator, api):
    policy = create(api)
    server = server_where(alerts=False)
    operator = simulator.session("operator")
    added = api(
        "POST", f"/v2/servers/{ALIAS}/{server.id}/alertPolicies", session=operator, json={"id": policy["id"]}
    )
    assert added.status_code == 200, added.text
    mapping = added.json()
    assert mapping["id"] == policy["id"]
    assert mapping["links"] == [
        {
            "rel": "self",
            "href": f"/v2/servers/demo/{server.id.lower()}/alertPolicies/{policy['id']}",
            "verbs": ["DELETE"],
        }
    ]
    detail = api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()
    assert [p["name"] for p in detail["details"]["alertPolicies"]] == [policy["name"]]
    # Renaming the policy renames it on the server.
    api("PUT", rels(policy)["self"]["href"], json=policy_body(name="CPU Hot"))
    detail = api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()
    assert [p["name"] for p in detail["details"]["alertPolicies"]] == ["CPU Hot"]

    viewer = simulator.session("viewer")
    href = mapping["links"][0]["href"]
    assert api("DELETE", href, session=viewer).status_code == 403
    assert api("GET", href, session=viewer).status_code == 200
    removed = api("DELETE", href, session=operator)
    assert removed.status_code == 200 and removed.content == b""
    assert api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()["details"]["alertPolicies"] == []
    assert api("GET", href).status_code == 404


def test_mapping_validation(simulator, api):
    server = server_where(alerts=False)
    path = f"/v2/servers/{ALIAS}/{server.id}/alertPolicies"
    assert api("POST", path, json={}).status_code == 400
    unknown = api("POST", path, json={"id": "0" * 32})
    assert unknown.status_code == 400 and "does not exist" in unknown.json()["message"]
    archived = next(s for s in _DEMO.servers.values() if s.alias == ALIAS and s.status == "archived")
    refused = api(
        "POST", f"/v2/servers/{ALIAS}/{archived.id}/alertPolicies", json={"id": ALERT_POLICIES[0]["id"]}
    )
    assert refused.status_code == 400 and "archived" in refused.json()["message"]
    viewer = simulator.session("viewer")
    assert api("POST", path, session=viewer, json={"id": ALERT_POLICIES[0]["id"]}).status_code == 403
    other = simulator.session("other")
    assert (
        api(
            "POST", f"/v2/servers/OTHR/{server.id}/alertPolicies", session=other, json={"id": "x"}
        ).status_code
        == 404
    )


def test_deleting_a_policy_removes_it_from_its_servers(api):
    server = server_where(alerts=True)
    for ref in server.alert_policies:
        assert api("DELETE", f"/v2/alertPolicies/{ALIAS}/{ref['id']}").status_code == 200
    assert api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()["details"]["alertPolicies"] == []


# --- firing on the clock ---------------------------------------------------------------------------
def alerts(simulator, **params):
    return requests.get(f"{simulator.url}/control/alerts", params=params, timeout=10).json()["alerts"]


def notifications(simulator):
    body = requests.get(
        f"{simulator.url}/control/events", params={"event": "Alert.Notification"}, timeout=10
    ).json()
    return [e["payload"] for e in body["events"]]


def test_a_busy_server_fires_its_cpu_policy_and_clears_when_the_load_ends(simulator, api):
    policy = create(api, name="CPU 80 for 5 minutes", metric="cpu", duration="00:05:00", threshold=80)
    server = server_where(alerts=False)
    api("POST", f"/v2/servers/{ALIAS}/{server.id}/alertPolicies", json={"id": policy["id"]})
    simulator.control("clock", advance=1800)
    assert alerts(simulator, serverId=server.id) == []  # quiet: its CPU stays under 80%

    simulator.control("load", serverId=server.id, cpu=95, minutes=30)
    simulator.control("clock", advance=15 * 60)
    fired = alerts(simulator, serverId=server.id)
    assert [(a["state"], a["policyId"], a["metric"]) for a in fired] == [("triggered", policy["id"], "cpu")]
    assert fired[0]["value"] >= 80 and fired[0]["recipients"] == ["oncall@demo.example"]
    payload = fired[0]["payload"]
    assert payload in notifications(simulator)
    assert payload["accountAlias"] == ALIAS and payload["serverName"] == server.id
    (trigger,) = payload["triggers"]
    assert set(trigger) == {"data", "duration", "metric", "stateEndTime", "stateStartTime", "state"}
    assert (
        trigger["state"] == "triggered" and trigger["metric"] == "cpu" and trigger["duration"] == "00:05:00"
    )
    assert trigger["data"]["cpu"] == server.cpu and trigger["data"]["cpuPercent"] >= 80
    assert trigger["stateStartTime"] < trigger["stateEndTime"]

    simulator.control("clock", advance=45 * 60)  # the load has ended
    states = [a["state"] for a in alerts(simulator, serverId=server.id)]
    assert states == ["triggered", "notTriggered"]
    assert [t["triggers"][0]["state"] for t in notifications(simulator)][-1] == "notTriggered"


def test_a_short_spike_does_not_fire_a_fifteen_minute_policy(simulator, api):
    policy = create(api, name="Memory 90 for 15 minutes", metric="memory", duration="00:15:00", threshold=90)
    server = server_where(alerts=False)
    api("POST", f"/v2/servers/{ALIAS}/{server.id}/alertPolicies", json={"id": policy["id"]})
    simulator.control("load", serverId=server.id, memory=99, minutes=6)
    simulator.control("clock", advance=3600)
    assert alerts(simulator, serverId=server.id) == []
    simulator.control("load", serverId=server.id, memory=99, minutes=60)
    simulator.control("clock", advance=2 * 3600)
    fired = alerts(simulator, serverId=server.id)
    assert [(a["metric"], a["state"]) for a in fired] == [("memory", "triggered"), ("memory", "notTriggered")]


def test_a_seeded_disk_policy_fires_on_a_full_disk(simulator, api):
    server = server_where(alerts=True)
    disk_policy = next(p for p in ALERT_POLICIES if "Disk" in p["name"])
    if disk_policy["id"] not in {p["id"] for p in server.alert_policies}:
        api("POST", f"/v2/servers/{ALIAS}/{server.id}/alertPolicies", json={"id": disk_policy["id"]})
    simulator.control("load", serverId=server.id, disk=95, minutes=60)
    simulator.control("clock", advance=30 * 60)
    fired = alerts(simulator, serverId=server.id)
    assert [(a["policyId"], a["state"]) for a in fired] == [(disk_policy["id"], "triggered")]
    assert fired[0]["payload"]["triggers"][0]["data"]["diskPercent"] == 95
