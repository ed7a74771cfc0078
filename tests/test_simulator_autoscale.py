"""Autoscale over HTTP: vertical (CPU) policies and a server's policy, acting on the simulator clock
as queued ``autoscaleCpu`` operations; and a group's horizontal autoscale policy (stored only)."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from apps.simulator.monitoring.seed import AUTOSCALE_POLICIES, HORIZONTAL_POLICIES
from apps.simulator.seed import build_demo
from tests.test_simulator_sdk import sdk  # noqa: F401  (the clc-sdk fixture)

ALIAS = "DEMO"
_DEMO = build_demo()
DATABASE = AUTOSCALE_POLICIES[0][0]  # 2-6 CPUs, +1 at >= 85% for 5 min, down <= 15% in 02:00-04:00 UTC
BURST = AUTOSCALE_POLICIES[1][0]  # 1-8 CPUs, +2 at >= 80% for 10 min, down <= 20% in 00:00-23:00 UTC
WEB_TIER = HORIZONTAL_POLICIES[0][0]


def server(server_id: str):
    found = _DEMO.servers[server_id.lower()]
    assert found.status == "active" and found.power_state == "started" and not found.in_maintenance
    return found


def autoscale_ops(simulator, server_id: str) -> list[dict]:
    params = {"kind": "autoscaleCpu", "resource": server_id}
    return requests.get(f"{simulator.url}/control/operations", params=params, timeout=10).json()["operations"]


def cpu_of(api, server_id: str) -> int:
    return api("GET", f"/v2/servers/{ALIAS}/{server_id}").json()["details"]["cpu"]


def move_clock_to_next(simulator, hour: int) -> None:
    now = datetime.fromisoformat(requests.get(f"{simulator.url}/control/clock", timeout=10).json()["now"])
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    simulator.control("clock", to=target.astimezone(UTC).isoformat())


# --- vertical policies ----------------------------------------------------------------------------
def test_list_and_get_policies(simulator, api):
    listed = api("GET", f"/v2/autoscalePolicies/{ALIAS}")
    assert listed.status_code == 200
    body = listed.json()
    assert isinstance(body, list) and {p["id"] for p in body} == {DATABASE, BURST}
    database = next(p for p in body if p["id"] == DATABASE)
    assert database == {
        "id": DATABASE,
        "name": "Production Database Scale Policy",
        "resourceType": "cpu",
        "thresholdPeriodMinutes": 5,
        "scaleUpIncrement": 1,
        "range": {"max": 6, "min": 2},
        "scaleUpThreshold": 85,
        "scaleDownThreshold": 15,
        "scaleDownWindow": {"start": "02:00", "end": "04:00"},
        "links": [{"rel": "self", "href": f"/v2/autoscalePolicies/demo/{DATABASE}"}],
    }
    assert api("GET", database["links"][0]["href"]).json() == database
    viewer, other = simulator.session("viewer"), simulator.session("other")
    assert api("GET", f"/v2/autoscalePolicies/{ALIAS}", session=viewer).status_code == 200
    assert api("GET", f"/v2/autoscalePolicies/{ALIAS}/{DATABASE}", session=other).status_code == 404
    assert DATABASE not in {p["id"] for p in api("GET", "/v2/autoscalePolicies/OTHR", session=other).json()}


def test_set_view_and_remove_a_servers_policy(simulator, api):
    target = server("WA1DEMODB01")
    path = f"/v2/servers/{ALIAS}/{target.id}/cpuAutoscalePolicy"
    detail = api("GET", f"/v2/servers/{ALIAS}/{target.id}").json()
    assert (
        next(lk for lk in detail["links"] if lk["rel"] == "cpuAutoscalePolicyMapping")["href"].lower()
        == path.lower()
    )
    assert api("GET", path).status_code == 404
    operator = simulator.session("operator")
    put = api("PUT", path, session=operator, json={"id": DATABASE})
    assert put.status_code == 200, put.text
    assert put.json() == {
        "id": DATABASE,
        "links": [{"rel": "self", "href": f"/v2/servers/demo/{target.id.lower()}/cpuAutoscalePolicy"}],
    }
    assert api("GET", path).json() == put.json()
    viewer = simulator.session("viewer")
    assert api("GET", path, session=viewer).status_code == 200
    assert api("PUT", path, session=viewer, json={"id": BURST}).status_code == 403
    assert api("DELETE", path, session=viewer).status_code == 403
    removed = api("DELETE", path, session=operator)
    assert removed.status_code == 204 and removed.content == b""
    assert api("GET", path).status_code == 404
    bad = api("PUT", path, json={"id": "0" * 32})
    assert bad.status_code == 400 and "does not exist" in bad.json()["message"]
    assert api("PUT", path, json={}).status_code == 400
    assert (
        api(
            "PUT",
            f"/v2/servers/OTHR/{target.id}/cpuAutoscalePolicy",
            session=simulator.session("other"),
            json={"id": DATABASE},
        ).status_code
        == 404
    )


def test_create_server_with_a_policy(simulator, api):
    group = next(
        g
        for g in _DEMO.groups.values()
        if g.alias == ALIAS and g.location == "WA1" and g.name == "Default Group"
    )
    body = {
        "name": "AUTO",
        "groupId": group.id,
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 2,
        "memoryGB": 4,
        "type": "standard",
        "cpuAutoscalePolicyId": BURST,
    }
    created = api("POST", f"/v2/servers/{ALIAS}", json=body)
    assert created.status_code == 202, created.text
    server_id = api("GET", next(lk["href"] for lk in created.json()["links"] if lk["rel"] == "self")).json()[
        "id"
    ]
    assert api("GET", f"/v2/servers/{ALIAS}/{server_id}/cpuAutoscalePolicy").json()["id"] == BURST
    refused = api("POST", f"/v2/servers/{ALIAS}", json={**body, "cpuAutoscalePolicyId": "f" * 32})
    assert refused.status_code == 400 and "autoscale policy" in refused.json()["message"]


def test_a_busy_server_scales_up_once_its_cpu_is_under_the_threshold_again(simulator, api):
    target = server("WA1DEMODB01")  # 2 CPUs
    api("PUT", f"/v2/servers/{ALIAS}/{target.id}/cpuAutoscalePolicy", json={"id": DATABASE})
    simulator.control("clock", advance=1800)
    assert autoscale_ops(simulator, target.id) == [] and cpu_of(api, target.id) == 2  # quiet

    simulator.control("load", serverId=target.id, cpu=95, minutes=120)
    simulator.control("clock", advance=15 * 60)
    (op,) = autoscale_ops(simulator, target.id)
    assert op["params"]["cpu"] == 3 and op["params"]["direction"] == "up" and op["status"] == "succeeded"
    status = api("GET", f"/v2/operations/{ALIAS}/status/{op['id']}")
    assert status.status_code == 200 and status.json() == {"status": "succeeded"}
    assert cpu_of(api, target.id) == 3
    # The same work on 3 CPUs reads 63%: no further scaling.
    simulator.control("clock", advance=3600)
    assert len(autoscale_ops(simulator, target.id)) == 1 and cpu_of(api, target.id) == 3
    stats = api("GET", f"/v2/servers/{ALIAS}/{target.id}/statistics").json()["stats"][0]
    assert stats["cpu"] == 3 and stats["cpuPercent"] == pytest.approx(95 * 2 / 3, abs=0.01)


def test_scaling_waits_for_the_cool_down_and_stops_at_the_maximum(simulator, api):
    target = server("WA1DEMODB01")
    api("PUT", f"/v2/servers/{ALIAS}/{target.id}/cpuAutoscalePolicy", json={"id": DATABASE})
    for _ in range(5):  # full load, measured on however many CPUs the server has by then
        simulator.control("load", serverId=target.id, cpu=100, minutes=60)
        simulator.control("clock", advance=3600)
    ops = autoscale_ops(simulator, target.id)
    assert [o["params"]["cpu"] for o in ops] == [3, 4, 5, 6]  # +1 each time, never above range.max
    starts = [datetime.fromisoformat(o["started"].replace("Z", "+00:00")) for o in ops]
    assert all(
        later - earlier >= timedelta(minutes=15) for earlier, later in zip(starts, starts[1:], strict=False)
    )
    assert cpu_of(api, target.id) == 6


def test_a_steady_load_scales_again_after_the_cool_down(simulator, api):
    target = server("WA1DEMODB01")
    api("PUT", f"/v2/servers/{ALIAS}/{target.id}/cpuAutoscalePolicy", json={"id": DATABASE})
    simulator.control("load", serverId=target.id, cpu=100, minutes=10)
    simulator.control("clock", advance=10 * 60)
    simulator.control("load", serverId=target.id, cpu=100, minutes=120)  # now 100% of 3 CPUs
    simulator.control("clock", advance=40 * 60)
    first, second = autoscale_ops(simulator, target.id)[:2]
    gap = datetime.fromisoformat(second["started"].replace("Z", "+00:00")) - datetime.fromisoformat(
        first["started"].replace("Z", "+00:00")
    )
    assert timedelta(minutes=15) <= gap <= timedelta(minutes=20)


def test_an_idle_server_scales_down_to_the_minimum_inside_the_window_only(simulator, api):
    idle_in_window, idle_outside = server("WA1DEMOJOB01"), server("WA1DEMOMON02")  # 4 CPUs each
    move_clock_to_next(simulator, 10)  # inside 00:00-23:00, outside 02:00-04:00
    api("PUT", f"/v2/servers/{ALIAS}/{idle_in_window.id}/cpuAutoscalePolicy", json={"id": BURST})
    api("PUT", f"/v2/servers/{ALIAS}/{idle_outside.id}/cpuAutoscalePolicy", json={"id": DATABASE})
    for target in (idle_in_window, idle_outside):
        simulator.control("load", serverId=target.id, cpu=2, minutes=120)
    simulator.control("clock", advance=3600)
    (op,) = autoscale_ops(simulator, idle_in_window.id)
    assert op["params"]["direction"] == "down" and op["params"]["cpu"] == 1
    assert cpu_of(api, idle_in_window.id) == 1
    assert autoscale_ops(simulator, idle_outside.id) == [] and cpu_of(api, idle_outside.id) == 4


# --- horizontal autoscale on groups -----------------------------------------------------------------
def web_group():
    return next(
        g for g in _DEMO.groups.values() if g.alias == ALIAS and g.location == "WA1" and g.name == "Web"
    )


def test_a_groups_horizontal_policy_is_set_read_and_removed(simulator, api):
    group = web_group()
    detail = api("GET", f"/v2/groups/{ALIAS}/{group.id}").json()
    link = next(lk for lk in detail["links"] if lk["rel"] == "horizontalAutoscalePolicyMapping")
    assert link["verbs"] == ["GET", "PUT", "DELETE"]
    assert api("GET", link["href"]).json() == {}
    pool = {"id": "BF82320CC96D42048FC7D5E41B0CDADA", "publicPort": 443, "privatePort": "8443"}
    put = api("PUT", link["href"], json={"policyId": WEB_TIER, "loadBalancerPool": pool})
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["groupId"] == group.id and body["policyId"] == WEB_TIER and body["locationId"] == "WA1"
    assert body["name"] == "Web Tier Scale Out" and body["scaleDirection"] == "None"
    started = sum(1 for k in group.servers if _DEMO.servers[k].power_state == "started")
    assert body["availableServers"] == len(group.servers)
    assert body["targetSize"] == min(max(started, 2), len(group.servers))
    balancer = body["loadBalancer"]
    assert (balancer["id"], balancer["publicPort"], balancer["privatePort"]) == (
        pool["id"].lower(),
        443,
        8443,
    )
    assert balancer["links"][0]["href"] == f"/v2/sharedLoadBalancers/demo/wa1/{pool['id'].lower()}"
    rels = {lk["rel"]: lk["href"] for lk in body["links"]}
    assert api("GET", rels["self"]).json() == body
    assert api("GET", rels["group"]).json()["id"] == group.id
    policy = api("GET", rels["horizontalAutoscalePolicy"]).json()
    assert (
        policy["id"] == WEB_TIER and policy["minimumServerCount"] == 2 and policy["scaleOut"]["scaleBy"] == 1
    )

    for user in ("viewer", "operator"):
        session = simulator.session(user)
        assert api("GET", link["href"], session=session).json()["policyId"] == WEB_TIER
        assert api("DELETE", link["href"], session=session).status_code == 403
    removed = api("DELETE", link["href"])
    assert removed.status_code == 200 and removed.content == b""
    assert api("GET", link["href"]).json() == {}


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "does not exist"),
        ({"policyId": "0" * 32}, "does not exist"),
        ({"policyId": WEB_TIER, "loadBalancerPool": "lb"}, "must be an object"),
        ({"policyId": WEB_TIER, "loadBalancerPool": {"publicPort": 80, "privatePort": 80}}, "id is required"),
        (
            {"policyId": WEB_TIER, "loadBalancerPool": {"id": "x", "publicPort": 0, "privatePort": 80}},
            "publicPort",
        ),
        (
            {"policyId": WEB_TIER, "loadBalancerPool": {"id": "x", "publicPort": 80, "privatePort": 70000}},
            "privatePort",
        ),
        (
            {"policyId": WEB_TIER, "loadBalancerPool": {"id": "x", "publicPort": 80, "privatePort": "8²"}},
            "privatePort",
        ),
    ],
)
def test_horizontal_validation(api, body, message):
    response = api("PUT", f"/v2/groups/{ALIAS}/{web_group().id}/horizontalAutoscalePolicy", json=body)
    assert response.status_code == 400 and message in response.json()["message"], response.text


def test_horizontal_policies_belong_to_their_account(simulator, api):
    other = simulator.session("other")
    listed = api("GET", "/v2/horizontalAutoscalePolicies/OTHR", session=other).json()
    assert WEB_TIER not in {p["id"] for p in listed["items"]}
    assert api("GET", f"/v2/horizontalAutoscalePolicies/OTHR/{WEB_TIER}", session=other).status_code == 404
    path = f"/v2/groups/OTHR/{web_group().id}/horizontalAutoscalePolicy"
    assert api("PUT", path, session=other, json={"policyId": listed["items"][0]["id"]}).status_code == 404


def test_the_python_sdk_applies_and_removes_a_horizontal_policy(sdk):  # noqa: F811
    assert [p.id for p in sdk.v2.HorizontalAutoscalePolicy.GetAll(alias=ALIAS)] == [WEB_TIER]
    group = sdk.v2.Group(id=web_group().id, alias=ALIAS)
    assert group.HorizontalAutoscale() is None
    group.ApplyHorizontalAutoscale(WEB_TIER)  # the SDK sends only policyId
    policy = group.HorizontalAutoscale()
    assert policy.id == WEB_TIER and policy.data["name"] == "Web Tier Scale Out"
    group.RemoveHorizontalAutoscale()
    assert group.HorizontalAutoscale() is None
