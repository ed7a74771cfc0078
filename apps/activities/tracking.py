"""Tracking: status changes as compare-and-set updates, polling and the dispatcher's claim.

Every write to an activity is a compare-and-set planned by ``_plan`` from the row as it was read:
``UPDATE ... WHERE id = ? AND version = ? AND status = ?`` bumps ``version``; if another poll got
there first the update matches no row and is dropped, so a duplicate poll never double-counts
``polls``, never regresses a status, and a terminal status (succeeded, failed, unknown) never
changes. ``transition`` writes one activity; ``transition_many`` writes a whole polled batch with
ONE ``UPDATE ... FROM (VALUES ...)`` keyed on (id, version, status) (PostgreSQL; row by row
elsewhere), plus one INSERT of the history entries of the rows whose status changed, in one
transaction. "Still executing, nothing changed" polls thus cost no transaction of their own, and
only real status changes write history and reach the streams.
"""

import logging
import os
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.services import CloudSessionExpired, cloud_client_for, mark_token_invalid
from apps.clc import errors as clc_errors
from apps.clc import operations as clc_operations
from apps.clc.entities import OperationStatus
from apps.inventory import cache as inventory_cache

from . import conf, streams
from .models import RANK, TERMINAL, Activity, ActivityEvent, Status
from .signals import activity_finished

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


def invalidate_inventory(activity) -> None:
    """Drop the cached inventory the operation touched."""
    try:
        alias = activity.account_alias
        if activity.operation == "createServer":  # its resource is the name asked for, not an id
            inventory_cache.invalidate_account(alias)
        elif activity.resource_type == "server":
            for server_id in activity.resource_ids or ():
                inventory_cache.invalidate_server(alias, server_id)
        elif activity.resource_type == "group":
            for group_id in activity.resource_ids or ():
                inventory_cache.invalidate_group(alias, group_id)
        else:
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


def _after_commit_many(changed) -> None:
    """``_after_commit`` for a batch: one read of the rows, one Redis round trip for the events."""
    if not changed:
        return
    rows = Activity.objects.select_related("user").in_bulk([pk for pk, _prev, _term in changed])
    published, invalidated = [], set()
    for pk, previous, terminal in changed:
        activity = rows.get(pk)
        if activity is None:
            continue
        if terminal:
            target = (activity.account_alias, activity.resource_type, tuple(activity.resource_ids or ()))
            if target not in invalidated:
                invalidated.add(target)
                invalidate_inventory(activity)
        published.append((activity, previous))
    streams.publish_many(published)
    for pk, _previous, terminal in changed:
        if terminal and pk in rows:
            notify_finished(rows[pk])


def notify_finished(activity) -> None:
    """Announce a terminal activity (``signals.activity_finished``: the person's notifications); a
    problem in a receiver never breaks tracking."""
    for receiver, result in activity_finished.send_robust(sender=Activity, activity=activity):
        if isinstance(result, Exception):
            log.warning(
                "%s failed for activity %s",
                getattr(receiver, "__qualname__", receiver),
                activity.pk,
                exc_info=result,
            )


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


class _Plan:
    """One planned compare-and-set: the row as read (id, version, status) and its new values."""

    __slots__ = ("activity", "old", "new", "values", "keep_next", "count_poll", "event")

    def __init__(self, activity, old, new, values, keep_next, count_poll, event):
        self.activity, self.old, self.new = activity, old, new
        self.values, self.keep_next, self.count_poll, self.event = values, keep_next, count_poll, event


