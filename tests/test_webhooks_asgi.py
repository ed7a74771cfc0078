"""The receiver as ``portal/asgi.py`` serves it: ``/hooks/clc/`` answered before Django's middleware
(the same ``receiver.handle`` as the view), everything else passed on to Django."""

import json
import uuid

import pytest
from asgiref.testing import ApplicationCommunicator

from apps.webhooks import receiver, services
from apps.webhooks.models import Delivery
from tests.support.simulator import wait_until
from tests.support.webhooks import body_of, use_keys

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


async def _django(scope, receive, send):  # stands for the rest of the portal
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": b"django"})


def call(path, body=b"", method="POST", headers=()):
    app = receiver.asgi_app(_django)
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("203.0.113.7", 40000),
    }
    communicator = ApplicationCommunicator(app, scope)
    from asgiref.sync import async_to_sync

    async def run():
        await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await communicator.receive_output(10)
        content = await communicator.receive_output(10)
        return start["status"], content.get("body", b"")

    return async_to_sync(run)()


def test_deliveries_are_answered_before_django_and_the_rest_goes_on(settings, hook_key, monkeypatch):
    from apps.webhooks import tasks

    handed = []
    monkeypatch.setattr(tasks, "enqueue", handed.append)
    use_keys(settings, hook_key.pem)
    secret = services.secret_of(services.ensure_connection("DEMO"))
    url = f"/hooks/clc/{secret}/server.deleted/"
    payload = body_of({"accountAlias": "DEMO", "name": "WA1DEMOWEB01", "eventId": uuid.uuid4().hex})
    signed = [("Tier3-RsaSha1", hook_key.sign(payload)), ("Content-Length", str(len(payload)))]

    status, body = call(url, payload, headers=signed)
    assert status == 202 and json.loads(body)["status"] == "accepted"
    assert call(url, payload, headers=signed)[0] == 200  # a copy
    assert call(url, payload, headers=[("Tier3-RsaSha1", "AAAA")])[0] == 401
    assert call(url, payload)[0] == 401
    assert call(url, method="GET")[0] == 405
    assert call(f"/hooks/clc/{uuid.uuid4().hex}/server.deleted/", payload, headers=signed)[0] == 404
    settings.WEBHOOK_MAX_BODY_BYTES = 10
    assert call(url, payload, headers=signed)[0] == 413
    assert call("/datacenters/wa1/", method="GET") == (299, b"django")
    assert call("/hooks/clc/", method="GET") == (299, b"django")  # not a receiver's address

    rows = dict(Delivery.objects.values_list("verification", "status").order_by("verification"))
    assert rows == {"verified": "received", "bad_signature": "refused", "missing_signature": "refused"}
    assert Delivery.objects.get(status="refused", verification="bad_signature").address == "203.0.113.7"
    stored = Delivery.objects.get(verification="verified").pk
    wait_until(lambda: handed == [stored], timeout=5, message="the worker to be told (after the answer)")
