"""The network pages in a real browser (Chromium, the live portal, the simulator): a data center's
networks tab (sort in place), a network's addresses (filter in place), a release asked in a dialog
whose network then leaves the page without a reload, the firewall page (disable a policy), the
server page's network panel (a public IP's rules edited in place), all at 1440 and 375 px wide.
Screenshots: screenshots/networks-*.png."""

import re

import pytest

from tests.support.networks_portal import sim_networks

from .conftest import SCREENSHOTS, no_sideways_scroll, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def top_screenshot(page, name: str):
    """The first screenful only (a long page's full screenshot is hard to read)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_networks_tab_sorts_and_a_network_filters_its_addresses(portal, open_page, simulator):
    page = open_page(1440)
    sign_in(page, portal, next_path="/datacenters/wa1/")
    page.click('nav.tabs a:text("Networks")')
    page.wait_for_url(re.compile(r"/datacenters/wa1/networks/$"))
    rows = page.locator("table#networks tbody tr")
    assert rows.count() == 3
    assert page.locator("table#networks meter").count() == 3
    screenshot(page, "networks-datacenter-1440")

    vlan = page.locator("th", has=page.locator("a.sort", has_text="VLAN"))
    vlan.locator("a.sort").click()
    vlan.locator("a.sort").click()
    assert vlan.get_attribute("aria-sort") == "descending"
    vlans = page.eval_on_selector_all(
        "table#networks tbody tr", "rows => rows.map(r => Number(r.cells[3].textContent))"
    )
    assert vlans == sorted(vlans, reverse=True) and "sort=vlan" in page.url

    page.click("table#networks tbody tr >> text=Backend")
    page.wait_for_url(re.compile(r"/datacenters/wa1/networks/[0-9a-f]+/$"))
    total = page.locator("table#addresses tbody tr").count()
    page.select_option("select[name=status]", "claimed")
    page.wait_for_function(f"document.querySelector('[data-count]').textContent !== '{total}'")
    states = page.eval_on_selector_all(
        "table#addresses tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.s)"
    )
    assert states and set(states) == {"claimed"}
    page.locator("table#addresses tbody tr:not([hidden]) a").first.click()  # a server, linked
    page.wait_for_url(re.compile(r"/servers/wa1demo[a-z0-9]+/$"))
    assert page.locator("[data-server-networks]").is_visible()
    page.go_back()
    screenshot(page, "networks-network-1440")


def test_release_is_asked_in_a_dialog_and_the_network_leaves_the_page(portal, open_page, simulator):
    simulator.control("config", speed=1, durationSeconds=6)  # the release takes a few seconds
    spare = sim_networks(simulator)[2]
    page = open_page(1440)
    sign_in(page, portal, username="netadmin", next_path=f"/datacenters/wa1/networks/{spare['id']}/")
    page.click('button[data-action="releaseNetwork"]')
    dialog = page.locator("dialog[open]")
    assert f"Release {spare['name']}?" in dialog.text_content()
    with page.expect_navigation():
        dialog.locator("[data-ok]").click()
    page.wait_for_url(re.compile(r"/datacenters/wa1/networks/$"))
    assert "Being released" in page.locator("[data-releasing]").text_content()
    screenshot(page, "networks-releasing-1440")
    # no activity to follow: the page reads the cloud again until the network is gone
    page.locator(f'tr[data-network-id="{spare["id"]}"]').wait_for(state="detached", timeout=20000)
    assert page.locator("[data-releasing]").count() == 0
    assert page.locator("table#networks tbody tr").count() == 2


def test_firewall_page_disables_a_policy(portal, open_page, simulator):
    page = open_page(1440)
    sign_in(page, portal, username="security", next_path="/datacenters/wa1/firewall/")
    assert page.locator("table#intra-policies tbody tr").count() == 2
    assert page.locator("table#cross-policies tbody tr").count() == 1
    screenshot(page, "networks-firewall-1440")
    row = page.locator("table#intra-policies tbody tr").first
    with page.expect_navigation():
        row.locator('button[data-action="disablePolicy"]').click()
    assert "Policy disabled." in page.locator(".messages").text_content()
    assert (
        page.locator("table#intra-policies tbody tr")
        .first.locator('button[data-action="enablePolicy"]')
        .count()
        == 1
    )

    page.click('button[data-action="createIntraPolicy"]')
    page.fill("#id_source", "10.16.0.0/24")
    page.fill("#id_destination", "10.32.1.0/24")
    page.fill("#id_ports", "tcp/443")
    page.click("form.action-form button[type=submit]")
    error = page.locator('[data-field-error="destination"]')
    assert "is Backend in VA1" in error.text_content()
    screenshot(page, "networks-policy-error-1440")


def test_a_public_ip_is_edited_in_place_on_the_server_page(portal, open_page, simulator):
    page = open_page(1440)
    sign_in(page, portal, next_path="/servers/wa1demodb01/")
    panel = page.locator("[data-server-networks]")
    panel.locator("summary", has_text="Edit ports and sources").click()
    panel.locator("input[name=ports]").fill("tcp/443")
    panel.locator("input[name=source_restrictions]").fill("203.0.113.0/24")
    screenshot(page, "networks-server-panel-1440")
    with page.expect_navigation():
        panel.locator('button[data-action="updatePublicIp"]').click()
    page.wait_for_url(re.compile(r"/servers/wa1demodb01/$"))
    assert "Change ports and sources queued" in page.locator(".messages").text_content()


def test_phone_width_is_readable(portal, open_page, simulator):
    page = open_page(375, 800)
    sign_in(page, portal, next_path="/datacenters/wa1/networks/")
    no_sideways_scroll(page)
    screenshot(page, "networks-datacenter-375")
    page.click("table#networks tbody tr >> text=Backend")
    page.wait_for_url(re.compile(r"/networks/[0-9a-f]+/$"))
    no_sideways_scroll(page)
    top_screenshot(page, "networks-network-375")
    page.goto(f"{portal}/datacenters/wa1/firewall/")
    no_sideways_scroll(page)
    screenshot(page, "networks-firewall-375")
    page.goto(f"{portal}/servers/wa1demodb01/")
    panel = page.locator("[data-server-networks]")
    panel.locator("summary", has_text="Edit ports and sources").click()
    panel.scroll_into_view_if_needed()
    no_sideways_scroll(page)
    screenshot(page, "networks-server-375")
    page.goto(f"{portal}/networks/")
    assert page.locator(".dc-card").count() == 6
    screenshot(page, "networks-index-375")
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "networks-index-1440")
