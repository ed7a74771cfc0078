"""The HTTP layer: one pooled ``requests.Session`` per process, bound per use to one token.

    client = ClcClient(token, account_alias="DEMO")      # usually via accounts.services.cloud_client_for
    client.get("/v2/datacenters/{alias}")                 # "{alias}" is filled with the account alias

* Every call has a (connect, read) timeout from settings.
* Errors become the typed exceptions of ``apps.clc.errors``.
* GETs are retried on 5xx, connection errors and timeouts with exponential backoff and jitter;
  POST, PATCH, PUT and DELETE are sent exactly once (urllib3 retries are off on the adapter).
* Every attempt is counted and timed in the current ``metrics`` tally (``Server-Timing``).
* The token lives only in the Authorization header of each request; it is never in the shared
  session, an exception message or a repr.
"""

import logging
import os
import random
import threading
import time
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import errors, metrics

log = logging.getLogger("apps.clc")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = "clc-portal/1.0"

_sleep = time.sleep  # indirection so tests can record backoff delays without sleeping

_session_lock = threading.Lock()
_session: requests.Session | None = None
_session_pid: int | None = None


def _build_session() -> requests.Session:
    session = requests.Session()
    pool = max(10, int(getattr(settings, "CLC_FANOUT_WORKERS", 16)) * 2)
    # total=0: urllib3 never retries on its own; the client retries GETs itself. read=False
    # re-raises a read timeout as such (requests then raises ReadTimeout, not ConnectionError).
    adapter = HTTPAdapter(
        pool_connections=4,
        pool_maxsize=pool,
        max_retries=Retry(
            total=0, connect=0, read=False, redirect=0, status=0, other=0, raise_on_status=False
        ),
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    session.trust_env = False  # no proxy/netrc surprises; the URL comes from settings
    return session


def get_session() -> requests.Session:
    """The process-wide pooled session (rebuilt after a fork, e.g. in Celery prefork workers)."""
    global _session, _session_pid
    pid = os.getpid()
    if _session is None or _session_pid != pid:
        with _session_lock:
            if _session is None or _session_pid != pid:
                _session, _session_pid = _build_session(), pid
    return _session


def reset_session() -> None:
    """Drop the pooled session (tests that change adapters; never needed in production)."""
    global _session, _session_pid
    with _session_lock:
        if _session is not None:
            _session.close()
        _session, _session_pid = None, None


def backoff_delay(attempt: int, base: float) -> float:
    """Exponential backoff with jitter: half fixed, half random ("equal jitter")."""
    ceiling = base * (2**attempt)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _message_of(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        message = body.get("message") or body.get("Message")
        if isinstance(message, str) and message.strip():
            return message.strip()
    return None


class ClcClient:
    """A light object binding the shared session to one person's token and account.

    Cheap to create: make one per request or task. Thread-safe for fan-out.
    """

    __slots__ = ("_token", "account_alias", "base_url", "location_alias")

    def __init__(
        self,
        token: str | None,
        account_alias: str = "",
        *,
        location_alias: str = "",
        base_url: str | None = None,
    ):
        self._token = token
        self.account_alias = account_alias
        self.location_alias = location_alias
        self.base_url = (base_url or settings.CLC_API_URL).rstrip("/")

    def __repr__(self) -> str:  # never the token
        return f"<ClcClient account={self.account_alias!r} base_url={self.base_url!r}>"

    __str__ = __repr__

    @property
    def alias(self) -> str:
        return self.account_alias

    # --- verbs ---------------------------------------------------------------------------
    def get(self, path: str, params: dict | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, params: dict | None = None) -> Any:
        return self.request("POST", path, json=json, params=params)

    def patch(self, path: str, json: Any = None) -> Any:
        return self.request("PATCH", path, json=json)

    def put(self, path: str, json: Any = None) -> Any:
        return self.request("PUT", path, json=json)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    # --- the one place that talks HTTP ---------------------------------------------------
    def url_for(self, path: str) -> str:
        if "{alias}" in path:
            path = path.replace("{alias}", quote(self.account_alias.lower(), safe=""))
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        authenticated: bool = True,
    ) -> Any:
        """Send one request (GETs: with retries) and return the decoded JSON body (None if empty)."""
        method = method.upper()
        url = self.url_for(path)
        shown_path = url[len(self.base_url) :] if url.startswith(self.base_url) else path
        headers = {}
        if authenticated:
            if not self._token:
                raise errors.Unauthorized(method=method, path=shown_path)
            headers["Authorization"] = f"Bearer {self._token}"
        timeout = (float(settings.CLC_CONNECT_TIMEOUT), float(settings.CLC_READ_TIMEOUT))
        retries = int(settings.CLC_GET_RETRIES) if method in IDEMPOTENT else 0
        base_delay = float(settings.CLC_RETRY_BACKOFF)
        session = get_session()
        attempt = 0
        while True:
            started = time.perf_counter()
            error: errors.ClcError | None = None
            response = None
            try:
                response = session.request(
                    method, url, params=params, json=json, headers=headers, timeout=timeout
                )
            except requests.Timeout as exc:
                error = errors.UpstreamTimeout(method=method, path=shown_path)
                cause = type(exc).__name__
            except requests.RequestException as exc:
                error = errors.UpstreamUnavailable(method=method, path=shown_path)
                cause = type(exc).__name__
            finally:
                elapsed_ms = (time.perf_counter() - started) * 1000.0
                metrics.record_call(elapsed_ms)
            if response is not None:
                status = response.status_code
                log.debug("%s %s -> %s in %.1f ms", method, shown_path, status, elapsed_ms)
                if status < 400:
                    if status == 204 or not response.content:
                        return None
                    try:
                        return response.json()
                    except ValueError:
                        error = errors.UnreadableAnswer(method=method, path=shown_path)
                        cause = "invalid JSON"
                else:
                    error = errors.error_for_status(
                        status, _message_of(response), method=method, path=shown_path
                    )
                    cause = f"HTTP {status}"
            assert error is not None
            if isinstance(error, errors.UpstreamUnavailable) and attempt < retries:
                delay = backoff_delay(attempt, base_delay)
                log.info(
                    "%s %s failed (%s); retry %d/%d in %.2fs",
                    method,
                    shown_path,
                    cause,
                    attempt + 1,
                    retries,
                    delay,
                )
                attempt += 1
                _sleep(delay)
                continue
            if isinstance(error, errors.UpstreamUnavailable):
                log.warning("%s %s failed: %s", method, shown_path, cause)
            raise error from None
