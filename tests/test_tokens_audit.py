"""Issue 6 review: the gaps the first round of tests left open.

* A personal token acts with its person's cloud token: a viewer's token is refused (403), and when the
  portal's copy of someone's roles is stale the cloud's answer still decides.
* A recipe's time to live is really sent upstream (the create-server ``ttl`` field), and shown: in the
  API answer, after a launch on the page, and in the audit entry.
* An expired cloud session met on an API call is audited as what it is (``sign_out.expired``), not as
  the person signing out; token refusals carry a ``message`` like every other API error.
* The audit API documents its 401 and its CSV answer with examples; no endpoint loses an example.
* One walk through every issue-6 action leaves who / what / target / when / address / result.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.clc.client import ClcClient
from apps.recipes.models import Recipe
from tests.support.portal import signed_in

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"clcp_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}")
ADDRESS = "203.0.113.7"


def make_token(client, name="script") -> str:
    response = client.post("/profile/tokens/", {"name": name}, follow=True)
    assert response.redirect_chain == [("/profile/tokens/", 303)], response.content[:300]
    return TOKEN.search(response.content.decode()).group(0)


def script(value: str, **options) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {value}", **options)


def default_group_id(simulator) -> str:
    session = simulator.session("demo")
    dc = session.get(f"{simulator.url}/v2/datacenters/demo/wa1?groupLinks=true").json()
    root = next(link["id"] for link in dc["links"] if link["rel"] == "group")
    tree = session.get(f"{simulator.url}/v2/groups/demo/{root}").json()

    def walk(group):
        yield group
        for child in group.get("groups", []):
            yield from walk(child)

    return next(g["id"] for g in walk(tree) if g["name"] == "Default Group")


def recipe(simulator, **overrides) -> Recipe:
    fields = {
        "account_alias": "DEMO",
        "name": "Small web",
        "description": "web node",
        "datacenter": "WA1",
        "group_id": default_group_id(simulator),
        "group_name": "Default Group",
        "template": "UBUNTU-22-64-TEMPLATE",
        "cpu": 2,
        "memory_gb": 4,
        "storage_type": "standard",
        "ttl_hours": 24,
        "allowed_roles": ["AccountAdmin", "ServerAdmin", "ServerOperator"],
    }
    fields.update(overrides)
    return Recipe.objects.create(**fields)


def launch(client, recipe_id, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/v1/recipes/{recipe_id}/launch/", body, content_type="application/json", **headers
    )


def power_off(client, server_id="WA1DEMOWEB01"):
    return client.post(
        f"/api/v1/servers/{server_id}/operations/", {"operation": "powerOff"}, content_type="application/json"
    )


@pytest.fixture
def creates(monkeypatch):
    """The bodies of the create-server calls the portal sends upstream."""
    sent = []
    original = ClcClient.request

    def spy(self, method, path, *args, **kwargs):
        if method.upper() == "POST" and re.fullmatch(r"/v2/servers/\{alias\}/?", path):
            sent.append(kwargs.get("json"))
        return original(self, method, path, *args, **kwargs)

    monkeypatch.setattr(ClcClient, "request", spy)
    return sent


# --- personal tokens: the cloud's roles decide --------------------------------------------------


def test_a_viewer_token_gets_403_and_the_cloud_decides_over_stale_local_roles(clc_settings, simulator):
    r = recipe(simulator)
    value = make_token(signed_in("viewer"), "viewer script")
    viewer = script(value)

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
    value = make_token(signed_in("demo"))
    for header in ("Bearer clcp_AAAAAAAA_" + "A" * 40, "Token", f"Bearer {value}x"):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/recipes/")
        assert response.status_code == 401, header
        body = response.json()
        assert body["message"] and "detail" not in body  # one error shape: {"message"}


def test_an_expired_cloud_session_is_audited_as_expiry_not_as_a_sign_out(clc_settings, simulator):
    page = signed_in("demo")
    value = make_token(page)
    simulator.control("expire-tokens")
    response = script(value).get("/api/v1/servers/WA1DEMOWEB01/?fresh=1")
    assert response.status_code == 401 and "sign in" in response.json()["message"]
    actions = list(AuditEntry.objects.filter(username__iexact="demo").values_list("action", flat=True))
    assert "sign_out.expired" in actions and "sign_out" not in actions
    # The token works again after signing in on the portal; a real sign-out is a sign_out.
    again = signed_in("demo")
    assert script(value).get("/api/v1/recipes/").status_code == 200
    again.post("/logout/")
    assert AuditEntry.objects.filter(username__iexact="demo", action="sign_out").count() == 1


# --- recipes: time to live ------------------------------------------------------------------------


def test_the_time_to_live_is_sent_upstream_and_shown(clc_settings, simulator, creates):
    r = recipe(simulator, ttl_hours=24)
    operator = script(make_token(signed_in("operator")))
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
    key = re.search(r'name="idempotency_key" value="([^"]+)"', listing).group(1)
    done = page.post(f"/recipes/{r.pk}/launch/", {"name": "pg", "idempotency_key": key}, follow=True)
    assert done.status_code == 200
    assert len(creates) == 2
    assert re.search(
        r"WA1DEMOPG\d\d has a time to live: the cloud deletes it at " + creates[1]["ttl"],
        done.content.decode(),
    )

    # No time to live: nothing sent, null in the answer.
    keep = recipe(simulator, name="Keeper", ttl_hours=None)
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
def test_a_launch_page_post_cannot_override_the_recipe(clc_settings, simulator, creates, extra):
    r = recipe(simulator)
    page = signed_in("operator")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.get("/recipes/").content.decode()).group(
        1
    )
    refused = page.post(f"/recipes/{r.pk}/launch/", {"name": "big", "idempotency_key": key, **extra})
    assert refused.status_code == 400 and "unexpected field" in refused.content.decode()
    api = launch(signed_in("operator"), r.pk, {"name": "big", **extra})
    assert api.status_code == 400 and "unexpected field" in api.json()["message"]
    assert creates == [] and not Activity.objects.exists()


# --- the schema --------------------------------------------------------------------------------

# Responses documented without an example, in endpoints outside the issue-6 apps (the review's report
# proposes the fix). The set may only shrink: a new endpoint or response without an example fails.
KNOWN_WITHOUT_EXAMPLE = {
    ("activities_list", "401"),
    ("activity_detail", "401"),
    ("group_detail", "200"),
    ("group_operation_start", "200"),
    ("group_operation_start", "202"),
    ("server_detail", "200"),
    ("server_operation_start", "200"),
    ("server_operation_start", "404"),
    ("servers_operation_start", "200"),
    ("servers_operation_start", "202"),
}


def test_every_documented_response_has_an_example(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    missing = set()
    for item in schema["paths"].values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    if "examples" not in content and "example" not in content:
                        missing.add((operation["operationId"], code))
    assert missing <= KNOWN_WITHOUT_EXAMPLE, sorted(missing - KNOWN_WITHOUT_EXAMPLE)

    audit = schema["paths"]["/api/v1/audit/"]["get"]["responses"]
    assert set(audit["200"]["content"]) == {"application/json", "text/csv"}
    assert audit["200"]["content"]["text/csv"]["examples"]
    assert {"CloudSessionExpired", "BadToken"} <= set(audit["401"]["content"]["application/json"]["examples"])
    launch_202 = schema["paths"]["/api/v1/recipes/{recipe_id}/launch/"]["post"]["responses"]["202"]
    ref = launch_202["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "ttl" in schema["components"]["schemas"][ref]["properties"]


def test_the_audit_api_exports_csv_to_a_token(clc_settings):
    page = signed_in("demo", REMOTE_ADDR=ADDRESS)
    value = make_token(page, "=cmd|' /C calc'!A0")
    response = script(value).get("/api/v1/audit/?format=csv&action=token.create")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    header, row = text.strip().split("\r\n")
    assert header.startswith("at,person,account,action") and ",token.create," in row
    assert ADDRESS in row
    assert '"{""name"": ""=cmd' in row  # inside the JSON detail cell: nothing a spreadsheet evaluates


# --- one walk through every action ---------------------------------------------------------------


def test_every_issue6_action_leaves_an_audit_entry(clc_settings, simulator):
    admin = signed_in("demo", REMOTE_ADDR=ADDRESS)
    group = default_group_id(simulator)
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
    value = make_token(admin, "walker")
    token_id = AuditEntry.objects.get(action="token.create").target_id
    assert launch(script(value, REMOTE_ADDR=ADDRESS), r.pk, {"name": "walk"}).status_code == 202
    assert power_off(script(value, REMOTE_ADDR=ADDRESS)).status_code == 202
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


def test_the_team_page_links_the_last_activity_to_its_page(clc_settings):
    page = signed_in("demo")
    demo = User.objects.get(cloud_username__iexact="demo")
    activity = Activity.objects.create(
        user=demo, account_alias="DEMO", operation="reboot", resource_ids=["WA1DEMOWEB01"]
    )
    body = page.get("/team/").content.decode()
    assert f'href="/activities/{activity.pk}/">reboot (queued)</a>' in body
    assert page.get(f"/activities/{activity.pk}/").status_code == 200
