"""Fixtures for browser tests of live pages: the portal under uvicorn (ASGI, so ``/events/``
streams) in a thread of this process and a real Celery worker sharing the test database, queue,
event stream and inventory cache namespace, for every test module in this folder."""

import pytest
from django.db import connection

from tests.support.celery_worker import CeleryWorker, activity_environment, worker_env
from tests.support.portal import drop_keys, redis_test_url, served_asgi, use_cache_prefix


@pytest.fixture(scope="module")
def live_env(django_db_setup, django_db_blocker, simulator_process):
    """Environment shared by this process (the ASGI portal) and the worker: own queue and stream;
    the worker invalidates the inventory cache entries the portal reads, so one cache namespace."""
    with activity_environment(
        "browser", ACTIVITY_SSE_HEARTBEAT_SECONDS=2, CACHE_KEY_PREFIX="test-brlive-{tag}"
    ) as shared:
        yield shared


@pytest.fixture(autouse=True)
def own_cache_namespace(settings, live_env):
    """Replaces conftest's: the portal and the worker share one namespace, emptied around each test
    (a reset simulator never meets a previous test's cached pages)."""
    use_cache_prefix(settings, live_env["CACHE_KEY_PREFIX"])
    drop_keys(redis_test_url(), live_env["CACHE_KEY_PREFIX"])
    yield
    drop_keys(redis_test_url(), live_env["CACHE_KEY_PREFIX"])


@pytest.fixture(scope="module")
def worker(live_env, simulator_process, tmp_path_factory):
    env = worker_env(connection.settings_dict, simulator_process.url, **live_env)
    w = CeleryWorker(env, live_env["ACTIVITY_QUEUE"], tmp_path_factory.mktemp("browser-worker")).start()
    yield w
    w.stop()


@pytest.fixture
def asgi_portal(live_env, worker, clc_settings, transactional_db):
    """The portal under uvicorn in a thread of this process (the test's settings and database)."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    with served_asgi(ASGIStaticFilesHandler(get_asgi_application())) as url:
        yield url


def mark(page):
    """A marker that a reload or navigation would wipe."""
    page.evaluate("window.__noReload = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def start_operation(page, server_id: str, operation: str) -> int:
    """Start ``operation`` on the server through the portal's API from the page (a script's fetch
    with the page's session and CSRF token; the page itself does not move); asserts the 202 ->
    the new activity's id."""
    answer = page.evaluate(
        """async ([id, operation]) => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
            const r = await fetch(`/api/v1/servers/${id}/operations/`, {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify({operation})});
            return [r.status, await r.json()];
        }""",
        [server_id, operation],
    )
    assert answer[0] == 202, answer
    return answer[1]["activity"]["id"]
