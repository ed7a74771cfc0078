"""``/events/`` streams end with the session and a person holds few of them (issue #16, item 3).

Read through the real async view (Django's AsyncClient makes an ASGI request), with a short
heartbeat, a stream prefix of the test's own, and events XADDed to the account's stream directly.
"""

import asyncio
import uuid
from datetime import timedelta

import pytest
import redis
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient
from django.utils import timezone

from apps.accounts.models import CloudToken, User
from apps.activities.streams import stream_key
from tests.support.portal import redis_test_url, signed_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


@pytest.fixture
def stream_settings(clc_settings):
    prefix = f"test-guard-{uuid.uuid4().hex[:8]}"
    clc_settings.ACTIVITY_STREAM_PREFIX = prefix
    clc_settings.ACTIVITY_SSE_HEARTBEAT_SECONDS = 0.2
    yield clc_settings
    r = redis.Redis.from_url(redis_test_url())
    keys = list(r.scan_iter(f"{prefix}:*"))
    if keys:
        r.delete(*keys)


def publish(alias="DEMO", user_id=0, activity_id=1):
    r = redis.Redis.from_url(redis_test_url())
    data = f'{{"type":"activity","activity":{{"id":{activity_id},"user_id":{user_id},"status":"queued"}}}}'
    r.xadd(stream_key(alias), {"data": data})


class Stream:
    """One open ``/events/`` response, read chunk by chunk."""

    def __init__(self, response):
        self.response = response
        self.iterator = response.streaming_content.__aiter__() if response.streaming else None
        self.blocks: list[str] = []
        self.ended = False
        self.buffer = ""

    @classmethod
    async def open(cls, cookies, last_event_id=None):
        """``last_event_id`` as EventSource polyfills send it (``?lastEventId=``)."""
        client = AsyncClient()
        client.cookies = cookies
        return cls(await client.get("/events/", {"lastEventId": last_event_id} if last_event_id else {}))

    async def read_until(self, predicate, timeout=5.0) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self):
            remaining = deadline - loop.time()
            if remaining <= 0 or self.ended:
                return predicate(self)
            try:
                chunk = await asyncio.wait_for(self.iterator.__anext__(), remaining)
            except StopAsyncIteration:
                self.ended = True
                continue
            except TimeoutError:
                return predicate(self)
            self.buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in self.buffer:
                block, self.buffer = self.buffer.split("\n\n", 1)
                self.blocks.append(block)
        return True

    def events(self, name: str) -> list[str]:
        return [b for b in self.blocks if f"event: {name}" in b.splitlines()]

    def heartbeats(self) -> int:
        return sum(1 for b in self.blocks if b.startswith(": heartbeat"))

    async def close(self):
        """What the server does when the connection closes: the view's generator is finalized
        (Django's wrapper around it does not close it; the event loop's finalizer does)."""
        if self.iterator is None:
            return
        await self.iterator.aclose()
        inner = getattr(self.response, "_iterator", None)
        if inner is not None and hasattr(inner, "aclose"):
            await inner.aclose()


def run(coroutine):
    async def wrapped():
        try:
            return await coroutine
        finally:
            await sync_to_async(connections.close_all)()

    return asyncio.run(wrapped())


def test_a_stream_ends_when_the_person_signs_out(stream_settings):
    page = signed_in("demo")
    demo = User.objects.get(cloud_username="demo")

    async def scenario():
        stream = await Stream.open(page.cookies)
        assert stream.response.status_code == 200
        try:
            assert await stream.read_until(lambda s: s.heartbeats() >= 1)
            publish(user_id=demo.pk, activity_id=1)
            assert await stream.read_until(lambda s: s.events("activity"))
            await sync_to_async(page.post)("/logout/")
            publish(user_id=demo.pk, activity_id=2)  # after the sign-out: never delivered
            await stream.read_until(lambda s: s.ended, timeout=5)
            return stream
        finally:
            await stream.close()

    stream = run(scenario())
    assert stream.ended, "the stream outlived the session"
    assert len(stream.events("activity")) == 1 and "sign in again" in stream.events("end")[0]

    # Reconnecting is refused (EventSource then stops; the page falls back to its own checks).
    async def reconnect():
        return await Stream.open(page.cookies)

    assert run(reconnect()).response.status_code == 401


