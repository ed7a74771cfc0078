"""Writes of the webhooks app: the account's connection (its secret, setting the events up through
the Webhooks API) and accepting a delivery (stored once, handed to the worker).

    connection = ensure_connection("DEMO")
    connect(client, user, setup)          # every event -> this portal's receiver (others kept)
    disconnect(client, setup)             # this portal's targets removed (others kept)
    result = accept(connection, "Server.Updated", payload, body, key, address)   # "accepted" | "duplicate"
"""

import hashlib
import logging
import re
import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.accounts import crypto
from apps.audit.services import Result, record
from apps.clc import webhooks as clc_webhooks
from apps.inventory import cache as inventory_cache

from . import tasks
from .alerts import payload_time
from .models import Connection, Delivery, DeliveryStatus, Verification

log = logging.getLogger(__name__)

EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
REFUSALS_LOGGED_PER_MINUTE = 30  # beyond, refusals are counted only (a flood writes nothing)


class NotConfigured(Exception):
    """The portal's public URL is not set: the cloud would not know where to deliver."""


# --- the connection ------------------------------------------------------------------------------
def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def ensure_connection(alias: str) -> Connection:
    alias = alias.upper()
    connection = Connection.objects.filter(account_alias=alias).first()
    if connection is not None:
        return connection
    secret = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            return Connection.objects.create(
                account_alias=alias, secret_digest=digest(secret), secret=crypto.encrypt_token(secret)
            )
    except IntegrityError:  # made meanwhile by another request
        return Connection.objects.get(account_alias=alias)


_SECRETS: dict[str, tuple[str, float]] = {}  # digest -> (alias, until): the receiver's hot path
SECRET_MEMORY_SECONDS = 30.0


def account_for_secret(secret: str) -> str | None:
    """The account a receiver URL's secret names, remembered ``SECRET_MEMORY_SECONDS`` in this
    process (a replaced secret stops working within that time)."""
    if not secret or len(secret) > 100:
        return None
    key = digest(secret)
    known = _SECRETS.get(key)
    if known and known[1] > time.monotonic():
        return known[0]
    connection = _db(lambda: Connection.objects.filter(secret_digest=key).first())
    if connection is None:
        return None
    if len(_SECRETS) > 1000:
        _SECRETS.clear()
    _SECRETS[key] = (connection.account_alias, time.monotonic() + SECRET_MEMORY_SECONDS)
    return connection.account_alias


def _db(work):
    """``work()``; once more on a fresh connection when the kept one broke (a database restart)."""
    try:
        return work()
    except (OperationalError, InterfaceError):
        db_connection.close()
        return work()


def secret_of(connection: Connection) -> str:
    return crypto.decrypt_token(connection.secret)


def public_base() -> str:
    base = str(getattr(settings, "PORTAL_PUBLIC_URL", "") or "").rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        raise NotConfigured(
            "The portal's public URL is not set (PORTAL_PUBLIC_URL, e.g. https://portal.example.com): "
            "the cloud would not know where to deliver."
        )
    return base


def target_uri(base: str, secret: str, event: str) -> str:
    return f"{base}{reverse('webhook-receiver', args=[secret, event.lower()])}"


def _receiver_path(secret: str = "") -> str:
    """The receiver's path up to the event (``/hooks/clc/<secret>/``), or up to the secret."""
    marker = "__event__" if secret else "__secret__"
    return reverse("webhook-receiver", args=[secret or marker, "__event__"]).partition(marker)[0]


def is_ours(uri: str, base: str, secret: str) -> bool:
    """A target of this portal: under our receiver at our public URL, or carrying our secret."""
    return uri.startswith(f"{base}{_receiver_path()}") or _receiver_path(secret) in uri


def connect(client, user, setup) -> None:
    """Every event of the account delivers to this portal's receiver too: each event's configuration
    is PUT with its other targets kept, ours (at the current public URL) added, our stale ones gone."""
    base = public_base()
    connection = ensure_connection(client.account_alias)
    secret = secret_of(connection)
    names = []
    for event in setup.events:
        keep = [uri for uri in event.target_uris if not is_ours(uri, base, secret)]
        clc_webhooks.set_webhook(
            client, event.name, [*keep, target_uri(base, secret, event.name)], recursive=event.recursive
        )
        names.append(event.name)
    Connection.objects.filter(pk=connection.pk).update(
        connected=True,
        events=names,
        target_base=base,
        connected_at=timezone.now(),
        connected_by=getattr(user, "cloud_username", "") or "",
    )
    inventory_cache.mark_connected(connection.account_alias, True)


def disconnect(client, setup) -> None:
    """This portal's targets are removed from every event; an event left with none loses its
    configuration (as if it had never been set)."""
    connection = ensure_connection(client.account_alias)
    secret = secret_of(connection)
    base = connection.target_base or public_base_or_empty()
    for event in setup.events:
        keep = [uri for uri in event.target_uris if not is_ours(uri, base, secret)]
        if len(keep) == len(event.target_uris):
            continue
        if keep:
            clc_webhooks.set_webhook(client, event.name, keep, recursive=event.recursive)
        else:
            clc_webhooks.delete_webhook(client, event.name)
    Connection.objects.filter(pk=connection.pk).update(connected=False, events=[])
    inventory_cache.mark_connected(connection.account_alias, False)


