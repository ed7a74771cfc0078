"""Start the simulator as its own process (``manage.py runsimulator``) and talk to it over HTTP."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class SimulatorProcess:
    def __init__(self, seed: str = "demo", speed: float = 50.0, extra_args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.seed = seed
        self.speed = speed
        args = [
            sys.executable,
            "manage.py",
            "runsimulator",
            "--port",
            str(self.port),
            "--seed",
            seed,
            "--speed",
            str(speed),
            *extra_args,
        ]
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.test")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_until(self._ready, timeout=30, message="the simulator to answer")

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"simulator exited: {self.proc.stderr.read().decode()[-2000:]}")
        try:
            return requests.get(f"{self.url}/control", timeout=1).ok
        except requests.ConnectionError:
            return False

    # --- control endpoint -------------------------------------------------------------------
    def control(self, action: str, **body):
        response = requests.post(f"{self.url}/control/{action}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self, seed: str | None = None):
        self.control("reset", seed=seed or self.seed)
        self.control("config", latencyMs=0, errorRate=0, failureRate=0, speed=self.speed)

    # --- the API ----------------------------------------------------------------------------
    def login(self, username: str, password: str | None = None) -> dict:
        response = requests.post(
            f"{self.url}/v2/authentication/login",
            json={"username": username, "password": password or username},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def session(self, username: str) -> requests.Session:
        """A requests session authenticated as one of the demo users."""
        token = self.login(username)["bearerToken"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        session.base = self.url
        return session

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
