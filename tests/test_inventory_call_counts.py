"""Upstream call-count baselines (like NetBox's query-count tests), read from the ``Server-Timing``
header of API responses against the demo seed. A page that slides into one more call per server
(N+1), a lost cache, or a tree fetched group by group fails here.

Demo seed, WA1: 21 servers (20 + 1 archived) in 14 groups; the Web group holds 2 servers directly;
the account has 6 data centers with 62 servers in all.

A data center's tree comes with every server's details in one call (``?serverDetail=detailed``);
against an upstream that ignores the parameter the portal reads each server on its own, counted
as ``upstream-fallback`` in ``Server-Timing`` (the last tests).
"""

import pytest

from apps.inventory.cache import invalidate_account, invalidate_datacenter, invalidate_server
from tests.support.portal import fallback_reads, find_group, upstream_calls, walk
from tests.test_inventory_selectors import DEMO_SERVERS, inventory_cache, raw_tree  # noqa: F401

pytestmark = pytest.mark.django_db

WA1 = DEMO_SERVERS["WA1"]  # 21
ALL = sum(DEMO_SERVERS.values())  # 62
DCS = len(DEMO_SERVERS)  # 6


def calls(response) -> int:
    assert response.status_code == 200, response.content[:500]
    return upstream_calls(response)


def test_seed_is_what_the_baselines_assume(simulator):
    _s, tree = raw_tree(simulator)
    server_links = [link for g in walk(tree) for link in g["links"] if link["rel"] == "server"]
    assert len(server_links) == WA1 == 21
    web = find_group(tree, "Web")
    assert sum(1 for link in web["links"] if link["rel"] == "server") == 2


def test_datacenter_view_cold_warm_and_after_an_action(demo):
    # Cold: 1 data center (root group link) + 1 tree with every server's details.
    response = demo.get("/api/v1/datacenters/WA1/servers/")
    assert calls(response) == 1 + 1 == 2
    assert fallback_reads(response) == 0
    assert response.json()["count"] == WA1
    # Warm: nothing upstream.
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 0
    assert calls(demo.get("/api/v1/datacenters/wa1/servers/")) == 0
    # A group of the data center is served from the same entry.
    body = demo.get("/api/v1/datacenters/WA1/servers/").json()
    web = next(r["group_id"] for r in body["results"] if r["group_name"] == "Web")
    assert calls(demo.get(f"/api/v1/datacenters/WA1/servers/?group={web}")) == 0
    # After an action on one server: that server only (its row is patched into the cached view).
    invalidate_server("DEMO", body["results"][0]["id"])
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 1
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 0
    # After a change of the data center as a whole: the detailed tree again (the root group id
    # never changes).
    invalidate_datacenter("DEMO", "WA1")
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 1
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 0


def test_dashboard_cold_and_warm(demo):
    # 1 list + per data center (1 root group link + 1 detailed tree + 1 billing).
    assert calls(demo.get("/api/v1/datacenters/")) == 1 + DCS * 3 == 19
    assert calls(demo.get("/api/v1/datacenters/")) == 0
    # The dashboard filled each data center's entry: its page is warm too.
    assert calls(demo.get("/api/v1/datacenters/VA1/servers/")) == 0


def test_dashboard_after_an_action_reads_that_datacenter_only(demo):
    assert calls(demo.get("/api/v1/datacenters/")) == 19
    # A server of WA1 changed: its row (1 server GET, patched into WA1's entry) and WA1's cost.
    invalidate_server("DEMO", "WA1DEMOAPI01")
    response = demo.get("/api/v1/datacenters/")
    assert calls(response) == 1 + 1 == 2
    assert response.json()["server_count"] == ALL
    assert calls(demo.get("/api/v1/datacenters/")) == 0
    # WA1 as a whole changed: its detailed tree (root group link cached) and its cost.
    invalidate_datacenter("DEMO", "WA1")
    assert calls(demo.get("/api/v1/datacenters/")) == 1 + 1 == 2
    assert calls(demo.get("/api/v1/datacenters/")) == 0


def test_dashboard_reuses_a_visited_datacenter(demo):
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 2
    # WA1's tree and servers are cached: only its billing is fetched for it.
    assert calls(demo.get("/api/v1/datacenters/")) == 1 + (DCS - 1) * 2 + DCS == 17


def test_group_detail_cold_and_warm(demo, simulator):
    _s, tree = raw_tree(simulator)
    web = find_group(tree, "Web")
    # 1 detailed group + 1 billing + 1 statistics + (1 root link + 1 tree for breadcrumbs).
    assert calls(demo.get(f"/api/v1/groups/{web['id']}/")) == 1 + 1 + 1 + 2 == 5
    assert calls(demo.get(f"/api/v1/groups/{web['id']}/")) == 0


def test_group_detail_after_the_datacenter_view(demo, simulator):
    _s, tree = raw_tree(simulator)
    web = find_group(tree, "Web")
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 2
    # Breadcrumbs come from the cached tree.
    assert calls(demo.get(f"/api/v1/groups/{web['id']}/")) == 1 + 1 + 1 == 3


def test_server_detail_cold_and_warm(demo):
    # 1 server + 1 cost estimate (its billing link) + 1 group (for its name): the server's page
    # needs its own fresh GET and cost, which no group answer carries.
    assert calls(demo.get("/api/v1/servers/WA1DEMOAPI01/")) == 3
    assert calls(demo.get("/api/v1/servers/wa1demoapi01/")) == 0
    invalidate_server("DEMO", "WA1DEMOAPI01")
    assert calls(demo.get("/api/v1/servers/WA1DEMOAPI01/")) == 3  # that server's page is read again
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 2
    # With the data center cached the group's name comes from its tree.
    other = next(
        r["id"]
        for r in demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
        if r["id"] != "WA1DEMOAPI01" and r["status"] == "active"
    )
    assert calls(demo.get(f"/api/v1/servers/{other}/")) == 2


def test_fresh_bypasses_the_cache(demo):
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 2
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/?fresh=1")) == 1


def _all_rows(demo, path):
    response = demo.get(path)
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def _timeless(value):
    """``value`` without the cost accrued so far this month (it moves between two reads)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "month_to_date"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def test_an_upstream_that_ignores_server_detail_is_read_server_by_server(demo, simulator):
    """Same rows, same fields, against an upstream that answers group links only: every server
    read on its own, and the header says how many were."""
    detailed = _all_rows(demo, "/api/v1/datacenters/WA1/servers/?fresh=1")
    board = demo.get("/api/v1/datacenters/?fresh=1").json()
    _s, tree = raw_tree(simulator)
    web = find_group(tree, "Web")
    group = demo.get(f"/api/v1/groups/{web['id']}/?fresh=1").json()
    simulator.control("config", ignoreServerDetail=True)
    invalidate_datacenter("DEMO", "WA1")

    response = demo.get("/api/v1/datacenters/WA1/servers/?fresh=1")
    assert calls(response) == 1 + WA1  # the tree (root group link cached) + 1 per server
    assert fallback_reads(response) == WA1
    assert response.json()["results"] == detailed
    assert calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 0  # cached as before

    invalidate_account("DEMO")
    response = demo.get("/api/v1/datacenters/")
    assert calls(response) == 1 + DCS * 2 + ALL  # list, tree and billing each, 1 per server
    assert fallback_reads(response) == ALL
    assert _timeless(response.json()) == _timeless(board)  # the month to date accrues by the second

    response = demo.get(f"/api/v1/groups/{web['id']}/?fresh=1")
    assert fallback_reads(response) == 2  # its direct servers only
    assert response.json()["servers"] == group["servers"]
