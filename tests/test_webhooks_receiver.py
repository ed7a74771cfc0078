"""The webhook receiver (``/hooks/clc/<secret>/<event>/``) and what a delivery changes, with the
worker's part run in this process right after each delivery (``worker`` fixture): signatures,
refusals (401, audited, nothing else), copies, replays and late deliveries, the precise
invalidation of what people see, and external activities on the activity screen.

Deliveries here are signed with a key of the test's own; the payloads are the simulator's server
bodies (what its deliveries carry). tests/test_webhooks_live.py has the simulator deliver them.
"""

import csv
import io
import uuid

import pytest

from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.webhooks.models import Delivery
from tests.support.portal import served_calls, signed_in, text_of
from tests.support.simulator import wait_until
from tests.support.webhooks import SigningKey, body_of, deliver, now_iso, server_payload, use_keys
from tests.test_inventory_selectors import power_off

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def started(demo) -> dict:
    rows = demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
    return next(r for r in rows if r["power_state"] == "started" and r["status"] == "active")


def row(demo, server_id):
    rows = demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
    return next((r for r in rows if r["id"] == server_id), None)


def external_rows(client, query="") -> list[dict]:
    response = client.get(f"/activities/?scope=team&format=csv{query}")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return [r for r in rows if r["origin"] == "external"]


# --- a change made elsewhere ---------------------------------------------------------------------
def test_a_change_made_elsewhere_refreshes_that_row_only_and_shows_on_the_activity_screen(
    demo, simulator, receiver, hook_key, worker
):
    victim = started(demo)
    assert served_calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 0  # warm
    operator = signed_in("operator")
    assert served_calls(operator.get("/api/v1/datacenters/WA1/servers/")) == 2  # root group id, detailed tree
    power_off(simulator, victim["id"])  # another client, straight at the cloud
    assert row(demo, victim["id"])["power_state"] == "started"  # nobody told the portal yet

    payload = server_payload(simulator.session("demo"), victim["id"])
    answer = deliver(demo, receiver(), payload, hook_key)
    assert answer.status_code == 202 and answer.json()["status"] == "accepted"

    # Every person's cached view reads that one server again, and only it.
    for person in (demo, operator):
        response = person.get("/api/v1/datacenters/WA1/servers/")
        assert served_calls(response) == 1
        assert (
            next(r for r in response.json()["results"] if r["id"] == victim["id"])["power_state"] == "stopped"
        )
        assert served_calls(person.get("/api/v1/datacenters/WA1/servers/")) == 0

    # The activity screen shows it as an external change: who and what, as far as the payload says.
    page = text_of(demo.get("/activities/?scope=team"))
    assert "Server.Updated" in page and "external" in page and victim["id"] in page
    [external] = external_rows(demo)
    assert external["operation"] == "Server.Updated" and external["resources"] == victim["id"]
    assert external["person"] == payload["changeInfo"]["modifiedBy"]  # who, as far as it says
    assert "power stopped" in external["summary"]
    assert external_rows(demo, "&origin=external") and not external_rows(demo, "&origin=portal")
    assert not Activity.objects.filter(origin="external", user__isnull=False).exists()  # nobody's here

    # Its next change says what changed.
    power_on = simulator.session("demo").post(
        f"{simulator.url}/v2/operations/demo/servers/powerOn", json=[victim["id"]]
    )
    assert power_on.status_code == 200
    wait_until(
        lambda: server_payload(simulator.session("demo"), victim["id"])["details"]["powerState"] == "started",
        timeout=20,
        message="the power on",
    )
    deliver(demo, receiver(), server_payload(simulator.session("demo"), victim["id"]), hook_key)
    newest = external_rows(demo)[0]
    assert newest["summary"] == "power stopped → started"


def test_created_and_deleted_elsewhere_appear_and_go_with_the_tree_counts(
    demo, simulator, receiver, hook_key, worker
):
    session = simulator.session("demo")
    view = demo.get("/datacenters/wa1/")
    assert view.status_code == 200
    web = next(
        g for g in demo.get("/api/v1/datacenters/WA1/servers/").json()["results"] if g["group_name"] == "Web"
    )
    group_id = web["group_id"]
    before = demo.get(f"/api/v1/datacenters/WA1/servers/?group={group_id}").json()["count"]

    answer = session.post(
        f"{simulator.url}/v2/servers/demo",
        json={"name": "HOOK", "groupId": group_id, "sourceServerId": "UBUNTU-22-64-TEMPLATE", "cpu": 1,
              "memoryGB": 1, "type": "standard"},
    ).json()  # fmt: skip
    status = next(link["href"] for link in answer["links"] if link["rel"] == "status")
    wait_until(lambda: session.get(f"{simulator.url}{status}").json()["status"] == "succeeded", timeout=20)
    by_uuid = next(link["href"] for link in answer["links"] if link["rel"] == "self")
    new_id = session.get(f"{simulator.url}{by_uuid}").json()["id"].upper()

    deliver(demo, receiver("Server.Created"), server_payload(session, new_id, "Server.Created"), hook_key)
    response = demo.get(f"/api/v1/datacenters/WA1/servers/?group={group_id}")
    assert served_calls(response) == 1  # the new server only; the tree is patched, not read again
    assert response.json()["count"] == before + 1
    page = demo.get("/datacenters/wa1/")
    assert served_calls(page) == 0 and new_id in page.content.decode()

    assert session.delete(f"{simulator.url}/v2/servers/demo/{new_id}").status_code == 202
    wait_until(
        lambda: session.get(f"{simulator.url}/v2/servers/demo/{new_id}").status_code == 404, timeout=20
    )
    deliver(demo, receiver("Server.Deleted"), server_payload(session, new_id, "Server.Deleted"), hook_key)
    response = demo.get(f"/api/v1/datacenters/WA1/servers/?group={group_id}")
    assert served_calls(response) == 0  # a deleted server is dropped without asking
    assert response.json()["count"] == before
    operations = [r["operation"] for r in external_rows(demo)]
    assert operations == ["Server.Deleted", "Server.Created"]


