"""Every attempt that matters leaves an audit entry: a server's password shown (and a refused
attempt, without the password in it), every throttled sign-in, a refused API group or bulk
operation. Django test client against the simulator over HTTP."""

import json
import uuid

import pytest
from django.test import Client

from apps.audit.models import AuditEntry
from tests.support.portal import named_group, sign_in, sim_operations, sim_servers, started_servers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("at", "id"))


def test_showing_a_password_is_audited_without_the_password(demo, simulator):
    session = simulator.session("demo")
    sid = next(s["id"] for s in sim_servers(session, "ca3") if s["status"] == "active").upper()
    secret = session.get(f"{simulator.url}/v2/servers/demo/{sid}/credentials").json()
    assert demo.get(f"/servers/{sid}/credentials/").status_code == 200
    assert not entries(action="server.credentials")  # the confirmation shows nothing yet
    shown = demo.post(f"/servers/{sid}/credentials/")
    assert shown.status_code == 200 and secret["password"] in shown.content.decode()
    [entry] = entries(action="server.credentials")
    assert (entry.target_type, entry.target_id, entry.result) == ("server", sid, "success")
    assert entry.username.lower() == "demo" and entry.channel == "web"
    stored = json.dumps(entry.detail)
    assert secret["password"] not in stored and secret["userName"] not in stored


@pytest.mark.parametrize("person", ["viewer", "operator"])
def test_a_refused_password_attempt_is_audited_as_denied(client, clc_settings, simulator, person):
    sign_in(client, person)
    [sid] = started_servers(simulator)
    assert client.post(f"/servers/{sid}/credentials/").status_code == 403
    [entry] = entries(action="server.credentials")
    assert (entry.target_id, entry.result, entry.username.lower()) == (sid.upper(), "denied", person)
    assert "credentials" in entry.detail["message"]


def test_every_throttled_sign_in_is_recorded(clc_settings):
    clc_settings.LOGIN_THROTTLE_ATTEMPTS = 5
    attacker = Client(REMOTE_ADDR="198.51.100.77")
    codes = [sign_in_code(attacker, "demo", f"guess-{i}") for i in range(10)]
    assert codes == [400] * 5 + [429] * 5
    recorded = entries(action="sign_in", target_id="demo")
    assert [e.result for e in recorded] == ["failure"] * 5 + ["denied"] * 5
    assert all(e.address == "198.51.100.77" for e in recorded)
    assert all("Too many sign-in attempts" in e.detail for e in recorded[5:])


def sign_in_code(client, username, password) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def test_a_refused_api_group_operation_is_audited_as_denied(client, clc_settings, simulator):
    sign_in(client, "viewer")
    group = named_group(simulator, "Web")
    before = sim_operations(simulator)
    response = client.post(
        f"/api/v1/groups/{group['id']}/operations/",
        {"operation": "powerOff"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 403, response.content
    assert sim_operations(simulator) == before
    [entry] = entries(action="group.powerOff")
    assert (entry.target_id.lower(), entry.result, entry.channel) == (group["id"].lower(), "denied", "api")


def test_a_refused_api_bulk_operation_is_audited_per_server(client, clc_settings, simulator):
    sign_in(client, "viewer")
    ids = started_servers(simulator, 2)
    before = sim_operations(simulator)
    response = client.post(
        "/api/v1/servers/operations/",
        {"operation": "reboot", "servers": ids},
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    assert sim_operations(simulator) == before
    denied = entries(action="server.reboot", result="denied")
    assert sorted(e.target_id for e in denied) == sorted(i.upper() for i in ids)
