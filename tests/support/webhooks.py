"""Helpers for the webhook tests: a signing key of the test's own, deliveries as the cloud sends
them (compact JSON, ``Tier3-RsaSha1``), payloads built from what the simulator shows.

    key = SigningKey()                               # settings: use_keys(settings, key.pem)
    response = deliver(client, url, payload, key)    # POST as the cloud would
    payload = server_payload(session, "WA1DEMOWEB01", "Server.Updated", at="2026-01-05T10:00:00.000Z")
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HEADER = "Tier3-RsaSha1"


class SigningKey:
    def __init__(self):
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.private.sign(body, padding.PKCS1v15(), hashes.SHA1())).decode()


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def deliver(client, url: str, payload: dict | bytes, key: SigningKey | None, *, signature: str | None = None):
    """POST a delivery as the cloud would (django.test.Client or requests.Session)."""
    body = payload if isinstance(payload, bytes) else body_of(payload)
    headers = {}
    if signature is not None:
        headers[HEADER] = signature
    elif key is not None:
        headers[HEADER] = key.sign(body)
    if hasattr(client, "mount"):  # requests
        return client.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=10
        )
    return client.generic(
        "POST",
        url,
        body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso(offset_seconds: float = 0) -> str:
    return iso(datetime.now(UTC) + timedelta(seconds=offset_seconds))


def server_payload(session, server_id: str, event: str = "Server.Updated", *, at: str | None = None) -> dict:
    """What the simulator would send for ``server_id`` now (its GET as demo, plus the additions)."""
    if event == "Server.Deleted":
        body = {"accountAlias": "DEMO", "name": server_id.upper()}
    else:
        body = session.get(f"{session.base}/v2/servers/demo/{server_id}", timeout=10).json()
        body["accountAlias"] = "DEMO"
    body.update(event=event, eventId=uuid.uuid4().hex, eventTime=at or now_iso())
    return body


def use_keys(settings, *pems: str) -> None:
    settings.CLC_WEBHOOK_PUBLIC_KEYS = list(pems)
