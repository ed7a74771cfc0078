"""Tracking: status changes as compare-and-set updates, polling and the dispatcher's claim.

Every write to an activity goes through ``transition``: ``UPDATE ... WHERE id = ? AND version = ?
AND status = ?`` bumps ``version``; if another poll got there first the update matches no row and
is dropped, so a duplicate poll never double-counts ``polls``, never regresses a status, and a
terminal status (succeeded, failed, unknown) never changes.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.clc import errors as clc_errors
from apps.clc import operations as clc_operations
from apps.clc.entities import OperationStatus
from apps.clc.fanout import fan_out

from . import conf, streams
from .models import RANK, TERMINAL, Activity, ActivityEvent, Status

log = logging.getLogger(__name__)

UPSTREAM_TO_STATUS = {
    "notstarted": Status.QUEUED,
    "executing": Status.RUNNING,
    "resumed": Status.RUNNING,
    "running": Status.RUNNING,
    "succeeded": Status.SUCCEEDED,
    "failed": Status.FAILED,
}
FAILED_UPSTREAM = "The cloud reported that the operation failed."
SIGNIN_NEEDED = "Your cloud sign-in expired: sign in again and tracking resumes."
SIGNED_IN_AGAIN = "Signed in again: tracking resumed."
GONE = "The cloud no longer knows this operation; check the resources."
NO_ACCESS = "Your roles no longer let you read this operation's status."
NO_LINK = "The cloud gave no status link for this operation."
NO_OWNER = "The person who started this operation no longer exists."


def deadline_message() -> str:
    hours = conf.deadline_seconds() / 3600
    span = f"{hours:g} h" if hours >= 1 else f"{conf.deadline_seconds():g} s"
    return f"No final status from the cloud within {span}; check the resources."


def invalidate_inventory(activity) -> None:
    """Drop the cached inventory the operation touched (if the inventory cache exists)."""
    try:
        from apps.inventory import cache as inventory_cache
    except Exception:
        return
    try:
        alias = activity.account_alias
        if activity.resource_type == "server" and hasattr(inventory_cache, "invalidate_server"):
            for server_id in activity.resource_ids or ():
                inventory_cache.invalidate_server(alias, server_id)
        elif activity.resource_type == "group" and hasattr(inventory_cache, "invalidate_group"):
            for group_id in activity.resource_ids or ():
                inventory_cache.invalidate_group(alias, group_id)
        elif hasattr(inventory_cache, "invalidate_account"):
            inventory_cache.invalidate_account(alias)
    except Exception:
        log.warning("inventory invalidation failed for activity %s", activity.pk, exc_info=True)


def _after_commit(activity_id: int, previous: str | None, terminal: bool) -> None:
    activity = Activity.objects.select_related("user").filter(pk=activity_id).first()
    if activity is None:
        return
    if terminal:
        invalidate_inventory(activity)
    streams.publish(activity, previous)
    if terminal:
        notify_finished(activity)


def notify_finished(activity) -> None:
    """The person's notifications (apps.notifications); a problem there never breaks tracking."""
    try:
        from apps.notifications.services import activity_finished

        activity_finished(activity)
    except Exception:
        log.warning("notifications for activity %s failed", activity.pk, exc_info=True)


def announce_created(activity) -> None:
    """History entry + push for a freshly created activity (inside the creating transaction)."""
    ActivityEvent.objects.create(
        activity=activity,
        from_status="",
        to_status=activity.status,
        upstream_status=activity.upstream_status,
        message=activity.error_message,
    )
    terminal = activity.status in TERMINAL
    transaction.on_commit(lambda: _after_commit(activity.pk, None, terminal))


def transition(
    activity,
    to_status: str | None = None,
    *,
    upstream_status: str | None = None,
    message: str | None = None,
    note: str | None = None,
    next_poll_at="keep",
    count_poll: bool = False,
    now=None,
) -> bool:
    """Compare-and-set ``activity`` from the (status, version) it was read with. True if applied."""
    now = now or timezone.now()
    old = activity.status
    if old in TERMINAL:
        return False
    new = to_status or old
    if old == Status.RUNNING and RANK.get(new, 0) < RANK[Status.RUNNING] and new != Status.WAITING_FOR_SIGNIN:
        new = old  # a stale "notStarted" never moves a running activity back
    fields = {"status": new, "version": F("version") + 1}
    if upstream_status is not None:
        fields["upstream_status"] = upstream_status[:32]
    if message is not None:
        fields["error_message"] = message
    if next_poll_at != "keep":
        fields["next_poll_at"] = next_poll_at
    if count_poll:
        fields["polls"] = F("polls") + 1
        fields["last_polled_at"] = now
    if new == Status.RUNNING and activity.started_at is None:
        fields["started_at"] = now
    if new in TERMINAL:
        fields["finished_at"] = now
        fields["next_poll_at"] = None
        if activity.started_at is None and new != Status.UNKNOWN:
            fields["started_at"] = now
    with transaction.atomic():
        updated = Activity.objects.filter(pk=activity.pk, version=activity.version, status=old).update(
            **fields
        )
        if not updated:
            return False
        if new != old:
            ActivityEvent.objects.create(
                activity_id=activity.pk,
                from_status=old,
                to_status=new,
                upstream_status=(upstream_status or activity.upstream_status or "")[:32],
                message=note or message or "",
            )
            terminal = new in TERMINAL
            transaction.on_commit(lambda: _after_commit(activity.pk, old, terminal))
    return True