def _plan(
    activity,
    to_status: str | None = None,
    *,
    upstream_status: str | None = None,
    message: str | None = None,
    note: str | None = None,
    next_poll_at="keep",
    count_poll: bool = False,
    now=None,
) -> "_Plan | None":
    """The update ``transition`` would make (None: the activity is terminal, nothing to write).

    ``values`` are absolute (from the row as read: the compare-and-set on ``version`` makes them
    exact), except ``next_poll_at`` when kept (the dispatcher's lease moves it without a version).
    """
    now = now or timezone.now()
    old = activity.status
    if old in TERMINAL:
        return None
    new = to_status or old
    if old == Status.RUNNING and RANK.get(new, 0) < RANK[Status.RUNNING] and new != Status.WAITING_FOR_SIGNIN:
        new = old  # a stale "notStarted" never moves a running activity back
    values = {
        "status": new,
        "upstream_status": (activity.upstream_status if upstream_status is None else upstream_status)[:32],
        "error_message": activity.error_message if message is None else message,
        "next_poll_at": None if next_poll_at == "keep" else next_poll_at,
        "last_polled_at": now if count_poll else activity.last_polled_at,
        "started_at": activity.started_at,
        "finished_at": activity.finished_at,
    }
    keep_next = next_poll_at == "keep"
    if new == Status.RUNNING and activity.started_at is None:
        values["started_at"] = now
    if new in TERMINAL:
        values["finished_at"] = now
        values["next_poll_at"] = None
        keep_next = False
        if activity.started_at is None and new != Status.UNKNOWN:
            values["started_at"] = now
    event = None
    if new != old:
        event = ActivityEvent(
            activity_id=activity.pk,
            from_status=old,
            to_status=new,
            upstream_status=(upstream_status or activity.upstream_status or "")[:32],
            message=note or message or "",
        )
    return _Plan(activity, old, new, values, keep_next, count_poll, event)


def _write_one(plan: "_Plan") -> bool:
    """One compare-and-set in its own transaction (the history entry with it)."""
    activity, fields = plan.activity, dict(plan.values)
    if plan.keep_next:
        del fields["next_poll_at"]
    fields["version"] = F("version") + 1
    if plan.count_poll:
        fields["polls"] = F("polls") + 1
    with transaction.atomic():
        updated = Activity.objects.filter(pk=activity.pk, version=activity.version, status=plan.old).update(
            **fields
        )
        if not updated:
            return False
        if plan.event is not None:
            plan.event.save(force_insert=True)
            old, terminal = plan.old, plan.new in TERMINAL
            transaction.on_commit(lambda: _after_commit(activity.pk, old, terminal))
    return True


def transition(activity, to_status: str | None = None, **kwargs) -> bool:
    """Compare-and-set ``activity`` from the (status, version) it was read with. True if applied.

    Keywords: ``upstream_status``, ``message``, ``note`` (history text), ``next_poll_at`` ("keep"),
    ``count_poll``, ``now``.
    """
    plan = _plan(activity, to_status, **kwargs)
    return False if plan is None else _write_one(plan)


_CAS_COLUMNS = (
    ("id", "bigint"),
    ("version", "integer"),
    ("old_status", "varchar"),
    ("status", "varchar"),
    ("upstream_status", "varchar"),
    ("error_message", "text"),
    ("keep_next", "boolean"),
    ("next_poll_at", "timestamptz"),
    ("dpoll", "integer"),
    ("last_polled_at", "timestamptz"),
    ("started_at", "timestamptz"),
    ("finished_at", "timestamptz"),
)
_CAS_ROW = "(" + ", ".join(f"%s::{kind}" for _name, kind in _CAS_COLUMNS) + ")"
_CAS_SQL = """
UPDATE {table} AS a SET
    status = v.status,
    upstream_status = v.upstream_status,
    error_message = v.error_message,
    next_poll_at = CASE WHEN v.keep_next THEN a.next_poll_at ELSE v.next_poll_at END,
    polls = a.polls + v.dpoll,
    last_polled_at = v.last_polled_at,
    started_at = v.started_at,
    finished_at = v.finished_at,
    version = a.version + 1
FROM (VALUES {rows}) AS v({names})
WHERE a.id = v.id AND a.version = v.version AND a.status = v.old_status
RETURNING a.id
"""


