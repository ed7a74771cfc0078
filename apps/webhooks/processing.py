"""The worker's part of a delivery (``tasks.process``): bounded work, once.

For a server event, under a row lock on that server's mark (so two deliveries of one server are
handled one after the other, whatever the worker's concurrency):

1. a change *older* than the newest one already applied (``ResourceMark.changed_at``: the
   payload's change time, see ``services.change_time``) is stale: recorded, nothing refreshed —
   out-of-order deliveries never move what people see back in time;
2. otherwise the inventory cache is told exactly what changed (``invalidate_server``: that
   server's page, its group's, its data center's row; every person of the account);
3. the change becomes an *external* activity unless the portal started it
   (``external.tracked_activity``); the external activity is announced on the account's stream,
   so open pages update in place.

Alerts are stored (``alerts.record_alert``) and announced; users and accounts become external
activities. A delivery is handled once: only a ``received`` row is taken (``select_for_update``,
skipping rows another task holds). A task that handled its delivery takes the next waiting ones
too (``DRAIN``, oldest first): under a burst one task and one database connection do the work of
many messages, and the messages that find nothing left end at once.
"""

import logging

from django.db import transaction
from django.utils import timezone

from apps.activities import services as activity_services
from apps.inventory import cache as inventory_cache

from . import alerts, external
from .models import Delivery, DeliveryStatus, ResourceMark

log = logging.getLogger(__name__)


DRAIN = 50  # waiting deliveries one task takes after its own


def process(delivery_id: int) -> str:
    """Handle one received delivery, then up to ``DRAIN`` more that wait; its new status ("" when
    it was not waiting any more)."""
    status = _process_one(Delivery.objects.filter(pk=delivery_id))
    for _ in range(DRAIN):
        if _process_one(Delivery.objects.order_by("received_at", "id")) == "":
            break
    return status


def _process_one(candidates) -> str:
    """Take the first waiting delivery of ``candidates`` nobody else holds and handle it."""
    delivery_id = None
    try:
        with transaction.atomic():
            delivery = (
                candidates.select_for_update(skip_locked=True).filter(status=DeliveryStatus.RECEIVED).first()
            )
            if delivery is None:
                return ""
            delivery_id = delivery.pk
            status, note = _handle(delivery)
            delivery.status = status
            delivery.note = note[:300]
            delivery.processed_at = timezone.now()
            delivery.save(update_fields=["status", "note", "processed_at", "activity"])
            return status
    except Exception as exc:
        if delivery_id is None:
            raise
        log.exception("webhook delivery %s could not be handled", delivery_id)
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.RECEIVED).update(
            status=DeliveryStatus.FAILED,
            note=f"{type(exc).__name__}: {exc}"[:300],
            processed_at=timezone.now(),
        )
        return DeliveryStatus.FAILED


def _handle(delivery: Delivery) -> tuple[str, str]:
    payload = delivery.payload if isinstance(delivery.payload, dict) else {}
    event = delivery.event
    if event.startswith("Server."):
        return _server(delivery, payload)
    if event == "Alert.Notification":
        recorded = alerts.record_alert(delivery.account_alias, payload, delivery=delivery)
        return DeliveryStatus.RECORDED, f"{len(recorded)} alert trigger(s) recorded"
    if event.startswith(("User.", "Account.")):
        activity = activity_services.record_external(
            delivery.account_alias,
            event,
            [delivery.resource_id or delivery.account_alias],
            resource_type=delivery.resource_type or "account",
            summary=external.describe_other(event, payload),
            occurred_at=delivery.change_time or delivery.received_at,
        )
        delivery.activity = activity
        return DeliveryStatus.RECORDED, f"external activity {activity.pk}"
    return DeliveryStatus.RECORDED, "nothing to do for this event"


def _server(delivery: Delivery, payload: dict) -> tuple[str, str]:
    alias, event, server_id = delivery.account_alias, delivery.event, delivery.resource_id
    if not server_id:
        return DeliveryStatus.RECORDED, "the payload names no server"
    when = delivery.change_time or delivery.received_at
    mark, _ = ResourceMark.objects.select_for_update().get_or_create(
        account_alias=alias, resource_type="server", resource_id=server_id
    )
    stale = mark.changed_at is not None and when < mark.changed_at
    before = dict(mark.snapshot or {}) or None
    if not stale:
        dc = str(payload.get("locationId") or "").upper()
        inventory_cache.invalidate_server(
            alias,
            server_id,
            dc=dc,
            group_id=str(payload.get("groupId") or ""),
            kind=event.split(".", 1)[1].lower(),
        )
        mark.changed_at = when
        mark.deleted = event == "Server.Deleted"
        if event != "Server.Deleted":
            mark.snapshot = external.server_snapshot(payload)
        mark.save()
    tracked = external.tracked_activity(alias, event, payload)
    if tracked is not None:
        delivery.activity = tracked
        note = f"from the portal's activity {tracked.pk}"
        return (DeliveryStatus.STALE if stale else DeliveryStatus.APPLIED), note
    summary = external.describe_server(event, payload, None if stale else before)
    activity = activity_services.record_external(
        alias,
        event,
        [server_id],
        actor=external.actor_of(event, payload),
        summary=summary,
        occurred_at=when,
    )
    delivery.activity = activity
    if stale:
        return DeliveryStatus.STALE, f"older than the change already shown; external activity {activity.pk}"
    return DeliveryStatus.APPLIED, f"external activity {activity.pk}"
