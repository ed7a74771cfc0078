"""Tracking survives what production throws at it: a SIGKILLed worker, a flushed Redis, duplicate
tasks. A REAL Celery worker (threads pool, embedded beat) tracks activities the simulator runs for
a few seconds; the database row is the truth, so every activity still reaches a terminal state,
none is lost, none is polled after it ended, and open ``/events/`` streams are told to resync.

PostgreSQL only (the worker subprocess shares pytest-django's test database). The Redis flush runs
on a database number of its own (``RESILIENCE_REDIS_URL``, default db 14) so it never disturbs the
other tests (db 15, shared by the xdist workers) or a developer's data (db 0).
"""

import asyncio
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import AsyncClient

from apps.accounts.models import User
from apps.actions.services import start_operation
from apps.activities import tasks, tracking
from apps.activities.models import RANK, TERMINAL, Activity, ActivityEvent, Status
from tests.support.celery_worker import CeleryWorker, activity_environment, worker_env
from tests.support.portal import drop_keys, seeded_started_servers, sign_in
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SEED = "scale:200"
FLUSH_REDIS_URL = os.environ.get("RESILIENCE_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def workers(django_db_setup, simulator, clc_settings, tmp_path):
    """``start(**env)`` starts a real worker sharing the test DB; every worker is stopped after."""
    started = []
    with activity_environment(
        "resilience", restore=["ACTIVITY_REDIS_URL"], ACTIVITY_LEASE_SECONDS=3
    ) as shared:

        def start(**extra):
            env = worker_env(connection.settings_dict, simulator.url, **shared, **extra)
            worker = CeleryWorker(env, shared["ACTIVITY_QUEUE"], tmp_path / f"w{len(started)}")
            started.append(worker)
            return worker.start()

        start.shared = shared
        try:
            yield start
        finally:
            for worker in started:
                worker.stop()
            drop_keys(FLUSH_REDIS_URL, shared["ACTIVITY_STREAM_PREFIX"])


def _demo(client) -> User:
    sign_in(client, "demo")
    return User.objects.get(account_alias="DEMO", cloud_username__iexact="demo")


def _start_many(user, server_ids, batch=10) -> list[int]:
    ids = []
    for i in range(0, len(server_ids), batch):
        results = start_operation(user, "powerOff", server_ids[i : i + batch])
        assert [r.outcome for r in results] == ["queued"] * len(results), [r.message for r in results]
        ids.extend(r.activity.pk for r in results)
    return ids


def _all_terminal(ids):
    return Activity.objects.filter(pk__in=ids).exclude(status__in=TERMINAL).count() == 0


def _upstream(simulator, status_id) -> dict:
    return requests.get(f"{simulator.url}/control/operations/{status_id}", timeout=5).json()


def _assert_tracked_to_the_end(simulator, ids, lease_seconds):
    activities = list(Activity.objects.filter(pk__in=ids))
    assert len(activities) == len(ids), "an activity was lost"
    assert {a.status for a in activities} == {Status.SUCCEEDED}, [(a.pk, a.status) for a in activities]
    for a in activities:
        upstream = _upstream(simulator, a.status_id)
        completes = upstream["completesAt"]
        # Never finished before the cloud did, and not long after it (a lease at most, plus a poll).
        assert a.finished_at.timestamp() >= completes - 0.05, (a.pk, a.finished_at, upstream)
        assert a.finished_at.timestamp() - completes <= lease_seconds + 3, (a.pk, a.finished_at, upstream)
        # No poll recorded after the end; a few polls per second of the operation at most.
        assert a.polls >= 1 and a.last_polled_at <= a.finished_at, (a.pk, a.last_polled_at, a.finished_at)
        duration = completes - upstream["startedAt"]
        assert a.polls <= 2 * duration + 4, (a.pk, a.polls, duration)
        history = list(ActivityEvent.objects.filter(activity=a).order_by("at", "id"))
        ranks = [RANK[Status(e.to_status)] for e in history]
        assert ranks == sorted(ranks), [(e.from_status, e.to_status) for e in history]
        assert [e.to_status for e in history if e.to_status in TERMINAL] == [Status.SUCCEEDED]
        assert history[-1].to_status == Status.SUCCEEDED


def _snapshot(ids):
    return {
        a["pk"]: a
        for a in Activity.objects.filter(pk__in=ids).values("pk", "polls", "last_polled_at", "version")
    }


def _assert_not_polled_any_more(user, ids, spare_server):
    """A sentinel polled twice more proves the dispatcher kept sweeping: the ended ones stayed put."""
    before = _snapshot(ids)
    [sentinel] = _start_many(user, [spare_server])
    wait_until(
        lambda: Activity.objects.filter(pk=sentinel, polls__gte=2).exists(),
        timeout=20,
        interval=0.05,
        message="the dispatcher to poll the sentinel twice",
    )
    assert _snapshot(ids) == before


def test_sigkill_of_the_worker_with_50_in_flight_loses_nothing(workers, simulator, client):
    simulator.reset(seed=SEED)
    simulator.control("config", durationSeconds=300)  # 6 s at speed 50
    servers = seeded_started_servers(51, SEED)
    user = _demo(client)
    first = workers()
    ids = _start_many(user, servers[:50])
    wait_until(
        lambda: Activity.objects.filter(pk__in=ids, polls__gte=1).count() >= 25,
        timeout=20,
        interval=0.02,
        message="the first worker to poll half of them",
    )
    first.kill()
    assert not first.alive()
    in_flight = Activity.objects.filter(pk__in=ids).exclude(status__in=TERMINAL).count()
    assert in_flight == 50, "the kill must land while every operation is still running"
    polls_at_kill = sum(Activity.objects.filter(pk__in=ids).values_list("polls", flat=True))

    workers()
    wait_until(lambda: _all_terminal(ids), timeout=45, interval=0.1, message="all 50 to finish")
    assert sum(Activity.objects.filter(pk__in=ids).values_list("polls", flat=True)) > polls_at_kill
    _assert_tracked_to_the_end(simulator, ids, lease_seconds=3)
    _assert_not_polled_any_more(user, ids, servers[50])


class EventReader(threading.Thread):
    """Reads ``/events/`` through the real async view in a thread, collecting the events."""

    def __init__(self, cookies, timeout=60.0):
        super().__init__(daemon=True)
        self.cookies = cookies
        self.timeout = timeout
        self.events: list[dict] = []
        self.connected = threading.Event()
        self.done = threading.Event()
        self.error = None

    def run(self):
        try:
            asyncio.run(self._read())
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.connected.set()

    async def _read(self):
        client = AsyncClient()
        client.cookies = self.cookies
        response = await client.get("/events/")
        assert response.status_code == 200
        iterator = response.streaming_content.__aiter__()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        buffer = ""
        pending = None
        try:
            while not self.done.is_set() and loop.time() < deadline:
                # Never cancel a pending read (that would close the view's generator): wait on it.
                if pending is None:
                    pending = asyncio.ensure_future(iterator.__anext__())
                done, _ = await asyncio.wait({pending}, timeout=1.0)
                if not done:
                    continue
                chunk, pending = pending.result(), None
                self.connected.set()
                buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if "event" in fields:
                        self.events.append({"id": fields.get("id"), "event": fields["event"],
                                            "data": json.loads(fields["data"])})  # fmt: skip
        finally:
            if pending is not None:
                pending.cancel()
            await iterator.aclose()
            await sync_to_async(connections.close_all)()


def test_redis_flushed_mid_flight_activities_finish_and_streams_resync(workers, simulator, client):
    os.environ["ACTIVITY_REDIS_URL"] = FLUSH_REDIS_URL  # this process's stream reads and writes
    flushed = redis.Redis.from_url(FLUSH_REDIS_URL)
    assert flushed.connection_pool.connection_kwargs.get("db", 0) not in (0, 15)
    simulator.reset(seed=SEED)
    simulator.control("config", durationSeconds=300)  # 6 s at speed 50
    servers = seeded_started_servers(51, SEED)
    user = _demo(client)
    workers(TEST_REDIS_URL=FLUSH_REDIS_URL, ACTIVITY_REDIS_URL=FLUSH_REDIS_URL)
    reader = EventReader(client.cookies)
    reader.start()
    try:
        assert reader.connected.wait(15) and reader.error is None, reader.error
        ids = _start_many(user, servers[:50])
        wait_until(
            lambda: Activity.objects.filter(pk__in=ids, status=Status.RUNNING).count() >= 10,
            timeout=20,
            interval=0.02,
            message="operations running",
        )
        flushed.flushdb()
        assert Activity.objects.filter(pk__in=ids).exclude(status__in=TERMINAL).count() > 0
        wait_until(lambda: _all_terminal(ids), timeout=45, interval=0.1, message="all 50 to finish")
        _assert_tracked_to_the_end(simulator, ids, lease_seconds=3)

        def resynced():
            assert reader.is_alive() or reader.error is None, reader.error
            return any(e["event"] == "resync" for e in reader.events)

        wait_until(resynced, timeout=15, interval=0.05, message="the open stream to get resync")
        # The stream keeps flowing after the resync: changes after the flush still arrive.
        after = reader.events[[e["event"] for e in reader.events].index("resync") :]
        wait_until(
            lambda: any(e["event"] == "activity" and e["data"]["activity"]["status"] == "succeeded"
                        for e in reader.events[len(reader.events) - len(after) :]),
            timeout=10, interval=0.05, message="events after the resync",
        )  # fmt: skip
    finally:
        reader.done.set()
        reader.join(10)
    assert reader.error is None, reader.error


def test_duplicate_poll_and_dispatch_tasks_never_double_count(workers, simulator, client):
    """Many copies of the poll / dispatch task at once (no worker): each counts a poll once."""
    simulator.reset(seed=SEED)
    simulator.control("config", durationSeconds=150)  # 3 s at speed 50
    servers = seeded_started_servers(20, SEED)
    user = _demo(client)
    ids = _start_many(user, servers)

    def one(i):
        try:
            return tasks.poll.run(ids) if i % 2 else tasks.dispatch.run()
        finally:
            connections.close_all()

    rounds = 0
    while not _all_terminal(ids):
        before = {a.pk: (a.polls, a.status, a.version) for a in Activity.objects.filter(pk__in=ids)}
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(one, range(16)))
        applied = sum((c or {}).get("applied", 0) for c in counts)
        after = {a.pk: (a.polls, a.status, a.version) for a in Activity.objects.filter(pk__in=ids)}
        for pk, (polls, status, version) in after.items():
            old_polls, old_status, old_version = before[pk]
            # 8 poll tasks + 8 dispatches ran over these ids: at most 16 polls could have been
            # counted, never more; statuses only move forward; versions only grow.
            assert old_polls <= polls <= old_polls + 16
            assert RANK[Status(status)] >= RANK[Status(old_status)]
            assert version >= old_version
        # Every counted poll is one compare-and-set that won: none counted twice, none dropped.
        assert sum(p for p, _s, _v in after.values()) - sum(p for p, _s, _v in before.values()) == applied
        rounds += 1
        assert rounds < 200, "the activities never finished"
    for a in Activity.objects.filter(pk__in=ids):
        terminal_events = a.events.filter(to_status__in=TERMINAL).count()
        assert terminal_events == 1 and a.status == Status.SUCCEEDED
        assert a.polls <= a.version
        assert a.last_polled_at <= a.finished_at
    # Running the same tasks again after the end changes nothing at all.
    final = _snapshot(ids)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(16)))
    assert _snapshot(ids) == final
    assert tracking.poll_activities(ids) == {"polled": 0}
