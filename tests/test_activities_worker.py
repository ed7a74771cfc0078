"""Operations through the API, tracked by a REAL Celery worker (threads pool, embedded beat running
the dispatcher), pushed through the real ``/events/`` view. PostgreSQL only: the worker process
must share the test database (pytest-django's in-memory SQLite can't be shared)."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import AsyncClient, Client

from apps.accounts.models import User
from apps.activities.models import Activity, Status
from tests.support.celery_worker import CeleryWorker, activity_environment, worker_env
from tests.support.portal import sign_in, signed_in, sim_operations
from tests.support.simulator import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, simulator_process, tmp_path_factory):
    with activity_environment("events") as shared:
        env = worker_env(connection.settings_dict, simulator_process.url, **shared)
        worker = CeleryWorker(env, shared["ACTIVITY_QUEUE"], tmp_path_factory.mktemp("celery"))
        try:
            yield worker.start()
        finally:
            worker.stop()


@pytest.fixture
def demo_api(worker, demo):
    return demo


def _wait_status(activity_id, statuses, timeout=20):
    return wait_until(
        lambda: Activity.objects.filter(pk=activity_id, status__in=statuses).first(),
        timeout=timeout,
        interval=0.05,
        message=f"activity {activity_id} to reach {statuses}",
    )


def read_events(cookies, until, timeout=15.0, last_event_id="0-0"):
    """Read ``/events/`` through the real async view until ``until(events)`` or ``timeout``."""

    async def run():
        client = AsyncClient()
        client.cookies = cookies
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        response = await client.get("/events/", headers=headers)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        events, buffer, heartbeats = [], "", 0
        iterator = response.streaming_content.__aiter__()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while not until(events, heartbeats):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    chunk = await asyncio.wait_for(iterator.__anext__(), remaining)
                except TimeoutError:
                    break
                buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    if block.startswith(": heartbeat"):
                        heartbeats += 1
                        continue
                    fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if "event" in fields:
                        events.append(
                            {
                                "id": fields.get("id"),
                                "event": fields["event"],
                                "data": json.loads(fields["data"]),
                            }
                        )
        finally:
            await iterator.aclose()
            await sync_to_async(connections.close_all)()  # the view's DB thread
        return events

    return asyncio.run(run())


def test_power_off_through_the_api_is_tracked_and_pushed(demo_api, simulator):
    response = demo_api.post("/api/v1/servers/wa1demoweb01/operations/", {"operation": "powerOff"},
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 202, response.content
    activity_id = response.json()["activity"]["id"]
    assert response.json()["activity"]["status"] == "queued"

    def succeeded(events, _heartbeats):
        return any(
            e["event"] == "activity"
            and e["data"]["activity"]["id"] == activity_id
            and e["data"]["activity"]["status"] == "succeeded"
            for e in events
        )

    events = read_events(demo_api.cookies, succeeded, timeout=20)
    assert succeeded(events, 0), events
    mine = [e for e in events if e["data"]["activity"]["id"] == activity_id]
    assert all(e["data"]["mine"] for e in mine) and all(e["id"] for e in mine)
    assert mine[0]["data"]["activity"]["status"] == "queued"
    activity = Activity.objects.get(pk=activity_id)
    assert activity.status == Status.SUCCEEDED and activity.polls >= 1
    servers = simulator.session("demo").get(f"{simulator.url}/v2/servers/DEMO/WA1DEMOWEB01").json()
    assert servers["details"]["powerState"] == "stopped"
    detail = demo_api.get(f"/api/v1/activities/{activity_id}/").json()
    assert [h["to"] for h in detail["history"]][-1] == "succeeded"
    # Resuming from the last id seen gives nothing old again; a trimmed/unknown id gives resync.
    last = mine[-1]["id"]
    resumed = read_events(demo_api.cookies, lambda ev, hb: hb >= 1, timeout=5, last_event_id=last)
    assert not [e for e in resumed if e["data"].get("activity", {}).get("id") == activity_id]
    stale = read_events(demo_api.cookies, lambda ev, hb: ev, timeout=5, last_event_id="1-0")
    assert stale and stale[0]["event"] == "resync"


def test_failed_operation_gives_a_failed_activity_with_the_reason(demo_api, simulator):
    simulator.control("fail-next", count=1)
    response = demo_api.post("/api/v1/servers/operations/", {"operation": "powerOff", "servers": ["WA1DEMOWEB01"]},
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 202, response.content
    [item] = response.json()["results"]
    activity = _wait_status(item["activity"]["id"], [Status.FAILED, Status.SUCCEEDED])
    assert activity.status == Status.FAILED and "failed" in activity.error_message
    listed = demo_api.get("/api/v1/activities/?status=failed&mine=1").json()["results"]
    assert [a["id"] for a in listed] == [activity.pk]


def test_refusals_roles_and_notices(demo_api, simulator, client):
    refused = demo_api.post("/api/v1/servers/WA1NOSUCH01/operations/", {"operation": "reboot"},
                            content_type="application/json")  # fmt: skip
    # A server the account cannot read is a 404 before anything is sent (a refusal the cloud answers
    # with an errorMessage becomes a failed activity: test_activities_service, test_actions_power).
    assert refused.status_code == 404 and "WA1NOSUCH01" in refused.json()["message"]
    assert demo_api.get("/api/v1/activities/").json()["results"] == []
    notice = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOn"},
                           content_type="application/json")  # fmt: skip
    assert notice.status_code == 200 and notice.json()["outcome"] == "notice"
    bad = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "explode"},
                        content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "message" in bad.json()
    demo_api.post("/logout/")
    viewer = sign_in(demo_api, "viewer")
    local = viewer.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                        content_type="application/json")  # fmt: skip
    assert local.status_code == 403 and "roles" in local.json()["message"]
    # Roles stale locally: the cloud's 403 is a 403 too, and nothing was queued.
    User.objects.filter(account_alias="DEMO", cloud_username__iexact="viewer").update(
        roles=["ServerOperator"]
    )
    before = sim_operations(simulator)
    upstream = viewer.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                           content_type="application/json")  # fmt: skip
    assert upstream.status_code == 403 and upstream.json()["message"]
    assert sim_operations(simulator) == before


def test_another_account_sees_neither_the_activity_nor_its_events(demo_api, simulator):
    response = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                             content_type="application/json")  # fmt: skip
    activity_id = response.json()["activity"]["id"]
    _wait_status(activity_id, [Status.SUCCEEDED])
    own = read_events(
        demo_api.cookies, lambda ev, hb: any(e["data"]["activity"]["id"] == activity_id for e in ev)
    )
    assert own, "demo sees its own event"
    other = signed_in("other")
    assert other.get(f"/api/v1/activities/{activity_id}/").status_code == 404
    assert other.get("/api/v1/activities/").json()["results"] == []
    seen = read_events(other.cookies, lambda ev, hb: hb >= 2, timeout=5)
    assert not [e for e in seen if e["event"] == "activity"]
    anonymous = Client().get("/events/")
    assert anonymous.status_code == 401


def test_idempotency_key_sends_upstream_once(demo_api, simulator):
    before = sim_operations(simulator)
    url, body = "/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"}
    first = demo_api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "abc-1"})
    again = demo_api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["activity"]["id"] == again.json()["activity"]["id"] and again.json()["replayed"]
    assert sim_operations(simulator) == before + 1
    assert Activity.objects.count() == 1


def test_expired_token_waits_for_signin_then_resumes(demo_api, simulator):
    simulator.control("config", durationSeconds=150)  # 3 s at speed 50
    response = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                             content_type="application/json")  # fmt: skip
    activity_id = response.json()["activity"]["id"]
    simulator.control("expire-tokens")
    waiting = _wait_status(activity_id, [Status.WAITING_FOR_SIGNIN, Status.SUCCEEDED])
    assert waiting.status == Status.WAITING_FOR_SIGNIN and "sign in" in waiting.error_message
    sign_in(demo_api, "demo")
    done = _wait_status(activity_id, [Status.SUCCEEDED], timeout=30)
    assert done.error_message == ""
    history = list(done.events.values_list("to_status", flat=True))
    assert "waiting_for_signin" in history and history[-1] == "succeeded"
