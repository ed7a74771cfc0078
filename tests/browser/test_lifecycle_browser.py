"""A server's life in a real browser: change its password, remove a disk, edit its custom fields,
a group's custom fields and defaults, and the create-server page's extra disks. Screenshots of each
form at 1440 and 375 px go to screenshots/ (git-ignored)."""

import re

import pytest

from tests.support.portal import sim_servers
from tests.support.simulator import wait_until

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Br0wser-secret"


def the_server(simulator) -> dict:
    """A started Linux server of WA1 with an extra (mounted) disk."""
    return next(
        s
        for s in sim_servers(simulator.session("demo"))
        if s["status"] == "active"
        and s["details"]["powerState"] == "started"
        and "win" not in s["os"]
        and any(d["partitionPaths"] for d in s["details"]["disks"])
    )


def sim(simulator, path):
    return simulator.session("demo").get(f"{simulator.url}{path}", timeout=10).json()


def flash(page) -> str:
    return page.locator(".messages").inner_text()


def narrow(browser_page_factory, url, name, portal):
    page = browser_page_factory(375, 800)
    sign_in(page, portal, next_path=url)
    screenshot(page, f"{name}-375")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} overflows at 375 px ({width} px)"
    return page


def test_server_lifecycle_in_the_browser(portal, open_page, simulator):
    server = the_server(simulator)
    sid = server["id"].lower()
    current = sim(simulator, f"/v2/servers/demo/{sid}/credentials")["password"]
    page = open_page(1440, 900)
    sign_in(page, portal, next_path=f"/servers/{sid}/")

    # change the password: asked with the current one, never shown back
    page.click('button[data-action="setPassword"]')
    page.wait_for_url(re.compile(r"/actions/setPassword/"))
    assert (
        page.locator("h2.question").inner_text() == f"Change the administrator password of {server['name']}?"
    )
    screenshot(page, "lifecycle-password-1440")
    narrow(open_page, f"/servers/{sid}/actions/setPassword/", "lifecycle-password", portal)
    page.fill("#id_current_password", current)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_confirm_password", "not the same")
    page.click("button[data-confirm-submit]")
    assert "The two passwords differ." in page.locator("[data-field-error=confirm_password]").inner_text()
    assert page.locator("#id_new_password").input_value() == ""  # never rendered back
    screenshot(page, "lifecycle-password-error-1440")
    page.fill("#id_current_password", current)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_confirm_password", NEW_PASSWORD)
    page.click("button[data-confirm-submit]")
    page.wait_for_url(f"{portal}/servers/{sid}/")
    assert "Change password queued" in flash(page)
    wait_until(
        lambda: sim(simulator, f"/v2/servers/demo/{sid}/credentials")["password"] == NEW_PASSWORD,
        timeout=20,
        message="the new password",
    )

    # remove the extra disk: only it is offered, and the page asks first
    extra = next(d for d in server["details"]["disks"] if d["partitionPaths"])
    page.click('button[data-action="removeDisk"]')
    page.wait_for_url(re.compile(r"/actions/removeDisk/"))
    options = page.eval_on_selector_all("#id_disk option", "os => os.map(o => o.value)")
    assert options == [extra["id"]]
    screenshot(page, "lifecycle-remove-disk-1440")
    narrow(open_page, f"/servers/{sid}/actions/removeDisk/", "lifecycle-remove-disk", portal)
    page.click("button[data-confirm-submit]")
    page.wait_for_url(f"{portal}/servers/{sid}/")
    assert "Remove a disk queued" in flash(page)
    wait_until(
        lambda: extra["id"]
        not in [d["id"] for d in sim(simulator, f"/v2/servers/demo/{sid}")["details"]["disks"]],
        timeout=20,
        message="the disk to go",
    )

    # custom fields: the account's three fields, typed
    page.click('button[data-action="setCustomFields"]')
    page.wait_for_url(re.compile(r"/actions/setCustomFields/"))
    page.fill("#id_cf_22f002123e3b46d9a8b38ecd4c6df7f9", "CC-BROWSER")
    page.fill("#id_cf_58f83af6123846769ee6cb091ce3561e", "4711")
    page.select_option("#id_cf_a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c", "prod")
    screenshot(page, "lifecycle-custom-fields-1440")
    narrow(open_page, f"/servers/{sid}/actions/setCustomFields/", "lifecycle-custom-fields", portal)
    page.click("button[data-confirm-submit]")
    page.wait_for_url(f"{portal}/servers/{sid}/")
    assert "Custom fields saved." in flash(page)
    fields = {
        f["name"]: f["displayValue"]
        for f in sim(simulator, f"/v2/servers/demo/{sid}")["details"]["customFields"]
    }
    assert fields == {"Cost Center": "CC-BROWSER", "CMDB ID": "4711", "Environment": "Production"}
    assert "Production" in page.locator("body").inner_text()  # the server page shows the new values
    screenshot(page, "lifecycle-server-after-1440")


