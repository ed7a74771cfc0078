"""A script with a personal token, and what the audit keeps of it:

* A personal token acts with its person's cloud token: a viewer's token is refused (403), and when the
  portal's copy of someone's roles is stale the cloud's answer still decides.
* An expired cloud session met on an API call is audited as what it is (``sign_out.expired``), not as
  the person signing out; token refusals carry a ``message`` like every other API error.
* The audit API exports CSV to a token.
* One walk through the self-service actions (recipes, tokens, launch, power, notifications) leaves
  who / what / target / when / address / result.
"""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.recipes.models import Recipe
from tests.support.portal import create_token, named_group, script_client, signed_in
from tests.test_recipes_api import launch
from tests.test_recipes_pages import make_recipe

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def power_off(client, server_id="WA1DEMOWEB01"):
    return client.post(
        f"/api/v1/servers/{server_id}/operations/", {"operation": "powerOff"}, content_type="application/json"
    )


# --- personal tokens: the cloud's roles decide --------------------------------------------------


def test_a_viewer_token_gets_403_and_the_cloud_decides_over_stale_local_roles(clc_settings, simulator):
    r = make_recipe(simulator)
    value = create_token(signed_in("viewer"), "viewer script")
    viewer = script_client(value)

    refused = power_off(viewer)
    assert refused.status_code == 403 and "roles" in refused.json()["message"]
    refused = launch(viewer, r.pk, {"name": "v1"})
    assert refused.status_code == 403 and "may not create servers" in refused.json()["message"]

    # The portal's copy of the roles says ServerAdmin (stale, or tampered with): the request still goes
    # out with the viewer's own cloud token, and the cloud refuses it.
    User.objects.filter(cloud_username__iexact="viewer").update(roles=["ServerAdmin"])
    refused = power_off(viewer)
    assert refused.status_code == 403, refused.content
    refused = launch(viewer, r.pk, {"name": "v2"}, key=str(uuid.uuid4()))
    assert refused.status_code == 403, refused.content
    assert not Activity.objects.exists()
    server = simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/WA1DEMOWEB01").json()
    assert server["details"]["powerState"] == "started"

    denied = AuditEntry.objects.filter(username__iexact="viewer", result="denied").order_by("id")
    actions = [(e.action, e.target_id) for e in denied]
    assert actions.count(("server.powerOff", "WA1DEMOWEB01")) == 2
    assert ("recipe.launch", str(r.pk)) in actions
    # Each names the token the script used (its public part only).
    public_id = value.split("_")[1]
    for entry in denied:
        assert entry.channel == "api" and f"clcp_{public_id}" in entry.detail["token"], entry.detail
        assert value.rsplit("_", 1)[1] not in str(entry.detail)


def test_token_refusals_answer_401_with_a_message(clc_settings):
    value = create_token(signed_in("demo"))
    for header in ("Bearer clcp_AAAAAAAA_" + "A" * 40, "Token", f"Bearer {value}x"):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/recipes/")
        assert response.status_code == 401, header
        body = response.json()
        assert body["message"] and "detail" not in body  # one error shape: {"message"}


def test_an_expired_cloud_session_is_audited_as_expiry_not_as_a_sign_out(clc_settings, simulator):
    page = signed_in("demo")
    value = create_token(page)
    simulator.control("expire-tokens")
    response = script_client(value).get("/api/v1/servers/WA1DEMOWEB01/?fresh=1")
    assert response.status_code == 401 and "sign in" in response.json()["message"]
    actions = list(AuditEntry.objects.filter(username__iexact="demo").values_list("action", flat=True))
    assert "sign_out.expired" in actions and "sign_out" not in actions
    # The token works again after signing in on the portal; a real sign-out is a sign_out.
    again = signed_in("demo")
    assert script_client(value).get("/api/v1/recipes/").status_code == 200
    again.post("/logout/")
    assert AuditEntry.objects.filter(username__iexact="demo", action="sign_out").count() == 1


def test_the_audit_api_exports_csv_to_a_token(clc_settings):
    page = signed_in("demo", REMOTE_ADDR=ADDRESS)
    value = create_token(page, "=cmd|' /C calc'!A0")
    response = script_client(value).get("/api/v1/audit/?format=csv&action=token.create")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    header, row = text.strip().splitlines()  # PostgreSQL writes the CSV (COPY): lines end in \n
    assert header.startswith("at,person,account,action") and ",token.create," in row
    assert ADDRESS in row
    assert '"{""name"": ""=cmd' in row  # inside the JSON detail cell: nothing a spreadsheet evaluates


# --- one walk through every self-service action ---------------------------------------------------------------


def test_every_self_service_action_leaves_an_audit_entry(clc_settings, simulator):
    admin = signed_in("demo", REMOTE_ADDR=ADDRESS)
    group = named_group(simulator, "Default Group")["id"]
    form = {
        "name": "Walk",
        "description": "walk",
        "datacenter": "WA1",
        "group": group,
        "template": "UBUNTU-22-64-TEMPLATE",
        "cpu": "1",
        "memory_gb": "2",
        "storage_type": "standard",
        "ttl_hours": "2",
        "allowed_roles": ["AccountAdmin", "ServerAdmin", "ServerOperator"],
    }
    assert admin.post("/recipes/new/", form).status_code == 302
    r = Recipe.objects.get(name="Walk")
    assert admin.post(f"/recipes/{r.pk}/edit/", {**form, "cpu": "2"}).status_code == 302
    value = create_token(admin, "walker")
    token_id = AuditEntry.objects.get(action="token.create").target_id
    assert launch(script_client(value, REMOTE_ADDR=ADDRESS), r.pk, {"name": "walk"}).status_code == 202
    assert power_off(script_client(value, REMOTE_ADDR=ADDRESS)).status_code == 202
    prefs = {"email_enabled": "on", "email_address": "ops@example.com", "long_threshold_seconds": "60"}
    assert admin.post("/notifications/", prefs).status_code == 302
    assert admin.post(f"/profile/tokens/{token_id}/revoke/").status_code == 302
    assert admin.post(f"/recipes/{r.pk}/delete/").status_code == 302
    admin.post("/logout/")

    rows = list(AuditEntry.objects.order_by("id"))
    seen = [(e.action, e.result) for e in rows]
    for expected in [
        ("sign_in", "success"),
        ("recipe.create", "success"),
        ("recipe.update", "success"),
        ("token.create", "success"),
        ("server.createServer", "success"),
        ("recipe.launch", "success"),
        ("server.powerOff", "success"),
        ("notifications.update", "success"),
        ("token.revoke", "success"),
        ("recipe.delete", "success"),
        ("sign_out", "success"),
    ]:
        assert expected in seen, (expected, seen)
    for e in rows:
        assert e.username.lower() == "demo" and e.account_alias == "DEMO", e
        assert e.address == ADDRESS, (e.action, e.address)
        assert timezone.now() - e.at < timedelta(minutes=5)
        assert e.target_type and e.target_id, e
    by_action = {e.action: e for e in rows}
    assert by_action["server.powerOff"].channel == "api" and by_action["recipe.launch"].channel == "api"
    assert "walker" in by_action["server.powerOff"].detail["token"]
    assert by_action["recipe.launch"].detail["ttl"]
    assert by_action["notifications.update"].detail == {
        "changed": ["email_address", "email_enabled", "long_threshold_seconds"]
    }
