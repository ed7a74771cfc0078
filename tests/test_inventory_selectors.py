"""Inventory selectors against the running simulator (demo seed), the real Redis cache and the
real database: the shapes pages use, partial failures, 401/NotFound, the cache and invalidation.

The fixtures here are shared with test_inventory_api.py and test_inventory_call_counts.py.
"""

import copy
import json
from types import SimpleNamespace

import pytest
import redis
import requests
from django.conf import settings

from apps.accounts.services import authenticate_with_cloud, cloud_client_for
from apps.clc import client as clc_client
from apps.clc import errors, metrics
from apps.inventory import cache as inv_cache
from apps.inventory import selectors
from tests.support.portal import sim_tree, walk
from tests.support.simulator import wait_until

pytestmark = pytest.mark.django_db

# The demo seed (apps/simulator/seed.py): WA1 has 20 servers plus one archived, and so on.
DEMO_SERVERS = {"WA1": 21, "VA1": 11, "UC1": 9, "IL1": 9, "GB3": 7, "CA3": 5}


# --- shared fixtures ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def inventory_cache(own_cache_namespace):
    """A cache namespace of its own per test (parallel workers never share entries), emptied after
    the background refreshes are done. Yields the key prefix."""
    yield own_cache_namespace
    inv_cache.wait_for_refreshes()


@pytest.fixture
def demo_user(clc_settings):
    """``demo`` signed in through the accounts service (the real login call)."""
    return authenticate_with_cloud("demo", "demo")


@pytest.fixture
def viewer_user(clc_settings):
    return authenticate_with_cloud("viewer", "viewer")


class Counted:
    """Runs a callable under a fresh upstream tally: ``.calls`` after ``run``."""

    def __init__(self):
        self.calls = 0

    def run(self, fn, *args, **kwargs):
        tally, token = metrics.start_tally()
        try:
            return fn(*args, **kwargs)
        finally:
            metrics.end_tally(token)
            self.calls = tally.calls


def counted(fn, *args, **kwargs):
    c = Counted()
    value = c.run(fn, *args, **kwargs)
    return value, c.calls


@pytest.fixture
def fail_upstream(monkeypatch):
    """Make upstream calls whose URL contains a fragment answer an error (a test-side fault on the
    pooled session; everything else still goes to the simulator)."""
    rules: list[tuple[str, int]] = []
    session = clc_client.get_session()
    real = session.request

    def request(method, url, *args, **kwargs):
        for fragment, status in rules:
            if fragment.lower() in url.lower():
                response = requests.Response()
                response.status_code = status
                response._content = json.dumps({"message": f"injected {status}"}).encode()
                response.headers["Content-Type"] = "application/json"
                response.url = url
                return response
        return real(method, url, *args, **kwargs)

    monkeypatch.setattr(session, "request", request)

    def add(fragment: str, status: int = 500):
        rules.append((fragment, status))

    return add


def raw_tree(simulator, username="demo", dc="wa1", alias="demo"):
    s = simulator.session(username)
    return s, sim_tree(s, dc, alias)


def power_off(simulator, server_id):
    s = simulator.session("demo")
    answer = s.post(f"{simulator.url}/v2/operations/demo/servers/powerOff", json=[server_id]).json()
    assert answer[0]["isQueued"], answer
    status = next(link for link in answer[0]["links"] if link["rel"] == "status")

    def done():
        body = s.get(f"{simulator.url}{status['href']}").json()
        return body["status"] in ("succeeded", "failed") and body["status"]

    assert wait_until(done, timeout=20, message="the power off to complete") == "succeeded"


