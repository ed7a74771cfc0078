"""Fixtures of the webhook tests (a pytest plugin listed in tests/conftest.py).

* ``hook_key``: a signing key of the test module's own; ``receiver``: the DEMO account's receiver
  URL for an event (the portal trusts ``hook_key``);
* ``worker``: the worker's part of each delivery, run in this process as soon as the receiver
  hands it over (the list of delivery ids handed over); ``stream_prefix``: the account streams
  under a prefix of the test's own;
* ``relay``: the simulator's webhook deliveries to the DEMO account relayed to the portal's receiver
  (``tests.support.policies.Relay``), connected with ``demo``'s one click.
"""

import uuid

import pytest

from tests.support.portal import drop_keys
from tests.support.webhooks import SigningKey, use_keys


@pytest.fixture(scope="module")
def hook_key():
    return SigningKey()


@pytest.fixture
def stream_prefix(settings):
    prefix = f"test-hooks-{uuid.uuid4().hex[:10]}"
    settings.ACTIVITY_STREAM_PREFIX = prefix
    yield prefix
    drop_keys(settings.REDIS_URL, prefix)


@pytest.fixture
def worker(monkeypatch, django_capture_on_commit_callbacks, stream_prefix):
    from apps.webhooks import processing, tasks

    handed = []

    def run(delivery_id):
        handed.append(delivery_id)
        with django_capture_on_commit_callbacks(execute=True):
            processing.process(delivery_id)

    monkeypatch.setattr(tasks, "enqueue", run)
    return handed


@pytest.fixture
def receiver(settings, hook_key, clc_settings):
    from apps.webhooks import services

    use_keys(settings, hook_key.pem)
    connection = services.ensure_connection("DEMO")
    secret = services.secret_of(connection)
    return lambda event="Server.Updated": f"/hooks/clc/{secret}/{event.lower()}/"


@pytest.fixture
def relay(demo, settings, simulator, worker):
    from tests.support.policies import Relay

    found = Relay.connect(demo, settings, simulator)
    yield found
    found.close()