def _age(activity, now) -> float:
    return max(0.0, (now - activity.created_at).total_seconds())


def apply_poll(activity, result, now=None) -> bool:
    """Write one poll's answer (an ``OperationStatus`` or a ``ClcError``) as a compare-and-set."""
    now = now or timezone.now()
    if isinstance(result, OperationStatus):
        upstream = result.status
        new = UPSTREAM_TO_STATUS.get(upstream.lower(), activity.status)
        if activity.status == Status.WAITING_FOR_SIGNIN and new == Status.WAITING_FOR_SIGNIN:
            new = Status.RUNNING if activity.started_at else Status.QUEUED
        message = FAILED_UPSTREAM if new == Status.FAILED else None
        interval = conf.poll_interval(_age(activity, now))
        return transition(
            activity,
            new,
            upstream_status=upstream,
            message=message,
            next_poll_at=None if new in TERMINAL else now + timedelta(seconds=interval),
            count_poll=True,
            now=now,
        )
    if isinstance(result, clc_errors.Unauthorized):
        from apps.accounts.services import mark_token_invalid

        if activity.user_id:
            mark_token_invalid(activity.user)
        return transition(
            activity,
            Status.WAITING_FOR_SIGNIN,
            message=SIGNIN_NEEDED,
            next_poll_at=None,
            count_poll=True,
            now=now,
        )
    if isinstance(result, clc_errors.NotFound):
        return transition(activity, Status.UNKNOWN, message=GONE, count_poll=True, now=now)
    if isinstance(result, clc_errors.Forbidden):
        return transition(activity, Status.UNKNOWN, message=NO_ACCESS, count_poll=True, now=now)
    # Upstream unavailable (or anything else): keep the status, try again a little later.
    log.warning("poll of activity %s failed: %r", activity.pk, result)
    interval = max(2.0, 2 * conf.poll_interval(_age(activity, now)))
    return transition(activity, next_poll_at=now + timedelta(seconds=interval), count_poll=True, now=now)


def poll_activities(activity_ids) -> dict:
    """Poll the given activities' status links: one client per person, all links concurrently."""
    from apps.accounts.services import CloudSessionExpired, cloud_client_for

    now = timezone.now()
    deadline = timedelta(seconds=conf.deadline_seconds())
    activities = list(
        Activity.objects.filter(pk__in=list(activity_ids)).exclude(status__in=TERMINAL).select_related("user")
    )
    counts = defaultdict(int)
    by_user = defaultdict(list)
    for activity in activities:
        if now - activity.created_at > deadline:
            counts["deadline"] += transition(activity, Status.UNKNOWN, message=deadline_message(), now=now)
        elif not activity.status_id:
            counts["unknown"] += transition(activity, Status.UNKNOWN, message=NO_LINK, now=now)
        elif activity.user_id is None:
            counts["unknown"] += transition(activity, Status.UNKNOWN, message=NO_OWNER, now=now)
        else:
            by_user[activity.user_id].append(activity)
    jobs = []
    for group in by_user.values():
        try:
            client = cloud_client_for(group[0].user)  # the token is decrypted here, in the worker
        except CloudSessionExpired:
            for activity in group:
                counts["waiting"] += transition(
                    activity, Status.WAITING_FOR_SIGNIN, message=SIGNIN_NEEDED, next_poll_at=None, now=now
                )
            continue
        jobs.extend((client, activity) for activity in group)

    def poll(job):
        client, activity = job
        return clc_operations.get_status(client, activity.status_id)

    results = fan_out(poll, jobs, return_exceptions=True)
    now = timezone.now()
    for (_client, activity), result in zip(jobs, results, strict=True):
        try:
            counts["applied" if apply_poll(activity, result, now=now) else "stale"] += 1
        except Exception:
            log.exception("could not record the poll of activity %s", activity.pk)
    counts["polled"] = len(jobs)
    return dict(counts)


def claim_due(limit: int | None = None, now=None) -> list[int]:
    """Select due activities (FOR UPDATE SKIP LOCKED where supported) and lease them.

    The lease moves ``next_poll_at`` ahead by ``ACTIVITY_LEASE_SECONDS``: a concurrent dispatcher
    skips them, and if this worker dies the sweep picks them up again once the lease runs out.
    """
    now = now or timezone.now()
    limit = limit or conf.batch_size()
    with transaction.atomic():
        qs = (
            Activity.objects.filter(next_poll_at__lte=now)
            .exclude(status__in=[*TERMINAL, Status.WAITING_FOR_SIGNIN])
            .order_by("next_poll_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if ids:
            Activity.objects.filter(pk__in=ids).update(
                next_poll_at=now + timedelta(seconds=conf.lease_seconds())
            )
    return ids


def dispatch(limit: int | None = None) -> dict:
    """One sweep: claim what is due and poll it. Beat runs this every ``ACTIVITY_DISPATCH_INTERVAL``."""
    ids = claim_due(limit)
    if not ids:
        return {"claimed": 0}
    counts = poll_activities(ids)
    counts["claimed"] = len(ids)
    return counts


def resume_for_user(user) -> int:
    """After a sign-in: the person's activities waiting for it are polled again right away."""
    now = timezone.now()
    resumed = 0
    for activity in Activity.objects.filter(user_id=user.pk, status=Status.WAITING_FOR_SIGNIN):
        resumed += transition(
            activity,
            Status.RUNNING if activity.started_at else Status.QUEUED,
            message="",
            note=SIGNED_IN_AGAIN,
            next_poll_at=now,
            now=now,
        )
    return resumed