# --- data center view ----------------------------------------------------------------------------
def test_datacenter_view_has_the_whole_tree_and_every_server(demo_user, simulator):
    view = selectors.datacenter_view(demo_user, "wa1")
    assert view.datacenter.id == "WA1" and view.datacenter.name == "US West (Seattle)"
    assert view.tree.name == "WA1 Hardware" and view.tree.depth == 0
    assert len(view.servers) == DEMO_SERVERS["WA1"] == view.tree.server_count

    # Server counts per group include sub-groups, as the upstream's serversCount does.
    _s, tree = raw_tree(simulator)
    upstream_counts = {g["id"]: g["serversCount"] for g in walk(tree)}
    assert {g.id: g.server_count for g in view.groups} == upstream_counts
    web = next(g for g in view.groups if g.name == "Web")
    assert web.server_count == web.direct_server_count + sum(c.server_count for c in web.children)
    assert max(g.depth for g in view.groups) >= 3  # Web > Frontend > Canary
    assert [g.name for g in view.groups if g.parent_id == web.id] == ["Frontend", "API"]

    ids_in_tree = {sid for g in view.groups for sid in g.server_ids}
    assert {row.id for row in view.servers} == ids_in_tree
    for row in view.servers:
        assert row.error is None and row.name and row.group_name and row.location_id == "WA1"
        assert row.cpu > 0 and row.memory_mb > 0 and row.storage_gb > 0 and row.internal_ips
        assert row.os_type
        assert row.allows("self", "GET")
    started = [r for r in view.servers if r.power_state == "started" and r.status == "active"]
    assert started and all(r.link("credentials") for r in started)  # demo is an AccountAdmin
    assert any(r.public_ips for r in view.servers)
    assert any(r.in_maintenance_mode for r in view.servers)
    archived = [r for r in view.servers if r.status == "archived"]
    assert len(archived) == 1 and archived[0].allows("restore", "POST")

    power = view.power
    assert power.total == len(view.servers) and power.archived == 1
    assert power.started == sum(
        1 for r in view.servers if r.status == "active" and r.power_state == "started"
    )


def test_datacenter_view_of_one_group_lists_its_subtree(demo_user):
    whole = selectors.datacenter_view(demo_user, "WA1")
    web = next(g for g in whole.groups if g.name == "Web")
    view = selectors.datacenter_view(demo_user, "WA1", web.id.upper())  # ids in any case
    subtree = {g.id for g in web.walk()}
    assert view.selected_group.id == web.id
    assert len(view.servers) == web.server_count > web.direct_server_count
    assert all(row.group_id in subtree for row in view.servers)
    assert {r.group_name for r in view.servers} >= {"Web", "Frontend"}


def test_links_follow_the_role(viewer_user):
    view = selectors.datacenter_view(viewer_user, "WA1")
    assert view.servers
    for row in view.servers:
        assert row.verbs("self") == ("GET",)  # a viewer may only look
        assert row.link("credentials") is None


def test_unknown_ids_are_not_found(demo_user, simulator):
    with pytest.raises(selectors.NotFound):
        selectors.datacenter_view(demo_user, "XX9")
    with pytest.raises(selectors.NotFound):
        selectors.datacenter_view(demo_user, "WA1", "0123456789abcdef0123456789abcdef")
    with pytest.raises(selectors.NotFound):
        selectors.group_detail(demo_user, "0123456789abcdef0123456789abcdef")
    with pytest.raises(selectors.NotFound):
        selectors.server_detail(demo_user, "WA1DEMONOPE99")
    with pytest.raises(selectors.NotFound):  # bad input never reaches the upstream
        selectors.server_detail(demo_user, "../../etc/passwd")
    with pytest.raises(selectors.NotFound) as refused:  # a pasted page of text is not echoed whole
        selectors.server_detail(demo_user, "x/" * 5000)
    assert len(str(refused.value)) < 100 and str(refused.value).startswith("No server 'x/x/")
    # Another account's resources do not exist for this person.
    _s, other_tree = raw_tree(simulator, "other", "va1", "othr")
    with pytest.raises(selectors.NotFound):
        selectors.group_detail(demo_user, other_tree["id"])
    assert isinstance(selectors.NotFound(), errors.NotFound)


# --- dashboard -------------------------------------------------------------------------------
def test_dashboard_has_every_datacenter_with_figures_and_cost(demo_user, simulator):
    board = selectors.dashboard(demo_user)
    assert [dc.id for dc in board.datacenters] == list(DEMO_SERVERS)
    assert {dc.id: dc.server_count for dc in board.datacenters} == DEMO_SERVERS
    assert board.server_count == sum(DEMO_SERVERS.values()) and not board.errors

    wa1 = board.datacenters[0]
    view = selectors.datacenter_view(demo_user, "WA1")
    assert wa1.cpu == sum(r.cpu for r in view.servers)
    assert wa1.memory_gb == round(sum(r.memory_mb for r in view.servers) / 1024, 2)
    assert wa1.storage_gb == round(sum(r.storage_gb for r in view.servers), 2)
    assert wa1.power == view.power
    assert wa1.power.started + wa1.power.stopped + wa1.power.paused + wa1.power.archived == 21

    s, tree = raw_tree(simulator)
    billing = s.get(f"{simulator.url}/v2/groups/demo/{tree['id']}/billing").json()
    expected = round(
        sum(c["monthlyEstimate"] for g in billing["groups"].values() for c in g["servers"].values()), 2
    )
    assert wa1.monthly_estimate == pytest.approx(expected, abs=0.05)
    assert board.monthly_estimate == pytest.approx(
        sum(dc.monthly_estimate for dc in board.datacenters), abs=0.01
    )


