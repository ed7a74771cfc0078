"""Notifications when a person's activity fails, or succeeds after running a long time.

``activity_finished(activity)`` is called by ``apps.activities.tracking`` once an activity reached a
terminal state (after the commit). It never raises into tracking. For each channel the person turned
on (e-mail, webhook) it creates one ``Delivery`` row (pending; at most one per activity and channel,
so a repeated call sends nothing twice) and queues the Celery task ``notifications.deliver``.

``attempt(delivery_id)`` makes one delivery attempt and records it: delivered, or the error with
``attempts`` counted; after ``NOTIFICATIONS_MAX_RETRIES`` retries it is failed (at once when the
destination is refused: ``webhook_targets``). It returns the seconds to wait before the next retry
(exponential backoff), or None when there is nothing more to do. The task calls it and schedules the
retry. A webhook delivery whose URL is no longer the person's (changed, or the webhook turned off)
is cancelled instead of sent; ``webhook_changed(preference)`` cancels them when the page saves.
Only the receiver's status code is kept, never its answer.

Events: ``activity.failed`` (failed), ``activity.unknown`` (no final status: check the resources),
``activity.succeeded_long`` (succeeded after at least the person's threshold, default 300 s,
counted from when the portal queued it). The webhook body is JSON (``payload``): the event and the
activity's public fields; never a token.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.activities.serializers import activity_json

from . import webhook_targets
from .models import Channel, Delivery, DeliveryStatus, Preference

log = logging.getLogger(__name__)

EVENTS = {
    "failed": "activity.failed",
    "unknown": "activity.unknown",
    "succeeded": "activity.succeeded_long",
}
USER_AGENT = "clc-portal-notifications/1"


def duration_seconds(activity) -> float | None:
    if not activity.finished_at:
        return None
    return max(0.0, (activity.finished_at - activity.created_at).total_seconds())


def event_for(activity, preference) -> str | None:
    status = str(activity.status)
    if status in ("failed", "unknown"):
        return EVENTS[status]
    if status == "succeeded":
        took = duration_seconds(activity)
        if took is not None and took >= preference.long_threshold_seconds:
            return EVENTS["succeeded"]
    return None


def activity_url(activity) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse('activities')}?activity={activity.pk}"


# The activity's public fields a webhook and an e-mail carry, written as the API writes them.
PAYLOAD_FIELDS = (
    "id",
    "operation",
    "resource_type",
    "resource_ids",
    "status",
    "upstream_status",
    "error_message",
    "account_alias",
    "user",
    "created_at",
    "started_at",
    "finished_at",
)


def payload_for(activity, event: str) -> dict:
    """What a webhook receives (and what the e-mail says): public fields only, never a token."""
    public = activity_json(activity)
    return {
        "event": event,
        "activity": {
            **{name: public[name] for name in PAYLOAD_FIELDS},
            "status": str(activity.status),  # the text, not the model's choice (e-mails format it)
            "duration_seconds": duration_seconds(activity),
            "url": activity_url(activity),
        },
    }


def _enqueue(delivery_id: int) -> None:
    try:
        from .tasks import deliver  # here: the task module imports this one

        deliver.delay(delivery_id)
    except Exception:  # broker down: the row stays pending and visible; `retry_pending` re-queues
        log.exception("could not queue notification delivery %s", delivery_id)


def activity_finished(activity) -> list[Delivery]:
    """Create and queue the deliveries this terminal activity calls for. Never raises."""
    try:
        return _activity_finished(activity)
    except Exception:
        log.exception("notifications for activity %s failed", getattr(activity, "pk", None))
        return []


def _activity_finished(activity) -> list[Delivery]:
    if not activity.user_id:
        return []
    preference = Preference.objects.filter(user_id=activity.user_id).first()
    if preference is None:
        return []
    event = event_for(activity, preference)
    if event is None:
        return []
    return _queue(preference, event, payload_for(activity, event), activity)


def _queue(preference, event: str, payload: dict, activity=None) -> list[Delivery]:
    """One delivery per channel the person turned on, sent once the transaction commits (an
    activity notifies once per channel: the table's constraint skips a second try)."""
    wanted = []
    if preference.email_enabled and preference.email_address:
        wanted.append((Channel.EMAIL, preference.email_address))
    if preference.webhook_enabled and preference.webhook_url:
        wanted.append((Channel.WEBHOOK, preference.webhook_url))
    created = []
    for channel, destination in wanted:
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    user_id=preference.user_id,
                    activity=activity,
                    event=event,
                    channel=channel,
                    destination=destination,
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:  # already notified for this activity and channel
            continue
        created.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return created


# --- delivery ----------------------------------------------------------------------------------


class DeliveryError(Exception):
    pass


class NotAllowed(DeliveryError):
    """Never to be sent (the destination is refused): failed at once, no retry."""


def _subject(payload: dict) -> str:
    if "alert" in payload:
        return _alert_subject(payload)
    a = payload["activity"]
    what = f"{a['operation']} of {', '.join(a['resource_ids']) or a['resource_type']}"
    if payload["event"] == EVENTS["succeeded"]:
        return f"[CLC Portal] {what} succeeded"
    if payload["event"] == EVENTS["unknown"]:
        return f"[CLC Portal] {what}: no final status"
    return f"[CLC Portal] {what} failed"


def _body(payload: dict) -> str:
    if "alert" in payload:
        return _alert_body(payload)
    a = payload["activity"]
    lines = [
        _subject(payload).removeprefix("[CLC Portal] ") + ".",
        "",
        f"Operation: {a['operation']}",
        f"{a['resource_type'].title()}: {', '.join(a['resource_ids'])}",
        f"Account: {a['account_alias']}",
        f"Status: {a['status']}",
        f"Queued: {a['created_at']}",
        f"Finished: {a['finished_at']}",
    ]
    if a.get("duration_seconds") is not None:
        lines.append(f"Took: {a['duration_seconds']:.0f} s")
    if a.get("error_message"):
        lines.append(f"Message: {a['error_message']}")
    lines += ["", f"Details: {a['url']}", "", "Change what you receive at /notifications/ in the portal."]
    return "\n".join(lines)


def send_email(delivery: Delivery) -> None:
    sent = send_mail(
        _subject(delivery.payload),
        _body(delivery.payload),
        settings.DEFAULT_FROM_EMAIL,
        [delivery.destination],
        fail_silently=False,
    )
    if not sent:
        raise DeliveryError("The mail server accepted no message.")


def send_webhook(delivery: Delivery) -> None:
    """POST the payload to the checked address (``webhook_targets``); only the status code is
    kept: what the receiver answered is never stored or shown."""
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder).encode()
    headers = {
        "User-Agent": USER_AGENT,
        "X-Portal-Event": delivery.event,
        "Content-Type": "application/json",
    }
    timeout = (3.05, float(settings.NOTIFICATIONS_WEBHOOK_TIMEOUT))
    try:
        status = webhook_targets.post_json(delivery.destination, body, headers, timeout)
    except webhook_targets.Refused as exc:
        raise NotAllowed(exc.message) from None
    except webhook_targets.Unresolved:
        raise DeliveryError(webhook_targets.UNRESOLVED) from None
    except webhook_targets.SendFailed as exc:
        raise DeliveryError(exc.message) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


