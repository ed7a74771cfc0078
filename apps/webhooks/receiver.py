"""``POST /hooks/clc/<secret>/<event>/``: where the cloud delivers the account's webhooks.

Called by the cloud, not by a person: no session, no CSRF token (exempt), POST only. The
unguessable per-account ``secret`` names the account (404 otherwise: nothing recorded). The body
is at most ``WEBHOOK_MAX_BODY_BYTES`` (413). Its ``Tier3-RsaSha1`` signature must verify against a
configured public key, or the delivery is refused: 401, logged and audited, nothing else
(``services.refuse``). A verified delivery is stored once (a copy — a retry, a duplicate, a replay
— is answered 200 and changes nothing) and handed to the worker; the answer (202) comes at once,
the work (bounded: one delivery, one resource) is the worker's.

Fast, because the cloud's sender waits for each answer before its next delivery: ``handle`` is
async; its database work runs on the event loop's worker threads, which keep their connection (a
sync view would open one per request); the account of a secret is remembered for a while
(``services.account_for_secret``); the worker is told while the answer goes out (the stored row is
the truth: the sweep hands over whatever that message does not). Two ways in, one ``handle``:

* ``asgi_app(django_app)``: what ``portal/asgi.py`` serves — ``/hooks/clc/`` answered before
  Django's middleware (sessions, users, messages: nothing a delivery needs), the rest to Django;
* ``receive``: the Django view (``hooks_urls``), for WSGI and the test client.
"""

import asyncio
import json
import logging
import re
import threading
import time
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection as db_connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.audit.services import client_address
from apps.clc.webhooks import EVENTS

from . import services, signing
from .models import Verification

log = logging.getLogger(__name__)
_EVENTS = {name.lower(): name for name in EVENTS}
_PATH = re.compile(r"^/hooks/clc/([^/]{1,100})/([^/]{1,40})/$")
_handing_over: set = set()  # fire-and-forget hand-overs still running (kept from the collector)
_pool_thread = threading.local()  # when the loop's thread opened its database connection


def _pooled(work):
    """``work`` on one of the event loop's threads, whose database connection is kept for
    ``WEBHOOK_DB_KEEP_SECONDS`` (60; 0: closed after each use) instead of opened per delivery."""

    def run(*args):
        try:
            return work(*args)
        finally:
            keep = float(getattr(settings, "WEBHOOK_DB_KEEP_SECONDS", 60))
            opened = getattr(_pool_thread, "opened", None)
            if keep <= 0 or (opened is not None and time.monotonic() - opened > keep):
                db_connection.close()
                _pool_thread.opened = None
            elif opened is None:
                _pool_thread.opened = time.monotonic()

    return sync_to_async(run, thread_sensitive=False)


def limit() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_BODY_BYTES", 256 * 1024))


async def handle(
    secret: str, event: str, body: bytes, signature: str, address, *, pooled: bool
) -> tuple[int, dict]:
    """One delivery -> (HTTP status, JSON body). ``pooled``: database work on the loop's threads
    (ASGI); otherwise on the caller's thread (a test client's request, with the test's connection)."""
    db = _pooled if pooled else sync_to_async(thread_sensitive=True)
    alias = await db(services.account_for_secret)(secret)
    if alias is None:
        return 404, {"message": "No such webhook receiver."}
    name = _EVENTS.get(event.lower())
    if name is None:
        return 404, {"message": "No such webhook event."}
    if len(body) > limit():
        return 413, {"message": f"A delivery is at most {limit()} bytes."}
    if not signature.strip():
        await db(services.refuse)(address, alias, name, Verification.MISSING_SIGNATURE)
        return 401, {"message": "The delivery carries no Tier3-RsaSha1 signature: nothing was done."}
    key = signing.verify(body, signature)
    if key is None:
        await db(services.refuse)(address, alias, name, Verification.BAD_SIGNATURE)
        return 401, {"message": "The signature does not match the body: nothing was done."}
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return 400, {"message": "The body is not a JSON object."}
    claimed = _EVENTS.get(str(payload.get("event") or "").lower())
    accepted = await db(services.accept)(alias, claimed or name, payload, body, key, address)
    if accepted.status == "duplicate":
        return 200, {"status": "duplicate", "delivery": accepted.delivery_id}
    if pooled:
        task = asyncio.get_running_loop().run_in_executor(None, services.enqueue, accepted.delivery_id)
        _handing_over.add(task)
        task.add_done_callback(_handing_over.discard)
    else:
        await db(services.enqueue)(accepted.delivery_id)
    return 202, {"status": "accepted", "delivery": accepted.delivery_id}


# --- the Django view ---------------------------------------------------------------------------
@csrf_exempt
async def receive(request, secret: str, event: str):
    if request.method != "POST":
        response = JsonResponse({"message": "Deliveries are POSTed."}, status=405)
        response["Allow"] = "POST"
        return response
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit():
        return JsonResponse({"message": f"A delivery is at most {limit()} bytes."}, status=413)
    body = request.read(limit() + 1)
    status, answer = await handle(
        secret,
        event,
        body,
        request.headers.get(signing.HEADER, ""),
        client_address(request),
        pooled=isinstance(request, ASGIRequest),
    )
    return JsonResponse(answer, status=status)


# --- straight from ASGI --------------------------------------------------------------------------
async def _respond(send, status: int, answer: dict, extra=()) -> None:
    body = json.dumps(answer).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read(receive, most: int) -> bytes | None:
    """The request body, or None when it is longer than ``most``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > most:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def asgi_app(django_app):
    """``django_app`` with ``/hooks/clc/<secret>/<event>/`` answered before Django's middleware."""

    async def app(scope, receive, send):
        match = _PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None:
            return await django_app(scope, receive, send)
        if scope["method"] != "POST":
            return await _respond(send, 405, {"message": "Deliveries are POSTed."}, [(b"allow", b"POST")])
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        try:
            declared = int(headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        body = None if declared > limit() else await _read(receive, limit())
        if body is None:
            return await _respond(send, 413, {"message": f"A delivery is at most {limit()} bytes."})
        peer = (scope.get("client") or ("", 0))[0] or ""
        meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": headers.get("x-forwarded-for", "")}
        address = client_address(SimpleNamespace(META=meta))  # TRUSTED_PROXIES, as for any request
        status, answer = await handle(
            match.group(1),
            match.group(2),
            body,
            headers.get(signing.HEADER.lower(), ""),
            address,
            pooled=True,
        )
        await _respond(send, status, answer)

    return app
