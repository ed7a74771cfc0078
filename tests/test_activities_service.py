"""The activities core in-process: starting operations, the compare-and-set poll, the dispatcher's
claim (one dispatch polls many status links at once), idempotency, sign-in resume, and the tracking's
Celery messages (ids only, never a token). (The real Celery worker runs in test_activities_worker.py.)"""

import json
import threading
import time
import uuid

import pytest
import requests
from celery.signals import before_task_publish
from django.db import connection

from apps.accounts import crypto
from apps.accounts.models import CloudToken
from apps.accounts.services import authenticate_with_cloud
from apps.actions.idempotency import IdempotencyConflict
from apps.actions.services import start_operation
from apps.activities import tasks, tracking
from apps.activities.models import Activity, ActivityEvent, Status
from apps.clc import operations as clc_operations
from portal.celery import app
from tests.support.portal import sign_in, sim_operations, started_servers
from tests.support.simulator import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(clc_settings):
    return authenticate_with_cloud("demo", "demo")


def _sweep_until(activity_id, statuses, timeout=10):
    def done():
        tracking.dispatch()
        activity = Activity.objects.get(pk=activity_id)
        return activity if activity.status in statuses else None

    return wait_until(done, timeout=timeout, interval=0.05, message=f"activity in {statuses}")


def test_power_off_is_tracked_until_it_succeeds(demo, simulator):
    [result] = start_operation(demo, "powerOff", ["wa1demoweb01"])
    assert result.outcome == "queued"
    activity = result.activity
    assert activity.status == Status.QUEUED and activity.status_id and activity.account_alias == "DEMO"
    assert activity.resource_ids == ["WA1DEMOWEB01"] and activity.next_poll_at is not None
    done = _sweep_until(activity.pk, {Status.SUCCEEDED})
    assert done.finished_at and done.started_at and done.polls >= 1 and done.next_poll_at is None
    history = list(ActivityEvent.objects.filter(activity=activity).values_list("to_status", flat=True))
    assert history[0] == "queued" and history[-1] == "succeeded"
    server = simulator.session("demo").get(f"{simulator.url}/v2/servers/DEMO/WA1DEMOWEB01").json()
    assert server["details"]["powerState"] == "stopped"


def test_already_in_state_is_a_notice_and_refusal_a_failed_activity(demo, simulator):
    [first] = start_operation(demo, "powerOn", ["WA1DEMOWEB01"])
    assert first.outcome == "notice" and first.activity is None
    [refused] = start_operation(demo, "reboot", ["WA1NOSUCH99"])
    assert refused.outcome == "error" and refused.activity.status == Status.FAILED
    assert "cannot be queued" in refused.activity.error_message


def test_fail_next_gives_a_failed_activity_with_the_reason(demo, simulator):
    simulator.control("fail-next", count=1)
    [result] = start_operation(demo, "powerOff", ["WA1DEMOWEB01"])
    done = _sweep_until(result.activity.pk, {Status.SUCCEEDED, Status.FAILED})
    assert done.status == Status.FAILED and done.error_message == tracking.FAILED_UPSTREAM


def test_idempotency_key_calls_upstream_once(demo, simulator):
    before = sim_operations(simulator)
    first = start_operation(demo, "powerOff", ["WA1DEMOWEB01"], key="k-1")
    again = start_operation(demo, "powerOff", ["WA1DEMOWEB01"], key="k-1")
    assert sim_operations(simulator) == before + 1
    assert [r.activity.pk for r in again] == [r.activity.pk for r in first] and again[0].replayed
    with pytest.raises(IdempotencyConflict):
        start_operation(demo, "powerOn", ["WA1DEMOWEB01"], key="k-1")


