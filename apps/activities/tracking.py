"""Tracking: polling the cloud's status links and the dispatcher's claim of what is due.

``dispatch`` (beat, every ``ACTIVITY_DISPATCH_INTERVAL``) claims the due activities and polls them;
each poll's answer becomes a compare-and-set planned and written by ``transitions`` (``_plan``,
``transition_many``), so a duplicate or late poll never double-counts, regresses or reopens one.
``transition``, ``transition_many``, ``announce_created`` and ``invalidate_inventory`` are
importable from here as before.
"""

import logging
import os
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.services import CloudSessionExpired, cloud_client_for, mark_token_invalid
from apps.clc import errors as clc_errors
from apps.clc import operations as clc_operations
from apps.clc.entities import OperationStatus

from . import conf
from .models import TERMINAL, Activity, Status
from .transitions import (  # noqa: F401  (importable from here as before)
    _plan,
    _write_one,
    announce_created,
    invalidate_inventory,
    notify_finished,
    transition,
    transition_many,
)

log = logging.getLogger(__name__)

# The queue's statuses (Queue/get-status.md). ``resumed``: an interrupted job runs again (still in
# progress). ``unknown``: the queue lost track of the job — final, as the published Python SDK treats
# it (an error); whether the work was done can only be seen on the resources.
UPSTREAM_TO_STATUS = {
    "notstarted": Status.QUEUED,
    "executing": Status.RUNNING,
    "resumed": Status.RUNNING,
    "running": Status.RUNNING,
    "succeeded": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "unknown": Status.UNKNOWN,
}
FAILED_UPSTREAM = "The cloud reported that the operation failed."
UNKNOWN_UPSTREAM = "The cloud lost track of this operation (status unknown); check the resources."
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


def _age(activity, now) -> float:
    return max(0.0, (now - activity.created_at).total_seconds())


def poll_spacing(active: int) -> float:
    """Seconds between two polls of one activity when ``active`` activities are being followed:
    ``ACTIVITY_POLL_INTERVAL`` (0.5 s) while they fit in ``ACTIVITY_POLL_RATE``, then more, up to
    one a second (the poll budget of old: polls <= duration + slack)."""
    young = conf.poll_interval(0)
    return min(max(young, 1.0), max(young, active / conf.poll_rate()))


def active_count() -> int:
    """Activities waiting for a poll or being polled (the range of the index ``activity_due``)."""
    return Activity.objects.filter(next_poll_at__isnull=False).count()


def next_poll_time(activity, now, spacing: float = 1.0):
    """When to poll again after a poll at ``now`` (which makes ``activity.polls + 1``).

    ``poll_interval`` after this poll, but never so early that the polls would outrun the poll
    budget: poll number k only once the activity is ``(k - ACTIVITY_POLL_SLACK) * spacing`` seconds
    old (``poll_spacing``: 0.5 s while the polls fit in ``ACTIVITY_POLL_RATE``, up to 1 s). So an
    activity is polled at most once per ``spacing`` of its age (+ the slack), whatever the load and
    however the dispatcher's ticks fall; a poll that came late lets the next one come sooner, and
    when the spacing grows the next poll never waits more than two spacings.
    """
    interval = now + timedelta(seconds=conf.poll_interval(_age(activity, now)))
    following = activity.polls + 2  # the number the next poll will have
    budget = activity.created_at + timedelta(seconds=(following - conf.poll_slack()) * spacing)
    return max(interval, min(budget, now + timedelta(seconds=2 * spacing)))