SENDERS = {Channel.EMAIL: send_email, Channel.WEBHOOK: send_webhook}


def backoff_seconds(attempts: int) -> float:
    """Wait before retry number ``attempts`` (1-based): base, 2x base, 4x base, ..."""
    return float(settings.NOTIFICATIONS_RETRY_BASE_SECONDS) * (2 ** max(0, attempts - 1))


@dataclass
class Outcome:
    status: str
    retry_in: float | None = None


def attempt(delivery_id: int) -> Outcome:
    """One delivery attempt, recorded. ``retry_in`` is set when another attempt should follow."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return Outcome("missing")
    if delivery.status != DeliveryStatus.PENDING:
        return Outcome(delivery.status)
    reason = _webhook_gone(delivery)
    if reason:
        _cancel(Delivery.objects.filter(pk=delivery.pk), reason)
        return Outcome(DeliveryStatus.CANCELLED)
    now = timezone.now()
    try:
        SENDERS[delivery.channel](delivery)
    except Exception as exc:
        attempts = delivery.attempts + 1
        error = str(exc) or type(exc).__name__
        give_up = isinstance(exc, NotAllowed) or attempts > int(settings.NOTIFICATIONS_MAX_RETRIES)
        retry_in = None if give_up else backoff_seconds(attempts)
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            attempts=attempts,
            last_error=error[:2000],
            last_attempt_at=now,
            status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
            next_attempt_at=None if give_up else now + timedelta(seconds=retry_in),
        )
        log.warning("notification %s attempt %s failed: %s", delivery.pk, attempts, error)
        return Outcome(DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING, retry_in)
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts + 1,
        status=DeliveryStatus.DELIVERED,
        last_attempt_at=now,
        delivered_at=now,
        next_attempt_at=None,
        last_error="",
    )
    return Outcome(DeliveryStatus.DELIVERED)


# --- cancelling ----------------------------------------------------------------------------------
WEBHOOK_CHANGED = "Cancelled: the webhook URL changed."
WEBHOOK_OFF = "Cancelled: the webhook was turned off."


def _webhook_gone(delivery: Delivery) -> str | None:
    """Why a pending webhook delivery must not be sent any more (its person changed the URL or
    turned the webhook off since), or None."""
    if delivery.channel != Channel.WEBHOOK:
        return None
    preference = Preference.objects.filter(user_id=delivery.user_id).first()
    if preference is None or not preference.webhook_enabled:
        return WEBHOOK_OFF
    if preference.webhook_url != delivery.destination:
        return WEBHOOK_CHANGED
    return None


def _cancel(queryset, reason: str) -> int:
    return queryset.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error=reason, next_attempt_at=None
    )


def webhook_changed(preference: Preference) -> int:
    """After a person saved their preferences: cancel the pending webhook deliveries that no longer
    go where the webhook now points (or all of them when it is off). How many were cancelled."""
    pending = Delivery.objects.filter(user_id=preference.user_id, channel=Channel.WEBHOOK)
    if not preference.webhook_enabled:
        return _cancel(pending, WEBHOOK_OFF)
    return _cancel(pending.exclude(destination=preference.webhook_url), WEBHOOK_CHANGED)


def retry_pending(now=None) -> int:
    """Re-queue pending deliveries whose next attempt is overdue (e.g. the broker was down)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=60)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


