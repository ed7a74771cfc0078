"""The batched tracking write: one compare-and-set statement per polled batch, history and push only
for real status changes, a lost race dropped row by row, and the SKIP LOCKED claim."""

import threading
import time
from datetime import timedelta

import pytest
import redis
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.services import authenticate_with_cloud
from apps.actions.services import start_operation
from apps.activities import conf, streams, tracking, transitions
from apps.activities.models import Activity, ActivityEvent, Status
from apps.clc import operations as clc_operations
from apps.clc.entities import OperationStatus
from tests.support.portal import seeded_started_servers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(clc_settings, settings, own_cache_namespace):
    settings.ACTIVITY_STREAM_PREFIX = own_cache_namespace
    return authenticate_with_cloud("demo", "demo")


@pytest.fixture
def upstream(monkeypatch):
    """What the cloud answers for each status link (by activity id), set by the test."""
    answers = {}
    by_status_id = {}

    def get_status(client, op_id):
        return OperationStatus(id=op_id, status=answers[by_status_id[op_id]])

    monkeypatch.setattr(clc_operations, "get_status", get_status)

    def set_(activities, status):
        for a in activities:
            by_status_id[a.status_id] = a.pk
            answers[a.pk] = status

    return set_


def _queued(demo, count=3):
    servers = seeded_started_servers(count)
    results = start_operation(demo, "powerOff", servers)
    activities = [r.activity for r in results if r.outcome == "queued"]
    assert len(activities) == len(servers)
    return activities


def _history(activity):
    return list(ActivityEvent.objects.filter(activity=activity).values_list("to_status", flat=True))


def _stream_statuses():
    import json

    client = redis.Redis.from_url(conf.stream_redis_url())
    entries = client.xrange(streams.stream_key("DEMO"))
    return [json.loads(fields[b"data"])["activity"]["status"] for _id, fields in entries]


def test_unchanged_polls_count_without_history_or_events(demo, upstream):
    activities = _queued(demo)
    ids = [a.pk for a in activities]
    upstream(activities, "executing")
    assert tracking.poll_activities(ids) == {"applied": 3, "polled": 3}
    events_after_start = _stream_statuses()
    assert events_after_start.count("running") == 3
    for _ in range(3):  # still executing: counted, pushed back, no new history, no new stream entry
        with CaptureQueriesContext(connection) as queries:
            assert tracking.poll_activities(ids) == {"applied": 3, "polled": 3}
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
        assert len(writes) == 1 and "FROM (VALUES" in writes[0]  # one statement for the whole batch
    for a in Activity.objects.filter(pk__in=ids):
        assert a.status == Status.RUNNING and a.polls == 4 and a.version == 4
        assert a.next_poll_at > a.last_polled_at and a.started_at is not None
        assert _history(a) == ["queued", "running"]
    assert _stream_statuses() == events_after_start
    upstream(activities, "succeeded")
    assert tracking.poll_activities(ids) == {"applied": 3, "polled": 3}
    for a in Activity.objects.filter(pk__in=ids):
        assert a.status == Status.SUCCEEDED and a.polls == 5 and a.next_poll_at is None and a.finished_at
        assert _history(a) == ["queued", "running", "succeeded"]
    assert _stream_statuses().count("succeeded") == 3
    assert tracking.poll_activities(ids) == {"polled": 0}  # terminal: never polled again


def test_a_row_changed_behind_the_batch_is_dropped_not_double_counted(demo, upstream, monkeypatch):
    activities = _queued(demo)
    ids = [a.pk for a in activities]
    upstream(activities, "succeeded")
    loser = activities[1]
    real = tracking._poll_plan

    def racing_plan(activity, result, now, *spacing):
        if activity.pk == loser.pk:  # a duplicate task wins this row between our read and our write
            assert tracking.transition(Activity.objects.get(pk=loser.pk), Status.RUNNING, count_poll=True)
        return real(activity, result, now, *spacing)

    monkeypatch.setattr(tracking, "_poll_plan", racing_plan)
    assert tracking.poll_activities(ids) == {"applied": 2, "stale": 1, "polled": 3}
    rows = {a.pk: a for a in Activity.objects.filter(pk__in=ids)}
    assert rows[loser.pk].status == Status.RUNNING and rows[loser.pk].polls == 1
    assert _history(rows[loser.pk]) == ["queued", "running"]
    for pk in set(ids) - {loser.pk}:
        assert rows[pk].status == Status.SUCCEEDED and rows[pk].polls == 1
        assert _history(rows[pk]) == ["queued", "succeeded"]
    monkeypatch.setattr(tracking, "_poll_plan", real)
    assert tracking.poll_activities(ids) == {"applied": 1, "polled": 1}
    assert Activity.objects.get(pk=loser.pk).status == Status.SUCCEEDED


def test_a_failed_batch_statement_is_written_row_by_row(demo, upstream, monkeypatch):
    activities = _queued(demo)
    ids = [a.pk for a in activities]
    upstream(activities, "executing")

    def broken(plans):
        raise DatabaseError("deadlock detected")

    monkeypatch.setattr(transitions, "_batch_update", broken)
    assert tracking.poll_activities(ids) == {"applied": 3, "polled": 3}
    for a in Activity.objects.filter(pk__in=ids):
        assert a.status == Status.RUNNING and a.polls == 1 and _history(a) == ["queued", "running"]


def test_claim_skips_rows_locked_by_another_dispatcher(demo):
    locked, free = _queued(demo, 2)
    holding, release = threading.Event(), threading.Event()

    def other_dispatcher():
        try:
            with transaction.atomic():
                list(Activity.objects.select_for_update().filter(pk=locked.pk))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    try:
        assert holding.wait(10)
        assert tracking.claim_due() == [free.pk]
    finally:
        release.set()
        thread.join(10)
    assert tracking.claim_due() == [locked.pk]
    assert tracking.claim_due() == []  # both leased now
    Activity.objects.filter(pk__in=[locked.pk, free.pk]).update(next_poll_at=None)


@pytest.mark.parametrize("rate", [None, 1], ids=["polls-fit-the-rate", "rate-exceeded"])
def test_polls_stay_within_the_poll_budget_however_often_the_dispatcher_runs(demo, upstream, settings, rate):
    """Within ACTIVITY_POLL_RATE an activity is polled every 0.5 s; beyond it (here: a rate of 1
    poll/s for 1 activity) once a second, as before."""
    if rate is not None:
        settings.ACTIVITY_POLL_RATE = rate
    [activity] = _queued(demo, 1)
    upstream([activity], "executing")
    spacing = tracking.poll_spacing(1)
    assert spacing == (0.5 if rate is None else 1.0)
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:  # a dispatcher with nothing else to do, sweeping non-stop
        tracking.dispatch()
        time.sleep(0.01)
    row = Activity.objects.get(pk=activity.pk)
    age = (timezone.now() - row.created_at).total_seconds()
    # polls at 0 s and 0.5 s (the young interval), then one a spacing: poll k once (k - 1.5) spacings old
    assert 3 <= row.polls <= age / spacing + conf.poll_slack() + 0.01, (row.polls, age)
    assert row.next_poll_at >= row.created_at + timedelta(
        seconds=(row.polls + 1 - conf.poll_slack()) * spacing
    )
    Activity.objects.filter(pk=activity.pk).update(next_poll_at=None)