def _batch_update(plans) -> set:
    """ONE ``UPDATE ... FROM (VALUES ...)`` for all ``plans``: the ids whose compare-and-set won."""
    params = []
    for p in plans:
        v = p.values
        params += [
            p.activity.pk,
            p.activity.version,
            p.old,
            v["status"],
            v["upstream_status"],
            v["error_message"],
            p.keep_next,
            v["next_poll_at"],
            1 if p.count_poll else 0,
            v["last_polled_at"],
            v["started_at"],
            v["finished_at"],
        ]
    sql = _CAS_SQL.format(
        table=connection.ops.quote_name(Activity._meta.db_table),
        rows=", ".join([_CAS_ROW] * len(plans)),
        names=", ".join(name for name, _kind in _CAS_COLUMNS),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _write_batch(plans) -> set:
    """Write ``plans`` (distinct activities) as one statement; history + push for the winners."""
    plans = sorted(plans, key=lambda p: p.activity.pk)  # one lock order for concurrent batches
    if not connection.in_atomic_block and all(p.event is None for p in plans):
        return _batch_update(plans)  # polls that changed nothing: one autocommit UPDATE
    with transaction.atomic():  # a savepoint inside a caller's transaction
        won = _batch_update(plans)
        moved = [p for p in plans if p.event is not None and p.activity.pk in won]
        if moved:
            ActivityEvent.objects.bulk_create([p.event for p in moved])
            changed = [(p.activity.pk, p.old, p.new in TERMINAL) for p in moved]
            transaction.on_commit(lambda: _after_commit_many(changed))
    return won


def transition_many(plans) -> set:
    """Apply planned compare-and-sets (``_plan`` results, None skipped); the ids that were applied.

    Batched on PostgreSQL (``ACTIVITY_WRITE_BATCH`` rows a statement); if a batch fails (e.g. a
    deadlock with a concurrent duplicate batch) its rows are written one by one, each still a
    compare-and-set, so nothing is lost or counted twice.
    """
    plans = [p for p in plans if p is not None]
    if not plans:
        return set()
    if connection.vendor != "postgresql":
        return {p.activity.pk for p in plans if _write_one(p)}
    won = set()
    size = conf.write_batch()
    for start in range(0, len(plans), size):
        chunk = plans[start : start + size]
        try:
            won |= _write_batch(chunk)
        except DatabaseError:
            log.warning(
                "batched write of %d activities failed; writing them one by one", len(chunk), exc_info=True
            )
            won |= {p.activity.pk for p in chunk if _write_one(p)}
    return won


def _age(activity, now) -> float:
    return max(0.0, (now - activity.created_at).total_seconds())


def next_poll_time(activity, now):
    """When to poll again after a poll at ``now`` (which makes ``activity.polls + 1``).

    ``poll_interval`` after this poll, but never so early that the polls would outrun the poll
    budget: poll number k only once the activity is ``k - ACTIVITY_POLL_SLACK`` seconds old. So an
    activity is polled at most about once a second of its age (+ the slack), whatever the load and
    however the dispatcher's ticks fall: polls <= duration + slack + the last poll's delay; a poll
    that came late (a busy worker, a beat tick) lets the next one come sooner, up to the budget.
    """
    interval = now + timedelta(seconds=conf.poll_interval(_age(activity, now)))
    following = activity.polls + 2  # the number the next poll will have
    budget = activity.created_at + timedelta(seconds=following - conf.poll_slack())
    return max(interval, budget)


def _poll_plan(activity, result, now):
    """The compare-and-set one poll's answer (an ``OperationStatus`` or a ``ClcError``) calls for."""
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
            next_poll_at=None if new in TERMINAL else next_poll_time(activity, now),
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

    results = list(_poll_pool().map(_get_status, jobs)) if jobs else []
    now = timezone.now()
    _mark_tokens_invalid(
        a for (_c, a), r in zip(jobs, results, strict=True) if isinstance(r, clc_errors.Unauthorized)
    )
    for (_client, activity), result in zip(jobs, results, strict=True):
        try:
            plans.append(("poll", _poll_plan(activity, result, now)))
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


def dispatch(limit: int | None = None) -> dict:
    """One sweep (beat runs it every ``ACTIVITY_DISPATCH_INTERVAL``): claim what is due, poll it.

    Claims ``ACTIVITY_BATCH_SIZE`` at a time and writes each chunk as soon as its polls answered
    (so a finished operation waits for its chunk, not for every due poll); a full chunk means more
    may be due, so the sweep claims again, for at most ``ACTIVITY_DISPATCH_BUDGET`` seconds.
    """
    limit = limit or conf.batch_size()
    budget = conf.dispatch_budget()
    started = time.monotonic()
    total = defaultdict(int)
    while True:
        ids = claim_due(limit)
        if not ids:
            break
        counts, changed = _poll(ids)
        for key, value in counts.items():
            total[key] += value
        total["changed"] += changed
        total["claimed"] += len(ids)
        if len(ids) < limit or time.monotonic() - started >= budget:
            break
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
