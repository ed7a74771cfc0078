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
    """At most this many due activities claimed (and polled) by one dispatch."""
    return int(_get("ACTIVITY_BATCH_SIZE", 500))


def write_batch() -> int:
    """Compare-and-sets per batched UPDATE statement (PostgreSQL)."""
    return max(1, int(_get("ACTIVITY_WRITE_BATCH", 500)))


def poll_concurrency() -> int:
    """Status links polled at once by a worker process (one thread pool shared by its dispatches;
    keep it within the HTTP pool, ``2 * CLC_FANOUT_WORKERS`` connections)."""
    return max(1, int(_get("ACTIVITY_POLL_CONCURRENCY", int(getattr(settings, "CLC_FANOUT_WORKERS", 16)))))


def queue() -> str:
    """The Celery queue of the tracking tasks (tests give their worker a queue of its own)."""
    return str(_get("ACTIVITY_QUEUE", "celery"))


def stream_prefix() -> str:
    """Redis Stream keys are ``<prefix>:account:<ALIAS>`` (tests use a prefix of their own)."""
    return str(_get("ACTIVITY_STREAM_PREFIX", "events"))


def stream_maxlen() -> int:
    return int(_get("ACTIVITY_STREAM_MAXLEN", 1000))


def stream_redis_url() -> str:
    return str(_get("ACTIVITY_REDIS_URL", settings.REDIS_URL))


def heartbeat_seconds() -> float:
    return float(_get("ACTIVITY_SSE_HEARTBEAT_SECONDS", 15))


def poll_interval(age_seconds: float) -> float:
    """0.5 s while the operation is young (30 s), then backing off gradually to 5 s."""
    if age_seconds <= 30:
        return 0.5
    return min(5.0, 0.5 + (age_seconds - 30) / 60.0)
