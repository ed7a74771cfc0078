"""Fixtures the portal's tests share (a pytest plugin listed in tests/conftest.py).

A module that wants a cache namespace of its own for every test says so once:

    pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]
"""

import uuid

import pytest

from tests.support.portal import drop_keys, sign_in, use_cache_prefix


@pytest.fixture
def own_cache_namespace(settings):
    """A cache namespace per test: parallel workers never share entries (throttle counters, cached
    pages) and a reset simulator never meets a previous test's cached pages. Yields the key prefix;
    its keys are deleted after the test."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    use_cache_prefix(settings, prefix)
    yield prefix
    drop_keys(settings.REDIS_URL, prefix)


@pytest.fixture
def demo(client, clc_settings):
    """pytest-django's ``client``, signed in as demo through the real /login/ view."""
    return sign_in(client, "demo")


@pytest.fixture
def warm_topbar(demo):
    """``demo`` with the top bar's data center list read once: it is cached per person (not per
    change), so the call counts after an ``invalidate_account`` leave it out. Everything else is cold."""
    from apps.inventory.cache import invalidate_account

    demo.get("/activities/")
    invalidate_account("DEMO")
    return demo


@pytest.fixture
def api(simulator):
    """The simulator API tests' caller: ``api(method, path, session=demo, **kwargs)`` is a request to
    the test simulator, as demo unless another session is given. (A module of the portal's API tests
    may define an ``api`` of its own: it takes precedence there.)"""
    demo = simulator.session("demo")

    def call(method, path, session=demo, **kwargs):
        return session.request(method, f"{simulator.url}{path}", timeout=10, **kwargs)

    return call


@pytest.fixture
def fast(simulator):
    """The test simulator with operations of ~0.1 s, for tests that are not about durations."""
    simulator.control("config", durationSeconds=5)
    return simulator


@pytest.fixture
def slow(simulator):
    """The test simulator with queued operations of an hour of simulator time: they finish only when
    the test moves the clock (``tests.support.networks.finish_queue``)."""
    from tests.support.networks import slow_queue  # builds the demo seed: only when asked for

    return slow_queue(simulator)