def test_the_dashboard_and_the_server_page_follow(demo, simulator, receiver, hook_key, worker):
    victim = started(demo)
    assert demo.get("/").status_code == 200
    assert served_calls(demo.get(f"/api/v1/servers/{victim['id']}/")) == 2
    board = demo.get("/api/v1/datacenters/").json()["results"]
    wa1 = next(d for d in board if d["id"] == "WA1")
    power_off(simulator, victim["id"])
    deliver(demo, receiver(), server_payload(simulator.session("demo"), victim["id"]), hook_key)

    response = demo.get("/api/v1/datacenters/")
    assert served_calls(response) == 2  # the changed server + WA1's cost; the other data centers are kept
    after = next(d for d in response.json()["results"] if d["id"] == "WA1")
    assert after["power"]["stopped"] == wa1["power"]["stopped"] + 1
    detail = demo.get(f"/api/v1/servers/{victim['id']}/")
    assert served_calls(detail) == 2 and detail.json()["server"]["power_state"] == "stopped"
    other = next(
        r
        for r in demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
        if r["id"] != victim["id"] and r["status"] == "active"
    )
    assert served_calls(demo.get(f"/api/v1/servers/{other['id']}/")) == 2  # never cached: cold
    assert served_calls(demo.get(f"/api/v1/servers/{other['id']}/")) == 0


# --- refusals ----------------------------------------------------------------------------------
def test_a_bad_or_missing_signature_is_refused_audited_and_changes_nothing(
    demo, simulator, receiver, hook_key, worker
):
    victim = started(demo)
    power_off(simulator, victim["id"])
    payload = server_payload(simulator.session("demo"), victim["id"])
    forged = SigningKey()
    body = body_of(payload)

    answers = [
        deliver(demo, receiver(), payload, forged),  # another key
        deliver(demo, receiver(), payload, None),  # no signature
        deliver(demo, receiver(), body + b" ", None, signature=hook_key.sign(body)),  # altered body
        deliver(demo, receiver(), payload, None, signature="bm90IGEgc2lnbmF0dXJl"),  # garbage
    ]
    for answer in answers:
        assert answer.status_code == 401 and "nothing was done" in answer.json()["message"]
    assert worker == []  # nothing handed to the worker
    assert row(demo, victim["id"])["power_state"] == "started"  # the view was not told anything
    assert not Activity.objects.filter(origin="external").exists()
    audited = AuditEntry.objects.filter(action="webhooks.delivery", result="denied", account_alias="DEMO")
    assert audited.count() == 4
    assert {e.detail["reason"] for e in audited} == {"bad_signature", "missing_signature"}
    # Nobody's act, through the cloud's webhook channel (``record(channel="webhook", account_alias=)``).
    assert {(e.channel, e.username, e.user_id, e.target_type, e.target_id) for e in audited} == {
        ("webhook", "", None, "webhooks", "DEMO")
    }
    assert {e.detail["event"] for e in audited} == {"Server.Updated"}

    # The admin page lists them with their verification result.
    page = text_of(demo.get("/webhooks/"))
    assert "bad signature" in page and "no signature" in page and "Refused (24 h) 4" in page