def test_dashboard_billing_failure_is_a_panel_error(demo_user, fail_upstream):
    fail_upstream("/billing", 500)
    board = selectors.dashboard(demo_user)
    assert {dc.id: dc.server_count for dc in board.datacenters} == DEMO_SERVERS
    for dc in board.datacenters:
        assert dc.monthly_estimate is None and dc.error is None
        assert dc.billing_error.status == 500 and "unavailable" in dc.billing_error.message
    assert board.monthly_estimate is None and len(board.errors) == len(DEMO_SERVERS)


def test_dashboard_datacenter_failure_is_that_datacenters_error(demo_user, fail_upstream):
    fail_upstream("/v2/datacenters/demo/va1", 503)
    board = selectors.dashboard(demo_user)
    va1 = next(dc for dc in board.datacenters if dc.id == "VA1")
    assert va1.error is not None and va1.error.status == 503 and va1.server_count == 0
    others = [dc for dc in board.datacenters if dc.id != "VA1"]
    assert all(dc.error is None and dc.server_count == DEMO_SERVERS[dc.id] for dc in others)
    assert board.server_count == sum(DEMO_SERVERS.values()) - DEMO_SERVERS["VA1"]
    # Not cached while incomplete.
    _again, calls = counted(selectors.dashboard, demo_user)
    assert calls > 0


# --- group detail ----------------------------------------------------------------------------
def test_group_detail_has_details_billing_and_statistics(demo_user):
    view = selectors.datacenter_view(demo_user, "WA1")
    web = next(g for g in view.groups if g.name == "Web")
    detail = selectors.group_detail(demo_user, web.id)
    assert detail.group.name == "Web" and detail.group.description == "Web team"
    assert [g.name for g in detail.subgroups] == ["Frontend", "API"]
    assert [a.name for a in detail.ancestors] == ["WA1 Hardware"]
    assert detail.datacenter.id == "WA1"
    assert {cf.name: cf.value for cf in detail.group.custom_fields}["Cost Center"] == "CC-WEB"
    assert detail.group.change_info.created_date is not None
    assert {r.id for r in detail.servers} == set(web.server_ids)
    assert detail.allows("self", "PATCH")

    billing = detail.billing.data
    assert detail.billing.ok and billing.monthly_estimate > 0
    assert {g.name for g in billing.groups} >= {"Web", "Frontend", "API", "Canary"}

    stats = detail.statistics.data
    assert detail.statistics.ok and stats.interval == "01:00:00"
    assert stats.servers
    active_ids = {
        r.id for r in view.servers if r.group_id in {g.id for g in web.walk()} and r.status == "active"
    }
    assert {s.server_id for s in stats.servers} == active_ids
    for series in stats.servers:
        assert len(series.timestamps) == 24 == len(series.cpu_percent) == len(series.memory_percent)
        assert len(series.disk_usage_mb) == 24
    running = [s for s in stats.servers if any(s.cpu_percent)]
    assert running and all(d.consumed_mb and len(d.consumed_mb) == 24 for s in running for d in s.disks)


def test_group_detail_panels_fail_alone(demo_user, fail_upstream):
    view = selectors.datacenter_view(demo_user, "WA1")
    web = next(g for g in view.groups if g.name == "Web")
    fail_upstream("/billing", 500)
    fail_upstream("/statistics", 503)
    detail = selectors.group_detail(demo_user, web.id)
    assert detail.group.name == "Web" and len(detail.servers) == web.direct_server_count
    assert detail.billing.data is None and detail.billing.error.status == 500
    assert (
        detail.billing.error.panel == "billing" and "Billing is unavailable" in detail.billing.error.message
    )
    assert detail.statistics.data is None and detail.statistics.error.status == 503
    # A page with a failed panel is not cached: the next load tries again.
    again, calls = counted(selectors.group_detail, demo_user, web.id)
    assert calls > 0 and again.billing.error is not None


