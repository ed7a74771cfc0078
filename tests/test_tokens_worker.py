"""A script holding only a personal token starts an operation and follows its activity to the end,
tracked by a real Celery worker (the fixture of tests/test_activities_worker.py). PostgreSQL only."""

import pytest
from django.test import Client

from tests.support.portal import create_token, signed_in
from tests.support.simulator import wait_until
from tests.test_activities_worker import worker  # noqa: F401  (the real worker fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_script_with_a_personal_token_powers_off_and_follows_the_activity(clc_settings, worker):  # noqa: F811
    browser = signed_in("demo")
    value = create_token(browser, "power script")

    script = Client(HTTP_AUTHORIZATION=f"Bearer {value}")  # no cookies: the token only
    started = script.post(
        "/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert started.status_code == 202, started.content
    activity_id = started.json()["activity"]["id"]

    def finished():
        body = script.get(f"/api/v1/activities/{activity_id}/").json()
        return body if body["status"] in ("succeeded", "failed") else None

    body = wait_until(finished, timeout=30, interval=0.2, message="the activity to finish")
    assert body["status"] == "succeeded" and body["history"][-1]["to"] == "succeeded"
    server = script.get("/api/v1/servers/WA1DEMOWEB01/?fresh=1").json()
    assert server["server"]["power_state"] == "stopped"
