"""Operations through the API, tracked by a REAL Celery worker (threads pool, embedded beat running
the dispatcher), pushed through the real ``/events/`` view. PostgreSQL only: the worker process
must share the test database (pytest-django's in-memory SQLite can't be shared)."""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
import requests
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import AsyncClient, Client

from apps.accounts.models import User
from apps.activities.models import Activity, Status
from tests.support.simulator import ROOT, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, simulator_process, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL (DATABASE_URL=postgres://...)")
    tag = uuid.uuid4().hex[:10]
    shared = {
        "ACTIVITY_QUEUE": f"activities-test-{tag}",
        "ACTIVITY_STREAM_PREFIX": f"test-events-{tag}",
        "ACTIVITY_DISPATCH_INTERVAL": "0.25",
        "ACTIVITY_SSE_HEARTBEAT_SECONDS": "0.5",
    }
    saved = {k: os.environ.get(k) for k in shared}
    os.environ.update(shared)
    tmp = tmp_path_factory.mktemp("celery")
    log_path = Path(tmp) / "worker.log"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=_database_url(connection.settings_dict),
        CLC_API_URL=simulator_process.url,
        **shared,
    )
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "threads", "-c", "4",
            "-Q", shared["ACTIVITY_QUEUE"], "-B", "-s", str(Path(tmp) / "beat-schedule"),
            "-n", f"activities-{tag}@%h", "--loglevel", "INFO",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def ready():
        if proc.poll() is not None:
            raise RuntimeError("celery worker exited:\n" + log_path.read_text()[-3000:])
        return "ready." in log_path.read_text()

    try:
        wait_until(ready, timeout=60, interval=0.1, message="the celery worker")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        r = redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
        for key in r.scan_iter(f"{shared['ACTIVITY_STREAM_PREFIX']}:*"):
            r.delete(key)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _signed_in(client, name):
    response = client.post("/login/", {"username": name, "password": name})
    assert response.status_code == 302, response.content[:300]
    return client


@pytest.fixture
def demo_api(client, clc_settings, worker):
    return _signed_in(client, "demo")


def _op_count(simulator) -> int:
    return requests.get(f"{simulator.url}/control", timeout=5).json()["operations"]


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
    assert refused.status_code == 400 and "cannot be queued" in refused.json()["message"]
    assert refused.json()["activity"]["status"] == "failed"
    notice = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOn"},
                           content_type="application/json")  # fmt: skip
    assert notice.status_code == 200 and notice.json()["outcome"] == "notice"
    bad = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "explode"},
                        content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "message" in bad.json()
    demo_api.post("/logout/")
    viewer = _signed_in(demo_api, "viewer")
    local = viewer.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                        content_type="application/json")  # fmt: skip
    assert local.status_code == 403 and "roles" in local.json()["message"]
    # Roles stale locally: the cloud's 403 is a 403 too, and nothing was queued.
    User.objects.filter(account_alias="DEMO", cloud_username__iexact="viewer").update(
        roles=["ServerOperator"]
    )
    before = _op_count(simulator)
    upstream = viewer.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                           content_type="application/json")  # fmt: skip
    assert upstream.status_code == 403 and upstream.json()["message"]
    assert _op_count(simulator) == before


def test_another_account_sees_neither_the_activity_nor_its_events(demo_api, simulator):
    response = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                             content_type="application/json")  # fmt: skip
    activity_id = response.json()["activity"]["id"]
    _wait_status(activity_id, [Status.SUCCEEDED])
    own = read_events(
        demo_api.cookies, lambda ev, hb: any(e["data"]["activity"]["id"] == activity_id for e in ev)
    )
    assert own, "demo sees its own event"
    other = _signed_in(Client(), "other")
    assert other.get(f"/api/v1/activities/{activity_id}/").status_code == 404
    assert other.get("/api/v1/activities/").json()["results"] == []
    seen = read_events(other.cookies, lambda ev, hb: hb >= 2, timeout=5)
    assert not [e for e in seen if e["event"] == "activity"]
    anonymous = Client().get("/events/")
    assert anonymous.status_code == 401


def test_idempotency_key_sends_upstream_once(demo_api, simulator):
    before = _op_count(simulator)
    url, body = "/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"}
    first = demo_api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "abc-1"})
    again = demo_api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["activity"]["id"] == again.json()["activity"]["id"] and again.json()["replayed"]
    assert _op_count(simulator) == before + 1
    assert Activity.objects.count() == 1


def test_expired_token_waits_for_signin_then_resumes(demo_api, simulator):
    simulator.control("config", durationSeconds=150)  # 3 s at speed 50
    response = demo_api.post("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"},
                             content_type="application/json")  # fmt: skip
    activity_id = response.json()["activity"]["id"]
    simulator.control("expire-tokens")
    waiting = _wait_status(activity_id, [Status.WAITING_FOR_SIGNIN, Status.SUCCEEDED])
    assert waiting.status == Status.WAITING_FOR_SIGNIN and "sign in" in waiting.error_message
    _signed_in(demo_api, "demo")
    done = _wait_status(activity_id, [Status.SUCCEEDED], timeout=30)
    assert done.error_message == ""
    history = list(done.events.values_list("to_status", flat=True))
    assert "waiting_for_signin" in history and history[-1] == "succeeded"