def test_group_settings_and_create_server_in_the_browser(portal, open_page, simulator):
    root = next(
        lk["id"]
        for lk in sim(simulator, "/v2/datacenters/demo/wa1?groupLinks=true")["links"]
        if lk["rel"] == "group"
    )
    web = next(g for g in sim(simulator, f"/v2/groups/demo/{root}")["groups"] if g["name"] == "Web")
    gid = web["id"].lower()
    page = open_page(1440, 900)
    sign_in(page, portal, next_path=f"/groups/{gid}/")

    page.click('button[data-action="setDefaults"]')
    page.wait_for_url(re.compile(r"/actions/setDefaults/"))
    assert page.locator("#id_cpu").input_value() == "2"  # Web sets its own
    page.fill("#id_cpu", "6")
    page.fill("#id_primary_dns", "8.8.8.8")
    screenshot(page, "lifecycle-defaults-1440")
    narrow(open_page, f"/groups/{gid}/actions/setDefaults/", "lifecycle-defaults", portal)
    page.click("button[data-confirm-submit]")
    page.wait_for_url(f"{portal}/groups/{gid}/")
    assert "Defaults saved." in flash(page)
    assert sim(simulator, f"/v2/groups/demo/{gid}/defaults")["cpu"] == {"value": 6, "inherited": False}

    page.click('button[data-action="setCustomFields"]')
    page.wait_for_url(re.compile(r"/actions/setCustomFields/"))
    page.select_option("#id_cf_a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c", "stage")
    page.click("button[data-confirm-submit]")
    page.wait_for_url(f"{portal}/groups/{gid}/")
    assert "Custom fields saved." in flash(page)
    values = {f["name"]: f["value"] for f in sim(simulator, f"/v2/groups/demo/{gid}")["customFields"]}
    assert values == {"Cost Center": "CC-WEB", "Environment": "stage"}

    # create a server: the group's new defaults, extra disk rows added with the button
    page.click('button[data-action="createServer"]')
    page.wait_for_url(re.compile(r"/actions/createServer/"))
    assert page.locator("#id_cpu").input_value() == "6"
    page.click("[data-add-disk]")
    assert page.locator("[data-disk-row]").count() == 2
    sizes = page.locator("input[name=disk_size]")
    paths = page.locator("input[name=disk_path]")
    sizes.nth(0).fill("20")
    paths.nth(0).fill("/data")
    sizes.nth(1).fill("10")
    page.fill("#id_name", "brw")
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_password_confirm", NEW_PASSWORD)
    screenshot(page, "lifecycle-create-server-1440")
    narrow(open_page, f"/create-server/?group={gid}", "lifecycle-create-server", portal)
    page.click("form[data-action-form] button.primary")
    page.wait_for_url(f"{portal}/groups/{gid}/")
    assert "Create server queued" in flash(page)
