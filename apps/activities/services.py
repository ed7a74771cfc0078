"""Recording what the cloud queued (the action registry's ``apps.actions.services`` calls these).

    activity = record_queued(user, "createServer", ["WA1DEMONEW01"], status_link)
    activity = record_failed(user, "powerOff", ["WA1DEMOWEB01"], "<the cloud's errorMessage>")

An accepted operation becomes an ``Activity`` (queued, polled by the dispatcher); an operation
refused with an errorMessage becomes a *failed* activity with that message.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.clc import errors as clc_errors
from apps.clc.entities import StatusLink

from . import streams, tracking
from .models import TERMINAL, Activity, ActivityEvent, Origin, Status

ALREADY = "Nothing to do: the server is already in that state."
NO_ANSWER = "The cloud did not answer for this server."
UNCERTAIN = (
    "The cloud did not answer in time: the operation may or may not have been queued. "
    "Check the servers before trying again."
)
MAY_HAVE_HAPPENED = "the operation may or may not have been queued. Check the servers before trying again."


def uncertain_message(exc) -> str:
    """What a person reads when a write's answer is uncertain (``apps.clc`` ``UpstreamUnavailable``):
    the cloud's own error (HTTP 5xx), no answer in time, or a connection that failed. Each keeps the
    same advice: the write may have reached the cloud, so check before sending it again."""
    status = getattr(exc, "status", None)
    if status and status >= 500:
        return f"The cloud answered with an error (HTTP {status}): {MAY_HAVE_HAPPENED}"
    if isinstance(exc, clc_errors.UpstreamTimeout):
        return UNCERTAIN
    if isinstance(exc, clc_errors.UnreadableAnswer):
        return f"The cloud sent an unreadable answer: {MAY_HAVE_HAPPENED}"
    return f"The connection to the cloud failed: {MAY_HAVE_HAPPENED}"


def _activity_key(user, key: str | None, resource: str) -> str | None:
    if not key:
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{user.pk}:{digest}:{resource.lower()}"[:300]


def _new_activity(
    user, operation, resource_ids, *, resource_type="server", link=None, key=None, request=None, error=None
) -> Activity:
    now = timezone.now()
    activity = Activity.objects.create(
        user=user,
        account_alias=(user.account_alias or "").upper(),
        operation=operation,
        resource_type=resource_type,
        resource_ids=list(resource_ids),
        status_href=link.href if link else "",
        status_id=link.id if link else "",
        status=Status.FAILED if error else Status.QUEUED,
        error_message=error or "",
        next_poll_at=None if error else now,
        finished_at=now if error else None,
        idempotency_key=key,
        request=request,
    )
    tracking.announce_created(activity)
    return activity


def tracking_invalidate(user, server_ids) -> None:
    """An accepted action changes what the server pages show (e.g. its links): refetch them."""
    probe = Activity(
        account_alias=(user.account_alias or "").upper(),
        resource_type="server",
        resource_ids=list(server_ids),
    )
    tracking.invalidate_inventory(probe)


def _as_link(status_link) -> StatusLink:
    if isinstance(status_link, StatusLink):
        return status_link
    if isinstance(status_link, dict):
        href = str(status_link.get("href") or "")
        op_id = str(status_link.get("id") or href.rstrip("/").rsplit("/", 1)[-1])
        return StatusLink(id=op_id, href=href)
    if isinstance(status_link, str) and status_link.strip():
        href = status_link.strip()
        return StatusLink(id=href.rstrip("/").rsplit("/", 1)[-1], href=href)
    raise ValueError("A status link (StatusLink, {'id', 'href'} or an href) is required.")


def record_queued(
    user,
    operation: str,
    resource_ids,
    status_link,
    *,
    resource_type: str = "server",
    idempotency_key: str | None = None,
) -> Activity:
    """Track an operation another call queued (create server, PATCH cpu, delete group, ...).

    With an ``idempotency_key`` already recorded for this person, the existing activity is returned.
    """
    link = _as_link(status_link)
    key = None
    if idempotency_key:
        key = _activity_key(user, idempotency_key, f"{operation}:{link.id}")
        existing = Activity.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    ids = [str(r) for r in (resource_ids if isinstance(resource_ids, (list, tuple)) else [resource_ids])]
    try:
        with transaction.atomic():
            return _new_activity(user, operation, ids, resource_type=resource_type, link=link, key=key)
    except IntegrityError:
        return Activity.objects.get(idempotency_key=key)


def record_failed(
    user, operation: str, resource_ids, message: str, *, resource_type: str = "server"
) -> Activity:
    """An operation the cloud refused with a message: a failed activity (its history shows why)."""
    ids = [str(r) for r in (resource_ids if isinstance(resource_ids, (list, tuple)) else [resource_ids])]
    with transaction.atomic():
        return _new_activity(user, operation, ids, resource_type=resource_type, error=message)


def visible_activities(user):
    """The activities a person may see: every activity of their account (the team's)."""
    return Activity.objects.filter(account_alias=(user.account_alias or "").upper()).select_related("user")


def is_terminal(status: str) -> bool:
    return status in TERMINAL


def record_external(
    alias: str,
    operation: str,
    resource_ids,
    *,
    resource_type: str = "server",
    actor: str = "",
    summary: str = "",
    occurred_at=None,
) -> Activity:
    """A change the cloud reported (a webhook) that the portal did not start: an *external*
    activity, already done (nothing to poll), placed at the moment it happened, announced on the
    account's stream. Its history has one entry; no notification (it is nobody's here)."""
    now = timezone.now()
    when = occurred_at or now
    ids = [
        str(r)[:200] for r in (resource_ids if isinstance(resource_ids, (list, tuple)) else [resource_ids])
    ]
    with transaction.atomic():
        activity = Activity.objects.create(
            account_alias=(alias or "").upper(),
            operation=operation[:64],
            resource_type=resource_type,
            resource_ids=ids,
            status=Status.SUCCEEDED,
            origin=Origin.EXTERNAL,
            actor=(actor or "")[:200],
            summary=(summary or "")[:500],
            started_at=when,
            finished_at=when,
        )
        Activity.objects.filter(pk=activity.pk).update(created_at=when)  # auto_now_add: set after
        activity.created_at = when
        ActivityEvent.objects.create(
            activity=activity, from_status="", to_status=Status.SUCCEEDED, message="reported by the cloud"
        )
        transaction.on_commit(lambda: streams.publish(activity, None))
    return activity
