"""Webhooks at work: changes made straight through the simulator's API reach the portal's open pages.

Starts the simulator (its own process, ``scale:2000``: 1,000 servers in WA1, 20 ms latency on every
API call), a REAL Celery worker, and the portal under uvicorn (ASGI, so ``/events/`` streams; two
worker processes as in production; the simulator delivers to its receiver), on a database of its own (``bench_webhooks``,
created and migrated). Connects DEMO's webhooks to the portal (``manage.py connect_webhooks``: the
webhooks page's one click; the simulator's key trusted). Signs in as demo, opens ``/events/`` and
the WA1 page (cached), then:

1. ``--changes`` changes (200) one after another, each made straight through the simulator's API
   by demo's own client (not the portal): create a server, resize it, delete it. For each: the time
   from the simulator's change (the event time it puts in the delivery) to the external activity's
   event on ``/events/`` (p50 / p95 / max; target p95 <= 2 s), and the upstream calls the portal
   spends re-reading the open WA1 page after it (``X-Live-Reread``, as live.js does; the
   ``Server-Timing`` header) against a read of the whole page (tree + every server).
2. A burst: ``--burst`` description changes (1,000) on as many servers within ``--burst-seconds``
   (60) through the simulator's API. Every delivery accounted for (the simulator: delivered; the
   portal: verified once, handled), the SSE latency over the burst, and the WA1 page re-read every
   second meanwhile, as live.js would (time and upstream calls), against the same page read quiet.

    .venv/bin/python bench/webhooks.py [--changes 200] [--burst 1000] [--burst-seconds 60]

Its own database and Redis: ``BENCH_DATABASE`` (name, default ``bench_webhooks``) on the server of
``DATABASE_URL``; Redis from ``TEST_REDIS_URL`` (``portal.settings.test``). Every wait is bounded.
"""

import argparse
import json
import os
import re
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.activities import bench_database, percentile  # noqa: E402

SEED = "scale:2000"
TAG = uuid.uuid4().hex[:8]
SHARED = {
    "ACTIVITY_QUEUE": f"webhooks-bench-{TAG}",
    "ACTIVITY_STREAM_PREFIX": f"bench-hooks-{TAG}",
    "CACHE_KEY_PREFIX": f"bench-hooks-{TAG}",
    "ACTIVITY_DISPATCH_INTERVAL": "0.5",
    "WEBHOOK_DB_KEEP_SECONDS": "60",  # as in production (the test settings close after each use)
}
REREAD_EVERY = 1.0
CALLS = re.compile(r'upstream;desc="(\d+) calls?"')


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class Events(threading.Thread):
    """``/events/`` as a browser reads it: each external activity's arrival, keyed by (event, id)."""

    def __init__(self, base, cookies):
        super().__init__(daemon=True)
        import requests

        self.response = requests.get(f"{base}/events/", cookies=cookies, stream=True, timeout=(5, 120))
        assert self.response.status_code == 200, self.response.status_code
        self.arrived: dict[tuple[str, str], tuple[float, float]] = {}  # -> (received, change time)
        self.resyncs = 0
        self.lock = threading.Lock()

    def run(self):
        from tests.support.portal import sse_messages

        try:
            for event, data in sse_messages(self.response.iter_lines(decode_unicode=True)):
                received = time.time()
                if event == "resync":
                    self.resyncs += 1
                elif event == "activity" and data:
                    a = json.loads(data).get("activity") or {}
                    if a.get("origin") == "external" and a.get("resource_ids"):
                        key = (a["operation"], a["resource_ids"][0].upper())
                        with self.lock:
                            self.arrived.setdefault(key, (received, _epoch(a["created_at"])))
        except Exception:
            pass

    def wait(self, key, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if key in self.arrived:
                    return self.arrived[key]
            time.sleep(0.005)
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_portal(port, env, workers):
    """The portal as production runs it: uvicorn (ASGI), ``workers`` processes, its own process group."""
    import subprocess

    import requests

    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=1).ok:
                return proc
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the portal (uvicorn) did not start")
        time.sleep(0.1)


def stop_portal(proc):
    import signal
    import subprocess

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


class Portal:
    def __init__(self, base, cookies):
        import requests

        self.base, self.http = base, requests.Session()
        self.http.cookies.update(cookies)

    def reread(self, path="/datacenters/wa1/"):
        """The page as live.js re-reads it: (seconds, upstream calls)."""
        started = time.perf_counter()
        response = self.http.get(f"{self.base}{path}", headers={"X-Live-Reread": "1"}, timeout=60)
        took = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return took, int(CALLS.search(response.headers["Server-Timing"]).group(1))


