"""Role and visibility are checked before anything goes upstream, everywhere: a viewer's POST of any
registered action (one server, servers in bulk, a group; page or API) is a 403 and another account's
POST of DEMO's ids a 404, and neither sends a single write to the cloud (every upstream call the
portal makes is watched; the simulator's operation count is unchanged)."""

import uuid

import pytest
from django.test import Client

from apps.actions import registry
from apps.audit.models import AuditEntry
from tests.support.portal import named_group, sign_in, sim_operations, started_servers, upstream_writes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


@pytest.fixture(name="upstream_writes")
def upstream_writes_fixture():
    """Every upstream call that is not a GET (sign-in excluded), as (method, path)."""
    with upstream_writes() as sent:
        yield sent


def targets(simulator):
    servers = started_servers(simulator, 2)
    group = named_group(simulator, "Web")["id"]
    return {
        "server": (f"/servers/{servers[0].lower()}/", {}),
        "servers": ("/servers/bulk/", {"ids": servers}),
        "group": (f"/groups/{group}/", {}),
    }


def post_every_action(client, simulator, prefix=""):
    """POST every registered action (confirmed, a fresh key) -> {audit action: status}."""
    answers = {}
    for kind, (route, data) in targets(simulator).items():
        kind_actions = registry.actions(kind)
        assert kind_actions, f"no registered {kind} action: nothing to refuse"
        for action in kind_actions:
            body = {**data, "confirmed": "1", "idempotency_key": str(uuid.uuid4())}
            headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if prefix else {}
            response = client.post(f"{prefix}{route}actions/{action.name}/", body, **headers)
            answers[f"{kind}.{action.name}"] = response.status_code
    return answers


def test_the_bulk_page_refuses_a_viewer_before_anything_is_sent(
    client, clc_settings, simulator, upstream_writes
):
    sign_in(client, "viewer")
    ids = started_servers(simulator, 2)
    before = sim_operations(simulator)
    response = client.post(
        "/servers/bulk/actions/pause/", {"ids": ids, "confirmed": "1", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 403, response.content[:300]
    assert "needs" in response.content.decode()  # the reason names the roles that may
    assert upstream_writes == [] and sim_operations(simulator) == before
    denied = AuditEntry.objects.filter(action="server.pause", result="denied")
    assert sorted(denied.values_list("target_id", flat=True)) == sorted(ids)


def test_the_bulk_page_answers_404_for_another_accounts_ids_and_sends_nothing(
    client, clc_settings, simulator, upstream_writes
):
    sign_in(client, "other")
    ids = started_servers(simulator, 2)
    before = sim_operations(simulator)
    response = client.post(
        "/servers/bulk/actions/pause/", {"ids": ids, "confirmed": "1", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 404, response.content[:300]
    assert upstream_writes == [] and sim_operations(simulator) == before


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize(
    ("user", "refused"), [("viewer", 403), ("other", 404)], ids=["viewer", "other-account"]
)
def test_every_action_is_refused_with_nothing_sent(
    client, clc_settings, simulator, upstream_writes, channel, user, refused
):
    """A viewer is refused (403); another account is told DEMO's ids do not exist (404)."""
    sign_in(client, user)
    before = sim_operations(simulator)
    answers = post_every_action(client, simulator, "/api/v1" if channel == "api" else "")
    assert {name: code for name, code in answers.items() if code != refused} == {}
    assert upstream_writes == [] and sim_operations(simulator) == before


# --- another account through the API's power operations -----------------------------------------
def test_another_account_cannot_act_on_our_servers_through_the_api(clc_settings, simulator):
    [server] = started_servers(simulator)
    other = sign_in(Client(), "other")
    before = sim_operations(simulator)
    one = other.post(
        f"/api/v1/servers/{server}/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    bulk = other.post(
        "/api/v1/servers/operations/",
        {"operation": "powerOff", "servers": [server]},
        content_type="application/json",
    )
    assert one.status_code == 404, one.content
    assert bulk.status_code == 404 and server.upper() in bulk.json()["message"], bulk.content
    assert sim_operations(simulator) == before
    upstream = simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server}").json()
    assert upstream["details"]["powerState"] == "started"
    # Whatever the portal recorded for them, demo's account never sees it.
    demo = sign_in(Client(), "demo")
    assert demo.get("/api/v1/activities/").json()["results"] == []
