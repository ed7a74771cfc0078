"""Load balancers in a real browser (issue #13): a ServerAdmin creates a load balancer with a port-80
pool of three web servers picked by name, disables one node and deletes the pool; a viewer sees the
same pages without a single button. Screenshots at 1440 and 375 px go to screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import hold_script, no_sideways_scroll, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEB = ("WA1DEMOWEB01", "WA1DEMOWEB02", "WA1DEMOWEB03")


def test_server_admin_walk(portal, open_page, simulator):
    page = open_page(1440)
    sign_in(page, portal, next_path="/datacenters/wa1/")
    page.get_by_role("link", name="Load balancers").click()
    page.wait_for_url(re.compile(r"/datacenters/wa1/load-balancers/$"))
    assert page.locator("table.balancers tbody tr").count() == 2
    screenshot(page, "balancers-list-1440")

    page.locator('button[data-action="createLoadBalancer"]').click()
    page.fill("#id_name", "Shop")
    page.fill("#id_description", "The shop's front door")
    page.get_by_role("button", name="Create load balancer").click()
    page.wait_for_url(re.compile(r"/load-balancers/[0-9a-f]{32}/$"))
    assert "Load balancer created." in page.locator(".messages").text_content()

    page.locator('button[data-action="createPool"]').click()
    page.select_option("#id_port", "80")
    page.get_by_role("button", name="Add pool").click()
    page.wait_for_url(re.compile(r"/pools/[0-9a-f]{32}/$"))
    assert page.locator("[data-empty]").is_visible()

    page.locator('button[data-action="setNodes"]').click()
    page.fill("input[data-node-filter]", "web")
    shown = page.locator("tr[data-node-row]:not([hidden])")
    expect(shown).to_have_count(3)  # the filter runs on the input event: wait for it (with a deadline)
    for name in WEB:
        page.get_by_label(name).check()
    page.fill("input[data-node-filter]", "")
    screenshot(page, "balancers-editor-1440")
    page.get_by_role("button", name="Save nodes").click()
    page.wait_for_url(re.compile(r"/pools/[0-9a-f]{32}/$"))
    assert page.locator("table.nodes tbody tr").count() == 3
    assert "server paused" in page.locator('tr[data-node="10.16.0.24:80"]').text_content()  # flagged

    row = page.locator('tr[data-node="10.16.0.18:80"]')
    row.locator('button[data-action="disableNode"]').click()
    assert "WA1DEMOWEB02 (10.16.0.18:80)" in page.locator("dialog[open] .q").text_content()
    page.locator("dialog[open] [data-ok]").click()
    page.wait_for_selector(".messages .message")
    assert "Node disabled." in page.locator(".messages").text_content()
    assert "disabled" in page.locator('tr[data-node="10.16.0.18:80"] .node-status').text_content()
    screenshot(page, "balancers-pool-1440")

    page.locator('button[data-action="deletePool"]').click()
    assert "WA1DEMOWEB02 (10.16.0.18:80, disabled)" in page.locator("ul.affected").text_content()
    page.get_by_role("button", name="Delete pool").click()
    page.wait_for_url(re.compile(r"/load-balancers/[0-9a-f]{32}/$"))
    assert page.locator("[data-empty]").is_visible()
    shop = next(
        lb
        for lb in simulator.session("demo").get(f"{simulator.url}/v2/sharedLoadBalancers/demo/wa1").json()
        if lb["name"] == "Shop"
    )
    assert shop["pools"] == []


def test_phone_width_and_a_viewer(portal, open_page, simulator):
    page = open_page(375, 812, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(page, portal, next_path="/datacenters/wa1/load-balancers/")
    no_sideways_scroll(page)
    screenshot(page, "balancers-list-375")
    page.get_by_role("link", name="Web Frontend").click()
    page.wait_for_url(re.compile(r"/load-balancers/[0-9a-f]{32}/$"))
    no_sideways_scroll(page)
    screenshot(page, "balancers-lb-375")
    page.get_by_role("link", name="Port 443").click()
    page.wait_for_url(re.compile(r"/pools/"))
    no_sideways_scroll(page)
    screenshot(page, "balancers-pool-375")
    page.locator('button[data-action="setNodes"]').click()
    page.wait_for_selector("[data-node-editor]")
    no_sideways_scroll(page)
    screenshot(page, "balancers-editor-375")
    page.goto(f"{portal}/servers/WA1DEMOWEB01/")
    assert page.locator("section.lb-pools li").count() == 2
    no_sideways_scroll(page)
    screenshot(page, "balancers-server-panel-375")

    viewer = open_page(1440)
    sign_in(viewer, portal, username="viewer", next_path="/datacenters/wa1/load-balancers/")
    viewer.get_by_role("link", name="Web Frontend").click()
    viewer.wait_for_url(re.compile(r"/load-balancers/[0-9a-f]{32}/$"))
    assert viewer.locator("[data-action]").count() == 0
    assert "Not for your role" in viewer.locator("[data-role-hint]").first.text_content()
    screenshot(viewer, "balancers-lb-viewer-1440")


def test_a_search_typed_before_the_script_ran_still_filters(portal, open_page):
    """On a slow page the person types before balancers.js has run: the rows still filter (the
    script reads the box when it starts), as they do after the browser restores the box on back."""
    page = open_page(1440)
    sign_in(page, portal, next_path="/datacenters/wa1/load-balancers/")
    page.get_by_role("link", name="Web Frontend").click()
    page.get_by_role("link", name="Port 443").click()
    page.wait_for_url(re.compile(r"/pools/"))
    release = hold_script(page, "**/js/balancers.js")
    page.locator('button[data-action="setNodes"]').click()
    page.wait_for_selector("input[data-node-filter]")
    page.fill("input[data-node-filter]", "web03")
    assert page.locator("tr[data-node-row]:not([hidden])").count() > 1  # nothing filtered yet
    release()
    expect(page.locator("tr[data-node-row]:not([hidden])")).to_have_count(1 + _checked(page))
    assert page.locator("tr[data-node-row]:not([hidden])", has_text="WA1DEMOWEB03").count() == 1


def _checked(page) -> int:
    """Rows already in the pool stay shown whatever the search (they are checked)."""
    return page.locator("tr[data-node-row]:not(:has-text('WA1DEMOWEB03')) input:checked").count()