class Cloud:
    """demo's own client, straight at the simulator (not through the portal)."""

    def __init__(self, sim):
        self.sim, self.s = sim, sim.session("demo")

    def web_group(self) -> str:
        body = self.s.get(f"{self.sim.url}/v2/datacenters/demo/wa1?groupLinks=true").json()
        root = next(link["id"] for link in body["links"] if link["rel"] == "group")
        tree = self.s.get(f"{self.sim.url}/v2/groups/demo/{root}").json()
        return next(g["id"] for g in tree["groups"] if g.get("type") == "default")

    def wait(self, answer_links):
        status = next(link["href"] for link in answer_links if link["rel"] == "status")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.s.get(f"{self.sim.url}{status}").json()["status"] in ("succeeded", "failed"):
                return
            time.sleep(0.02)
        raise SystemExit(f"operation {status} did not finish")

    def create(self, group, name) -> str:
        answer = self.s.post(
            f"{self.sim.url}/v2/servers/demo",
            json={"name": name, "groupId": group, "sourceServerId": "UBUNTU-22-64-TEMPLATE", "cpu": 1,
                  "memoryGB": 1, "type": "standard"},
        ).json()  # fmt: skip
        by_uuid = next(link["href"] for link in answer["links"] if link["rel"] == "self")
        server_id = self.s.get(f"{self.sim.url}{by_uuid}").json()["id"].upper()
        self.wait(answer["links"])
        return server_id

    def resize(self, server_id, cpu):
        answer = self.s.patch(
            f"{self.sim.url}/v2/servers/demo/{server_id}", json=[{"op": "set", "member": "cpu", "value": cpu}]
        ).json()
        self.wait([answer] if isinstance(answer, dict) else answer)

    def delete(self, server_id):
        answer = self.s.delete(f"{self.sim.url}/v2/servers/demo/{server_id}").json()
        self.wait(answer["links"])

    def describe(self, server_id, text):
        answer = self.s.patch(
            f"{self.sim.url}/v2/servers/demo/{server_id}",
            json=[{"op": "set", "member": "description", "value": text}],
        )
        assert answer.status_code in (200, 202, 204), answer.text


def run_changes(count, cloud, events, portal, whole_page_calls):
    group = cloud.web_group()
    lat, calls, missing, kinds = (
        [],
        {"Server.Created": [], "Server.Updated": [], "Server.Deleted": []},
        [],
        {},
    )
    n = 0
    t0 = time.monotonic()
    while n < count:
        name = f"B{(n // 3) % 1000:03d}"
        server_id = None
        for event in ("Server.Created", "Server.Updated", "Server.Deleted"):
            if n >= count:
                break
            if event == "Server.Created":
                server_id = cloud.create(group, name)
            elif event == "Server.Updated":
                cloud.resize(server_id, 2)
            else:
                cloud.delete(server_id)
            got = events.wait((event, server_id), timeout=15)
            n += 1
            if got is None:
                missing.append((event, server_id))
                continue
            received, changed = got
            lat.append(received - changed)
            _took, spent = portal.reread()
            calls[event].append(spent)
            kinds[event] = kinds.get(event, 0) + 1
    wall = time.monotonic() - t0
    p95 = percentile(lat, 0.95)
    print(
        f"\n== {count} changes made straight through the simulator's API, one after another ({wall:.0f} s) =="
    )
    print(
        f"change -> SSE event: p50 {percentile(lat, 0.5):.3f} s  p95 {p95:.3f} s  max {max(lat, default=float('nan')):.3f} s"
        f"  (target p95 <= 2 s: {'OK' if p95 <= 2 else 'MISSED'}); events missing: {len(missing)}"
    )
    spent_all = [c for v in calls.values() for c in v]
    for event, values in calls.items():
        if values:
            print(
                f"  re-reading the open WA1 page after {event:<15} upstream calls: mean {sum(values) / len(values):.2f}"
                f"  max {max(values)}  (x{len(values)})"
            )
    mean = sum(spent_all) / max(1, len(spent_all))
    print(
        f"upstream calls per change: {mean:.2f} (goal: the changed server's only: 1 created/updated, 0 deleted); "
        f"a whole read of the page: {whole_page_calls} -> {whole_page_calls / max(mean, 0.01):.0f}x fewer"
    )
    return {"p95": p95, "missing": len(missing), "calls": mean}


