"""`make test` on a bare machine: with nothing answering at the configured URLs it starts a throwaway
Redis and PostgreSQL, runs the selected tests against them, and leaves nothing behind; without
Chromium it stops before the suite with one line (portal/testenv.py).

The fresh-clone test reuses the venv running this suite (``make VENV=...``), so it needs no download;
``MAKE_TEST_CLONE_VENV=new`` makes the clone build its own ``.venv`` from the pins instead, as a
first ``make test`` on a new machine does (minutes)."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.support.simulator import free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT = 900  # a whole `make test` of a few tests, plus a venv of its own with MAKE_TEST_CLONE_VENV=new
QUICK_TESTS = (
    "test_constraints_pin_every_line_exactly or test_sign_in_success_creates_user_and_encrypted_token"
    " or test_sign_in_is_throttled_per_user_name"
)
SERVICE_URLS = ("REDIS_URL", "TEST_REDIS_URL", "QUICKSTART_TEST_REDIS_URL", "RESILIENCE_REDIS_URL")


def nothing_answers_env(tmp: Path) -> dict:
    """This environment with every service URL at a port where nothing listens, and TMPDIR of our own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in ("DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MFLAGS")
    }
    for number, name in enumerate(SERVICE_URLS):
        env[name] = f"redis://127.0.0.1:{free_port()}/{number + 12}"
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{free_port()}/test"
    (tmp / "tmp").mkdir()
    env["TMPDIR"] = str(tmp / "tmp")
    return env


def started(output: str) -> tuple[dict[str, int], Path]:
    """The throwaway services' ports, and their temporary directory, from what make test printed."""
    redis = re.search(
        r"started a throwaway one at 127\.0\.0\.1:(\d+) for TEST_REDIS_URL.* \(in (\S+),", output
    )
    postgres = re.search(
        r"started a throwaway one at postgres://postgres@127\.0\.0\.1:(\d+)/test .*\(in (\S+),", output
    )
    assert redis and postgres and redis.group(2) == postgres.group(2), output[-4000:]
    return {"redis": int(redis.group(1)), "postgres": int(postgres.group(1))}, Path(redis.group(2))


def listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def assert_nothing_left(tmp: Path, ports: dict[str, int], workdir: Path):
    def leftovers():
        found = []
        for proc in psutil.process_iter(["pid", "cmdline"]):
            with_tmp = " ".join(proc.info["cmdline"] or [])
            if (str(tmp) in with_tmp or str(workdir) in with_tmp) and proc.pid != os.getpid():
                found.append(with_tmp)
        return found

    wait_until(lambda: not leftovers(), timeout=10, interval=0.2, message="every started process to exit")
    for name, port in ports.items():
        assert not listening(port), f"the throwaway {name} still listens on {port}"
    assert not workdir.exists(), f"{workdir} was left behind"
    assert not list((tmp / "tmp").glob("make-test-*")), "a temporary directory was left behind"


@pytest.mark.slow
def test_make_test_in_a_fresh_clone_with_nothing_running_starts_and_stops_its_own_services(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    env = nothing_answers_env(tmp_path)
    venv = [] if os.environ.get("MAKE_TEST_CLONE_VENV") == "new" else [f"VENV={sys.prefix}"]
    run = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "test",
            *venv,
            f"PYTEST_ARGS=-p no:cacheprovider -k '{QUICK_TESTS}'",
        ],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    out = run.stdout
    assert run.returncode == 0, out[-6000:]
    assert re.search(r"^=+ 3 passed", out, re.M), out[-3000:]
    ports, workdir = started(out)
    assert "make test | stopped PostgreSQL, Redis" in out
    assert_nothing_left(tmp_path, ports, workdir)


@pytest.mark.slow
def test_sigterm_while_the_suite_runs_stops_pytest_and_the_services(tmp_path):
    env = nothing_answers_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    log_path = tmp_path / "out.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portal.testenv", "-p", "no:cacheprovider", "-k", QUICK_TESTS],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(
                lambda: "started a throwaway one at postgres" in log_path.read_text()
                or proc.poll() is not None,
                timeout=120,
                interval=0.1,
                message="the throwaway PostgreSQL",
            )
            ports, workdir = started(log_path.read_text())
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    out = log_path.read_text()
    assert code != 0, out[-3000:]
    assert "make test | stopped PostgreSQL, Redis" in out, out[-3000:]
    assert_nothing_left(tmp_path, ports, workdir)


def test_without_chromium_browser_tests_stop_before_the_suite_unless_left_out(tmp_path):
    """Where Chromium cannot be installed (not root, or, as here, no apt-get on PATH)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        CHROMIUM_PATH=str(tmp_path / "no-chromium"),
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        PATH=str(Path(sys.executable).parent),
    )
    browser_test = ["-p", "no:cacheprovider", "tests/browser/test_inventory_browser.py"]

    def launcher(*args):
        return subprocess.run(
            [sys.executable, "-m", "portal.testenv", *browser_test, *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )

    stopped = launcher()
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    lines = stopped.stderr.strip().splitlines()
    assert len(lines) == 1 and "there is no Chromium" in lines[0], stopped.stderr
    assert "PYTEST_ARGS='-m \"not browser\"'" in lines[0]
    assert "test session starts" not in stopped.stdout and "throwaway" not in stopped.stdout

    # Left out, the check passes; the selection is then empty, which fails as "collected no tests".
    left_out = launcher("-m", "not browser")
    assert left_out.returncode == 5, left_out.stdout[-3000:] + left_out.stderr
    assert "make test: FAILED - pytest collected no tests" in left_out.stderr
