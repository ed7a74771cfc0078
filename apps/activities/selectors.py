"""Read side of the activity screen: filters, the filtered queryset, header counts.

    form = ActivityFilters.from_query(request.GET, user)   # raises FilterError on bad input
    qs = filtered_activities(user, form)                    # newest first
    counts = header_counts(user)                            # {"running": n, "failed": n}

Data center: a server id starts with its data center (``WA1DEMOWEB01`` → ``WA1``); each row keeps
that of its first resource (``Activity.datacenter``) and ``dc`` matches it exactly. Group
activities (ids are hex) match no data center.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from apps.accounts.models import User
from portal import keyset

from . import services
from .models import Activity, Origin, Status

ACTIVE = (Status.QUEUED, Status.RUNNING, Status.WAITING_FOR_SIGNIN)
# "running" in a filter means every not-yet-finished status.
STATUS_GROUPS = {"running": [s.value for s in ACTIVE]}
SCOPES = ("mine", "team")
RANGES = {"1h": dt.timedelta(hours=1), "24h": dt.timedelta(days=1), "7d": dt.timedelta(days=7)}
FAILED_WINDOW = dt.timedelta(days=1)


class FilterError(ValueError):
    pass


def _parse_when(value: str, name: str, end: bool = False):
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
        else:
            moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name}: use a date like 2026-01-31 or 2026-01-31T14:00.") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# Roles that start operations (ROLES.md): the others only watch the team's.
ACTING_ROLES = frozenset({"AccountAdmin", "ServerAdmin", "ServerOperator", "NetworkAdmin", "SecurityAdmin"})


@dataclass
class ActivityFilters:
    scope: str = "mine"
    status: str = ""
    operation: str = ""
    person: str = ""
    datacenter: str = ""
    origin: str = ""
    range: str = ""
    since: str = ""
    until: str = ""
    since_at: dt.datetime | None = None
    until_at: dt.datetime | None = None
    errors: list = field(default_factory=list)

    @classmethod
    def default_scope(cls, user) -> str:
        # A person who may not act has no activities of their own: show the team's.
        return "mine" if set(getattr(user, "roles", None) or ()) & ACTING_ROLES else "team"

    @classmethod
    def from_query(cls, query, user) -> "ActivityFilters":
        f = cls(scope=(query.get("scope") or cls.default_scope(user)).strip().lower())
        if f.scope not in SCOPES:
            raise FilterError("scope: use mine or team.")
        f.status = (query.get("status") or "").strip().lower()
        if f.status and f.status not in STATUS_GROUPS and f.status not in Status.values:
            raise FilterError(f"status: use one of running, {', '.join(Status.values)}.")
        f.operation = (query.get("operation") or "").strip()[:64]
        f.person = (query.get("person") or "").strip()[:150]
        f.datacenter = (query.get("dc") or "").strip().upper()[:8]
        f.origin = (query.get("origin") or "").strip().lower()
        if f.origin and f.origin not in Origin.values:
            raise FilterError(f"origin: use {' or '.join(Origin.values)}.")
        f.range = (query.get("range") or "").strip().lower()
        if f.range and f.range not in RANGES:
            raise FilterError("range: use 1h, 24h or 7d.")
        f.since = (query.get("since") or "").strip()
        f.until = (query.get("until") or "").strip()
        f.since_at = _parse_when(f.since, "since")
        f.until_at = _parse_when(f.until, "until", end=True)
        if f.range:
            f.since_at = max(filter(None, [f.since_at, timezone.now() - RANGES[f.range]]))
        return f

    @property
    def filtered(self) -> bool:
        return any(
            [
                self.status,
                self.operation,
                self.person,
                self.datacenter,
                self.origin,
                self.range,
                self.since,
                self.until,
            ]
        )

    def query(self, **overrides) -> str:
        """The filters as a query string (for tabs, pages, export links)."""
        from urllib.parse import urlencode

        values = {
            "scope": self.scope,
            "status": self.status,
            "operation": self.operation,
            "person": self.person,
            "dc": self.datacenter,
            "origin": self.origin,
            "range": self.range,
            "since": self.since,
            "until": self.until,
            **overrides,
        }
        return urlencode({k: v for k, v in values.items() if v})


def filtered_activities(user, f: ActivityFilters, operations: list[str] | None = None):
    """The filtered activities, newest first. Each filter compares a column with ``=`` so that an
    index (``models.Activity.Meta.indexes``) reads the page as one range, whatever the history's
    size: the person and data center are copies on the row, an operation is matched to the
    account's spelling of it first (``account_operations``; ``operations``: that list when the
    caller has read it already)."""
    qs = services.visible_activities(user)
    if f.scope == "mine":
        qs = qs.filter(user_id=user.pk)
    if f.status:
        qs = qs.filter(status__in=STATUS_GROUPS.get(f.status, [f.status]))  # IN (one) is "=" to PostgreSQL
    if f.operation:
        qs = with_operation(qs, user.account_alias, f.operation, operations)
    if f.person:  # who started it here, or who the cloud says made an external change
        qs = qs.filter(person__iexact=f.person)
    if f.origin:
        qs = qs.filter(origin=f.origin)
    if f.datacenter:
        qs = qs.filter(datacenter=f.datacenter)
    if f.since_at:
        qs = qs.filter(created_at__gte=f.since_at)
    if f.until_at:
        qs = qs.filter(created_at__lt=f.until_at)
    return qs.order_by("-created_at", "-id")


def with_operation(qs, alias, operation: str, operations: list[str] | None = None):
    """``qs`` narrowed to ``operation`` in any case, compared with ``=`` (index ``activity_operation``):
    the account's own spellings of it (``operations``, else read: ``account_operations``), none
    when it has none."""
    wanted = operation.strip().lower()
    if operations is None:
        operations = account_operations(alias)
    spelled = [op for op in operations if op.lower() == wanted]
    return qs.filter(operation__in=spelled) if spelled else qs.none()


def account_operations(alias) -> list[str]:
    """The operations the account's history holds, read as a skip scan of the index
    ``activity_operation`` (one index probe per operation, not a pass over the history)."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    sql = (
        f"WITH RECURSIVE ops(op) AS ("
        f" SELECT MIN(operation) FROM {table} WHERE account_alias = %s"
        f" UNION ALL"
        f" SELECT (SELECT MIN(operation) FROM {table} WHERE account_alias = %s AND operation > ops.op)"
        f" FROM ops WHERE ops.op IS NOT NULL"
        f") SELECT op FROM ops WHERE op IS NOT NULL"
    )
    alias = (alias or "").upper()
    with connection.cursor() as cursor:
        cursor.execute(sql, [alias, alias])
        return [row[0] for row in cursor.fetchall()]


