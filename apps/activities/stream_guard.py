"""What keeps an ``/events/`` stream honest: it ends with the session, and a person holds few.

``may_continue(session_key, user_id)``: the session still exists, unexpired, still signed in as
that person, and their cloud token is still usable (apps.accounts). The stream asks on every
heartbeat, at most every ``ACTIVITY_SSE_SESSION_CHECK_SECONDS`` (1 s) while events flow, and at
once before delivering events when the person's *access generation* moved: a counter in Redis
that every ``apps.accounts.signals.access_ended`` (a sign-out, a token deleted or refused by the
cloud) increments, which the stream reads with each batch of events (one GET). So a sign-out ends
the person's streams before the next event; a token that merely expires ends them at the next
heartbeat or check.

``Slots``: at most ``ACTIVITY_SSE_MAX_STREAMS`` (10) open streams per person, counted in Redis (a
sorted set per person: one member per stream, scored with its expiry, refreshed on every
heartbeat, so the slot of a stream whose process died frees itself).
"""

import logging
import time
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.module_loading import import_string

from apps.accounts.services import SESSION_TOKEN_EXPIRES, has_usable_token

from . import conf, streams

log = logging.getLogger(__name__)


def generation_key(user_id) -> str:
    return f"{conf.stream_prefix()}:access:{user_id}"


def access_ended(sender, user_id, **kwargs) -> None:
    """Receiver of ``apps.accounts.signals.access_ended``: move the person's access generation."""
    try:
        client = streams._client()
        key = generation_key(user_id)
        client.incr(key)
        client.expire(key, 7 * 24 * 3600)
    except Exception:  # streams still re-check on their next heartbeat
        log.warning("could not announce the end of access of user %s", user_id, exc_info=True)


async def generation(client, user_id):
    """The person's access generation as the stream's Redis client reads it (None: never moved)."""
    return await client.get(generation_key(user_id))


def _session_store(session_key: str):
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    return engine(session_key=session_key)


def _may_continue(session_key: str | None, user_id: int) -> bool:
    if not session_key:
        return False
    data = _session_store(session_key).load()  # {} when gone or expired
    if str(data.get(SESSION_KEY, "")) != str(user_id):
        return False
    expires = data.get(SESSION_TOKEN_EXPIRES)
    if expires is not None and expires <= time.time():
        return False
    return has_usable_token(user_id)


async def may_continue(session_key: str | None, user_id: int) -> bool:
    return await sync_to_async(_may_continue)(session_key, user_id)


class Slots:
    """One person's open streams in Redis (``client``: a redis.asyncio client)."""

    def __init__(self, client, user_id: int):
        self.client = client
        self.key = f"{conf.stream_prefix()}:open:{user_id}"
        self.member = uuid.uuid4().hex

    def _ttl(self) -> float:
        return 3 * conf.heartbeat_seconds() + 5

    async def acquire(self) -> bool:
        """Take a slot; False when the person already holds ``max_streams()`` of them."""
        now = time.time()
        pipe = self.client.pipeline(transaction=True)
        pipe.zremrangebyscore(self.key, 0, now)
        pipe.zadd(self.key, {self.member: now + self._ttl()})
        pipe.zcard(self.key)
        pipe.expire(self.key, int(self._ttl()) + 1)
        *_, count, _ = await pipe.execute()
        if count > conf.max_streams():
            await self.client.zrem(self.key, self.member)
            return False
        return True

    async def refresh(self) -> None:
        now = time.time()
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.key, {self.member: now + self._ttl()})
        pipe.expire(self.key, int(self._ttl()) + 1)
        await pipe.execute()

    async def release(self) -> None:
        await self.client.zrem(self.key, self.member)