def public_base_or_empty() -> str:
    try:
        return public_base()
    except NotConfigured:
        return "\0"  # matches nothing: only targets carrying our secret are ours


# --- a delivery ----------------------------------------------------------------------------------
def change_time(event: str, payload: dict) -> datetime | None:
    """When the change happened, as far as the payload says: the simulator's ``eventTime``, else
    the server's ``changeInfo`` (modified, or created for a new server), else an alert's trigger
    times. None when it says nothing (a deleted server, an account): the receipt time is used."""
    moment = payload_time(payload.get("eventTime"))
    if moment:
        return moment
    info = payload.get("changeInfo") if isinstance(payload.get("changeInfo"), dict) else {}
    field = "createdDate" if event == "Server.Created" else "modifiedDate"
    moment = payload_time(info.get(field)) or payload_time(info.get("modifiedDate"))
    if moment:
        return moment
    for trigger in payload.get("triggers") or ():
        if isinstance(trigger, dict):
            moment = payload_time(trigger.get("stateEndTime")) or payload_time(trigger.get("stateStartTime"))
            if moment:
                return moment
    return None


def resource_of(event: str, payload: dict) -> tuple[str, str]:
    family = event.split(".", 1)[0]
    if family == "Server":
        return "server", str(payload.get("id") or payload.get("name") or "")[:200].upper()
    if family == "Alert":
        return "server", str(payload.get("serverName") or "")[:200].upper()
    if family == "User":
        return "user", str(payload.get("userName") or "")[:200]
    if family == "Account":
        return "account", str(payload.get("accountAlias") or "")[:200].upper()
    return "", ""


def dedupe_key(payload: dict, body: bytes) -> str:
    """The cloud's event id when it sends one (the simulator does), else the body's digest: a copy
    of the same delivery — a retry, a duplicate, a replay — has the same key."""
    event_id = payload.get("eventId")
    if isinstance(event_id, str) and EVENT_ID.match(event_id):
        return f"id:{event_id}"
    return "sha256:" + hashlib.sha256(body).hexdigest()[:72]


@dataclass(frozen=True)
class Accepted:
    status: str  # "accepted" | "duplicate"
    delivery_id: int


def accept(alias: str, event: str, payload: dict, body: bytes, key, address: str | None) -> Accepted:
    """Store a verified delivery once (the caller hands it to the worker); a copy changes nothing."""
    return _db(lambda: _accept(alias, event, payload, body, key, address))


def _accept(alias: str, event: str, payload: dict, body: bytes, key, address: str | None) -> Accepted:
    key_value = dedupe_key(payload, body)
    resource_type, resource_id = resource_of(event, payload)
    # One statement in autocommit (no transaction to open and close); a savepoint inside a caller's.
    guard = transaction.atomic() if db_connection.in_atomic_block else nullcontext()
    try:
        with guard:
            delivery = Delivery.objects.create(
                account_alias=alias,
                event=event,
                dedupe_key=key_value,
                verification=Verification.VERIFIED,
                key_fingerprint=key.fingerprint,
                status=DeliveryStatus.RECEIVED,
                resource_type=resource_type,
                resource_id=resource_id,
                change_time=change_time(event, payload),
                payload=payload,
                address=address,
            )
    except IntegrityError:
        first = Delivery.objects.filter(
            account_alias=alias, dedupe_key=key_value, verification=Verification.VERIFIED
        )
        first.update(duplicates=F("duplicates") + 1)
        return Accepted("duplicate", first.values_list("pk", flat=True).first() or 0)
    return Accepted("accepted", delivery.pk)


def enqueue(delivery_id: int) -> None:
    try:
        tasks.enqueue(delivery_id)
    except Exception:  # broker down: the row waits; the sweep hands it over again
        log.warning("could not queue webhook delivery %s", delivery_id, exc_info=True)


def refuse(address: str | None, alias: str, event: str, verification: str) -> None:
    """A delivery whose signature is missing or wrong: logged and audited (at most
    ``REFUSALS_LOGGED_PER_MINUTE`` a minute per account), nothing else."""
    from django.core.cache import cache

    bucket = f"hooks:refused:{alias}:{int(timezone.now().timestamp() // 60)}"
    try:
        cache.add(bucket, 0, timeout=120)
        count = cache.incr(bucket)
    except Exception:
        count = 1
    log.warning("webhook delivery for %s refused: %s", alias, verification)
    if count > REFUSALS_LOGGED_PER_MINUTE:
        return
    _db(lambda: _record_refusal(alias, event, verification, address))


def _record_refusal(alias: str, event: str, verification: str, address) -> None:
    missing = verification == Verification.MISSING_SIGNATURE
    Delivery.objects.create(
        account_alias=alias,
        event=event,
        verification=verification,
        status=DeliveryStatus.REFUSED,
        address=address,
        note="The signature is missing." if missing else "The signature does not match any configured key.",
    )
    record(
        action="webhooks.delivery",
        target_type="webhooks",
        target_id=alias,
        result=Result.DENIED,
        detail={"event": event, "reason": verification},
        address=address,
        channel="webhook",
        account_alias=alias,
    )