# --- alerts (apps.webhooks: Alert.Notification) ---------------------------------------------------
ALERT_EVENTS = {True: "alert.triggered", False: "alert.cleared"}


def alert_raised(alert: dict) -> list[Delivery]:
    """An alert of the account's servers (``apps.webhooks.alerts.alert_json``): one delivery per
    channel of each person of that account who asked for alerts. Never raises."""
    try:
        return _alert_raised(alert)
    except Exception:
        log.exception("notifications for alert %s failed", alert.get("id"))
        return []


def _server_url(server_id) -> str:
    server_id = str(server_id or "").lower()
    return f"{settings.PORTAL_BASE_URL}{reverse('server', args=[server_id])}" if server_id else ""


def _alert_raised(alert: dict) -> list[Delivery]:
    event = ALERT_EVENTS[bool(alert.get("triggered"))]
    alias = str(alert.get("account_alias") or "").upper()
    preferences = Preference.objects.filter(
        alerts_enabled=True, user__account_alias=alias, user__is_active=True
    ).select_related("user")
    payload = {
        "event": event,
        "alert": {
            **alert,
            "url": _server_url(alert.get("server_id")),
        },
    }
    return [delivery for preference in preferences for delivery in _queue(preference, event, payload)]


def _alert_subject(payload: dict) -> str:
    a = payload["alert"]
    what = f"{a.get('metric', '')} alert on {a.get('server_id', '')}"
    return f"[CLC Portal] {what} {'triggered' if a.get('triggered') else 'cleared'}"


def _alert_body(payload: dict) -> str:
    a = payload["alert"]
    figures = ", ".join(f"{k} {v}" for k, v in (a.get("data") or {}).items())
    lines = [
        _alert_subject(payload).removeprefix("[CLC Portal] ") + ".",
        "",
        f"Server: {a.get('server_id', '')}",
        f"Account: {a.get('account_alias', '')}",
        f"Metric: {a.get('metric', '')} ({figures})" if figures else f"Metric: {a.get('metric', '')}",
        f"State: {a.get('state', '')} for {a.get('duration', '')}",
        f"From {a.get('started_at')} to {a.get('ended_at')}",
        "",
        f"Server: {a.get('url', '')}",
        "",
        "Change what you receive at /notifications/ in the portal.",
    ]
    return "\n".join(lines)
