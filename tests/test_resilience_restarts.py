"""The portal's own services restarted under load: while pages are read and 100 activities are in
flight, the database (then Redis) is stopped and started again. Pages answer a clear 503 — never a
500 — while the database is down (and keep answering while Redis is: the cache degrades), the
worker reconnects by itself (the same process), the event stream picks up again (a ``resync``,
then events), and all 100 activities finish.

Everything runs against a throwaway PostgreSQL and Redis of the test's own (tests/support/services.py),
so restarting them never disturbs the rest of the suite: the portal under uvicorn and a real Celery
worker (threads pool, embedded beat) point at them, and at the test simulator.
"""

import json
import os
import threading
import time
import uuid
from collections import Counter

import psycopg
import pytest
import requests

from tests.support.celery_worker import CeleryWorker
from tests.support.portal import seeded_started_servers, sim_operations
from tests.support.services import PortalProcess, ThrowawayPostgres, ThrowawayRedis, migrate
from tests.support.simulator import wait_until

pytestmark = pytest.mark.slow

SEED = "scale:200"
OPERATIONS = 100
READS = ("/", "/activities/", "/api/v1/activities/?limit=5", "/servers/{server}/")


@pytest.fixture
def stack(tmp_path, simulator):
    """A throwaway PostgreSQL + Redis, the portal (uvicorn) and a worker on them; stopped after."""
    pg = ThrowawayPostgres().start()
    rds = ThrowawayRedis(tmp_path / "redis").start()
    tag = uuid.uuid4().hex[:8]
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=pg.create_database("portal"),
        TEST_REDIS_URL=rds.url(0),
        CLC_API_URL=simulator.url,
        ACTIVITY_QUEUE=f"restarts-{tag}",
        ACTIVITY_STREAM_PREFIX=f"restarts-{tag}",
        ACTIVITY_DISPATCH_INTERVAL="0.25",
        ACTIVITY_LEASE_SECONDS="3",
        ACTIVITY_SSE_HEARTBEAT_SECONDS="1",
        LOGIN_THROTTLE_ATTEMPTS="1000",
    )
    env.pop("ACTIVITY_REDIS_URL", None)
    migrate(env)
    portal = PortalProcess(env, tmp_path).start()
    worker = CeleryWorker(env, env["ACTIVITY_QUEUE"], tmp_path / "worker", concurrency=4).start(timeout=90)
    stack = type("Stack", (), {"pg": pg, "redis": rds, "portal": portal, "worker": worker, "env": env})
    try:
        yield stack
    finally:
        worker.stop()
        portal.stop()
        rds.stop()
        pg.remove()


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/login/", timeout=30)
    response = session.post(
        f"{url}/login/",
        {"username": "demo", "password": "demo", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=60,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


class Reader(threading.Thread):
    """Reads pages in a loop (a person clicking around) and records every answer's status."""

    def __init__(self, session, url, server):
        super().__init__(daemon=True)
        self.session, self.url, self.server = session, url, server
        self.answers: list[tuple[float, int, str]] = []
        self.done = threading.Event()

    def run(self):
        i = 0
        while not self.done.is_set():
            path = READS[i % len(READS)].format(server=self.server.lower())
            i += 1
            try:
                status = self.session.get(f"{self.url}{path}", timeout=60, allow_redirects=False).status_code
            except requests.RequestException as exc:  # the portal itself must never drop a request
                status = f"{type(exc).__name__}"
            self.answers.append((time.monotonic(), status, path))
            self.done.wait(0.05)

    def statuses(self, since=0.0) -> Counter:
        return Counter(s for t, s, _p in self.answers if t >= since)


class EventStream(threading.Thread):
    """``/events/`` read as EventSource does: on a dropped stream, wait and reconnect with the
    ``Last-Event-ID`` it got last."""

    def __init__(self, session, url):
        super().__init__(daemon=True)
        self.session, self.url = session, url
        self.events: list[dict] = []
        self.connections = Counter()
        self.last_id = None
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            headers = {"Last-Event-ID": self.last_id} if self.last_id else {}
            try:
                with self.session.get(f"{self.url}/events/", headers=headers, stream=True, timeout=10) as r:
                    self.connections[r.status_code] += 1
                    if r.status_code == 200:
                        self._read(r)
            except requests.RequestException:
                self.connections["error"] += 1
            self.done.wait(1.0)

    def _read(self, response):
        block = {}
        for line in response.iter_lines(decode_unicode=True):
            if self.done.is_set():
                return
            if not line:
                if "event" in block:
                    self.events.append(block)
                block = {}
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            block[field] = value
            if field == "id":
                self.last_id = value


def start_operations(session, url, servers) -> list[int]:
    response = session.post(
        f"{url}/api/v1/servers/operations/", json={"operation": "reboot", "servers": servers}, timeout=180
    )
    assert response.status_code == 202, response.text[:500]
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["queued"] * len(servers)
    return [r["activity"]["id"] for r in results]


def statuses(pg, ids) -> Counter:
    with psycopg.connect(pg.url("portal"), connect_timeout=5) as conn:
        rows = conn.execute("SELECT status FROM activities_activity WHERE id = ANY(%s)", [ids]).fetchall()
    return Counter(r[0] for r in rows)


def all_succeeded(pg, ids):
    try:
        found = statuses(pg, ids)
    except psycopg.OperationalError:
        return False
    assert not (set(found) & {"failed", "unknown"}), found
    return found == Counter({"succeeded": len(ids)})


def report(what, answers, writes, pg, ids) -> None:
    """The figures of the run (shown with ``pytest -s``)."""
    found = statuses(pg, ids)
    fives = sum(n for s, n in answers.items() if isinstance(s, int) and s >= 500)
    print(
        f"\n{what}: {sum(answers.values())} requests tried, {fives} 5xx seen "
        f"({answers.get(500, 0)} of them 500), {writes - len(ids)} writes duplicated "
        f"({writes} upstream operations for {len(ids)} activities), "
        f"{len(ids) - sum(found.values())} activities lost, {found.get('succeeded', 0)} succeeded"
    )


def test_postgres_restarted_under_load(stack, simulator):
    simulator.reset(seed=SEED)
    simulator.control("config", speed=1, durationSeconds=20)
    servers = seeded_started_servers(OPERATIONS, SEED)
    session = signed_in(stack.portal.url)
    reader = Reader(signed_in(stack.portal.url), stack.portal.url, servers[0])
    worker_pid = stack.worker.pid
    before = sim_operations(simulator)
    ids = start_operations(session, stack.portal.url, servers)
    reader.start()
    try:
        wait_until(
            lambda: statuses(stack.pg, ids).get("running", 0) >= 10, timeout=60, message="operations running"
        )
        stack.pg.stop()
        down = time.monotonic()
        wait_until(lambda: reader.statuses(down).get(503, 0) >= 5, timeout=60, message="pages to answer 503")
        stack.pg.start()
        up = time.monotonic()
        wait_until(
            lambda: all_succeeded(stack.pg, ids), timeout=180, interval=0.5, message="all 100 to succeed"
        )
        wait_until(lambda: reader.statuses(up + 5).get(200, 0) >= 5, timeout=60, message="pages again")
    finally:
        reader.done.set()
        reader.join(70)
    everything = reader.statuses()
    report("PostgreSQL restarted", everything, sim_operations(simulator) - before, stack.pg, ids)
    assert set(everything) <= {200, 302, 503}, everything  # 503 while down: never a 500, never a drop
    assert everything[503] >= 5
    assert sim_operations(simulator) - before == OPERATIONS  # no write sent twice
    assert stack.worker.alive() and stack.worker.pid == worker_pid  # it reconnected by itself
    assert stack.portal.alive()
    assert "Traceback" not in stack.portal.log(), stack.portal.log()[-3000:]
    # the page said what happened
    assert sum(1 for _t, s, p in reader.answers if s == 503 and p.startswith("/api/")) >= 1


def test_redis_restarted_under_load(stack, simulator):
    simulator.reset(seed=SEED)
    simulator.control("config", speed=1, durationSeconds=20)
    servers = seeded_started_servers(OPERATIONS, SEED)
    session = signed_in(stack.portal.url)
    reader = Reader(signed_in(stack.portal.url), stack.portal.url, servers[0])
    stream = EventStream(signed_in(stack.portal.url), stack.portal.url)
    stream.start()
    wait_until(lambda: stream.connections[200] >= 1, timeout=30, message="the event stream")
    worker_pid = stack.worker.pid
    before = sim_operations(simulator)
    ids = start_operations(session, stack.portal.url, servers)
    reader.start()
    try:
        wait_until(
            lambda: statuses(stack.pg, ids).get("running", 0) >= 10, timeout=60, message="operations running"
        )
        stack.redis.stop()
        down = time.monotonic()
        wait_until(
            lambda: sum(reader.statuses(down).values()) >= 10, timeout=60, message="pages read while down"
        )
        stack.redis.start()
        up = time.monotonic()
        wait_until(
            lambda: all_succeeded(stack.pg, ids), timeout=180, interval=0.5, message="all 100 to succeed"
        )

        def resumed():
            after = [e for e in stream.events if e.get("event") == "resync"]
            return after and any(
                e.get("event") == "activity" and json.loads(e["data"])["activity"]["status"] == "succeeded"
                for e in stream.events[stream.events.index(after[-1]) :]
            )

        wait_until(resumed, timeout=60, interval=0.2, message="the event stream to resync and go on")
    finally:
        reader.done.set()
        stream.done.set()
        reader.join(70)
        stream.join(20)
    during = reader.statuses(down) - reader.statuses(up)
    report("Redis restarted", reader.statuses(), sim_operations(simulator) - before, stack.pg, ids)
    assert sim_operations(simulator) - before == OPERATIONS  # no write sent twice
    assert set(reader.statuses()) <= {200, 302, 503}, reader.statuses()  # never a 500
    assert during[200] >= 1, during  # the pages kept working without their cache
    assert stream.connections[200] >= 2  # it reconnected
    assert stack.worker.alive() and stack.worker.pid == worker_pid
    assert stack.portal.alive()
