"""The quick start under stress and when it dies badly (real ``python -m portal.quickstart`` runs):

* 50 operations at once on its own layout (SQLite under var/, the worker, beat, the web server):
  all accepted, all tracked to the end, no ``database is locked`` anywhere in its output, and its
  output stays quiet (no per-run dispatcher lines, one line when a dispatch changed something);
* ``kill -9`` of the quick start: every child dies with it within seconds, its ports are free, and
  a second quick start on the same ports starts cleanly and stops without having to kill anything;
* each run's worker takes only its own run's tasks (a task on another queue of the same Redis stays
  where it is).
"""

import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from celery import Celery

from portal.local_services import port_is_free
from tests.support.portal import seeded_started_servers
from tests.support.simulator import wait_until
from tests.test_infra_quickstart import (  # noqa: F401  (quickstarts: the fixture that kills what a test started)
    Quickstart,
    assert_all_gone,
    assert_every_service,
    closed_port,
    quickstarts,
)

pytestmark = pytest.mark.slow

SEED = "scale:200"


def signed_in(qs) -> requests.Session:
    """A browser-like session of demo on the quick start (CSRF cookie + header for API posts)."""
    session = requests.Session()
    session.get(f"{qs.url}/login/", timeout=30)
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{qs.url}/login/",
        {"username": "demo", "password": "demo", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{qs.url}/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def test_fifty_operations_at_once_on_sqlite_lock_nothing_and_log_little(tmp_path, quickstarts):  # noqa: F811
    qs = Quickstart(tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0", SIMULATOR_SEED=SEED)
    quickstarts.append(qs)
    qs.wait_ready()
    requests.post(f"http://127.0.0.1:{qs.sim_port}/control/config", json={"speed": 20}, timeout=10)
    session = signed_in(qs)
    servers = seeded_started_servers(50, SEED)
    quiet_from = len(qs.output())

    def reboot(server_id):
        return session.post(
            f"{qs.url}/api/v1/servers/{server_id}/operations/", json={"operation": "reboot"}, timeout=120
        )

    def read(_):
        return session.get(f"{qs.url}/", timeout=120)

    with ThreadPoolExecutor(12) as pool:
        reads = pool.map(read, range(20))
        answers = list(pool.map(reboot, servers))
        pages = list(reads)
    assert [a.status_code for a in answers] == [202] * 50, [(a.status_code, a.text[:200]) for a in answers]
    assert [p.status_code for p in pages] == [200] * 20
    ids = {a.json()["activity"]["id"] for a in answers}

    def all_succeeded():
        found = session.get(f"{qs.url}/api/v1/activities/?limit=100", timeout=60).json()["results"]
        mine = [a for a in found if a["id"] in ids]
        assert not [a for a in mine if a["status"] in ("failed", "unknown")], mine
        return len(mine) == 50 and all(a["status"] == "succeeded" for a in mine)

    wait_until(all_succeeded, timeout=240, interval=1, message="the 50 reboots to succeed")
    out = qs.output()
    assert "database is locked" not in out
    assert "Traceback" not in out, out[-4000:]
    # Quiet: the dispatcher ran all along, yet only its "changed something" lines are in the output.
    during = out[quiet_from:]
    assert "Sending due task activities-dispatch" not in during
    assert "Task activities.dispatch[" not in during
    assert re.search(r"dispatch: \d+ status change\(s\)", during), during[-3000:]


def test_kill_9_takes_every_child_and_a_second_run_starts_cleanly(tmp_path, quickstarts):  # noqa: F811
    redis_port = closed_port()
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    first = Quickstart(tmp_path / "one", REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    quickstarts.append(first)
    first.wait_ready()
    children = first.descendants()
    assert_every_service(children)

    os.kill(first.proc.pid, signal.SIGKILL)  # no shutdown: a crash, a closed terminal
    first.proc.wait(timeout=10)
    assert_all_gone(children, timeout=20)
    for port in (first.port, first.sim_port, redis_port):
        wait_until(lambda port=port: port_is_free(port), timeout=10, message=f"port {port} to be free")

    second = Quickstart(
        tmp_path / "two",
        PORT=str(first.port),
        SIMULATOR_PORT=str(first.sim_port),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
    )
    second.port, second.url = first.port, first.url
    quickstarts.append(second)
    second.wait_ready()
    assert requests.get(f"{second.url}/healthz/", timeout=10).json() == {"status": "ok"}
    kids = second.descendants()
    assert second.stop(signal.SIGINT) == 0
    assert "did not stop in" not in second.output()  # nothing had to be killed (the worker: cold)
    assert_all_gone(kids, timeout=10)


def test_each_run_takes_only_its_own_tasks(tmp_path, quickstarts):  # noqa: F811
    redis_url = os.environ.get("QUICKSTART_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(redis_url, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {redis_url}")
    qs = Quickstart(tmp_path, REDIS_URL=redis_url)
    quickstarts.append(qs)
    qs.wait_ready()
    queue = re.search(r"worker \| .*\.> (quickstart-\S+)", qs.output())
    assert queue, qs.output()[-3000:]
    own = queue.group(1)
    assert own.startswith(f"quickstart-{qs.proc.pid}-")

    app = Celery("probe", broker=redis_url)
    broker = redis.Redis.from_url(redis_url)
    stranger = f"quickstart-elsewhere-{os.getpid()}"
    try:
        app.send_task("activities.poll", args=[[]], queue=stranger)  # another run's task
        app.send_task("activities.poll", args=[[]], queue="celery")  # a task of an older run
        app.send_task("activities.poll", args=[[]], queue=own)
        wait_until(lambda: broker.llen(own) == 0, timeout=30, message="our worker to take its task")
        assert broker.llen(stranger) == 1 and broker.llen("celery") >= 1
    finally:
        broker.delete(stranger)
        broker.lpop("celery")  # ours: the newest
        app.close()
