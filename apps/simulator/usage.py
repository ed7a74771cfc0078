"""Recording what each server was billed for, over time (``ledger.UsageLedger``), and pricing it.

- ``seed_past(world)`` (called by the seeds) gives every seeded server a made-up but stable past:
  started since its creation, then — decided by a hash of its id — stopped since some day
  (servers stopped or paused now), a few days' stop (some started servers), or archived since
  some day (archived servers). Recording starts at ``ledger.origin``, the seed's day (UTC
  midnight), so the same seed has the same past all day long.
- After every completed operation (``state.after_operation``) the servers it touched are observed:
  a change of power state, status, size or public IPs opens a new period at that moment; a server
  that is gone is marked deleted. ``reconcile`` observes a whole account (the invoice calls it
  first, so a change made some other way is seen too, at the time of the call).
- ``cost(usage, start, end)`` integrates the periods over a time range with the hourly unit prices
  of ``pricing.py`` (the same as the estimates): compute + storage while started, storage only while
  stopped or paused, archive storage while archived.
"""

import hashlib
from datetime import UTC, datetime

from .ledger import ARCHIVE, COMPUTE, NONE, STORAGE, Period, ServerUsage, UsageLedger
from .pricing import ARCHIVE_GB_HOUR, unit_prices
from .state import World, after_operation

DAY = 86400.0
HOUR = 3600.0
GROUP_KINDS = {"deleteGroup", "archiveGroup", "restoreGroup"}


def _state(server) -> str:
    if server.status == "underConstruction":
        return NONE
    if server.status == "archived":
        return ARCHIVE
    if server.status == "active" and server.power_state == "started" and not server.is_template:
        return COMPUTE
    return STORAGE


def period_of(server, start: float, state: str | None = None) -> Period:
    return Period(
        start=start,
        state=_state(server) if state is None else state,
        cpu=server.cpu,
        memory_mb=server.memory_mb,
        storage_gb=server.storage_gb,
        storage_type=server.storage_type,
        windows="windows" in (server.os or "").lower(),
        public_ips=len(server.public_ips),
    )


# --- recording -----------------------------------------------------------------------------------
def observe(world: World, server, at: float | None = None) -> None:
    """Open a new period for ``server`` if what it is billed for changed since the last one."""
    ledger: UsageLedger = world.usage
    at = world.now() if at is None else at
    record = ledger.servers.get(server.key)
    if record is None:
        if server.status == "underConstruction":
            return  # billing starts when the build completes
        record = ServerUsage(server.alias, server.id, server.location, server.group_id)
        ledger.servers[server.key] = record
    record.group_id = server.group_id
    record.location = server.location
    record.deleted = None
    current = period_of(server, at)
    if not record.periods or record.periods[-1].terms != current.terms:
        record.periods.append(current)


def retire(world: World, key: str, at: float | None = None) -> None:
    record = world.usage.servers.get(key.lower())
    if record is not None and record.deleted is None:
        record.deleted = world.now() if at is None else at


def reconcile(world: World, alias: str) -> None:
    """Observe every server of the account and close the history of those that are gone."""
    alias = alias.upper()
    at = world.now()
    for server in world.servers.values():
        if server.alias == alias:
            observe(world, server, at)
    for key, record in world.usage.servers.items():
        if record.alias == alias and record.deleted is None and key not in world.servers:
            record.deleted = at


@after_operation
def _record(world: World, op) -> None:
    at = world.now()  # the operation's end (settle freezes the clock there)
    for resource in op.resource_ids:
        key = resource.lower()
        server = world.servers.get(key)
        if server is not None:
            observe(world, server, at)
        elif key in world.usage.servers:
            retire(world, key, at)
    if op.kind in GROUP_KINDS:
        reconcile(world, op.alias)


# --- the seed's past -----------------------------------------------------------------------------
def _units(*parts) -> list[float]:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return [b / 255 for b in digest]


def seed_past(world: World) -> None:
    """Give every server of a freshly built world a history up to the seed's day."""
    ledger = world.usage
    origin = world.now() // DAY * DAY
    ledger.origin = origin
    for server in world.servers.values():
        created = min(server.change.created_date, origin)
        span = origin - created
        u = _units("usage", server.id)
        now_period = period_of(server, origin)
        periods = [period_of(server, created, COMPUTE)]
        if now_period.state == ARCHIVE:
            periods.append(period_of(server, created + (0.3 + 0.6 * u[0]) * span, ARCHIVE))
        elif now_period.state == STORAGE and (server.is_template or server.status != "active"):
            periods = [period_of(server, created, STORAGE)]
        elif now_period.state == STORAGE:  # stopped or paused now: since some day
            periods.append(period_of(server, created + (0.2 + 0.75 * u[1]) * span, STORAGE))
        elif u[2] < 0.35 and span > 4 * DAY:  # started now; some had a few days off
            off = created + u[3] * (span - 3 * DAY)
            back = min(off + DAY + u[4] * 9 * DAY, origin - HOUR)
            periods.append(period_of(server, off, STORAGE))
            periods.append(period_of(server, back, COMPUTE))
        if periods[-1].terms != now_period.terms:
            periods.append(now_period)
        ledger.servers[server.key] = ServerUsage(
            server.alias, server.id, server.location, server.group_id, periods
        )


# --- pricing -------------------------------------------------------------------------------------
def hourly(period: Period) -> float:
    """What one hour of a period costs (the estimate's unit prices)."""
    if period.state == NONE:
        return 0.0
    if period.state == ARCHIVE:
        return ARCHIVE_GB_HOUR * period.storage_gb
    units = unit_prices(_Sizing(period))
    rate = units["storageGB"] * period.storage_gb
    if period.state == COMPUTE:
        rate += units["cpu"] * period.cpu + units["memoryGB"] * period.memory_mb / 1024 + units["managedOS"]
    return rate


class _Sizing:
    """What ``pricing.unit_prices`` reads from a server."""

    def __init__(self, period: Period):
        self.os = "windows" if period.windows else "linux"
        self.storage_type = period.storage_type


def spans(record: ServerUsage, start: float, end: float):
    """(period, seconds) for every period that overlaps ``[start, end)``."""
    stop = end if record.deleted is None else min(end, record.deleted)
    periods = record.periods
    for index, period in enumerate(periods):
        until = periods[index + 1].start if index + 1 < len(periods) else stop
        low, high = max(period.start, start), min(until, stop)
        if high > low:
            yield period, high - low


def cost(record: ServerUsage, start: float, end: float) -> float:
    return sum(hourly(period) * seconds / HOUR for period, seconds in spans(record, start, end))


def month_to_date(world: World, server) -> float:
    """What the server has cost since the start of the month (the estimates' ``monthToDate``)."""
    observe(world, server)
    record = world.usage.servers.get(server.key)
    if record is None:
        return 0.0
    now = world.now()
    moment = datetime.fromtimestamp(now, tz=UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp()
    return cost(record, start, now)
