"""What keeps an ``/events/`` stream honest: it ends with the session, and a person holds few.

``may_continue(session_key, user_id)``: the session still exists, unexpired, still signed in as
that person, and their cloud token is still usable (apps.accounts). The stream asks on every
heartbeat and, while events flow, at most every ``ACTIVITY_SSE_SESSION_CHECK_SECONDS`` (1 s): a
stream opened before a sign-out (or before the cloud token expired) closes at the next heartbeat
and delivers events at most that long after.

``Slots``: at most ``ACTIVITY_SSE_MAX_STREAMS`` (10) open streams per person, counted in Redis (a
sorted set per person: one member per stream, scored with its expiry, refreshed on every
heartbeat, so the slot of a stream whose process died frees itself).
"""

import time
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.module_loading import import_string

from apps.accounts.services import SESSION_TOKEN_EXPIRES, has_usable_token

from . import conf


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
