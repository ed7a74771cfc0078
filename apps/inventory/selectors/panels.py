"""Side panels of the group and dashboard pages: billing summaries and monitoring statistics."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apps.clc import billing as clc_billing
from apps.clc import statistics as clc_statistics
from apps.clc.entities import (
    ServerStatistics,
    cost_totals,
)

from .rows import ServerCostRow


@dataclass(frozen=True)
class GroupCost:
    group_id: str
    name: str
    monthly_estimate: float
    month_to_date: float
    current_hour: float
    servers: tuple[ServerCostRow, ...] = ()


@dataclass(frozen=True)
class BillingSummary:
    date: datetime | None
    monthly_estimate: float
    month_to_date: float
    current_hour: float
    groups: tuple[GroupCost, ...] = ()


@dataclass(frozen=True)
class DiskSeries:
    path: str
    capacity_mb: tuple[float, ...]
    consumed_mb: tuple[float, ...]


@dataclass(frozen=True)
class ServerSeries:
    server_id: str
    timestamps: tuple[str, ...]
    cpu_percent: tuple[float, ...]
    memory_percent: tuple[float, ...]
    disk_usage_mb: tuple[float, ...]
    disks: tuple[DiskSeries, ...] = ()
    network_received_kbps: tuple[float, ...] = ()
    network_transmitted_kbps: tuple[float, ...] = ()


@dataclass(frozen=True)
class GroupStatistics:
    start: datetime
    end: datetime
    interval: str
    servers: tuple[ServerSeries, ...]


def _billing_summary(client, group_id: str) -> BillingSummary:
    billing = clc_billing.group_billing(client, group_id)
    groups = tuple(
        GroupCost(group_id=gid, name=name, servers=tuple(costs), **cost_totals(costs))
        for gid, (name, costs) in billing.groups.items()
    )
    return BillingSummary(date=billing.date, groups=groups, **cost_totals(billing.servers))


def server_series(stats: ServerStatistics) -> ServerSeries:
    """One server's samples as columns (one tuple per measure), guest disks by path."""
    samples = stats.samples
    paths: dict[str, tuple[list, list]] = {}
    for index, sample in enumerate(samples):
        for usage in sample.guest_disks:
            capacity, consumed = paths.setdefault(usage.path, ([0.0] * len(samples), [0.0] * len(samples)))
            capacity[index] = usage.capacity_mb
            consumed[index] = usage.consumed_mb
    return ServerSeries(
        server_id=stats.server,
        timestamps=tuple(s.timestamp_text for s in samples),
        cpu_percent=tuple(s.cpu_percent for s in samples),
        memory_percent=tuple(s.memory_percent for s in samples),
        disk_usage_mb=tuple(s.disk_total_mb for s in samples),
        disks=tuple(
            DiskSeries(path=path, capacity_mb=tuple(cap), consumed_mb=tuple(used))
            for path, (cap, used) in paths.items()
        ),
        network_received_kbps=tuple(s.network_received_kbps for s in samples),
        network_transmitted_kbps=tuple(s.network_transmitted_kbps for s in samples),
    )


def statistics_window(
    span: timedelta, interval: str, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """(start, end) of a statistics query over the last ``span``: ``end`` on the hour (on the
    5 minutes for spans under a day), ``start`` never older than the 14 days the cloud keeps."""
    now = now or datetime.now(UTC)
    if span < timedelta(days=1):
        end = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    else:
        end = now.replace(minute=0, second=0, microsecond=0)
    oldest = now - RETENTION + timedelta(minutes=10)
    return max(end - span, oldest), end


RETENTION = timedelta(days=14)


def group_statistics(
    client,
    group_id: str,
    *,
    type: str = "hourly",
    span: timedelta = timedelta(days=1),
    interval: str = "01:00:00",
    now: datetime | None = None,
) -> GroupStatistics:
    """Samples of the last ``span`` of every server of the group (and sub-groups)."""
    start, end = statistics_window(span, interval, now)
    stats = clc_statistics.group_statistics(
        client,
        group_id,
        type=type,
        start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        end=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        sample_interval=interval,
    )
    return GroupStatistics(
        start=start, end=end, interval=interval, servers=tuple(server_series(s) for s in stats)
    )


def _group_statistics(client, group_id: str, now: datetime | None = None) -> GroupStatistics:
    """Hourly samples of the last 24 hours (the group page's and API's default)."""
    return group_statistics(client, group_id, now=now)
