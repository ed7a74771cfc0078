"""Policies in a real browser (issue 12): a ServerAdmin creates an alert policy (CPU 80 % for 5
minutes) on the Policies page, adds it to a server from the server page, the simulator's series
fires it (clock and load driven), the delivery reaches the portal and the server page and the
dashboard show the alert; an anti-affinity policy per data center; phone width without sideways
scrolling. Screenshots at 1440 and 375 px go to screenshots/."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import SCREENSHOTS, no_sideways_scroll, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVER = "WA1DEMOWEB01"


def test_an_alert_policy_from_creation_to_the_alert(portal, open_page, simulator, relay, client):
    page = open_page(1440)
    sign_in(page, portal)
    page.get_by_role("link", name="Policies").first.click()
    page.wait_for_url(re.compile(r"/policies/$"))
    assert page.locator("#alert-table tbody tr").count() == 3
    screenshot(page, "policies-index-1440")

    page.locator('button[data-action="createAlertPolicy"]').click()
    page.fill("#id_name", "CPU 80 for 5")
    page.fill("#id_recipients", "oncall@example.com")
    page.fill("#id_cpu_threshold", "97")
    page.get_by_role("button", name="Create alert policy").click()
    assert "from 5 to 95 in steps of 5" in page.locator("main").text_content()
    page.fill("#id_cpu_threshold", "80")
    page.select_option("#id_cpu_duration", "00:05:00")
    page.get_by_role("button", name="Create alert policy").click()
    page.wait_for_url(re.compile(r"/policies/alert-policies/[0-9a-f]{32}/$"))
    assert "Alert policy created." in page.locator(".messages").text_content()
    screenshot(page, "policies-alert-policy-1440")

    page.goto(f"{portal}/servers/{SERVER.lower()}/")
    panel = page.locator("[data-server-policies]")
    panel.locator('button[data-action="attachAlertPolicy"]').click()
    chosen = page.locator("#id_policy option", has_text="CPU 80 for 5").get_attribute("value")
    page.select_option("#id_policy", chosen)
    page.get_by_role("button", name="Add policy").click()
    page.wait_for_url(re.compile(rf"/servers/{SERVER.lower()}/$"))
    assert "quiet" in panel.text_content()

    simulator.control("load", serverId=SERVER, cpu=95, minutes=30)
    simulator.control("clock", advance=15 * 60)
    with ThreadPoolExecutor(1) as pool:  # the receiver is async: not on Playwright's event loop thread
        [answer] = pool.submit(relay.forward, client).result()
    assert answer.status_code == 202
    page.reload()
    assert "cpu alert since" in panel.locator("[data-firing]").text_content()
    panel.scroll_into_view_if_needed()
    screenshot(page, "policies-server-firing-1440")
    page.goto(f"{portal}/")
    assert SERVER in page.locator("[data-alerts]").text_content()
    screenshot(page, "policies-dashboard-alert-1440")

    phone = open_page(375, 812, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(phone, portal, next_path="/policies/")
    no_sideways_scroll(phone)
    screenshot(phone, "policies-index-375")
    phone.goto(f"{portal}/servers/{SERVER.lower()}/")
    assert "cpu alert since" in phone.locator("[data-server-policies]").text_content()
    no_sideways_scroll(phone)
    screenshot(phone, "policies-server-375")
    phone.locator("[data-server-policies]").screenshot(
        path=str(SCREENSHOTS / "policies-server-panel-375.png")
    )


def test_anti_affinity_per_data_center_and_a_viewer(portal, open_page, simulator):
    page = open_page(1440)
    sign_in(page, portal, next_path="/datacenters/wa1/")
    page.get_by_role("link", name="Anti-affinity").click()
    page.wait_for_url(re.compile(r"/datacenters/wa1/anti-affinity/$"))
    page.locator('button[data-action="createAntiAffinityPolicy"]').click()
    page.fill("#id_name", "Web spread")
    page.get_by_role("button", name="Create policy").click()
    page.wait_for_url(re.compile(r"/policies/anti-affinity/[0-9a-f]{32}/$"))
    assert "No server yet" in page.locator("main").text_content()
    page.goto(f"{portal}/datacenters/wa1/anti-affinity/")
    assert page.locator("#anti-table tbody tr").count() == 2
    screenshot(page, "policies-anti-affinity-1440")

    viewer = open_page(375, 812, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(viewer, portal, username="viewer", next_path="/datacenters/wa1/anti-affinity/")
    assert viewer.locator('button[data-action="createAntiAffinityPolicy"]').count() == 0
    assert (
        "needs Account Administrator or Server Administrator"
        in viewer.locator("[data-role-hint]").text_content()
    )
    no_sideways_scroll(viewer)
    screenshot(viewer, "policies-anti-affinity-viewer-375")
