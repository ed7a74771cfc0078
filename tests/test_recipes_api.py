"""``/api/v1/recipes/``: list and detail of the account's recipes, launch with only a name (session
and personal token), bounds, names, roles, accounts, Idempotency-Key; the spec sent upstream; the
time to live sent upstream and shown (API answer, launch page, audit); a launch (page or API) cannot
override the recipe."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.recipes import services
from apps.recipes.models import Recipe
from tests.support.portal import create_token, key_of, script_client, signed_in
from tests.test_actions_clone import creates  # noqa: F401  (the create-server bodies sent upstream)
from tests.test_recipes_pages import make_recipe, sim_server, sim_servers_named

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def launch(client, recipe_id, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/v1/recipes/{recipe_id}/launch/", body, content_type="application/json", **headers
    )


def test_list_and_detail_show_the_account_recipes_only(clc_settings, simulator):
    recipe = make_recipe(simulator, allowed_roles=["ServerAdmin"])
    demo = signed_in("demo")
    [row] = demo.get("/api/v1/recipes/").json()["results"]
    assert row["id"] == recipe.pk and row["cpu"] == 2 and row["can_launch"] is True
    assert row["template"] == "UBUNTU-22-64-TEMPLATE" and row["ttl_hours"] == 24
    assert demo.get(f"/api/v1/recipes/{recipe.pk}/").json()["name"] == "Small web"
    operator = signed_in("operator")
    assert operator.get(f"/api/v1/recipes/{recipe.pk}/").json()["can_launch"] is False
    other = signed_in("other")
    assert other.get("/api/v1/recipes/").json() == {"results": []}
    for response in (
        other.get(f"/api/v1/recipes/{recipe.pk}/"),
        launch(other, recipe.pk, {"name": "x"}),
        demo.get("/api/v1/recipes/99999999999999999999/"),
        demo.get(f"/api/v1/recipes/{2**63}/"),
    ):
        assert response.status_code == 404
    assert other.get(f"/api/v1/recipes/{recipe.pk}/").json() == {"message": "Not found."}


def test_launch_with_session_is_202_with_the_activity_and_one_server_per_key(clc_settings, simulator):
    recipe = make_recipe(simulator)
    operator = signed_in("operator")
    key = str(uuid.uuid4())
    first = launch(operator, recipe.pk, {"name": "api"}, key)
    assert first.status_code == 202, first.content
    body = first.json()
    assert body["outcome"] == "queued" and body["replayed"] is False
    activity = body["activity"]
    assert activity["operation"] == "createServer" and activity["status"] in ("queued", "running")
    assert activity["user"] == "operator" and activity["resource_ids"] == [body["server"]]
    assert re.fullmatch(r"WA1DEMOAPI\d\d", body["server"])
    server = sim_server(simulator, body["server"])
    assert server["status"] == "underConstruction" and server["groupId"] == recipe.group_id

    again = launch(operator, recipe.pk, {"name": "api"}, key)
    assert again.status_code == 202 and again.json()["replayed"] is True
    assert again.json()["activity"]["id"] == activity["id"]
    assert Activity.objects.filter(operation="createServer").count() == 1
    assert len(sim_servers_named(simulator, recipe.group_id, "API")) == 1

    reused = launch(operator, recipe.pk, {"name": "other"}, key)  # same key, another launch
    assert reused.status_code == 409

    from apps.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="recipe.launch", result="success")
    assert entry.target_id == str(recipe.pk) and entry.channel == "api"
    assert entry.detail["server"] == body["server"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({"name": "big", "cpu": 16}, "unexpected field(s): cpu"),
        ({"name": "big", "groupId": "x", "memoryGB": 128}, "unexpected field(s): groupId, memoryGB"),
        ({"name": "big", "template": "WIN2019DTC-64"}, "unexpected field(s): template"),
        ({"name": "web_1"}, "letters, digits and dashes"),
        ({"name": "sevench"}, "At most 6 characters"),
        ({"name": ""}, "A name is required"),
        ({"name": 12}, "A name is required"),
        ({}, "A name is required"),
    ],
)
def test_bounds_cannot_be_overridden_and_names_are_checked(clc_settings, simulator, body, words):
    recipe = make_recipe(simulator)
    response = launch(signed_in("demo"), recipe.pk, body)
    assert response.status_code == 400 and words in response.json()["message"], response.content
    assert not Activity.objects.exists()


def test_non_object_bodies_and_bad_keys_are_400(clc_settings, simulator):
    recipe = make_recipe(simulator)
    demo = signed_in("demo")
    assert launch(demo, recipe.pk, ["web"]).status_code == 400
    assert launch(demo, recipe.pk, {"name": "web"}, key="x" * 201).status_code == 400
    assert not Activity.objects.exists()


def test_roles_and_the_recipe_audience_decide_403(clc_settings, simulator):
    recipe = make_recipe(simulator, allowed_roles=["ServerAdmin"], allowed_users=["demo"])
    viewer = launch(signed_in("viewer"), recipe.pk, {"name": "v"})
    assert viewer.status_code == 403 and "may not create servers" in viewer.json()["message"]
    operator = launch(signed_in("operator"), recipe.pk, {"name": "o"})
    assert operator.status_code == 403 and "not offered to you" in operator.json()["message"]
    assert not Activity.objects.exists()
    recipe.allowed_users = ["operator"]
    recipe.save()
    assert launch(signed_in("operator"), recipe.pk, {"name": "o"}).status_code == 202


def test_a_personal_token_launches(clc_settings, simulator):
    recipe = make_recipe(simulator)
    browser = signed_in("operator")
    page = browser.post("/profile/tokens/", {"name": "recipes"}, follow=True)
    value = re.search(r"clcp_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}", page.content.decode()).group(0)
    script = Client(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert script.get("/api/v1/recipes/").json()["results"][0]["id"] == recipe.pk
    response = launch(script, recipe.pk, {"name": "tok"})
    assert response.status_code == 202, response.content
    assert response.json()["activity"]["user"] == "operator"


def test_cloud_refusal_is_a_400_with_its_message(clc_settings, simulator):
    recipe = make_recipe(simulator)
    Recipe.objects.filter(pk=recipe.pk).update(template="GONE-TEMPLATE")  # the cloud no longer has it
    response = launch(signed_in("demo"), recipe.pk, {"name": "gone"}, str(uuid.uuid4()))
    assert response.status_code == 400 and "GONE-TEMPLATE" in response.json()["message"]


def test_spec_fixes_everything_but_the_name_and_sets_ttl_and_a_strong_password():
    recipe = Recipe(
        account_alias="DEMO",
        name="r",
        description="d",
        datacenter="WA1",
        group_id="g1",
        template="UBUNTU-22-64-TEMPLATE",
        cpu=3,
        memory_gb=6,
        network_id="n1",
        storage_type="standard",
        ttl_hours=48,
    )
    now = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
    spec = services.spec_for(recipe, "web", now=now)
    password = spec.pop("password")
    assert spec == {
        "name": "web",
        "description": "d",
        "groupId": "g1",
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 3,
        "memoryGB": 6,
        "type": "standard",
        "storageType": "standard",
        "networkId": "n1",
        "ttl": "2026-01-07T10:00:00Z",
    }
    assert len(password) == 20 and password != services.spec_for(recipe, "web")["password"]
    assert any(c.isupper() for c in password) and any(c.islower() for c in password)
    assert any(c.isdigit() for c in password) and any(c in services.SYMBOLS for c in password)
    recipe.ttl_hours = None
    recipe.network_id = ""
    assert "ttl" not in services.spec_for(recipe, "web") and "networkId" not in services.spec_for(
        recipe, "web"
    )


# --- the time to live ------------------------------------------------------------------------


def test_the_time_to_live_is_sent_upstream_and_shown(clc_settings, simulator, creates):  # noqa: F811
    r = make_recipe(simulator, ttl_hours=24)
    operator = script_client(create_token(signed_in("operator")))
    key = str(uuid.uuid4())
    before = timezone.now()
    started = launch(operator, r.pk, {"name": "ttl"}, key)
    assert started.status_code == 202, started.content
    body = started.json()
    [sent] = creates
    assert sent["ttl"] == body["ttl"]
    moment = datetime.strptime(body["ttl"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert (
        before + timedelta(hours=24) - timedelta(seconds=2) <= moment <= timezone.now() + timedelta(hours=24)
    )
    assert (sent["cpu"], sent["memoryGB"], sent["sourceServerId"]) == (2, 4, "UBUNTU-22-64-TEMPLATE")
    assert sent["groupId"] == r.group_id and sent["name"] == "ttl"

    # A retry with the same key sends nothing and answers the same time to live.
    replay = launch(operator, r.pk, {"name": "ttl"}, key)
    assert replay.status_code == 202 and replay.json()["replayed"] is True
    assert replay.json()["ttl"] == body["ttl"] and len(creates) == 1

    entry = AuditEntry.objects.get(action="recipe.launch", result="success")
    assert entry.detail["ttl"] == body["ttl"] and entry.detail["server"] == body["server"]

    # On the page: the launch says when the cloud deletes the server.
    page = signed_in("operator")
    listing = page.get("/recipes/").content.decode()
    key = key_of(listing)
    done = page.post(f"/recipes/{r.pk}/launch/", {"name": "pg", "idempotency_key": key}, follow=True)
    assert done.status_code == 200
    assert len(creates) == 2
    assert re.search(
        r"WA1DEMOPG\d\d has a time to live: the cloud deletes it at " + creates[1]["ttl"],
        done.content.decode(),
    )

    # No time to live: nothing sent, null in the answer.
    keep = make_recipe(simulator, name="Keeper", ttl_hours=None)
    kept = launch(operator, keep.pk, {"name": "keep"})
    assert kept.status_code == 202 and kept.json()["ttl"] is None
    assert "ttl" not in creates[2]


@pytest.mark.parametrize(
    "extra",
    [
        {"cpu": "16"},
        {"memory_gb": "128"},
        {"memoryGB": "128"},
        {"template": "WIN2019DTC-64"},
        {"sourceServerId": "WIN2019DTC-64"},
        {"group": "elsewhere"},
        {"groupId": "elsewhere"},
        {"ttl": "2099-01-01T00:00:00Z"},
        {"storageType": "premium"},
    ],
)
def test_a_launch_page_post_cannot_override_the_recipe(clc_settings, simulator, creates, extra):  # noqa: F811
    r = make_recipe(simulator)
    page = signed_in("operator")
    key = key_of(page.get("/recipes/").content.decode())
    refused = page.post(f"/recipes/{r.pk}/launch/", {"name": "big", "idempotency_key": key, **extra})
    assert refused.status_code == 400 and "unexpected field" in refused.content.decode()
    api = launch(signed_in("operator"), r.pk, {"name": "big", **extra})
    assert api.status_code == 400 and "unexpected field" in api.json()["message"]
    assert creates == [] and not Activity.objects.exists()
