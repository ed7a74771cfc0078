"""The dashboard when its figures are slow to come: the page answers at once with each data center
as a placeholder, and each card (then the totals) is filled in from its own URL with the same
figures as the whole page; and the read started at sign-in makes the first dashboard warm."""

import logging
import re
import time
import traceback

import pytest

from apps.accounts.services import authenticate_with_cloud, cloud_client_for
from apps.clc import datacenters as clc_datacenters
from apps.inventory import cache as inv_cache
from apps.inventory import warmup
from apps.inventory.cache import invalidate_account, invalidate_server
from tests.support.portal import sign_in, upstream_calls
from tests.test_inventory_selectors import DEMO_SERVERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_slow_dashboard_shows_placeholders_then_each_card(client, clc_settings, simulator):
    demo = sign_in(client, "demo")
    whole = demo.get("/api/v1/datacenters/").json()["results"]  # the figures, read the usual way
    clc_settings.INVENTORY_DASHBOARD_WAIT_SECONDS = 0
    simulator.control("config", latencyMs=150)
    page = demo.get("/?refresh=1")  # everything read again, slowly
    body = page.content.decode()
    fills = re.findall(r'data-fill="([^"]+)"', body)
    assert "/dashboard/totals/" in fills
    cards = [url for url in fills if url.startswith("/dashboard/datacenters/")]
    assert sorted(cards) == sorted(f"/dashboard/datacenters/{dc.lower()}/" for dc in DEMO_SERVERS)
    assert "Reading its servers" in body and 'aria-busy="true"' in body

    for summary in whole:
        card = text(demo.get(f"/dashboard/datacenters/{summary['id'].lower()}/"))
        assert f"{summary['id']} " in card
        count = summary["server_count"]
        assert f"{count} server{'s' if count != 1 else ''}" in card
    totals = text(demo.get("/dashboard/totals/"))
    assert f"{sum(DEMO_SERVERS.values())} servers" in totals
    assert demo.get("/dashboard/datacenters/zz9/").status_code == 404


def test_a_slow_dashboard_lists_its_data_centers_once(client, clc_settings, simulator, monkeypatch):
    """The placeholders are the data centers the running read listed: no second list call."""
    demo = sign_in(client, "demo")
    warmup.wait_idle()
    listed = []  # the inventory's list calls (not the top bar's: its own, cached apart)
    real = clc_datacenters.list_datacenters

    def counted(c):
        if all(frame.name != "user_datacenters" for frame in traceback.extract_stack()):
            listed.append(c)
        return real(c)

    monkeypatch.setattr(clc_datacenters, "list_datacenters", counted)
    clc_settings.INVENTORY_DASHBOARD_WAIT_SECONDS = 0
    simulator.control("config", latencyMs=150)
    body = demo.get("/?refresh=1").content.decode()
    assert len(re.findall(r'data-fill="/dashboard/datacenters/', body)) == len(DEMO_SERVERS)
    warmup.wait_idle()
    assert len(listed) == 1  # the running read's, which the page's placeholders reuse


def test_the_dashboard_waits_for_fast_figures(demo, clc_settings):
    clc_settings.INVENTORY_DASHBOARD_WAIT_SECONDS = 30
    body = text(demo.get("/"))
    assert "data-fill" not in demo.get("/").content.decode()
    assert f"{sum(DEMO_SERVERS.values())} servers" in body


def test_the_dashboard_is_read_ahead_at_sign_in(client, clc_settings):
    clc_settings.INVENTORY_WARMUP_AT_SIGNIN = True
    demo = sign_in(client, "demo")
    warmup.wait_idle(timeout=60)  # what the sign-in started: the dashboard, the top bar's list
    assert upstream_calls(demo.get("/")) == 0  # warm: read ahead


def test_a_read_started_before_a_change_is_not_joined(clc_settings, simulator):
    """Nothing stale after an action: a page joins a running dashboard read only while nothing
    changed since it started."""
    user = authenticate_with_cloud("demo", "demo")
    client = cloud_client_for(user)
    simulator.control("config", latencyMs=300)  # the reads below stay running meanwhile
    first = warmup.dashboard(user, client)
    assert warmup.dashboard(user, client) is first  # nothing changed: joined
    invalidate_server("DEMO", "WA1DEMOWEB01")
    second = warmup.dashboard(user, client)
    assert second is not first  # read again: the change shows
    assert warmup.dashboard(user, client) is second
    invalidate_account("DEMO")  # a change of the whole account (a new generation) shows too
    third = warmup.dashboard(user, client)
    assert third is not second
    assert warmup.dashboard(user, client) is third
    simulator.control("config", latencyMs=0)
    assert third.result(timeout=60).server_count == sum(DEMO_SERVERS.values())
    warmup.wait_idle()


def test_a_background_refresh_after_the_read_ended_still_refreshes(
    clc_settings, simulator, monkeypatch, caplog
):
    """A stale dashboard is answered at once and refreshed in the background; that refresh lists the
    data centers again after the warm-up's read ended (its list no longer wanted): no failure."""
    user = authenticate_with_cloud("demo", "demo")
    client = cloud_client_for(user)
    warmup.dashboard(user, client).result(timeout=60)
    later = time.time() + inv_cache.ttl() + 1  # past its freshness, within its stale window
    monkeypatch.setattr(inv_cache.time, "time", lambda: later)
    told = []
    tell = warmup._tell
    monkeypatch.setattr(
        warmup, "_tell", lambda future, refs: told.append(future.cancelled()) or tell(future, refs)
    )
    caplog.set_level(logging.INFO, logger="apps.inventory.cache")
    warmup.dashboard(user, client).result(timeout=60)
    inv_cache.wait_for_refreshes(30)
    warmup.wait_idle()
    assert told == [True]  # the refresh listed, after the read had given its list up
    assert "background refresh" not in caplog.text
