"""``POST /hooks/clc/<secret>/<event>/``: where the cloud delivers the account's webhooks.

Called by the cloud, not by a person: no session, no CSRF token (exempt, this view only), POST
only. The unguessable per-account ``secret`` names the account (404 otherwise: nothing recorded).
The body is at most ``WEBHOOK_MAX_BODY_BYTES`` (413). Its ``Tier3-RsaSha1`` signature must verify
against a configured public key, or the delivery is refused: 401, logged and audited, nothing else
(``services.refuse``). A verified delivery is stored once (a copy — a retry, a duplicate, a replay
— is answered 200 and changes nothing) and handed to the worker; the answer (202) comes at once,
the work (bounded: one delivery, one resource) is the worker's.
"""

import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.audit.services import client_address
from apps.clc.webhooks import EVENTS

from . import services, signing
from .models import Verification

log = logging.getLogger(__name__)
_EVENTS = {name.lower(): name for name in EVENTS}


def _answer(code: int, message: str = "", **extra) -> JsonResponse:
    body = {"message": message, **extra} if message else extra
    return JsonResponse(body, status=code)


@csrf_exempt
def receive(request, secret: str, event: str):
    if request.method != "POST":
        response = _answer(405, "Deliveries are POSTed.")
        response["Allow"] = "POST"
        return response
    connection = services.connection_for_secret(secret)
    if connection is None:
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
        services.refuse(request, connection, name, Verification.MISSING_SIGNATURE)
        return _answer(401, "The delivery carries no Tier3-RsaSha1 signature: nothing was done.")
    key = signing.verify(body, header)
    if key is None:
        services.refuse(request, connection, name, Verification.BAD_SIGNATURE)
        return _answer(401, "The signature does not match the body: nothing was done.")
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return _answer(400, "The body is not a JSON object.")
    claimed = _EVENTS.get(str(payload.get("event") or "").lower())
    accepted = services.accept(connection, claimed or name, payload, body, key, client_address(request))
    if accepted.status == "duplicate":
        return _answer(200, status="duplicate", delivery=accepted.delivery_id)
    return _answer(202, status="accepted", delivery=accepted.delivery_id)
