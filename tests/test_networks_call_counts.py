"""Upstream call-count baselines of the network pages and API reads (``Server-Timing``), against
the demo seed: WA1 has 3 networks of DEMO; DEMO has 6 data centers; WA1's firewall has one cross
data center policy (to VA1); WA1DEMODB01 has one public IP. A read that slides into one call per
address, or a cache that stops working, fails here."""

import pytest

from apps.inventory.cache import invalidate_account
from tests.support.networks_portal import WA1, key, sim_networks
from tests.support.portal import served_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

NETWORKS = 3  # DEMO's networks in WA1
DCS = 6  # DEMO's data centers
PUBLIC_IPS = 1  # of WA1DEMODB01
SERVER_DETAIL = 3  # the inventory's server read: the server, its cost, its group


def calls(response) -> int:
    return served_calls(response, ok=(200, 302))  # a claim answers with a redirect


def test_datacenter_networks_cold_warm_and_after_a_change(demo, simulator):
    # 1 list + 1 read per network (all its addresses: the use figures)
    assert calls(demo.get("/api/v1/datacenters/WA1/networks/")) == 1 + NETWORKS == 4
    assert calls(demo.get("/api/v1/datacenters/wa1/networks/")) == 0
    # a network's own page is served from the same entries
    network = sim_networks(simulator)[0]
    assert calls(demo.get(f"/api/v1/datacenters/wa1/networks/{network['id']}/")) == 0
    invalidate_account("DEMO")  # any change to the account: read again
    assert calls(demo.get("/api/v1/datacenters/WA1/networks/")) == 4
    assert calls(demo.get("/api/v1/datacenters/WA1/networks/?fresh=1")) == 4


def test_the_pages_cold_and_warm(warm_topbar, simulator):
    demo = warm_topbar
    network = sim_networks(simulator)[0]
    assert calls(demo.get(f"{WA1}/networks/{network['id']}/")) == 1
    assert calls(demo.get(f"{WA1}/networks/")) == 1 + NETWORKS - 1  # that network's read is reused
    assert calls(demo.get(f"{WA1}/networks/")) == 0
    # the firewall: 2 policy lists + VA1's networks (to name the cross policy's destination)
    assert calls(demo.get(f"{WA1}/firewall/")) == 2 + 1
    assert calls(demo.get(f"{WA1}/firewall/")) == 0


def test_firewall_cold(warm_topbar):
    # WA1's networks + the two policy lists + VA1's networks
    assert calls(warm_topbar.get("/api/v1/datacenters/wa1/firewall/")) == 1 + 2 + 1 == 4
    assert calls(warm_topbar.get(f"{WA1}/firewall/")) == 0


def test_the_networks_index(demo):
    assert calls(demo.get("/networks/")) == 1 + DCS == 7  # the data center list + 1 list each
    invalidate_account("DEMO")
    assert calls(demo.get("/networks/")) == DCS  # the data center list is the top bar's (cached)


def test_the_server_panel_costs_one_list_and_one_read_per_public_ip(warm_topbar):
    demo = warm_topbar
    assert calls(demo.get("/api/v1/servers/WA1DEMODB01/networks/")) == SERVER_DETAIL + 1 + PUBLIC_IPS == 5
    assert calls(demo.get("/api/v1/servers/WA1DEMODB01/networks/")) == 0
    demo.get("/servers/wa1demodb01/")  # the page's other panels read what they need once
    assert calls(demo.get("/servers/wa1demodb01/")) == 0  # the network panel's reads are cached
    invalidate_account("DEMO")
    assert calls(demo.get("/api/v1/servers/WA1DEMODB01/networks/")) == 5


def test_a_claim_reads_the_list_fresh_and_sends_one_write(clc_settings, simulator):
    from django.test import Client

    from tests.support.portal import sign_in

    netadmin = sign_in(Client(), "netadmin")
    netadmin.get(f"{WA1}/networks/")
    response = netadmin.post(f"{WA1}/networks/actions/claimNetwork/", {"idempotency_key": key()})
    assert calls(response) == 1 + 1  # the list (fresh: the truth of now) + the claim
