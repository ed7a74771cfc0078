"""Monitoring statistics over HTTP: a server's own (its ``statistics`` link) and the group's, which
must agree sample for sample; ``POST /control/load`` makes a server busy in both."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from apps.simulator.seed import build_demo

ALIAS = "DEMO"
_DEMO = build_demo()


def started_server():
    return next(
        s
        for s in _DEMO.servers.values()
        if s.alias == ALIAS and s.location == "WA1" and s.status == "active" and s.power_state == "started"
    )


def group_with_servers():
    """A WA1 team group with a sub-group, whose subtree holds started and stopped servers."""
    for group in _DEMO.groups.values():
        if group.alias != ALIAS or group.location != "WA1" or not group.children or group.parent_id is None:
            continue
        servers = [_DEMO.servers[k] for g in _DEMO.subtree_groups(group) for k in g.servers]
        states = {s.power_state for s in servers if s.status == "active"}
        if {"started", "stopped"} <= states:
            return group, servers
    raise LookupError("no such group in the demo seed")


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def hourly(hours: int) -> dict:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return {
        "type": "hourly",
        "start": stamp(end - timedelta(hours=hours)),
        "end": stamp(end),
        "sampleInterval": "01:00:00",
    }


def test_the_server_statistics_link_answers_with_its_series(simulator):
    demo = simulator.session("demo")
    server = started_server()
    detail = demo.get(f"{simulator.url}/v2/servers/{ALIAS}/{server.id}", timeout=10).json()
    href = next(link["href"] for link in detail["links"] if link["rel"] == "statistics")
    response = demo.get(f"{simulator.url}{href}", params=hourly(6), timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == server.id.lower()
    assert len(body["stats"]) == 6
    first = body["stats"][0]
    assert first["cpu"] == server.cpu and first["memoryMB"] == server.memory_mb
    assert 0 < first["cpuPercent"] < 100 and first["guestDiskUsage"]
    assert [s["timestamp"] for s in body["stats"]] == sorted(s["timestamp"] for s in body["stats"])
    # Deterministic: the same query answers the same numbers.
    again = demo.get(f"{simulator.url}{href}", params=hourly(6), timeout=10).json()
    assert again == body


def realtime() -> dict:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    return {
        "type": "realtime",
        "start": stamp(end - timedelta(hours=1)),
        "end": stamp(end),
        "sampleInterval": "00:05:00",
    }


@pytest.mark.parametrize("window", [realtime, lambda: hourly(24)], ids=["realtime", "hourly"])
def test_group_figures_are_its_servers_figures(simulator, window):
    demo = simulator.session("demo")
    group, servers = group_with_servers()
    params = window()
    entries = demo.get(
        f"{simulator.url}/v2/groups/{ALIAS}/{group.id}/statistics", params=params, timeout=10
    ).json()
    assert {e["name"] for e in entries} == {s.key for s in servers if s.status != "archived"}
    for entry in entries:
        own = demo.get(
            f"{simulator.url}/v2/servers/{ALIAS}/{entry['name']}/statistics", params=params, timeout=10
        )
        assert own.status_code == 200
        assert own.json() == entry, entry["name"]
    stopped = next(s for s in servers if s.power_state == "stopped" and s.status == "active")
    quiet = next(e for e in entries if e["name"] == stopped.key)
    assert all(s["cpuPercent"] == 0 and s["guestDiskUsage"] == [] for s in quiet["stats"])


def test_a_busy_server_shows_its_load_in_server_and_group_statistics(simulator):
    demo = simulator.session("demo")
    server = started_server()
    before = demo.get(f"{simulator.url}/v2/servers/{ALIAS}/{server.id}/statistics", timeout=10).json()
    assert before["stats"][0]["cpuPercent"] < 90
    simulator.control("load", serverId=server.id, cpu=97, memory=88, disk=93, minutes=30)
    latest = demo.get(f"{simulator.url}/v2/servers/{ALIAS}/{server.id}/statistics", timeout=10).json()[
        "stats"
    ][0]
    assert latest["cpuPercent"] == 97 and latest["memoryPercent"] == 88
    assert all(d["consumedMB"] == int(d["capacityMB"] * 0.93) for d in latest["guestDiskUsage"])
    group = demo.get(
        f"{simulator.url}/v2/groups/{ALIAS}/{server.group_id}/statistics",
        params={"type": "latest"},
        timeout=10,
    ).json()
    in_group = next(e for e in group if e["name"] == server.key)["stats"][0]
    assert (in_group["cpuPercent"], in_group["memoryPercent"]) == (97, 88)
    # An hour later the load has ended: the quiet series is back.
    simulator.control("clock", advance=3600)
    later = demo.get(f"{simulator.url}/v2/servers/{ALIAS}/{server.id}/statistics", timeout=10).json()[
        "stats"
    ][0]
    assert later["cpuPercent"] < 90


def test_fourteen_days_hourly_over_the_whole_data_center(simulator):
    demo = simulator.session("demo")
    root = next(
        g for g in _DEMO.groups.values() if g.alias == ALIAS and g.location == "WA1" and g.parent_id is None
    )
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    params = {
        "type": "hourly",
        "start": stamp(now - timedelta(days=14) + timedelta(hours=1)),
        "sampleInterval": "01:00:00",
    }
    response = demo.get(f"{simulator.url}/v2/groups/{ALIAS}/{root.id}/statistics", params=params, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body) >= 20 and all(len(e["stats"]) >= 14 * 24 - 2 for e in body)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"type": "sometimes"}, "not valid for type"),
        ({"type": "hourly"}, "'start' parameter is required"),
        ({"type": "hourly", "start": "yesterday"}, "not valid for start"),
        ({"type": "hourly", "start": "2001-01-01T00:00:00Z"}, "14 days"),
        ({"type": "realtime", "start": "NOW-1h", "sampleInterval": "00:01:00"}, "at least 5 minutes"),
    ],
)
def test_bad_parameters_are_400(simulator, params, message):
    demo = simulator.session("demo")
    server = started_server()
    if params.get("start") == "NOW-1h":
        params = {**params, "start": stamp(datetime.now(UTC) - timedelta(hours=1))}
    response = demo.get(
        f"{simulator.url}/v2/servers/{ALIAS}/{server.id}/statistics", params=params, timeout=10
    )
    assert response.status_code == 400 and message in response.json()["message"], response.text


def test_roles_isolation_and_archived_servers(simulator):
    server = started_server()
    path = f"{simulator.url}/v2/servers/{ALIAS}/{server.id}/statistics"
    for user in ("viewer", "operator"):
        assert simulator.session(user).get(path, timeout=10).status_code == 200
    assert simulator.session("other").get(path, timeout=10).status_code == 404
    assert requests.get(path, timeout=10).status_code == 401
    archived = next(s for s in _DEMO.servers.values() if s.alias == ALIAS and s.status == "archived")
    response = simulator.session("demo").get(
        f"{simulator.url}/v2/servers/{ALIAS}/{archived.id}/statistics", timeout=10
    )
    assert response.status_code == 400 and response.json()["message"]


def test_load_control_validation(simulator):
    server = started_server()
    url = f"{simulator.url}/control/load"
    for body in (
        {"serverId": "NOPE", "cpu": 90},
        {"serverId": server.id},
        {"serverId": server.id, "cpu": 120},
        {"serverId": server.id, "cpu": 90, "minutes": 0},
    ):
        response = requests.post(url, json=body, timeout=10)
        assert response.status_code == 400 and response.json()["message"], body
