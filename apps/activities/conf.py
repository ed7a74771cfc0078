"""Settings of the activities app, each with a default (and an environment fallback for the few a
worker started by a test must share with the test process)."""

import os

from django.conf import settings


def _get(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else value


def deadline_seconds() -> float:
    """After this long without a final status an activity becomes ``unknown``."""
    return float(_get("ACTIVITY_DEADLINE_SECONDS", 2 * 3600))


def dispatch_interval() -> float:
    """How often beat runs the dispatcher (seconds)."""
    return float(_get("ACTIVITY_DISPATCH_INTERVAL", 0.5))


def lease_seconds() -> float:
    """A claimed activity is not claimed again for this long (a dead worker only delays it)."""
    return float(_get("ACTIVITY_LEASE_SECONDS", 30))


def batch_size() -> int:
    """Due activities claimed (and polled, then written) together: a dispatch's chunk. Default: the
    poll threads (one round of concurrent GETs), so a finished operation's event waits for one
    round, not for three (100 with 32 threads: p95 0.87 s at 200 at once, issue 15)."""
    return max(1, int(_get("ACTIVITY_BATCH_SIZE", poll_concurrency())))


def dispatch_budget() -> float:
    """A dispatch claims chunk after chunk while they come back full, for at most this long (s)."""
    return float(_get("ACTIVITY_DISPATCH_BUDGET", 2.0))


def write_batch() -> int:
    """Compare-and-sets per batched UPDATE statement (PostgreSQL)."""
    return max(1, int(_get("ACTIVITY_WRITE_BATCH", 500)))


def poll_concurrency() -> int:
    """Status links polled at once by a worker process (one thread pool shared by its dispatches).
    Default: the HTTP pool's size (``2 * CLC_FANOUT_WORKERS`` connections, apps.clc.client), so no
    connection is opened beyond it; with upstream latency L s a process polls at most this / L a
    second (32 at 50 ms: ~640/s): raise CLC_FANOUT_WORKERS for the worker to raise both."""
    default = max(10, 2 * int(getattr(settings, "CLC_FANOUT_WORKERS", 16)))
    return max(1, int(_get("ACTIVITY_POLL_CONCURRENCY", default)))


def queue() -> str:
    """The Celery queue of the tracking tasks (tests give their worker a queue of its own; default:
    the app's default queue, ``CELERY_QUEUE``, which the quick start sets per run)."""
    return str(_get("ACTIVITY_QUEUE", getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"))


def stream_prefix() -> str:
    """Redis Stream keys are ``<prefix>:account:<ALIAS>`` (tests use a prefix of their own)."""
    return str(_get("ACTIVITY_STREAM_PREFIX", "events"))


def stream_maxlen() -> int:
    return int(_get("ACTIVITY_STREAM_MAXLEN", 1000))


def stream_redis_url() -> str:
    return str(_get("ACTIVITY_REDIS_URL", settings.REDIS_URL))


def heartbeat_seconds() -> float:
    return float(_get("ACTIVITY_SSE_HEARTBEAT_SECONDS", 15))


def session_check_seconds() -> float:
    """While events flow, an ``/events/`` stream re-checks the session at most this often (s); on
    every heartbeat anyway."""
    return float(_get("ACTIVITY_SSE_SESSION_CHECK_SECONDS", 1.0))


def max_streams() -> int:
    """Open ``/events/`` streams one person may hold at once (one per tab); beyond: 429."""
    return max(1, int(_get("ACTIVITY_SSE_MAX_STREAMS", 10)))


def poll_slack() -> float:
    """The poll budget: poll number k not before the activity is k - this many seconds old."""
    return float(_get("ACTIVITY_POLL_SLACK", 1.5))


def poll_rate() -> float:
    """``ACTIVITY_POLL_RATE`` (1000): status polls a second the workers may spend together. Below it
    activities are polled every ``ACTIVITY_POLL_INTERVAL`` (an event comes sooner); above it the
    spacing grows to one poll a second of age (the poll budget). One worker process sustains about
    1,000 a second (docs/activities-pages.md): raise it with more worker processes."""
    return max(1.0, float(_get("ACTIVITY_POLL_RATE", 1000)))


def poll_interval(age_seconds: float) -> float:
    """``ACTIVITY_POLL_INTERVAL`` (0.5 s) while the operation is young (30 s), then backing off
    gradually (+1 s a minute) to 5 s."""
    young = float(_get("ACTIVITY_POLL_INTERVAL", 0.5))
    if age_seconds <= 30:
        return young
    return max(young, min(5.0, young + (age_seconds - 30) / 60.0))