def run_burst(count, seconds, cloud, events, portal, servers):
    from apps.webhooks.models import Delivery

    targets = servers[:count]
    sent_at, reads, stop = {}, [], threading.Event()

    def reader():  # as live.js re-reads an open page that changes made elsewhere touch: every 1 s at most
        while REREAD_EVERY and not stop.wait(REREAD_EVERY):
            reads.append(portal.reread())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    t0 = time.monotonic()
    gap = seconds / max(1, count)
    for i, server_id in enumerate(targets):
        due = t0 + i * gap
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        cloud.describe(server_id, f"burst {TAG} {i}")
        sent_at[server_id] = time.time()
    made = time.monotonic() - t0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(("Server.Updated", sid) in events.arrived for sid in targets):
            break
        time.sleep(0.25)
    stop.set()
    thread.join(5)
    wall = time.monotonic() - t0
    lat = [
        events.arrived[("Server.Updated", sid)][0] - events.arrived[("Server.Updated", sid)][1]
        for sid in targets
        if ("Server.Updated", sid) in events.arrived
    ]
    import requests

    log = requests.get(f"{cloud.sim.url}/control/webhooks/deliveries?limit=1000&event=Server.Updated").json()[
        "deliveries"
    ]
    burst_ids = {d["eventId"] for d in log}
    waited = [_epoch(d["lastAttemptAt"]) - _epoch(d["createdAt"]) for d in log if d["lastAttemptAt"]]
    posting = [_epoch(d["deliveredAt"]) - _epoch(d["lastAttemptAt"]) for d in log if d["deliveredAt"]]
    statuses = {}
    for d in log:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    got = Delivery.objects.filter(event="Server.Updated", resource_id__in=targets, verification="verified")
    handled = got.filter(status__in=["applied", "stale"]).count()
    received = got.count()
    lost = len(targets) - len([sid for sid in targets if ("Server.Updated", sid) in events.arrived])
    rows = list(got.values_list("received_at", "change_time", "processed_at"))
    to_portal = [(r - c).total_seconds() for r, c, _p in rows if c]
    to_worker = [(p - r).total_seconds() for r, _c, p in rows if p]
    times = [t for t, _c in reads]
    spent = [c for _t, c in reads]
    p95 = percentile(lat, 0.95)
    print(
        f"\n== burst: {count} changes made in {made:.1f} s ({count / made:.1f}/s), all seen after {wall:.1f} s =="
    )
    print(
        f"simulator deliveries: {statuses} ({len(burst_ids)} events); portal: {received} verified deliveries stored once, "
        f"{handled} handled; SSE events missing: {lost} ({'nothing lost' if not lost and handled == count else 'LOST'})"
    )
    print(
        f"change -> SSE event over the burst: p50 {percentile(lat, 0.5):.3f} s  p95 {p95:.3f} s  "
        f"max {max(lat, default=float('nan')):.3f} s; resyncs {events.resyncs}"
    )
    print(
        f"  the simulator's sender: queued p50 {percentile(waited, 0.5):.3f} s  p95 {percentile(waited, 0.95):.3f} s; "
        f"its POST (the portal's answer) p50 {percentile(posting, 0.5):.3f} s  p95 {percentile(posting, 0.95):.3f} s"
    )
    print(
        f"  of which change -> received by the portal: p50 {percentile(to_portal, 0.5):.3f} s  p95 "
        f"{percentile(to_portal, 0.95):.3f} s; received -> handled by the worker: p50 "
        f"{percentile(to_worker, 0.5):.3f} s  p95 {percentile(to_worker, 0.95):.3f} s"
    )
    print(
        f"WA1 page (1,000 servers) re-read every 1 s meanwhile: {len(times)} reads, p50 {percentile(times, 0.5):.3f} s"
        f"  p95 {percentile(times, 0.95):.3f} s  max {max(times, default=float('nan')):.3f} s; upstream calls per read "
        f"mean {sum(spent) / max(1, len(spent)):.1f} max {max(spent, default=0)}"
    )
    return {
        "lost": lost,
        "handled": handled,
        "p95": p95,
        "page_p95": percentile(times, 0.95),
        "queued_p95": percentile(waited, 0.95),
        "answer_p50": percentile(posting, 0.5),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4, help="worker threads")
    parser.add_argument(
        "--web", type=int, default=2, help="uvicorn worker processes (the production default)"
    )
    parser.add_argument(
        "--reread-every", type=float, default=1.0, help="seconds between page reads (0: none)"
    )
    args = parser.parse_args()
    global REREAD_EVERY
    REREAD_EVERY = args.reread_every

    url = bench_database("bench_webhooks")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test", DATABASE_URL=url, PORTAL_PUBLIC_URL=base, **SHARED
    )
    from tests.support.celery_worker import CeleryWorker, worker_env
    from tests.support.simulator import SimulatorProcess

    sim = SimulatorProcess(seed=SEED, speed=1.0, extra_args=("--latency-ms", str(args.latency_ms)))
    sim.control("config", durationSeconds=0.3)
    import requests

    pem = requests.get(f"{sim.url}/control/webhooks/public-key", timeout=10).json()["publicKey"]
    os.environ.update(CLC_API_URL=sim.url, CLC_WEBHOOK_PUBLIC_KEYS=pem.replace("\n", "\\n"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apps.activities.models import Activity
    from apps.webhooks.models import Delivery, ResourceMark

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    ResourceMark.objects.all().delete()
    Activity.objects.all().delete()
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    worker = server = events = None
    try:
        env = worker_env(connection.settings_dict, sim.url, **SHARED)
        worker = CeleryWorker(env, SHARED["ACTIVITY_QUEUE"], workdir, concurrency=args.concurrency).start()
        server = start_portal(port, {**env, "PORTAL_PUBLIC_URL": base}, args.web)
        call_command("connect_webhooks", username="demo", password="demo")
        client = Client()
        assert client.post("/login/", {"username": "demo", "password": "demo"}).status_code == 302
        cookies = {"sessionid": client.cookies["sessionid"].value}
        events = Events(base, cookies)
        events.start()
        portal = Portal(base, cookies)
        cold, whole = portal.reread()
        quiet = [portal.reread() for _ in range(5)]
        warm, none = percentile([t for t, _c in quiet], 0.5), max(c for _t, c in quiet)
        print(
            f"seed {SEED} (WA1: 1,000 servers), upstream latency {args.latency_ms} ms, operations 0.3 s; worker -c "
            f"{args.concurrency}; {os.cpu_count()} CPUs. WA1 page cold: {whole} upstream calls in {cold:.2f} s; "
            f"warm (quiet, p50 of 5): {none} calls in {warm:.3f} s"
        )
        cloud = Cloud(sim)
        first = run_changes(args.changes, cloud, events, portal, whole)
        from apps.simulator.seed import build_world

        # every other server: all data centers, WA1's (the open page's) half of them
        servers = sorted(s.id for s in build_world(SEED).servers.values() if s.alias == "DEMO")[::2]
        second = (
            run_burst(args.burst, args.burst_seconds, cloud, events, portal, servers) if args.burst else None
        )
        if second:
            print(f"  (the same page read quiet, before: {warm:.3f} s)")
        print("\n== summary ==")
        verdict = []
        if first["p95"] > 2:
            verdict.append(f"change -> SSE p95 {first['p95']:.2f} s > 2 s")
        if first["missing"]:
            verdict.append(f"{first['missing']} changes never announced")
        print("changes one by one: " + ("targets met" if not verdict else "; ".join(verdict)))
        if second:
            print(
                f"burst: {'absorbed, nothing lost' if not second['lost'] and second['handled'] == args.burst else 'LOST'};"
                f" change -> SSE p95 {second['p95']:.1f} s, of which up to {second['queued_p95']:.1f} s waiting in the"
                f" simulator's sender (one at a time per target URI, each waiting for the portal's answer, p50"
                f" {second['answer_p50'] * 1000:.0f} ms: {1 / max(second['answer_p50'], 1e-3):.0f}/s at most)"
            )
    finally:
        if events is not None:
            events.response.close()
        if server is not None:
            stop_portal(server)
        if worker is not None:
            worker.stop()
        sim.stop()
        import redis

        r = redis.Redis.from_url(settings.REDIS_URL)
        for prefix in {SHARED["ACTIVITY_STREAM_PREFIX"], SHARED["CACHE_KEY_PREFIX"]}:
            for key in r.scan_iter(f"{prefix}:*"):
                r.delete(key)


if __name__ == "__main__":
    main()
