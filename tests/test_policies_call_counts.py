"""Upstream call-count baselines of the policy pages and API reads (``Server-Timing``), against the
demo seed: a list per kind of policy, cached per person and shared by the pages, the API, the forms
and the server page's panel. A page that starts reading one policy at a time, or a cache that stops
working, fails here."""

import pytest

from apps.inventory.cache import invalidate_account, invalidate_server
from tests.support.portal import served_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

LISTS = 3  # alert, anti-affinity, autoscale
SERVER_PAGE = 5  # without this panel: server, cost, group, load balancers, networks (top bar warm)


def ids(demo, path):
    return [p["id"] for p in demo.get(path).json()["results"]]


def test_the_policies_page_and_the_policy_pages(warm_topbar):
    demo = warm_topbar
    assert served_calls(demo.get("/policies/")) == LISTS
    assert served_calls(demo.get("/policies/")) == 0
    assert served_calls(demo.get("/policies/?sort=a-cpu&dir=desc")) == 0
    alert = ids(demo, "/api/v1/policies/alert-policies/")[0]
    anti = ids(demo, "/api/v1/policies/anti-affinity/")[0]
    scale = ids(demo, "/api/v1/policies/autoscale/")[0]
    for path in (f"/policies/alert-policies/{alert}/", f"/policies/anti-affinity/{anti}/",
                 f"/policies/autoscale/{scale}/", "/datacenters/wa1/anti-affinity/"):  # fmt: skip
        assert served_calls(demo.get(path)) == 0, path
    invalidate_account("DEMO")  # any policy change: every list is read again, once
    assert served_calls(demo.get(f"/policies/alert-policies/{alert}/")) == 1
    assert served_calls(demo.get("/policies/")) == LISTS - 1
    assert served_calls(demo.get("/policies/?refresh=1")) == LISTS


def test_the_api_reads(warm_topbar):
    demo = warm_topbar
    assert served_calls(demo.get("/api/v1/policies/alert-policies/")) == 1
    assert served_calls(demo.get("/api/v1/policies/anti-affinity/")) == 1
    assert served_calls(demo.get("/api/v1/datacenters/WA1/anti-affinity/")) == 0
    assert served_calls(demo.get("/api/v1/policies/autoscale/")) == 1
    assert served_calls(demo.get("/api/v1/policies/autoscale/?fresh=1")) == 1


def test_the_server_page_panel(warm_topbar):
    demo = warm_topbar
    # WA1DEMOWEB01: no alert policy, no autoscale policy -> the panel reads its autoscale mapping
    # (+ 1: the monitoring app's charts read the server's statistics link)
    assert served_calls(demo.get("/servers/wa1demoweb01/")) == SERVER_PAGE + 1 + 1
    assert served_calls(demo.get("/servers/wa1demoweb01/")) == 0
    # WA1DEMOAPI01 has alert policies: + the alert policy list (shared with the policies page)
    # (its data center's load balancers and networks are warm: server, cost, group + mapping + list)
    assert served_calls(demo.get("/servers/wa1demoapi01/")) == 3 + 1 + 1 + 1  # + its charts
    assert served_calls(demo.get("/policies/")) == LISTS - 1  # the alert policy list is shared
    invalidate_server(
        "DEMO", "WA1DEMOAPI01"
    )  # a change to that server: its mapping is read again, the lists stay
    # the server's page is read again (server, cost, group) and its mapping; the policy lists stay
    assert served_calls(demo.get("/api/v1/servers/WA1DEMOAPI01/policies/")) == 3 + 1


def test_the_server_policies_api_is_cached_and_read_again_on_fresh(warm_topbar):
    demo = warm_topbar
    url = "/api/v1/servers/WA1DEMOAPI01/policies/"
    cold = demo.get(url)
    # the server (server, cost, group), its autoscale mapping, the alert policy list (it has some)
    assert served_calls(cold) == 3 + 1 + 1
    assert served_calls(demo.get(url)) == 0
    fresh = demo.get(f"{url}?fresh=1")
    assert served_calls(fresh) == 3 + 1 + 1 and fresh.content == cold.content
