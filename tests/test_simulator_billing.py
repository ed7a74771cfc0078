"""Simulator billing, server pricing and monitoring statistics over HTTP."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.portal import sim_root_id, walk
from tests.support.simulator import wait_until

ALIAS = "DEMO"
FIGURES = {"templateCost", "archiveCost", "monthlyEstimate", "monthToDate", "currentHour"}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def demo(simulator):
    session = simulator.session("demo")
    base = simulator.url
    tree = session.get(f"{base}/v2/groups/{ALIAS}/{sim_root_id(session, 'WA1', ALIAS)}").json()
    servers = {}
    for group in walk(tree):
        for link in group["links"]:
            if link["rel"] == "server":
                servers[link["id"]] = session.get(f"{base}/v2/servers/{ALIAS}/{link['id']}").json()
    return session, base, tree, servers


def pick(servers, power, status="active"):
    return next(
        s
        for s in servers.values()
        if s["status"] == status and s["details"]["powerState"] == power and not s["isTemplate"]
    )


def expected_hourly(units, server):
    d = server["details"]
    storage = units["storageGB"] * d["storageGB"]
    if d["powerState"] != "started":
        return storage
    return units["cpu"] * d["cpu"] + units["memoryGB"] * d["memoryMB"] / 1024 + storage + units["managedOS"]


# --- group billing ----------------------------------------------------------------------------
def test_group_billing_covers_the_hierarchy(demo):
    session, base, tree, servers = demo
    response = session.get(f"{base}/v2/groups/{ALIAS}/{tree['id']}/billing")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"].endswith("Z")
    groups = body["groups"]
    assert list(groups)[0] == tree["id"]  # the queried group first
    assert set(groups) == {g["id"] for g in walk(tree)}
    by_id = {g["id"]: g for g in walk(tree)}
    for group_id, entry in groups.items():
        assert entry["name"] == by_id[group_id]["name"]
        own = {link["id"].lower() for link in by_id[group_id]["links"] if link["rel"] == "server"}
        assert set(entry["servers"]) == own
        for figures in entry["servers"].values():
            assert set(figures) == FIGURES
            assert all(isinstance(v, float | int) and v >= 0 for v in figures.values())
            assert figures["monthlyEstimate"] + 0.011 >= figures["monthToDate"]
    billed = sum(len(entry["servers"]) for entry in groups.values())
    assert billed == tree["serversCount"] == len(servers)


def test_group_billing_agrees_with_each_server_estimate(demo):
    session, base, tree, _servers = demo
    web = next(g for g in walk(tree) if g["name"] == "Web")
    groups = session.get(f"{base}/v2/groups/{ALIAS}/{web['id']}/billing").json()["groups"]
    assert set(groups) == {g["id"] for g in walk(web)}
    total = 0.0
    for entry in groups.values():
        for server_id, figures in entry["servers"].items():
            one = session.get(f"{base}/v2/billing/{ALIAS}/estimate-server/{server_id}")
            assert one.status_code == 200, one.text
            one = one.json()
            assert one["currentHour"] == figures["currentHour"]
            assert abs(one["monthlyEstimate"] - figures["monthlyEstimate"]) <= 0.011
            assert abs(one["monthToDate"] - figures["monthToDate"]) <= 0.011
            total += figures["monthlyEstimate"]
    assert total > 0


def test_the_server_billing_link_is_served(demo):
    session, base, _tree, servers = demo
    server = pick(servers, "started")
    href = next(link["href"] for link in server["links"] if link["rel"] == "billing")
    response = session.get(f"{base}{href}")
    assert response.status_code == 200, response.text
    assert FIGURES <= set(response.json())
    assert response.json()["monthToDate"] > 0  # the seed's servers have run for a while


def test_a_started_server_costs_more_than_a_stopped_one(demo):
    session, base, _tree, servers = demo
    for power in ("started", "stopped"):
        server = pick(servers, power)
        units = session.get(f"{base}/v2/billing/{ALIAS}/serverPricing/{server['id']}").json()
        assert set(units) == {"cpu", "memoryGB", "storageGB", "managedOS"}
        figures = session.get(f"{base}/v2/billing/{ALIAS}/estimate-server/{server['id']}").json()
        assert figures["currentHour"] == pytest.approx(expected_hourly(units, server), abs=0.0001)


def test_powering_off_lowers_the_current_hour(demo):
    session, base, _tree, servers = demo
    server = pick(servers, "started")
    url = f"{base}/v2/billing/{ALIAS}/estimate-server/{server['id']}"
    before = session.get(url).json()
    queued = session.post(f"{base}/v2/operations/{ALIAS}/servers/powerOff", json=[server["id"]]).json()
    assert queued[0]["isQueued"] is True

    def stopped():
        details = session.get(f"{base}/v2/servers/{ALIAS}/{server['id']}").json()["details"]
        return details["powerState"] == "stopped"

    wait_until(stopped, timeout=15, message="the server to stop")
    after = session.get(url).json()
    units = session.get(f"{base}/v2/billing/{ALIAS}/serverPricing/{server['id']}").json()
    assert after["currentHour"] < before["currentHour"]
    assert after["currentHour"] == pytest.approx(
        units["storageGB"] * server["details"]["storageGB"], abs=0.0001
    )
    assert after["monthlyEstimate"] < before["monthlyEstimate"]


def test_archived_servers_pay_archive_storage(demo):
    session, base, _tree, servers = demo
    server = next(s for s in servers.values() if s["status"] == "archived")
    figures = session.get(f"{base}/v2/billing/{ALIAS}/estimate-server/{server['id']}").json()
    assert figures["archiveCost"] == figures["monthlyEstimate"] > 0
    started = session.get(
        f"{base}/v2/billing/{ALIAS}/estimate-server/{pick(servers, 'started')['id']}"
    ).json()
    assert started["archiveCost"] == 0 and started["templateCost"] == 0


def test_billing_roles_and_isolation(simulator, demo):
    _session, base, tree, servers = demo
    viewer = simulator.session("viewer")
    assert viewer.get(f"{base}/v2/groups/{ALIAS}/{tree['id']}/billing").status_code == 200
    other = simulator.session("other")
    server_id = pick(servers, "started")["id"]
    assert other.get(f"{base}/v2/groups/{ALIAS}/{tree['id']}/billing").status_code == 404
    assert other.get(f"{base}/v2/billing/{ALIAS}/estimate-server/{server_id}").status_code == 404
    assert other.get(f"{base}/v2/billing/OTHR/estimate-server/{server_id}").status_code == 404
    assert other.get(f"{base}/v2/billing/OTHR/serverPricing/{server_id}").status_code == 404
    assert _session.get(f"{base}/v2/billing/{ALIAS}/estimate-server/WA1DEMONOPE01").status_code == 404


# --- statistics -------------------------------------------------------------------------------
def test_hourly_statistics_shape(demo):
    session, base, tree, servers = demo
    web = next(g for g in walk(tree) if g["name"] == "Web")
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=6)
    params = {"type": "hourly", "start": stamp(start), "end": stamp(end), "sampleInterval": "01:00:00"}
    response = session.get(f"{base}/v2/groups/{ALIAS}/{web['id']}/statistics", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    in_web = {link["id"].lower() for g in walk(web) for link in g["links"] if link["rel"] == "server"}
    assert {entry["name"] for entry in body} == in_web
    for entry in body:
        server = servers[entry["name"].upper()]
        assert [s["timestamp"] for s in entry["stats"]] == [
            stamp(start + timedelta(hours=h)) for h in range(6)
        ]
        for stat in entry["stats"]:
            assert stat["cpu"] == server["details"]["cpu"]
            assert stat["memoryMB"] == server["details"]["memoryMB"]
            assert 0 <= stat["cpuPercent"] <= 100 and 0 <= stat["memoryPercent"] <= 100
            assert stat["diskUsageTotalCapacityMB"] == sum(d["capacityMB"] for d in stat["diskUsage"])
            assert stat["diskUsageTotalCapacityMB"] == server["details"]["storageGB"] * 1024
            for disk in stat["guestDiskUsage"]:
                assert 0 <= disk["consumedMB"] <= disk["capacityMB"]
            if server["details"]["powerState"] != "started":
                assert stat["cpuPercent"] == 0 and stat["guestDiskUsage"] == []
        if server["details"]["powerState"] == "started":
            assert any(stat["cpuPercent"] > 0 for stat in entry["stats"])
            assert len({stat["cpuPercent"] for stat in entry["stats"]}) > 1  # it moves
    # The same question gets the same answer.
    again = session.get(f"{base}/v2/groups/{ALIAS}/{web['id']}/statistics", params=params).json()
    assert again == body


def test_latest_and_realtime_statistics(demo):
    session, base, tree, _servers = demo
    url = f"{base}/v2/groups/{ALIAS}/{tree['id']}/statistics"
    latest = session.get(url, params={"type": "latest"}).json()
    assert latest and all(len(entry["stats"]) == 1 for entry in latest)
    assert session.get(url).json() == latest  # no type and no start: latest
    start = datetime.now(UTC) - timedelta(hours=1)
    realtime = session.get(
        url, params={"type": "REALTIME", "start": stamp(start), "sampleInterval": "00:05:00"}
    )
    assert realtime.status_code == 200, realtime.text
    assert all(len(entry["stats"]) in (11, 12) for entry in realtime.json())
    short = session.get(url, params={"type": "realtime", "start": stamp(start), "sampleInterval": "05:00"})
    assert short.status_code == 200 and short.json() == realtime.json()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"type": "daily"}, "type"),
        ({"type": "hourly"}, "start"),
        ({"type": "hourly", "start": "yesterday"}, "start"),
        ({"type": "hourly", "start": "{recent}", "end": "2020-13-01"}, "end"),
        ({"type": "hourly", "start": "{recent}", "sampleInterval": "1h"}, "sampleInterval"),
        ({"type": "hourly", "start": "{recent}", "sampleInterval": "00:30:00"}, "one hour"),
        ({"type": "hourly", "start": "{recent}", "sampleInterval": "00:00:00"}, "zero"),
        ({"type": "hourly", "start": "{recent}", "sampleInterval": "00:99:00"}, "sampleInterval"),
        ({"type": "hourly", "start": "{old}"}, "14 days"),
        ({"type": "hourly", "start": "{recent}", "end": "{older}"}, "before"),
        ({"type": "hourly", "start": "{recent}", "sampleInterval": "aa:00:00"}, "sampleInterval"),
        ({"type": "realtime", "start": "{recent}"}, "4 hours"),
        ({"type": "realtime", "start": "{hour}", "sampleInterval": "00:01:00"}, "5 minutes"),
    ],
)
def test_statistics_reject_bad_parameters(demo, params, message):
    session, base, tree, _servers = demo
    now = datetime.now(UTC)
    values = {
        "{recent}": stamp(now - timedelta(hours=10)),
        "{older}": stamp(now - timedelta(hours=11)),
        "{old}": stamp(now - timedelta(days=15)),
        "{hour}": stamp(now - timedelta(hours=1)),
    }
    params = {k: values.get(v, v) for k, v in params.items()}
    response = session.get(f"{base}/v2/groups/{ALIAS}/{tree['id']}/statistics", params=params)
    assert response.status_code == 400, response.text
    assert message in response.json()["message"]


def test_statistics_roles_and_isolation(simulator, demo):
    _session, base, tree, _servers = demo
    url = f"/v2/groups/{ALIAS}/{tree['id']}/statistics"
    assert simulator.session("viewer").get(f"{base}{url}").status_code == 200
    assert simulator.session("other").get(f"{base}{url}").status_code == 404