def test_the_receiver_is_bounded(demo, receiver, hook_key, worker, settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # no session, no CSRF token: the cloud has neither
    payload = {"accountAlias": "DEMO", "name": "WA1DEMOWEB01", "eventId": uuid.uuid4().hex}
    assert client.get(receiver()).status_code == 405
    assert deliver(client, "/hooks/clc/not-a-secret/server.updated/", payload, hook_key).status_code == 404
    assert deliver(client, receiver("Server.Exploded"), payload, hook_key).status_code == 404
    settings.WEBHOOK_MAX_BODY_BYTES = 200
    big = {**payload, "padding": "x" * 300}
    assert deliver(client, receiver(), big, hook_key).status_code == 413
    settings.WEBHOOK_MAX_BODY_BYTES = 256 * 1024
    not_json = b"[1, 2"
    answer = deliver(client, receiver(), not_json, hook_key)
    assert answer.status_code == 400 and "message" in answer.json()
    assert deliver(client, receiver("Server.Deleted"), payload, hook_key).status_code == 202


def test_keys_rotate_without_losing_a_delivery(demo, simulator, receiver, hook_key, worker, settings):
    new_key = SigningKey()
    use_keys(settings, hook_key.pem, new_key.pem)  # during the rotation: both
    victim = started(demo)
    for key in (hook_key, new_key):
        answer = deliver(demo, receiver(), server_payload(simulator.session("demo"), victim["id"]), key)
        assert answer.status_code == 202
    fingerprints = set(Delivery.objects.values_list("key_fingerprint", flat=True))
    assert len(fingerprints) == 2
    use_keys(settings, new_key.pem)  # the old one retired
    answer = deliver(demo, receiver(), server_payload(simulator.session("demo"), victim["id"]), hook_key)
    assert answer.status_code == 401


# --- copies, replays, late deliveries ----------------------------------------------------------
def test_copies_and_replays_change_nothing_twice(demo, simulator, receiver, hook_key, worker):
    victim = started(demo)
    power_off(simulator, victim["id"])
    payload = server_payload(simulator.session("demo"), victim["id"])
    first = deliver(demo, receiver(), payload, hook_key)
    assert first.status_code == 202
    assert served_calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 1
    again = deliver(demo, receiver(), payload, hook_key)  # the cloud's retry, a duplicate, a replay
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["delivery"] == first.json()["delivery"]  # the copy names the delivery it repeats
    assert len(worker) == 1
    assert served_calls(demo.get("/api/v1/datacenters/WA1/servers/")) == 0
    assert len(external_rows(demo)) == 1
    # The real cloud sends no eventId: the same bytes are the same delivery.
    del payload["eventId"]
    deliver(demo, receiver(), payload, hook_key)
    assert deliver(demo, receiver(), payload, hook_key).json()["status"] == "duplicate"
    assert len(worker) == 2
    page = text_of(demo.get("/webhooks/"))
    assert "1 copy ignored" in page
    assert "Verified (24 h) 2 " in page and "Copies ignored 2 " in page and "Waiting 0 " in page


def test_a_late_older_change_never_moves_the_view_back(demo, simulator, receiver, hook_key, worker):
    session = simulator.session("demo")
    victim = started(demo)
    older = server_payload(session, victim["id"], at=now_iso(-60))  # taken while it ran...
    power_off(simulator, victim["id"])
    newer = server_payload(session, victim["id"])  # ...then stopped
    assert deliver(demo, receiver(), newer, hook_key).status_code == 202
    assert row(demo, victim["id"])["power_state"] == "stopped"
    assert deliver(demo, receiver(), older, hook_key).status_code == 202  # arrives late
    response = demo.get("/api/v1/datacenters/WA1/servers/")
    assert served_calls(response) == 0  # nothing was invalidated
    assert next(r for r in response.json()["results"] if r["id"] == victim["id"])["power_state"] == "stopped"
    statuses = list(Delivery.objects.order_by("received_at").values_list("status", flat=True))
    assert statuses == ["applied", "stale"]
    # Both happened: the activity screen lists them in the order they happened.
    rows = external_rows(demo)
    assert [r["summary"].startswith("updated") or "power" in r["summary"] for r in rows] == [True, True]
    assert rows[0]["created_at"] > rows[1]["created_at"]

    # A deletion, then a change from before it: the server stays gone.
    assert session.delete(f"{simulator.url}/v2/servers/demo/{victim['id']}").status_code == 202
    wait_until(
        lambda: session.get(f"{simulator.url}/v2/servers/demo/{victim['id']}").status_code == 404, timeout=20
    )
    deliver(
        demo, receiver("Server.Deleted"), server_payload(session, victim["id"], "Server.Deleted"), hook_key
    )
    assert row(demo, victim["id"]) is None
    late = dict(newer, eventId=uuid.uuid4().hex, eventTime=now_iso(-30))
    deliver(demo, receiver(), late, hook_key)
    response = demo.get("/api/v1/datacenters/WA1/servers/")
    assert served_calls(response) == 0 and row(demo, victim["id"]) is None


def test_a_change_the_portal_started_is_its_tracked_activity_not_an_external_one(
    demo, simulator, receiver, hook_key, worker
):
    from tests.support.portal import key_of

    victim = started(demo)
    page = demo.get(f"/servers/{victim['id'].lower()}/actions/powerOff/")
    answer = demo.post(
        f"/servers/{victim['id'].lower()}/actions/powerOff/",
        {"idempotency_key": key_of(page.content.decode()), "confirmed": "1"},
    )
    assert answer.status_code == 302
    tracked = Activity.objects.get(operation="powerOff")
    wait_until(
        lambda: server_payload(simulator.session("demo"), victim["id"])["details"]["powerState"] == "stopped",
        timeout=20,
    )
    deliver(demo, receiver(), server_payload(simulator.session("demo"), victim["id"]), hook_key)
    delivery = Delivery.objects.get()
    assert delivery.activity_id == tracked.pk and delivery.status == "applied"
    assert not Activity.objects.filter(origin="external").exists()
    assert row(demo, victim["id"])["power_state"] == "stopped"
