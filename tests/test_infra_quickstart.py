"""`make run` for real: ``python -m portal.quickstart`` starts every service, answers, and stops them all."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests

from tests.support.simulator import free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 120  # generous: the suite runs on two busy cores
STOP_TIMEOUT = 30


def closed_port() -> int:
    """A port nothing listens on (we bound it and let it go)."""
    return free_port()


class Quickstart:
    def __init__(self, tmp_path: Path, **env):
        self.log_path = tmp_path / "quickstart.log"
        self.port = free_port()
        self.sim_port = free_port()
        environ = {
            key: value
            for key, value in os.environ.items()
            if key not in ("CLC_API_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
            and not key.startswith("PYTEST_")
        }
        environ.update(
            PORT=str(self.port),
            SIMULATOR_PORT=str(self.sim_port),
            DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            QUICKSTART_VAR_DIR=str(tmp_path / "var"),
            QUICKSTART_STOP_TIMEOUT="10",
        )
        environ.update(env)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portal.quickstart"],
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"quickstart exited ({self.proc.returncode}):\n{self.output()[-4000:]}")
            return "quickstart | ready" in self.output()

        wait_until(ready, timeout=STARTUP_TIMEOUT, interval=0.2, message="quickstart to print 'ready'")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def stop(self, sig) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        finally:
            self.log.close()

    def kill(self):
        if self.proc.poll() is None:
            for child in self.descendants():
                child.kill()
            self.proc.kill()
            self.proc.wait()
        self.log.close()


EVERY_SERVICE = (
    "redis-server",
    "runsimulator",
    "uvicorn",
    "celery -A portal worker",
    "celery -A portal beat",
)


def assert_every_service(children: list[psutil.Process]):
    """The quick start's children run its own Redis, the simulator, the web server, a worker and beat."""
    names = " ".join(" ".join(p.cmdline()) for p in children)
    for part in EVERY_SERVICE:
        assert part in names, names


def assert_all_gone(procs: list[psutil.Process], timeout: float = 5):
    gone, alive = psutil.wait_procs(procs, timeout=timeout)
    survivors = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not survivors, f"still running after quickstart stopped: {[p.cmdline() for p in survivors]}"


@pytest.fixture
def quickstarts():
    started = []
    yield started
    for qs in started:
        qs.kill()


def test_quickstart_starts_everything_with_its_own_redis_and_ctrl_c_stops_it(tmp_path, quickstarts):
    redis_port = closed_port()
    qs = Quickstart(tmp_path, REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    quickstarts.append(qs)
    qs.wait_ready()
    out = qs.output()

    # The banner: URL, upstream, our own Redis, the demo sign-ins.
    assert f"http://127.0.0.1:{qs.port}/" in out
    assert f"http://127.0.0.1:{qs.sim_port} (simulator)" in out
    match = re.search(r"started our own at (redis://127\.0\.0\.1:(\d+)/0)", out)
    assert match, out
    for user in ("demo", "operator", "viewer", "other"):
        assert re.search(rf"{user}\s+/ {user}\b", out)

    # Every service answers.
    assert requests.get(f"{qs.url}/healthz/", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"http://127.0.0.1:{qs.sim_port}/control", timeout=5).json()["seed"] == "demo"
    login = requests.post(
        f"http://127.0.0.1:{qs.sim_port}/v2/authentication/login",
        json={"username": "demo", "password": "demo"},
        timeout=5,
    )
    assert login.status_code == 200 and login.json()["accountAlias"] == "DEMO"
    import redis

    assert redis.Redis.from_url(match.group(1), socket_timeout=2).ping()

    # The demo account's webhooks deliver to this portal, which verifies the simulator's signature:
    # a change made straight through the simulator's API is accepted (202) by the receiver.
    assert "the demo account's changes are delivered to this portal" in out
    sim = f"http://127.0.0.1:{qs.sim_port}"
    bearer = {"Authorization": f"Bearer {login.json()['bearerToken']}"}
    hooks = requests.get(f"{sim}/v2/webhooks/demo", headers=bearer, timeout=5).json()["items"]
    assert all(
        item["configuration"]["targetUris"][0]["targetUri"].startswith(f"{qs.url}/hooks/clc/")
        for item in hooks
    )
    servers = requests.get(f"{sim}/control/webhooks/deliveries", timeout=5).json()["deliveries"]
    assert servers == []  # nothing happened yet
    emitted = requests.post(
        f"{sim}/control/webhooks/emit",
        json={"event": "User.Updated", "alias": "DEMO", "userName": "viewer"},
        timeout=5,
    )
    assert emitted.status_code == 200

    def delivered():
        sent = requests.get(f"{sim}/control/webhooks/deliveries", timeout=5).json()["deliveries"]
        return sent and sent[-1]["status"] == "delivered" and sent[-1]

    assert wait_until(delivered, timeout=30, message="the delivery to the portal")["lastStatus"] == 202

    children = qs.descendants()
    assert_every_service(children)

    assert qs.stop(signal.SIGINT) == 0
    assert_all_gone(children)
    assert "quickstart | stopped" in qs.output()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{qs.url}/healthz/", timeout=2)


def test_quickstart_uses_clc_api_url_and_an_existing_redis_and_sigterm_stops_it(
    tmp_path, quickstarts, simulator
):
    redis_url = os.environ.get("QUICKSTART_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {redis_url}")
    qs = Quickstart(tmp_path, REDIS_URL=redis_url, CLC_API_URL=simulator.url)
    quickstarts.append(qs)
    qs.wait_ready()
    out = qs.output()
    assert f"using the Redis at {redis_url}" in out
    assert f"the portal talks to {simulator.url}" in out
    assert "Sign in with your CenturyLink Cloud credentials" in out
    children = qs.descendants()
    names = " ".join(" ".join(p.cmdline()) for p in children)
    assert "runsimulator" not in names and "redis-server" not in names
    assert requests.get(f"{qs.url}/healthz/", timeout=5).ok

    assert qs.stop(signal.SIGTERM) == 0
    assert_all_gone(children)


def test_quickstart_refuses_a_busy_port_and_leaves_nothing_behind(tmp_path, quickstarts):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        redis_port = closed_port()
        qs = Quickstart(tmp_path, REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", SIMULATOR_PORT=str(port))
        quickstarts.append(qs)
        assert qs.proc.wait(timeout=STARTUP_TIMEOUT) == 1
    out = qs.output()
    assert f"port {port} is already in use; set SIMULATOR_PORT" in out
    assert "quickstart | stopped" in out
    # The Redis it had started is gone too.
    import redis

    with pytest.raises(redis.ConnectionError):
        redis.Redis(port=redis_port, socket_connect_timeout=1).ping()