def test_no_event_reaches_a_signed_out_stream_while_events_flow(stream_settings):
    """Events arriving without pause never give the stream a heartbeat: the sign-out still ends it
    before the next event, without waiting for a periodic check."""
    stream_settings.ACTIVITY_SSE_SESSION_CHECK_SECONDS = 3600
    page = signed_in("demo")
    demo = User.objects.get(cloud_username="demo")

    async def scenario():
        stream = await Stream.open(page.cookies)
        try:
            assert await stream.read_until(lambda s: s.heartbeats() >= 1)
            for i in range(3):
                publish(user_id=demo.pk, activity_id=10 + i)
                assert await stream.read_until(lambda s, n=i + 1: len(s.events("activity")) >= n)
            await sync_to_async(page.post)("/logout/")
            for i in range(3):
                publish(user_id=demo.pk, activity_id=20 + i)
                await stream.read_until(lambda s: s.ended, timeout=0.1)
            await stream.read_until(lambda s: s.ended, timeout=5)
            return stream
        finally:
            await stream.close()

    stream = run(scenario())
    assert stream.ended and len(stream.events("activity")) == 3


def test_a_stream_ends_when_the_cloud_refuses_the_token(stream_settings):
    """An upstream 401 elsewhere marks the token invalid: the open stream ends too."""
    from apps.accounts.services import mark_token_invalid

    stream_settings.ACTIVITY_SSE_SESSION_CHECK_SECONDS = 3600
    page = signed_in("demo")
    demo = User.objects.get(cloud_username="demo")

    async def scenario():
        stream = await Stream.open(page.cookies)
        try:
            assert await stream.read_until(lambda s: s.heartbeats() >= 1)
            await sync_to_async(mark_token_invalid)(demo)
            publish(user_id=demo.pk, activity_id=30)
            await stream.read_until(lambda s: s.ended, timeout=5)
            return stream
        finally:
            await stream.close()

    stream = run(scenario())
    assert stream.ended and stream.events("activity") == []


def test_a_stream_ends_when_the_cloud_token_expires(stream_settings):
    page = signed_in("demo")
    demo = User.objects.get(cloud_username="demo")

    async def scenario():
        stream = await Stream.open(page.cookies)
        try:
            assert await stream.read_until(lambda s: s.heartbeats() >= 1)
            await sync_to_async(
                lambda: CloudToken.objects.filter(user=demo).update(
                    expires_at=timezone.now() - timedelta(seconds=1)
                )
            )()
            await stream.read_until(lambda s: s.ended, timeout=5)
            return stream
        finally:
            await stream.close()

    stream = run(scenario())
    assert stream.ended and stream.events("end")


def test_a_person_holds_at_most_the_configured_number_of_streams(stream_settings):
    stream_settings.ACTIVITY_SSE_MAX_STREAMS = 2
    demo_page = signed_in("demo")
    other_tab = signed_in("demo")  # another session of the same person counts too
    viewer = signed_in("viewer")

    async def scenario():
        first = await Stream.open(demo_page.cookies)
        second = await Stream.open(other_tab.cookies)
        for s in (first, second):
            assert s.response.status_code == 200
            assert await s.read_until(lambda s: s.heartbeats() >= 1)
        third = await Stream.open(demo_page.cookies)
        refused = (third.response.status_code, third.response.get("Retry-After"))
        someone_else = await Stream.open(viewer.cookies)
        other_status = someone_else.response.status_code
        await someone_else.close()
        await first.close()  # a tab closes: its slot is free again
        fourth = await Stream.open(demo_page.cookies)
        again = fourth.response.status_code
        await fourth.close()
        await second.close()
        return refused, other_status, again

    (status, retry_after), other_status, again = run(scenario())
    assert status == 429 and retry_after and int(retry_after) > 0
    assert other_status == 200 and again == 200


def test_without_redis_the_stream_is_a_503_not_a_500(stream_settings):
    stream_settings.ACTIVITY_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    page = signed_in("demo")

    async def scenario():
        return await Stream.open(page.cookies)

    response = run(scenario()).response
    assert response.status_code == 503 and response["Retry-After"]


# An id past what Redis takes (a sequence over 64 bits), or written in other digits: before, the first
# read sent it to Redis and the stream broke with an error; now it is unreadable, so "very old".
@pytest.mark.parametrize("last_id", ["2000-99999999999999999999", "\u0662\u0660\u0660\u0660-0"])
def test_an_unreadable_last_event_id_resyncs_instead_of_breaking_the_stream(stream_settings, last_id):
    r = redis.Redis.from_url(redis_test_url())
    for entry in ("1000-0", "3000-0"):
        r.xadd(stream_key("DEMO"), {"data": "{}"}, id=entry)
    page = signed_in("demo")

    async def scenario():
        stream = await Stream.open(page.cookies, last_event_id=last_id)
        try:
            await stream.read_until(lambda s: s.events("resync") and s.heartbeats() >= 1)
            return stream
        finally:
            await stream.close()

    stream = run(scenario())
    assert stream.heartbeats() >= 1 and not stream.ended
    assert "Events were missed" in stream.events("resync")[0]
