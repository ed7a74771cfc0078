"""Live pages beyond power (issue #5): in a real browser, with the portal under uvicorn (ASGI, so
``/events/`` streams), a real Celery worker tracking the operations and the simulator.

* the server page follows a CPU / memory change, an archive and a delete without a reload
  (details, badges, buttons; a deleted server says so), and the data center page open in another
  tab updates that server's row in place (ticked checkbox kept; a deleted server is marked);
* the dashboard's figures and its "latest activities" follow a power off started elsewhere.

Screenshots go to screenshots/ (issue5-*.png). Fixtures: tests/browser/live/conftest.py.
"""

import re

import pytest

from tests.support.portal import started_servers

from ..conftest import screenshot, sign_in
from .conftest import mark, not_reloaded, start_operation

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def live(page):
    """Wait until the page's event stream is open, then mark the page (a reload would wipe the mark)."""
    page.wait_for_function("document.documentElement.dataset.live === 'sse'", timeout=15000)
    mark(page)


def started_server(simulator) -> dict:
    server_id = started_servers(simulator)[0]
    return simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()


def row_js(server_id: str) -> str:
    return (
        "(() => { const a = document.querySelector('table.servers a[href=\"/servers/"
        + server_id.lower()
        + "/\"]'); return a && a.closest('tr'); })()"
    )


def confirm_action(page, action):
    """Click the action, confirm in the dialog, and wait for the POST's redirect back to the page."""
    page.click(f'button[data-action="{action}"]')
    with page.expect_navigation():
        page.locator("dialog[open] [data-ok]").click()


# --- tests ---------------------------------------------------------------------------------------
def test_server_page_and_rows_follow_cpu_archive_and_delete_live(asgi_portal, simulator, open_page):
    page = open_page(1280)
    portal = asgi_portal
    simulator.control("config", speed=1, durationSeconds=2)
    server = started_server(simulator)
    sid = server["id"].upper()
    cpu, memory = server["details"]["cpu"] + 1, int(server["details"]["memoryMB"] / 1024) + 1
    sign_in(page, portal, next_path=f"/servers/{sid.lower()}/")

    # the data center page, open in a second tab: the server's row ticked for a bulk action
    rows = page.context.new_page()
    rows.goto(f"{portal}/datacenters/wa1/")
    live(rows)
    box = rows.locator(f'input[name="ids"][value="{sid}"]')
    box.check()

    # CPU / memory: the form, then back on the server page; the details follow when it is done
    page.click('button[data-action="setCpuMemory"]')
    page.fill("#id_cpu", str(cpu))
    page.fill("#id_memory", str(memory))
    page.click("form.action-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/servers/{sid.lower()}/$"))
    live(page)
    page.wait_for_function(
        f"[...document.querySelectorAll('.kv dt')].some(dt => dt.textContent === 'CPU' "
        f"&& dt.nextElementSibling.textContent.trim() === '{cpu} vCPU')",
        timeout=20000,
    )
    assert f"{memory} GB" in page.locator(".kv div", has_text="Memory").first.text_content()
    assert not_reloaded(page)
    # ... and so does the row on the other tab, its checkbox still ticked
    rows.wait_for_function(f"{row_js(sid)}.cells[6].textContent === '{cpu}'", timeout=15000)
    assert box.is_checked()
    assert not_reloaded(rows)

    # archive: confirmed in the dialog; the page turns into an archived server's (Restore offered)
    confirm_action(page, "archive")
    live(page)
    page.locator('button[data-action="restore"]').wait_for(timeout=20000)
    assert "archived" in page.locator("h1").text_content()
    assert page.locator('button[data-action="powerOff"]').count() == 0
    assert not_reloaded(page)
    rows.wait_for_function(
        f"(() => {{ const r = {row_js(sid)}; return r && (r.dataset.s === 'archived' || r.dataset.gone); }})()",
        timeout=15000,
    )
    assert not_reloaded(rows)
    screenshot(page, "issue5-server-archived-live-1280")

    # delete: the page says the server was deleted, its buttons are gone; the row is marked
    confirm_action(page, "delete")
    live(page)
    banner = page.locator("[data-live-gone]")
    banner.wait_for(timeout=20000)
    assert "was deleted" in banner.text_content()
    assert page.locator(".action-bar").count() == 0
    assert not_reloaded(page)
    rows.wait_for_function(
        f"(() => {{ const r = {row_js(sid)}; return r && r.dataset.gone === 'delete'; }})()", timeout=15000
    )
    assert rows.locator(f'input[name="ids"][value="{sid}"]').count() == 0  # not selectable any more
    assert not_reloaded(rows)
    screenshot(page, "issue5-server-deleted-live-1280")
    screenshot(rows, "issue5-datacenter-rows-live-1280")


def test_dashboard_follows_an_operation_started_elsewhere(asgi_portal, simulator, open_page):
    page = open_page(1280)
    portal = asgi_portal
    simulator.control("config", speed=1, durationSeconds=2)
    server = started_server(simulator)
    sign_in(page, portal, next_path="/")
    live(page)
    stopped = "[...document.querySelectorAll('.totals .power-list li')].find(li => li.textContent.includes('stopped')).querySelector('strong').textContent"
    before = int(page.evaluate(stopped))

    # the operation starts through the API (a script, another tab): the dashboard is not reloaded
    activity_id = start_operation(page, server["id"], "powerOff")
    item = page.locator(f'.latest-activities [data-activity-id="{activity_id}"]')
    item.wait_for(timeout=15000)  # the new activity shows in "Your latest activities"
    page.wait_for_selector(
        f'.latest-activities [data-activity-id="{activity_id}"][data-status="succeeded"]', timeout=20000
    )
    page.wait_for_function(f"{stopped} === '{before + 1}'", timeout=15000)
    assert not_reloaded(page)
    screenshot(page, "issue5-dashboard-live-1280")
