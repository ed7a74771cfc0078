"""``POST /hooks/clc/<secret>/<event>/``: where the cloud delivers the account's webhooks.

Called by the cloud, not by a person: no session, no CSRF token (exempt, this view only), POST
only. The unguessable per-account ``secret`` names the account (404 otherwise: nothing recorded).
The body is at most ``WEBHOOK_MAX_BODY_BYTES`` (413). Its ``Tier3-RsaSha1`` signature must verify
against a configured public key, or the delivery is refused: 401, logged and audited, nothing else
(``services.refuse``). A verified delivery is stored once (a copy — a retry, a duplicate, a replay
— is answered 200 and changes nothing) and handed to the worker; the answer (202) comes at once,
the work (bounded: one delivery, one resource) is the worker's.

Fast, because the cloud's sender waits for each answer before its next delivery: an async view;
under ASGI its database work runs on the event loop's worker threads, which keep their connection
(a sync view would open one per request), the account of a secret is remembered for a while
(``services.account_for_secret``), and the worker is told after the answer is sent (the stored row
is the truth: the sweep hands over whatever that message does not).
"""

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.audit.services import client_address
from apps.clc.webhooks import EVENTS

from . import services, signing
from .models import Verification

log = logging.getLogger(__name__)
_EVENTS = {name.lower(): name for name in EVENTS}
_handing_over: set = set()  # fire-and-forget hand-overs still running (kept from the collector)


def _answer(code: int, message: str = "", **extra) -> JsonResponse:
    body = {"message": message, **extra} if message else extra
    return JsonResponse(body, status=code)


def _hand_over_later(delivery_id: int) -> None:
    """Tell the worker on one of the loop's threads, while the answer goes out."""
    task = asyncio.get_running_loop().run_in_executor(None, services.enqueue, delivery_id)
    _handing_over.add(task)
    task.add_done_callback(_handing_over.discard)


@csrf_exempt
async def receive(request, secret: str, event: str):
    if request.method != "POST":
        response = _answer(405, "Deliveries are POSTed.")
        response["Allow"] = "POST"
        return response
    # Under ASGI, on the loop's threads (persistent connections); a test client's request runs in
    # its own thread with the test's database connection.
    under_asgi = isinstance(request, ASGIRequest)
    db = sync_to_async(thread_sensitive=not under_asgi)
    alias = await db(services.account_for_secret)(secret)
    if alias is None:
        return _answer(404, "No such webhook receiver.")
    name = _EVENTS.get(event.lower())
    if name is None:
        return _answer(404, "No such webhook event.")
    limit = int(getattr(settings, "WEBHOOK_MAX_BODY_BYTES", 256 * 1024))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _answer(413, f"A delivery is at most {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        return _answer(413, f"A delivery is at most {limit} bytes.")
    header = request.headers.get(signing.HEADER, "")
    if not header.strip():
        await db(services.refuse)(request, alias, name, Verification.MISSING_SIGNATURE)
        return _answer(401, "The delivery carries no Tier3-RsaSha1 signature: nothing was done.")
    key = signing.verify(body, header)
    if key is None:
        await db(services.refuse)(request, alias, name, Verification.BAD_SIGNATURE)
        return _answer(401, "The signature does not match the body: nothing was done.")
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return _answer(400, "The body is not a JSON object.")
    claimed = _EVENTS.get(str(payload.get("event") or "").lower())
    accepted = await db(services.accept)(alias, claimed or name, payload, body, key, client_address(request))
    if accepted.status == "duplicate":
        return _answer(200, status="duplicate", delivery=accepted.delivery_id)
    if under_asgi:
        _hand_over_later(accepted.delivery_id)
    else:
        await db(services.enqueue)(accepted.delivery_id)
    return _answer(202, status="accepted", delivery=accepted.delivery_id)
