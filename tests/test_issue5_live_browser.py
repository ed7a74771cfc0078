"""Live pages beyond power (issue #5): in a real browser, with the portal under uvicorn (ASGI, so
``/events/`` streams), a real Celery worker tracking the operations and the simulator.

* the server page follows a CPU / memory change, an archive and a delete without a reload
  (details, badges, buttons; a deleted server says so), and the data center page open in another
  tab updates that server's row in place (ticked checkbox kept; a deleted server is marked);
* the dashboard's figures and its "latest activities" follow a power off started elsewhere.

Screenshots go to screenshots/ (issue5-*.png).
"""

import copy
import os
import re
import shutil
import socket
import threading
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.support.celery_worker import CeleryWorker, worker_env
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


# --- fixtures: one ASGI portal, one worker, one browser for the module ---------------------------
@pytest.fixture(scope="module")
def live_env(django_db_setup, django_db_blocker, simulator_process):
    """Environment shared by this process (the ASGI portal) and the worker: own queue, stream and
    cache namespace (the worker drops the cache entries the portal reads)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): the worker shares the test DB")
    tag = uuid.uuid4().hex[:10]
    shared = {
        "ACTIVITY_QUEUE": f"issue5-live-{tag}",
        "ACTIVITY_STREAM_PREFIX": f"test-issue5-{tag}",
        "ACTIVITY_DISPATCH_INTERVAL": "0.25",
        "ACTIVITY_SSE_HEARTBEAT_SECONDS": "2",
        "CACHE_KEY_PREFIX": f"test-issue5-{tag}",
    }
    saved = {k: os.environ.get(k) for k in shared}
    os.environ.update(shared)
    try:
        yield shared
    finally:
        for prefix in (shared["ACTIVITY_STREAM_PREFIX"], shared["CACHE_KEY_PREFIX"]):
            _drop(prefix)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _drop(prefix):
    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        r.delete(*keys)


@pytest.fixture(autouse=True)
def shared_cache(settings, live_env):
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = live_env["CACHE_KEY_PREFIX"]
    settings.CACHES = caches
    _drop(live_env["CACHE_KEY_PREFIX"])
    yield
    _drop(live_env["CACHE_KEY_PREFIX"])


@pytest.fixture(scope="module")
def worker(live_env, simulator_process, tmp_path_factory):
    env = worker_env(connection.settings_dict, simulator_process.url, **live_env)
    w = CeleryWorker(env, live_env["ACTIVITY_QUEUE"], tmp_path_factory.mktemp("issue5-worker")).start()
    yield w
    w.stop()


@pytest.fixture
def portal(live_env, worker, clc_settings, transactional_db):
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(get_asgi_application()),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=15, interval=0.05, message="uvicorn")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
                headless=True,
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


# --- helpers -------------------------------------------------------------------------------------
def sign_in(page, base, next_path):
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_path}")


def live(page):
    page.wait_for_function("document.documentElement.dataset.live === 'sse'", timeout=15000)
    page.evaluate("window.__noReload = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def started_servers(simulator, n=1):
    session = simulator.session("demo")
    body = session.get(f"{simulator.url}/v2/datacenters/demo/wa1?groupLinks=true").json()
    root = next(link["id"] for link in body["links"] if link["rel"] == "group")

    def walk(g):
        yield g
        for child in g.get("groups", []):
            yield from walk(child)

    tree = session.get(f"{simulator.url}/v2/groups/demo/{root}").json()
    found = []
    for server_id in [link["id"] for g in walk(tree) for link in g["links"] if link["rel"] == "server"]:
        server = session.get(f"{simulator.url}/v2/servers/demo/{server_id}").json()
        if server["status"] == "active" and server["details"]["powerState"] == "started":
            found.append(server)
        if len(found) == n:
            return found
    raise AssertionError("not enough started servers in WA1")


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
def test_server_page_and_rows_follow_cpu_archive_and_delete_live(portal, simulator, page):
    simulator.control("config", speed=1, durationSeconds=2)
    server = started_servers(simulator)[0]
    sid = server["id"].upper()
    cpu, memory = server["details"]["cpu"] + 1, int(server["details"]["memoryMB"] / 1024) + 1
    sign_in(page, portal, f"/servers/{sid.lower()}/")

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
    rows.wait_for_function(
        f"{row_js(sid)}.querySelectorAll('td.num')[0].textContent === '{cpu}'", timeout=15000
    )
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


def test_dashboard_follows_an_operation_started_elsewhere(portal, simulator, page):
    simulator.control("config", speed=1, durationSeconds=2)
    server = started_servers(simulator)[0]
    sign_in(page, portal, "/")
    live(page)
    stopped = "[...document.querySelectorAll('.totals .power-list li')].find(li => li.textContent.includes('stopped')).querySelector('strong').textContent"
    before = int(page.evaluate(stopped))

    # the operation starts through the API (a script, another tab): the dashboard is not reloaded
    answer = page.evaluate(
        """async (id) => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
            const r = await fetch(`/api/v1/servers/${id}/operations/`, {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify({operation: 'powerOff'})});
            return [r.status, await r.json()];
        }""",
        server["id"],
    )
    assert answer[0] == 202, answer
    activity_id = answer[1]["activity"]["id"]
    item = page.locator(f'.latest-activities [data-activity-id="{activity_id}"]')
    item.wait_for(timeout=15000)  # the new activity shows in "Your latest activities"
    page.wait_for_selector(
        f'.latest-activities [data-activity-id="{activity_id}"][data-status="succeeded"]', timeout=20000
    )
    page.wait_for_function(f"{stopped} === '{before + 1}'", timeout=15000)
    assert not_reloaded(page)
    screenshot(page, "issue5-dashboard-live-1280")