def _poll_plan(activity, result, now, spacing: float = 1.0, sent=None):
    """The compare-and-set one poll's answer (an ``OperationStatus`` or a ``ClcError``) calls for;
    the next poll is timed from when this one was ``sent`` (default ``now``)."""
    if isinstance(result, OperationStatus):
        upstream = result.status
        new = UPSTREAM_TO_STATUS.get(upstream.lower(), activity.status)
        if activity.status == Status.WAITING_FOR_SIGNIN and new == Status.WAITING_FOR_SIGNIN:
            new = Status.RUNNING if activity.started_at else Status.QUEUED
        message = {Status.FAILED: FAILED_UPSTREAM, Status.UNKNOWN: UNKNOWN_UPSTREAM}.get(new)
        return _plan(
            activity,
            new,
            upstream_status=upstream,
            message=message,
            next_poll_at=None if new in TERMINAL else next_poll_time(activity, sent or now, spacing),
            count_poll=True,
            now=now,
        )
    if isinstance(result, clc_errors.Unauthorized):
        return _plan(
            activity,
            Status.WAITING_FOR_SIGNIN,
            message=SIGNIN_NEEDED,
            next_poll_at=None,
            count_poll=True,
            now=now,
        )
    if isinstance(result, clc_errors.NotFound):
        return _plan(activity, Status.UNKNOWN, message=GONE, count_poll=True, now=now)
    if isinstance(result, clc_errors.Forbidden):
        return _plan(activity, Status.UNKNOWN, message=NO_ACCESS, count_poll=True, now=now)
    # Upstream unavailable (or anything else): keep the status, try again a little later.
    log.warning("poll of activity %s failed: %r", activity.pk, result)
    interval = max(2.0, 2 * conf.poll_interval(_age(activity, now)))
    return _plan(activity, next_poll_at=now + timedelta(seconds=interval), count_poll=True, now=now)


def _mark_tokens_invalid(activities) -> None:
    """A 401 on a poll: the person's stored token is no longer good (once per person)."""
    seen = set()
    for activity in activities:
        if activity.user_id and activity.user_id not in seen:
            seen.add(activity.user_id)
            mark_token_invalid(activity.user)


def apply_poll(activity, result, now=None) -> bool:
    """Write one poll's answer (an ``OperationStatus`` or a ``ClcError``) as a compare-and-set."""
    now = now or timezone.now()
    if isinstance(result, clc_errors.Unauthorized):
        _mark_tokens_invalid([activity])
    plan = _poll_plan(activity, result, now)
    return False if plan is None else _write_one(plan)


_pools: dict = {}
_pools_lock = threading.Lock()


def _poll_pool() -> ThreadPoolExecutor:
    """The process's pool of poll threads, shared by every dispatch running in it (threads pool:
    the concurrent dispatches together never open more connections than the HTTP pool keeps)."""
    key = (os.getpid(), conf.poll_concurrency())
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = ThreadPoolExecutor(
                    max_workers=key[1], thread_name_prefix="activity-poll"
                )
    return pool


def _get_status(job):
    client, activity = job
    try:
        return clc_operations.follow_status(client, activity.status_id, activity.status_href)
    except Exception as exc:  # ClcError, or anything unexpected: recorded as "try again later"
        return exc


def poll_activities(activity_ids) -> dict:
    """Poll the given activities' status links: one client per person, all links concurrently.

    Each person's token is decrypted once per batch, in the worker. The answers are written as one
    batch of compare-and-sets (``transition_many``).
    """
    return _poll(activity_ids)[0]


def _poll(activity_ids) -> tuple[dict, int]:
    """``poll_activities``'s counts, and how many activities changed status."""
    now = timezone.now()
    deadline = timedelta(seconds=conf.deadline_seconds())
    activities = list(
        Activity.objects.filter(pk__in=list(activity_ids)).exclude(status__in=TERMINAL).select_related("user")
    )
    counts = defaultdict(int)
    by_user = defaultdict(list)
    plans = []  # (kind, plan): what this batch writes besides the polls' answers
    for activity in activities:
        if now - activity.created_at > deadline:
            plans.append(("deadline", _plan(activity, Status.UNKNOWN, message=deadline_message(), now=now)))
        elif not activity.status_id:
            plans.append(("unknown", _plan(activity, Status.UNKNOWN, message=NO_LINK, now=now)))
        elif activity.user_id is None:
            plans.append(("unknown", _plan(activity, Status.UNKNOWN, message=NO_OWNER, now=now)))
        else:
            by_user[activity.user_id].append(activity)
    jobs = []
    for group in by_user.values():
        try:
            client = cloud_client_for(group[0].user)  # the token is decrypted here, in the worker
        except CloudSessionExpired:
            for activity in group:
                plan = _plan(
                    activity, Status.WAITING_FOR_SIGNIN, message=SIGNIN_NEEDED, next_poll_at=None, now=now
                )
                plans.append(("waiting", plan))
            continue
        jobs.extend((client, activity) for activity in group)

    sent = timezone.now()
    results = list(_poll_pool().map(_get_status, jobs)) if jobs else []
    spacing = poll_spacing(active_count()) if jobs else 1.0
    now = timezone.now()
    _mark_tokens_invalid(
        a for (_c, a), r in zip(jobs, results, strict=True) if isinstance(r, clc_errors.Unauthorized)
    )
    for (_client, activity), result in zip(jobs, results, strict=True):
        try:
            plans.append(("poll", _poll_plan(activity, result, now, spacing, sent)))
        except Exception:
            log.exception("could not record the poll of activity %s", activity.pk)
    won = transition_many(plan for _kind, plan in plans)
    changed = 0
    for kind, plan in plans:
        applied = plan is not None and plan.activity.pk in won
        if kind == "poll":
            counts["applied" if applied else "stale"] += 1
        else:
            counts[kind] += applied
        if applied and plan.event is not None:
            changed += 1
    counts["polled"] = len(jobs)
    return dict(counts), changed


