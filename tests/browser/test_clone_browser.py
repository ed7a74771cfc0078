"""Clone from an existing server on the create-server page, in a real browser (issue #17): picking a
source fills CPU and memory with its size, hides the template and shows the source password field;
the clone is queued. Screenshots at 1440 and 375 px go to screenshots/ (git-ignored)."""

import pytest

from tests.support.portal import named_group, sim_servers

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Br0wser-clone1"


def test_clone_from_an_existing_server(portal, open_page, simulator):
    gid = named_group(simulator, "Web")["id"].lower()
    source = next(
        s
        for s in sim_servers(simulator.session("demo"))
        if s["status"] == "active" and s["locationId"] == "WA1" and s["details"]["cpu"] != 2
    )
    page = open_page(1440, 900)
    sign_in(page, portal, next_path=f"/create-server/?group={gid}")
    assert page.locator("[data-clone-password]").is_hidden()
    assert page.locator("[data-template-row]").is_visible()
    page.select_option("#id_source", source["id"])
    assert page.locator("#id_cpu").input_value() == str(source["details"]["cpu"])
    assert page.locator("#id_memory_gb").input_value() == str(source["details"]["memoryMB"] // 1024)
    assert page.locator("[data-template-row]").is_hidden()
    assert page.locator("[data-clone-password]").is_visible()
    page.fill("#id_name", "twin")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_confirm", PASSWORD)
    screenshot(page, "create-server-clone-1440")

    narrow = open_page(375, 800)
    sign_in(narrow, portal, next_path=f"/create-server/?group={gid}")
    narrow.goto(f"{portal}/create-server/?group={gid}&source={source['id'].lower()}")
    assert narrow.locator("[data-template-row]").is_hidden()
    screenshot(narrow, "create-server-clone-375")
    width = narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the create page overflows at 375 px ({width} px)"

    page.click("form[data-action-form] button.primary")
    page.wait_for_url(f"{portal}/groups/{gid}/")
    assert "Create server queued" in page.locator(".messages").inner_text()
    created = [s for s in sim_servers(simulator.session("demo")) if s["id"].startswith("WA1DEMOTWIN")]
    assert created and created[0]["osType"] == source["osType"]
