"""Live activities in a real browser: the portal served by uvicorn (ASGI, so ``/events/`` streams),
a real Celery worker tracking the operations, the simulator. Power off from the server page, confirm,
and watch the server's power badge, the activity row and a toast change WITHOUT a reload; then the
same through the API with EventSource taken away (the polling fallback). Screenshots at 1280 and
375 px go to screenshots/."""

import copy
import os
import re
import socket
import threading
import uuid

import pytest
import redis
from django.db import connection

from tests.support.celery_worker import CeleryWorker, worker_env
from tests.support.simulator import wait_until

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def live_env(django_db_setup, django_db_blocker, simulator_process, tmp_path_factory):
    """Environment shared by this process (the ASGI portal) and the worker: own queue and stream."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): the worker shares the test DB")
    tag = uuid.uuid4().hex[:10]
    shared = {
        "ACTIVITY_QUEUE": f"activities-browser-{tag}",
        "ACTIVITY_STREAM_PREFIX": f"test-browser-{tag}",
        "ACTIVITY_DISPATCH_INTERVAL": "0.25",
        "ACTIVITY_SSE_HEARTBEAT_SECONDS": "2",
        # the worker invalidates the inventory cache entries the portal reads: same namespace
        "CACHE_KEY_PREFIX": f"test-brlive-{tag}",
    }
    saved = {k: os.environ.get(k) for k in shared}
    os.environ.update(shared)
    try:
        yield shared
    finally:
        r = redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
        for key in r.scan_iter(f"{shared['ACTIVITY_STREAM_PREFIX']}:*"):
            r.delete(key)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _drop_cache(prefix):
    r = redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    keys = list(r.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        r.delete(*keys)


@pytest.fixture(autouse=True)
def own_cache_namespace(settings, live_env):
    """Replaces conftest's: the portal and the worker share one namespace, emptied around each test
    (a reset simulator never meets a previous test's cached pages)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = live_env["CACHE_KEY_PREFIX"]
    settings.CACHES = caches
    _drop_cache(live_env["CACHE_KEY_PREFIX"])
    yield
    _drop_cache(live_env["CACHE_KEY_PREFIX"])


@pytest.fixture(scope="module")
def worker(live_env, simulator_process, tmp_path_factory):
    env = worker_env(connection.settings_dict, simulator_process.url, **live_env)
    w = CeleryWorker(env, live_env["ACTIVITY_QUEUE"], tmp_path_factory.mktemp("browser-worker")).start()
    yield w
    w.stop()


@pytest.fixture
def asgi_portal(live_env, worker, clc_settings, transactional_db):
    """The portal under uvicorn in a thread of this process (the test's settings and database)."""
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


def started_servers(simulator, n=2):
    session = simulator.session("demo")
    body = session.get(f"{simulator.url}/v2/datacenters/demo/wa1?groupLinks=true").json()
    root = next(link["id"] for link in body["links"] if link["rel"] == "group")

    def walk(g):
        yield g
        for c in g.get("groups", []):
            yield from walk(c)

    tree = session.get(f"{simulator.url}/v2/groups/demo/{root}").json()
    found = []
    for server_id in [link["id"] for g in walk(tree) for link in g["links"] if link["rel"] == "server"]:
        server = session.get(f"{simulator.url}/v2/servers/demo/{server_id}").json()
        if server["status"] == "active" and server["details"]["powerState"] == "started":
            found.append(server["id"])
        if len(found) == n:
            return found
    raise AssertionError("not enough started servers in WA1")


def mark(page):
    """A marker that a reload or navigation would wipe."""
    page.evaluate("window.__noReload = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def test_power_off_from_the_server_page_updates_live(asgi_portal, simulator, open_page):
    simulator.control("config", speed=1, durationSeconds=3)  # long enough to watch it run
    server_id = started_servers(simulator, 1)[0]
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
    server_id = started_servers(simulator, 1)[0]
    page = open_page(1280)
    page.add_init_script("delete window.EventSource")
    sign_in(page, asgi_portal, next_path="/activities/")
    page.wait_for_function("document.documentElement.dataset.live === 'poll'")
    mark(page)
    answer = page.evaluate(
        """async (id) => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
            const r = await fetch(`/api/v1/servers/${id}/operations/`, {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify({operation: 'powerOff'})});
            return [r.status, await r.json()];
        }""",
        server_id,
    )
    assert answer[0] == 202, answer
    activity_id = answer[1]["activity"]["id"]
    page.wait_for_selector(f'tr[data-activity-id="{activity_id}"]', timeout=15000)
    page.wait_for_selector(f'tr[data-activity-id="{activity_id}"][data-status="succeeded"]', timeout=25000)
    page.locator("#toasts .toast.succeeded").wait_for(timeout=5000)
    assert not_reloaded(page)
