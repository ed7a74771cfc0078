"""Reads of the webhooks page: the account's events (the Webhooks API, with the person's token),
this portal's connection, the last deliveries and how late they came."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from apps.clc import webhooks as clc_webhooks
from apps.clc.webhooks import WebhookEvent
from apps.inventory import cache as inventory_cache

from . import services, signing
from .models import Connection, Delivery, DeliveryStatus, Verification

RECENT = 50
STATS_OVER = 500  # the last verified deliveries the lag figures are taken over


@dataclass(frozen=True)
class EventRow:
    event: WebhookEvent
    ours: bool  # delivers to this portal's receiver (current URL)
    others: tuple[str, ...]  # targets of someone else (kept as they are)
    stale: tuple[str, ...]  # this portal's targets at an old address (connect replaces them)


@dataclass(frozen=True)
class WebhookSetup:
    """The account's webhooks as this portal sees them: the registry's ``webhooks`` resource."""

    alias: str
    events: tuple[WebhookEvent, ...]
    rows: tuple[EventRow, ...]
    connection: Connection | None
    base: str  # the public URL deliveries go to ("" when PORTAL_PUBLIC_URL is not set)
    secret: str = ""

    def allows(self, rel: str, verb: str = "GET") -> bool:
        return any(e.allows(rel, verb) for e in self.events)

    def link(self, rel: str):
        return next((e.link(rel) for e in self.events if e.link(rel) is not None), None)

    @property
    def connected_count(self) -> int:
        return sum(1 for r in self.rows if r.ours)

    @property
    def fully_connected(self) -> bool:
        return bool(self.rows) and all(r.ours for r in self.rows)

    @property
    def any_ours(self) -> bool:
        return any(r.ours or r.stale for r in self.rows)


def setup_for(user, client) -> WebhookSetup:
    """One upstream call (GET /v2/webhooks/{alias}); never cached: it is what the page sets up."""
    alias = (user.account_alias or "").upper()
    events = tuple(clc_webhooks.get_webhooks(client))
    connection = Connection.objects.filter(account_alias=alias).first()
    secret = services.secret_of(connection) if connection else ""
    base = services.public_base_or_empty()
    rows = []
    for event in events:
        ours_uri = services.target_uri(base, secret, event.name) if secret else None
        ours = bool(ours_uri) and ours_uri in event.target_uris
        mine = [u for u in event.target_uris if services.is_ours(u, base, secret or "\0")]
        rows.append(
            EventRow(
                event=event,
                ours=ours,
                others=tuple(u for u in event.target_uris if u not in mine),
                stale=tuple(u for u in mine if u != ours_uri),
            )
        )
    return WebhookSetup(alias, events, tuple(rows), connection, base if base != "\0" else "", secret)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


@dataclass(frozen=True)
class DeliveryStats:
    received_24h: int
    refused_24h: int
    duplicates_24h: int
    waiting: int
    lag_p50: float | None  # change -> receipt, seconds
    lag_p95: float | None
    work_p50: float | None  # receipt -> handled, seconds
    work_p95: float | None
    last_at: object = None


def delivery_stats(alias: str) -> DeliveryStats:
    """Two queries: the counts (one aggregate) and the last verified deliveries' times."""
    since = timezone.now() - timedelta(days=1)
    recent = Delivery.objects.filter(account_alias=alias.upper())
    verified_only = Q(verification=Verification.VERIFIED)
    day = Q(received_at__gte=since)
    counts = recent.aggregate(
        received=Count("pk", filter=day & verified_only),
        refused=Count("pk", filter=day & Q(status=DeliveryStatus.REFUSED)),
        waiting=Count("pk", filter=Q(status=DeliveryStatus.RECEIVED)),
        last=Max("received_at"),
    )
    verified = list(
        recent.filter(verified_only)
        .order_by("-received_at")
        .values_list("received_at", "change_time", "processed_at", "duplicates")[:STATS_OVER]
    )
    lags = [(r - c).total_seconds() for r, c, _p, _d in verified if c is not None]
    works = [(p - r).total_seconds() for r, _c, p, _d in verified if p is not None]
    return DeliveryStats(
        received_24h=counts["received"],
        refused_24h=counts["refused"],
        duplicates_24h=sum(d for r, _c, _p, d in verified if r >= since),
        waiting=counts["waiting"],
        lag_p50=_percentile(lags, 0.5),
        lag_p95=_percentile(lags, 0.95),
        work_p50=_percentile(works, 0.5),
        work_p95=_percentile(works, 0.95),
        last_at=counts["last"],
    )


def recent_deliveries(alias: str, limit: int = RECENT) -> list[Delivery]:
    return list(Delivery.objects.filter(account_alias=alias.upper()).select_related("activity")[:limit])


def cache_note(alias: str) -> dict:
    connected = inventory_cache.is_connected(alias)
    return {
        "connected": connected,
        "seconds": inventory_cache.webhook_ttl() if connected else inventory_cache.ttl(),
        "fallback_seconds": inventory_cache.ttl(),
        "webhook_seconds": inventory_cache.webhook_ttl(),
    }


def keys() -> list[signing.PublicKey]:
    return list(signing.public_keys())
