"""Live activities in a real browser: the portal served by uvicorn (ASGI, so ``/events/`` streams),
a real Celery worker tracking the operations, the simulator. Power off from the server page, confirm,
and watch the server's power badge, the activity row and a toast change WITHOUT a reload; then the
same through the API with EventSource taken away (the polling fallback). Screenshots at 1280 and
375 px go to screenshots/."""

import re

import pytest

from tests.support.portal import started_servers

from ..conftest import screenshot, sign_in
from .conftest import mark, not_reloaded, start_operation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_power_off_from_the_server_page_updates_live(asgi_portal, simulator, open_page):
    simulator.control("config", speed=1, durationSeconds=3)  # long enough to watch it run
    server_id = started_servers(simulator)[0]
    page = open_page(1280)
    sign_in(page, asgi_portal, next_path=f"/servers/{server_id.lower()}/")
    badge = page.locator("h1 [data-power]")
    assert badge.text_content() == "started"

    # the activity screen, open in a second tab of the same session before the action
    monitor = page.context.new_page()
    monitor.goto(f"{asgi_portal}/activities/")
    monitor.wait_for_function("document.documentElement.dataset.live === 'sse'")
    mark(monitor)

    # power off: confirm in the dialog; the POST comes back to the server page
    page.click('button[data-action="powerOff"]')
    page.locator("dialog[open] [data-ok]").click()
    page.wait_for_url(re.compile(rf"/servers/{server_id.lower()}/$"))
    page.wait_for_function("document.documentElement.dataset.live === 'sse'")
    mark(page)
    assert badge.text_content() == "started"  # queued, not finished yet

    # the row appears on the activity screen, then runs, without a reload
    row = monitor.locator("table.activities tbody tr", has_text=server_id).first
    row.wait_for(timeout=10000)
    assert "powerOff" in row.text_content()
    monitor.wait_for_function(
        "document.querySelector('[data-count-running] [data-n]').textContent === '1'", timeout=10000
    )
    screenshot(monitor, "activities-running-1280")

    # the operation finishes: the badge turns to stopped and a toast says so, no reload
    page.wait_for_function(
        "document.querySelector('h1 [data-power]').textContent === 'stopped'", timeout=20000
    )
    assert "pw-stopped" in badge.get_attribute("class")
    toast = page.locator("#toasts .toast.succeeded")
    toast.wait_for(timeout=5000)
    assert server_id in toast.text_content() and "succeeded" in toast.text_content()
    # the buttons follow the new state (Power on offered now), still without a reload
    page.locator('button[data-action="powerOn"]').wait_for(timeout=10000)
    assert not_reloaded(page)
    screenshot(page, "server-after-power-off-1280")

    status = row.locator("[data-st]")
    monitor.wait_for_function(
        f"""() => {{ const r = [...document.querySelectorAll('table.activities tbody tr')]
            .find(tr => tr.textContent.includes('{server_id}'));
            return r && r.dataset.status === 'succeeded'; }}""",
        timeout=10000,
    )
    assert status.text_content() == "Succeeded"
    assert int(row.locator("[data-polls]").text_content()) >= 1
    assert monitor.locator("[data-count-running]").get_attribute("class").count("zero") == 1
    assert monitor.locator("[data-total]").text_content() == "1 activity"
    assert not_reloaded(monitor)
    screenshot(monitor, "activities-1280")

    # the detail page: history with each change
    monitor.click(f"table.activities tbody tr:has-text('{server_id}') .col-op a")
    monitor.wait_for_url(re.compile(r"/activities/\d+/$"))
    history = monitor.locator("[data-history] li")
    assert history.count() >= 2
    assert "succeeded" in history.last.text_content()
    screenshot(monitor, "activity-detail-1280")

    # phone width
    for p, name in ((monitor, "activity-detail-375"), (page, "server-after-power-off-375")):
        p.set_viewport_size({"width": 375, "height": 800})
        screenshot(p, name)
    monitor.goto(f"{asgi_portal}/activities/")
    monitor.set_viewport_size({"width": 375, "height": 800})
    assert monitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(monitor, "activities-375")


def test_without_eventsource_the_page_polls(asgi_portal, simulator, open_page):
    simulator.control("config", speed=1, durationSeconds=2)
    server_id = started_servers(simulator)[0]
    page = open_page(1280)
    page.add_init_script("delete window.EventSource")
    sign_in(page, asgi_portal, next_path="/activities/")
    page.wait_for_function("document.documentElement.dataset.live === 'poll'")
    mark(page)
    activity_id = start_operation(page, server_id, "powerOff")
    page.wait_for_selector(f'tr[data-activity-id="{activity_id}"]', timeout=15000)
    page.wait_for_selector(f'tr[data-activity-id="{activity_id}"][data-status="succeeded"]', timeout=25000)
    page.locator("#toasts .toast.succeeded").wait_for(timeout=5000)
    assert not_reloaded(page)