def test_one_failing_server_is_one_row_error(demo_user, simulator):
    whole = selectors.datacenter_view(demo_user, "WA1", fresh=True)
    victim = whole.servers[3].id
    # Only a server the group answer names by link alone is read on its own (and can fail alone).
    simulator.control("config", ignoreServerDetail=True)
    session = clc_client.get_session()
    real = session.request

    def request(method, url, *args, **kwargs):
        if url.lower().endswith(f"/v2/servers/demo/{victim.lower()}"):
            raise requests.ConnectionError("boom")
        return real(method, url, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(session, "request", request)
        view = selectors.datacenter_view(demo_user, "WA1", fresh=True)
    assert len(view.servers) == 21
    failed = [r for r in view.servers if r.error]
    assert [r.id for r in failed] == [victim] and failed[0].group_name
    assert len(view.server_errors) == 1 and victim in view.server_errors[0].message
    assert view.power.total == 20


# --- server detail ---------------------------------------------------------------------------
def test_server_detail_has_everything_and_its_cost(demo_user, simulator):
    view = selectors.datacenter_view(demo_user, "WA1")
    row = next(r for r in view.servers if r.status == "active" and r.public_ips)
    detail = selectors.server_detail(demo_user, row.id.lower())
    assert detail.server.id == row.id and detail.server.group_name == row.group_name
    assert detail.group.id == row.group_id and detail.group.name == row.group_name
    assert detail.host_name == row.id.lower()
    assert detail.disks and detail.partitions and detail.partitions[0].size_gb > 0
    assert any(ip.public for ip in detail.ip_addresses)
    assert detail.change_info.created_date is not None
    assert detail.allows("credentials") and detail.allows("self", "DELETE")

    s = simulator.session("demo")
    estimate = s.get(f"{simulator.url}/v2/billing/demo/estimate-server/{row.id.lower()}").json()
    assert detail.cost.ok and detail.cost.data.monthly_estimate == estimate["monthlyEstimate"]

    with_snapshot = selectors.server_detail(demo_user, "WA1DEMOAPI01")
    assert with_snapshot.snapshots and with_snapshot.snapshots[0].id
    assert with_snapshot.snapshots[0].link("restore")


def test_server_cost_failure_is_a_panel_error(demo_user, fail_upstream):
    fail_upstream("/estimate-server/", 500)
    detail = selectors.server_detail(demo_user, "WA1DEMOAPI01")
    assert detail.server.name == "WA1DEMOAPI01" and detail.disks
    assert detail.cost.data is None and detail.cost.error.status == 500


def test_archived_server_has_no_cost_panel(demo_user):
    detail = selectors.server_detail(demo_user, "WA1DEMOOLD01")
    assert detail.server.status == "archived"
    assert detail.cost.data is None and detail.cost.error is None


def test_credentials_only_on_explicit_call_and_never_cached(demo_user, viewer_user):
    detail = selectors.server_detail(demo_user, "WA1DEMOAPI01")
    assert not hasattr(detail, "password") and "password" not in repr(detail).lower()
    creds, calls = counted(selectors.server_credentials, demo_user, "WA1DEMOAPI01")
    assert creds.user_name and creds.password and calls == 1
    assert creds.password not in repr(creds)
    _again, calls = counted(selectors.server_credentials, demo_user, "WA1DEMOAPI01")
    assert calls == 1
    with pytest.raises(errors.Forbidden):
        selectors.server_credentials(viewer_user, "WA1DEMOAPI01")
    # Nothing of it in Redis.
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*inv:*", count=500):
        assert creds.password.encode() not in (client.get(key) or b"")


# --- 401 and upstream down -------------------------------------------------------------------
def test_expired_token_propagates_unauthorized(demo_user, simulator):
    simulator.control("expire-tokens")
    with pytest.raises(errors.Unauthorized):
        selectors.datacenter_view(demo_user, "WA1")
    with pytest.raises(errors.Unauthorized):
        selectors.dashboard(demo_user)


def test_upstream_down_raises_unavailable(demo_user, simulator):
    simulator.control("config", errorRate=1)
    with pytest.raises(errors.UpstreamUnavailable):
        selectors.datacenter_view(demo_user, "WA1")


# --- cache -----------------------------------------------------------------------------------
def test_warm_views_make_no_upstream_call(demo_user):
    cold, cold_calls = counted(selectors.datacenter_view, demo_user, "WA1")
    warm, warm_calls = counted(selectors.datacenter_view, demo_user, "wa1")
    assert cold_calls == 2 and warm_calls == 0 and warm == cold  # root group id, detailed tree
    web = next(g for g in cold.groups if g.name == "Web")
    _sub, calls = counted(selectors.datacenter_view, demo_user, "WA1", web.id)
    assert calls == 0  # a group of a cached data center is filtered from the cache


def test_invalidation_makes_the_next_page_true_for_the_whole_team(demo_user, simulator, clc_settings):
    operator = authenticate_with_cloud("operator", "operator")
    victim = next(
        r for r in selectors.datacenter_view(demo_user, "WA1").servers if r.power_state == "started"
    )
    selectors.datacenter_view(operator, "WA1")
    selectors.server_detail(demo_user, victim.id)

    power_off(simulator, victim.id)
    # Cached: still the old state (short TTL, no invalidation yet).
    stale = selectors.datacenter_view(demo_user, "WA1")
    assert next(r for r in stale.servers if r.id == victim.id).power_state == "started"

    inv_cache.invalidate_server(demo_user, victim.id)
    for person in (demo_user, operator):
        view, calls = counted(selectors.datacenter_view, person, "WA1")
        assert calls == 1  # that server only, patched into each person's cached view
        assert next(r for r in view.servers if r.id == victim.id).power_state == "stopped"
    assert selectors.server_detail(demo_user, victim.id).server.power_state == "stopped"

    # By alias too (what a Celery task without a user object calls).
    inv_cache.invalidate_datacenter("demo", "WA1")
    _view, calls = counted(selectors.datacenter_view, demo_user, "WA1")
    assert calls > 0
    inv_cache.invalidate_group("DEMO", victim.group_id)
    _view, calls = counted(selectors.datacenter_view, demo_user, "WA1")
    assert calls > 0


def test_cache_is_per_person(demo_user, viewer_user):
    demo_view = selectors.datacenter_view(demo_user, "WA1")
    viewer_view, calls = counted(selectors.datacenter_view, viewer_user, "WA1")
    assert calls > 0  # never another person's entry
    assert any(r.link("credentials") for r in demo_view.servers)
    assert not any(r.link("credentials") for r in viewer_view.servers)


def test_stale_copy_is_served_while_a_refresh_runs(demo_user, simulator, monkeypatch):
    first = selectors.datacenter_view(demo_user, "WA1")
    victim = next(r for r in first.servers if r.power_state == "started")
    power_off(simulator, victim.id)

    real_time = inv_cache.time.time
    later = SimpleNamespace(
        time=lambda: real_time() + inv_cache.ttl() + 1, monotonic=inv_cache.time.monotonic
    )
    monkeypatch.setattr(inv_cache, "time", later)
    stale, calls = counted(selectors.datacenter_view, demo_user, "WA1")
    assert calls == 0  # served at once from the stale copy...
    assert next(r for r in stale.servers if r.id == victim.id).power_state == "started"
    inv_cache.wait_for_refreshes()
    monkeypatch.setattr(inv_cache, "time", SimpleNamespace(time=real_time, monotonic=later.monotonic))
    fresh, calls = counted(selectors.datacenter_view, demo_user, "WA1")
    assert calls == 0  # ...and the background refresh stored the new state
    assert next(r for r in fresh.servers if r.id == victim.id).power_state == "stopped"


def test_redis_down_degrades_to_no_cache(demo_user, settings):
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"
    settings.CACHES = caches
    view, calls = counted(selectors.datacenter_view, demo_user, "WA1")
    assert len(view.servers) == 21 and calls > 0


def test_client_argument_is_used(demo_user):
    client = cloud_client_for(demo_user)
    view = selectors.datacenter_view(demo_user, "WA1", client=client)
    assert view.servers
