"""Read side of the activity screen: filters, the filtered queryset, header counts.

    form = ActivityFilters.from_query(request.GET, user)   # raises FilterError on bad input
    qs = filtered_activities(user, form)                    # newest first
    counts = header_counts(user)                            # {"running": n, "failed": n}

Data center: activities carry no location field; a server id starts with its data center
(``WA1DEMOWEB01`` → ``WA1``), so the filter matches the first resource id's prefix. Group
activities (ids are hex) match no data center.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.models import User

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


def datacenter_of(resource_id: str) -> str:
    """``WA1DEMOWEB01`` → ``WA1``; a group id (hex) or anything shorter → ``""``."""
    rid = str(resource_id or "").upper()
    if len(rid) > 3 and rid[:2].isalpha() and rid[2].isdigit():
        return rid[:3]
    return ""


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


def filtered_activities(user, f: ActivityFilters):
    qs = services.visible_activities(user)
    if f.scope == "mine":
        qs = qs.filter(user_id=user.pk)
    if f.status:
        qs = qs.filter(status__in=STATUS_GROUPS.get(f.status, [f.status]))
    if f.operation:
        qs = qs.filter(operation__iexact=f.operation)
    if f.person:  # who started it here, or who the cloud says made an external change
        qs = qs.filter(
            Q(user__cloud_username__iexact=f.person) | Q(origin=Origin.EXTERNAL, actor__iexact=f.person)
        )
    if f.origin:
        qs = qs.filter(origin=f.origin)
    if f.datacenter:
        qs = qs.filter(resource_type="server", resource_ids__0__istartswith=f.datacenter)
    if f.since_at:
        qs = qs.filter(created_at__gte=f.since_at)
    if f.until_at:
        qs = qs.filter(created_at__lt=f.until_at)
    return qs.order_by("-created_at", "-id")


def filter_choices(user) -> dict:
    """Options of the filter form: the account's operations and people (two small queries)."""
    alias = (user.account_alias or "").upper()
    operations = (
        Activity.objects.filter(account_alias=alias).order_by().values_list("operation", flat=True).distinct()
    )
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


def header_counts(user) -> dict:
    """Running (not finished) and failed in the last 24 hours, for the account: one query over the
    account's recent rows (index ``activity_account_recent``)."""
    alias = (user.account_alias or "").upper()
    if not alias:
        return {"running": 0, "failed": 0}
    now = timezone.now()
    return Activity.objects.filter(account_alias=alias, created_at__gte=now - dt.timedelta(days=7)).aggregate(
        running=Count("id", filter=Q(status__in=ACTIVE)),
        failed=Count("id", filter=Q(status=Status.FAILED, created_at__gte=now - FAILED_WINDOW)),
    )


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
