"""Push: every status change is XADDed to ONE Redis Stream per account (team).

Key: ``events:account:<ALIAS>`` (prefix from ``ACTIVITY_STREAM_PREFIX``), ``MAXLEN ~ 1000``.
The team stream carries every activity of the account; each entry says whose it is (``user_id``),
so a person's page subscribes to its account's stream and filters with ``mine`` if it wants.
One stream means one monotonic id per entry: the SSE ``id`` is that stream id, so Last-Event-ID
resumes exactly. Another account's stream is never read for you (the key comes from your account).

Entry fields: ``data`` = the JSON the SSE ``data:`` line carries (see ``event_payload``).
Publishing is best-effort: the database row is the truth, a lost entry only means the page
reloads its fragment (``resync``) or sees the change on its next load.
"""

import json
import logging
import os
import threading

import redis
from django.utils import timezone

from . import conf
from .serializers import activity_json

log = logging.getLogger(__name__)

_clients: dict = {}
_clients_lock = threading.Lock()


def stream_key(alias: str) -> str:
    return f"{conf.stream_prefix()}:account:{str(alias or '').upper()}"


def _client() -> redis.Redis:
    url = conf.stream_redis_url()
    key = (url, os.getpid())
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
                _clients[key] = client
    return client


def newest_id(alias: str) -> str:
    """The id of the newest entry of the account's stream; ``0-0`` when it is empty, ``""`` when
    Redis does not answer."""
    try:
        newest = _client().xrevrange(stream_key(alias), count=1)
    except Exception:
        return ""
    if not newest:
        return "0-0"
    entry_id = newest[0][0]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


def event_payload(activity, previous: str | None) -> dict:
    return {
        "type": "activity",
        "previous_status": previous,
        "at": timezone.now().isoformat(),
        "activity": activity_json(activity),
    }


def publish(activity, previous: str | None) -> str | None:
    """XADD the change to the account's stream; the new stream id (None if Redis is down)."""
    try:
        payload = json.dumps(event_payload(activity, previous), separators=(",", ":"))
        entry_id = _client().xadd(
            stream_key(activity.account_alias),
            {"data": payload},
            maxlen=conf.stream_maxlen(),
            approximate=True,
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    except Exception:
        log.warning("could not publish activity %s to its stream", activity.pk, exc_info=True)
        return None


def publish_many(changes) -> list:
    """``publish`` for a batch of ``(activity, previous)``: one Redis round trip (a pipeline), in
    order. The stream ids (None for all if Redis is down)."""
    changes = list(changes)
    if not changes:
        return []
    try:
        pipe = _client().pipeline(transaction=False)
        for activity, previous in changes:
            payload = json.dumps(event_payload(activity, previous), separators=(",", ":"))
            pipe.xadd(
                stream_key(activity.account_alias),
                {"data": payload},
                maxlen=conf.stream_maxlen(),
                approximate=True,
            )
        ids = pipe.execute()
        return [i.decode() if isinstance(i, bytes) else i for i in ids]
    except Exception:
        log.warning("could not publish %d activity changes to their streams", len(changes), exc_info=True)
        return [None] * len(changes)


def publish_data(alias: str, data: dict) -> str | None:
    """XADD another kind of account event (``{"type": "alert", ...}``): ``/events/`` sends it like
    the others (as an ``activity`` SSE event whose data has no ``activity``; live.js reads
    ``type``). Best-effort, as ``publish``."""
    try:
        payload = json.dumps({"at": timezone.now().isoformat(), **data}, separators=(",", ":"), default=str)
        entry_id = _client().xadd(
            stream_key(alias), {"data": payload}, maxlen=conf.stream_maxlen(), approximate=True
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    except Exception:
        log.warning("could not publish a %s event to %s's stream", data.get("type"), alias, exc_info=True)
        return None
