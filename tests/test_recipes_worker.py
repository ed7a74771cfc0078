"""A script holding only a personal token launches a recipe and follows its activity to the end,
tracked by a real Celery worker (the fixture of tests/test_activities_worker.py). PostgreSQL only."""

import pytest
from django.test import Client

from tests.support.portal import create_token, signed_in
from tests.support.simulator import wait_until
from tests.test_activities_worker import worker  # noqa: F401  (the real worker fixture)
from tests.test_recipes_pages import recipe_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_script_with_a_personal_token_launches_a_recipe_and_follows_it(clc_settings, simulator, worker):  # noqa: F811
    admin = signed_in("demo")
    created = admin.post("/recipes/new/", recipe_form(simulator, name="Script box", ttl_hours=""))
    assert created.status_code == 302, created.content[:500]

    browser = signed_in("operator")
    value = create_token(browser, "recipe script")

    script = Client(HTTP_AUTHORIZATION=f"Bearer {value}")  # no cookies: the token only
    [recipe] = [r for r in script.get("/api/v1/recipes/").json()["results"] if r["name"] == "Script box"]
    started = script.post(
        f"/api/v1/recipes/{recipe['id']}/launch/",
        {"name": "scr"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="recipe-script-run-1",
    )
    assert started.status_code == 202, started.content
    activity_id = started.json()["activity"]["id"]
    server_id = started.json()["server"]

    def finished():
        body = script.get(f"/api/v1/activities/{activity_id}/").json()
        return body if body["status"] in ("succeeded", "failed") else None

    body = wait_until(finished, timeout=40, interval=0.2, message="the activity to finish")
    assert body["status"] == "succeeded" and body["operation"] == "createServer"
    server = script.get(f"/api/v1/servers/{server_id}/?fresh=1").json()["server"]
    assert server["status"] == "active" and server["cpu"] == 2