def claim_due(limit: int | None = None, now=None) -> list[int]:
    """Select due activities (FOR UPDATE SKIP LOCKED where supported) and lease them.

    The lease moves ``next_poll_at`` ahead by ``ACTIVITY_LEASE_SECONDS``: a concurrent dispatcher
    skips them, and if this worker dies the sweep picks them up again once the lease runs out.
    On PostgreSQL the claim is one statement (``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
    SKIP LOCKED) RETURNING id``).
    """
    now = now or timezone.now()
    limit = limit or conf.batch_size()
    lease = now + timedelta(seconds=conf.lease_seconds())
    excluded = [*TERMINAL, Status.WAITING_FOR_SIGNIN]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Activity._meta.db_table)
        sql = (
            f"UPDATE {table} SET next_poll_at = %s WHERE id IN ("
            f"SELECT id FROM {table} WHERE next_poll_at <= %s AND NOT (status = ANY(%s)) "
            "ORDER BY next_poll_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [lease, now, [str(s) for s in excluded], limit])
            return [row[0] for row in cursor.fetchall()]
    with transaction.atomic():
        qs = (
            Activity.objects.filter(next_poll_at__lte=now)
            .exclude(status__in=excluded)
            .order_by("next_poll_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if ids:
            Activity.objects.filter(pk__in=ids).update(next_poll_at=lease)
    return ids


def next_due(now=None):
    """Seconds until the earliest not-yet-claimed poll is due (0 if one is due), or None (index
    ``activity_due``: terminal and waiting activities have no ``next_poll_at``)."""
    now = now or timezone.now()
    first = (
        Activity.objects.filter(next_poll_at__isnull=False)
        .exclude(status__in=[*TERMINAL, Status.WAITING_FOR_SIGNIN])
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first()
    )
    return None if first is None else max(0.0, (first - now).total_seconds())


def dispatch(limit: int | None = None) -> dict:
    """One sweep (beat runs it every ``ACTIVITY_DISPATCH_INTERVAL``): claim what is due, poll it.

    Claims ``ACTIVITY_BATCH_SIZE`` at a time and writes each chunk as soon as its polls answered
    (so a finished operation waits for its chunk, not for every due poll); a full chunk means more
    may be due, so the sweep claims again, for at most ``ACTIVITY_DISPATCH_BUDGET`` seconds. Until
    the next beat tick (``ACTIVITY_DISPATCH_INTERVAL`` after this one started) it also waits for
    the polls coming due and claims them on time: a poll goes out when due, not at the next tick
    (ticks of 0.5 s turned a 0.5 s poll interval into 1 s between polls).
    """
    limit = limit or conf.batch_size()
    budget = conf.dispatch_budget()
    watch = conf.dispatch_interval()
    started = time.monotonic()
    total = defaultdict(int)
    while True:
        ids = claim_due(limit)
        if ids:
            counts, changed = _poll(ids)
            for key, value in counts.items():
                total[key] += value
            total["changed"] += changed
            total["claimed"] += len(ids)
        elapsed = time.monotonic() - started
        if elapsed >= budget:
            break
        if len(ids) == limit:
            continue
        wait = next_due()
        if wait is None or elapsed + wait >= watch:
            break
        time.sleep(max(wait, 0.005))
    total["claimed"] += 0
    return dict(total)


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
