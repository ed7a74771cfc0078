"""Schemathesis against ``/api/v1/schema/``: no generated input may produce a 5xx.

Runs in-process through the WSGI app (the test database, the real middleware and DRF), signed in as
the simulator's demo user through the real ``/login/``, authenticated with a personal token made on
``/profile/tokens/``. Each operation gets a bounded number of examples so the whole run stays short.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.support.portal import create_token, signed_in

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25


@pytest.fixture
def wsgi_app(personal_token):
    # Like django.test.Client: don't let request_started/finished close the test's transaction
    # connection. After personal_token: the test Client reconnects the handlers when it's done.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def personal_token(clc_settings):
    return create_token(signed_in("demo"), "schemathesis")


def test_no_generated_input_produces_a_server_error(personal_token, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    headers = {"Authorization": f"Bearer {personal_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8, [op.label for op in operations]
    failures = []

    for operation, mode in [(op, mode) for op in operations for mode in GenerationMode]:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error], headers=headers)

        try:
            run()
        except Exception as exc:  # collect them all: one report lists every endpoint's failure
            failures.append(f"{operation.label} ({mode.value} inputs): {exc}")
    assert not failures, "\n\n".join(failures)