def filter_choices(user, operations: list[str] | None = None) -> dict:
    """Options of the filter form: the account's operations (``operations``, else read:
    ``account_operations``) and people (small index reads)."""
    alias = (user.account_alias or "").upper()
    if operations is None:
        operations = account_operations(alias)
    people = (
        User.objects.filter(account_alias__iexact=alias)
        .exclude(cloud_username="")
        .order_by("cloud_username")
        .values_list("cloud_username", flat=True)
    )
    return {
        "operations": sorted(set(operations)),
        "people": list(dict.fromkeys(people)),
        "statuses": [("running", "Running (not finished)")] + [(s.value, s.label) for s in Status],
        "origins": [
            (Origin.PORTAL.value, "Started in the portal"),
            (Origin.EXTERNAL.value, "External (reported by the cloud)"),
        ],
    }


BADGE_CAP = 999  # the top bar counts at most this many of each (index entries, never the history)


def header_counts_queries(user) -> dict:
    """The top bar's two counts as capped querysets (each a range of the index ``activity_status``)."""
    alias = (user.account_alias or "").upper()
    now = timezone.now()
    recent = Activity.objects.filter(account_alias=alias).order_by()
    running = recent.filter(status__in=ACTIVE, created_at__gte=now - dt.timedelta(days=7))
    failed = recent.filter(status=Status.FAILED, created_at__gte=now - FAILED_WINDOW)
    return {"running": running.values("pk")[:BADGE_CAP], "failed": failed.values("pk")[:BADGE_CAP]}


def header_counts(user) -> dict:
    """Running (not finished, started in the last 7 days) and failed in the last 24 hours, for the
    account, each counted up to ``BADGE_CAP``: never a count over the history. Every page's top bar
    shows them: one query for both."""
    if not (user.account_alias or ""):
        return {"running": 0, "failed": 0}
    return keyset.counts(header_counts_queries(user))


def latest_for(user, limit: int = 5):
    return list(
        services.visible_activities(user).filter(user_id=user.pk).order_by("-created_at", "-id")[:limit]
    )


def detail_for(user, activity_id):
    """The activity with its history, or None (another account's, or no such id)."""
    try:
        pk = int(activity_id)
    except (TypeError, ValueError):
        return None
    return services.visible_activities(user).filter(pk=pk).prefetch_related("events").first()