def test_duplicate_polls_count_once_and_never_regress(demo, simulator, monkeypatch):
    [result] = start_operation(demo, "powerOff", ["WA1DEMOWEB01"])
    activity_id = result.activity.pk
    Activity.objects.filter(pk=activity_id).update(next_poll_at=None)  # no sweep interferes
    wait_until(lambda: simulator_status(simulator, result.activity.status_id) == "succeeded", timeout=10)
    barrier = threading.Barrier(2)
    real = clc_operations.get_status

    def slow_status(client, op_id):
        answer = real(client, op_id)
        barrier.wait(timeout=10)  # both polls read the same row version before either writes
        return answer

    monkeypatch.setattr(clc_operations, "get_status", slow_status)
    outcomes = []

    def run():
        try:
            outcomes.append(tracking.poll_activities([activity_id]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    activity = Activity.objects.get(pk=activity_id)
    assert activity.status == Status.SUCCEEDED and activity.polls == 1
    assert sorted(o.get("applied", 0) for o in outcomes) == [0, 1]
    assert ActivityEvent.objects.filter(activity_id=activity_id, to_status="succeeded").count() == 1
    # A late, stale answer never moves a terminal activity.
    from apps.clc.entities import OperationStatus

    assert not tracking.apply_poll(activity, OperationStatus(id="x", status="executing"))
    assert Activity.objects.get(pk=activity_id).status == Status.SUCCEEDED


def simulator_status(simulator, op_id):
    return requests.get(f"{simulator.url}/control/operations/{op_id}", timeout=5).json()["status"]


def test_running_never_goes_back_to_queued(demo, simulator):
    from apps.clc.entities import OperationStatus

    [result] = start_operation(demo, "powerOff", ["WA1DEMOWEB01"])
    activity = Activity.objects.get(pk=result.activity.pk)
    assert tracking.apply_poll(activity, OperationStatus(id="x", status="executing"))
    activity = Activity.objects.get(pk=activity.pk)
    assert tracking.apply_poll(activity, OperationStatus(id="x", status="notStarted"))
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.status == Status.RUNNING and activity.polls == 2


def test_claim_skips_rows_another_dispatcher_holds(demo, simulator):
    [result] = start_operation(demo, "powerOff", ["WA1DEMOWEB01"])
    assert tracking.claim_due() == [result.activity.pk]
    assert tracking.claim_due() == []  # leased
    Activity.objects.filter(pk=result.activity.pk).update(next_poll_at=None)


def test_deadline_makes_it_unknown(demo, simulator, settings):
    [result] = start_operation(demo, "powerOff", ["WA1DEMOWEB01"])
    settings.ACTIVITY_DEADLINE_SECONDS = 0
    tracking.poll_activities([result.activity.pk])
    activity = Activity.objects.get(pk=result.activity.pk)
    assert activity.status == Status.UNKNOWN and "No final status" in activity.error_message


def test_expired_token_waits_for_signin_and_resumes(demo, simulator, client):
    simulator.control("config", durationSeconds=100)
    [result] = start_operation(demo, "powerOff", ["WA1DEMOWEB01"])
    simulator.control("expire-tokens")
    tracking.poll_activities([result.activity.pk])
    activity = Activity.objects.get(pk=result.activity.pk)
    assert activity.status == Status.WAITING_FOR_SIGNIN and activity.next_poll_at is None
    assert tracking.claim_due() == []
    sign_in(client, "demo")
    activity = Activity.objects.get(pk=result.activity.pk)
    assert activity.status in (Status.QUEUED, Status.RUNNING) and activity.error_message == ""
    simulator.control("config", durationSeconds=1)
    assert _sweep_until(activity.pk, {Status.SUCCEEDED}, timeout=20)


# --- one dispatch, many status links at once ----------------------------------------------------------
def test_one_dispatch_polls_many_status_links_concurrently(demo, simulator):
    simulator.control("config", durationSeconds=3000)  # a minute at speed 50: still running
    servers = started_servers(simulator, 10)
    results = start_operation(demo, "reboot", servers)
    ids = [r.activity.pk for r in results if r.outcome == "queued"]
    assert len(ids) == 10
    latency = 0.3
    requests.post(f"{simulator.url}/control/config", json={"latencyMs": int(latency * 1000)}, timeout=5)
    try:
        started = time.monotonic()
        tracking.dispatch()  # one run of the task beat sends every ACTIVITY_DISPATCH_INTERVAL
        took = time.monotonic() - started
    finally:
        requests.post(f"{simulator.url}/control/config", json={"latencyMs": 0}, timeout=5)
    polls = list(Activity.objects.filter(pk__in=ids).values_list("polls", flat=True))
    assert polls == [1] * len(ids), polls  # every due activity polled once by that one task
    # One status GET after the other would take 10 x 0.3 s = 3 s; concurrently about one latency.
    assert took < len(ids) * latency / 2, f"one dispatch took {took:.2f} s for {len(ids)} links"


# --- tokens never travel in Celery messages -----------------------------------------------------------
def test_tracking_messages_carry_ids_never_a_token(demo, simulator):
    [result] = start_operation(demo, "reboot", started_servers(simulator))
    assert result.outcome == "queued"
    activity_id = result.activity.pk
    token = crypto.decrypt_token(CloudToken.objects.get(user=demo).ciphertext)
    assert token
    published = []

    def capture(sender=None, body=None, headers=None, **kwargs):
        published.append(json.dumps([sender, body, headers], default=str))

    before_task_publish.connect(capture, weak=False)
    queue = f"tracking-nobody-{uuid.uuid4().hex[:8]}"  # no worker listens: the messages stay put
    try:
        tasks.poll.apply_async(args=[[activity_id]], queue=queue)
        tasks.dispatch.apply_async(queue=queue)
        # What beat sends: the dispatcher's entry has no arguments at all.
        entry = app.conf.beat_schedule["activities-dispatch"]
        assert entry["task"] == "activities.dispatch"
        assert not entry.get("args") and not entry.get("kwargs")
    finally:
        before_task_publish.disconnect(capture)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    assert len(published) == 2, published
    for message in published:
        assert token not in message and "Bearer" not in message
    assert f"[[{activity_id}]]" in published[0].replace(" ", "")
