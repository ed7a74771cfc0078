"""Status changes of activities, as compare-and-set updates (``tracking`` polls and calls these).

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

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.inventory import cache as inventory_cache

from . import conf, streams
from .models import RANK, TERMINAL, Activity, ActivityEvent, Status
from .signals import activity_finished

log = logging.getLogger(__name__)


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
