"""Monitoring on the server and group pages (issue 12, part 2) through Django's test client against
the simulator: the charts (CPU, memory, disk, network) for each range of the picker, rendered as
inline SVG without JavaScript; the group page's picker; upstream call counts pinned; the API's
statistics reads; the operations the cloud started by itself (external activities)."""

import re

import pytest

from apps.activities.services import record_external
from apps.monitoring import selectors
from portal import extensions
from tests.support.portal import named_group, sign_in, text_of, upstream_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

SERVER = "WA1DEMOWEB01"
RANGES = list(selectors.RANGES)


def charts_of(html: str) -> list[str]:
    return re.findall(r'<svg class="chart"[^>]*aria-label="([^"]+)"', html)


def points(html: str) -> list[int]:
    """How many samples each line of the page's charts has."""
    return [len(p.split()) for p in re.findall(r'<polyline[^>]*points="([^"]*)"', html)]


@pytest.mark.parametrize("rng", RANGES)
def test_server_page_draws_four_charts_for_each_range(demo, rng):
    page = demo.get(f"/servers/{SERVER}/?range={rng}")
    assert page.status_code == 200
    html = page.content.decode()
    assert charts_of(html) == ["CPU", "Memory", "Disk used (GB)", "Network (kbps)"]
    expected = {"hour": 12, "day": 24, "week": 42, "14d": 41}[rng]
    assert set(points(html)) <= {expected, expected - 1} and points(html)
    # The picker: links (a GET, no JavaScript), the current range marked for assistive technology.
    picker = re.search(r'<nav class="tabs range-picker"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'href="\?range=(\w+)#monitoring-h"', picker) == RANGES
    assert re.findall(r'data-range="(\w+)"[^>]*>', picker)
    current = re.findall(r'<a href="\?range=(\w+)[^"]*" aria-current="page"', picker)
    assert current == [rng]
    assert f"({selectors.RANGES[rng].label.lower()})" in text_of(page)


def test_an_unknown_range_is_the_day(demo):
    page = demo.get(f"/servers/{SERVER}/?range=<script>")
    assert page.status_code == 200
    assert 'data-range="day"' in page.content.decode()
    assert len(charts_of(page.content.decode())) == 4


def test_group_page_range_picker(demo, simulator):
    web = named_group(simulator, "Web")
    day = demo.get(f"/groups/{web['id']}/")
    assert charts_of(day.content.decode()) == ["CPU", "Memory", "Disk used (GB)", "Network in + out (kbps)"]
    assert set(points(day.content.decode())) <= {24, 23}
    week = demo.get(f"/groups/{web['id']}/?range=week")
    html = week.content.decode()
    assert 'data-range="week"' in html and "(last week)" in text_of(week)
    assert set(points(html)) <= {42, 41}
    assert re.findall(r'<a href="\?range=(\w+)[^"]*" aria-current="page"', html) == ["week"]


def _without_monitoring(monkeypatch):
    kept = [p for p in extensions._PANELS if not p.template.startswith("monitoring/")]
    monkeypatch.setattr(extensions, "_PANELS", kept)


def test_server_page_call_counts(client, clc_settings, monkeypatch):
    """Cold: the top bar's data center list, the server, its cost, its group, the load balancer,
    networks and policies panels (7) + the charts (the server's ``statistics`` link): 8. Warm: 0. Another
    range: 1 (only its statistics). The external operations come from the database: 0."""
    sign_in(client, "demo")
    assert upstream_calls(client.get(f"/servers/{SERVER}/")) == 8
    assert upstream_calls(client.get(f"/servers/{SERVER}/")) == 0
    assert upstream_calls(client.get(f"/servers/{SERVER}/?range=week")) == 1
    assert upstream_calls(client.get(f"/servers/{SERVER}/?range=week")) == 0


def test_server_page_call_count_without_the_charts(client, clc_settings, monkeypatch):
    _without_monitoring(monkeypatch)
    sign_in(client, "demo")
    assert upstream_calls(client.get(f"/servers/{SERVER}/")) == 7
    assert upstream_calls(client.get(f"/servers/{SERVER}/")) == 0


def test_group_page_call_counts(demo, simulator, monkeypatch):
    """The Web group, cold: the inventory's 1 detailed group read (its servers inside) + billing +
    statistics (the last day: the charts' default range reuses them) + 2 for the breadcrumbs + the
    top bar (1) = 6; the schedules and the autoscale mapping: 2 more. Another range: 1."""
    web = named_group(simulator, "Web")
    assert upstream_calls(demo.get(f"/groups/{web['id']}/")) == 6 + 2
    assert upstream_calls(demo.get(f"/groups/{web['id']}/")) == 0
    assert upstream_calls(demo.get(f"/groups/{web['id']}/?range=hour")) == 1


def test_group_page_call_count_without_monitoring(demo, simulator, monkeypatch):
    _without_monitoring(monkeypatch)
    web = named_group(simulator, "Web")
    assert upstream_calls(demo.get(f"/groups/{web['id']}/")) == 6


def test_statistics_api(demo, simulator):
    body = demo.get(f"/api/v1/servers/{SERVER}/statistics/?range=hour").json()
    assert body["range"] == "hour" and body["interval"] == "00:05:00"
    (series,) = body["servers"]
    assert series["server_id"] == SERVER and len(series["cpu_percent"]) in (11, 12)
    assert len(series["network_received_kbps"]) == len(series["timestamps"])
    # The portal's figures are the simulator's, sample for sample.
    session = simulator.session("demo")
    raw = session.get(
        f"{simulator.url}/v2/servers/demo/{SERVER}/statistics",
        params={"type": "realtime", "start": series["timestamps"][0], "sampleInterval": "00:05:00"},
    ).json()
    assert [s["cpuPercent"] for s in raw["stats"]][: len(series["cpu_percent"])] == series["cpu_percent"]
    web = named_group(simulator, "Web")
    group = demo.get(f"/api/v1/groups/{web['id']}/statistics/?range=14d").json()
    assert group["range"] == "14d" and len(group["servers"]) >= 2
    assert demo.get("/api/v1/servers/WA1NOPE01/statistics/").status_code == 404
    bad = demo.get(f"/api/v1/servers/{SERVER}/statistics/?range=year")
    assert bad.status_code == 400 and bad.json() == {"message": "range must be one of hour, day, week, 14d."}
    assert upstream_calls(bad) == 0  # refused before anything is read (the unknown server too)
    assert demo.get("/api/v1/servers/WA1NOPE01/statistics/?range=year").status_code == 400
    assert demo.get(f"/api/v1/groups/{'0' * 32}/statistics/").status_code == 404


def test_archived_server_has_no_charts(demo, simulator):
    session = simulator.session("demo")
    tree = session.get(f"{simulator.url}/v2/groups/demo/{web_root(simulator)}?serverDetail=detailed").json()
    from tests.support.portal import walk

    archived = next(s for g in walk(tree) for s in g.get("servers") or () if s["status"] == "archived")
    page = demo.get(f"/servers/{archived['id']}/")
    assert page.status_code == 200 and charts_of(page.content.decode()) == []


def web_root(simulator):
    from tests.support.portal import sim_root_id

    return sim_root_id(simulator.session("demo"))


def test_external_operations_on_server_and_group_pages(demo, simulator):
    web = named_group(simulator, "Web")
    here = next(link["id"].upper() for link in web["links"] if link["rel"] == "server")
    record_external("DEMO", "Server.Updated", [here], actor="scheduler", summary="power started → stopped")
    record_external("OTHR", "Server.Updated", [here], actor="intruder", summary="not ours")
    page = text_of(demo.get(f"/servers/{here}/"))
    assert "Done by the cloud" in page and "power started → stopped" in page and "scheduler" in page
    assert "not ours" not in page
    group = text_of(demo.get(f"/groups/{web['id']}/"))
    assert "power started → stopped" in group and here in group
    other = text_of(demo.get(f"/servers/{'WA1DEMOWEB02' if here != 'WA1DEMOWEB02' else 'WA1DEMOWEB01'}/"))
    assert "power started → stopped" not in other and "Nothing reported in the last 14 days" in other
    api = demo.get(f"/api/v1/servers/{here}/external-operations/").json()
    assert [a["summary"] for a in api] == ["power started → stopped"] and api[0]["actor"] == "scheduler"
    api = demo.get(f"/api/v1/groups/{web['id']}/external-operations/").json()
    assert [a["resource_ids"] for a in api] == [[here]]
