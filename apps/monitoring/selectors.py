"""Reads of the monitoring app (cached per person, like the inventory's):

* charts: a server's statistics (its ``statistics`` link: 1 call) or a group's (1 call; the group
  page's default range, the last day, is the one its page already read: 0 more) over a range of
  ``RANGES``, as ``ServerSeries`` (the inventory's shape) and chart inputs;
* a group's scheduled activities (1 call) and horizontal autoscale mapping (1 call), and the
  account's horizontal policies (1 call, for the form);
* the recent operations the cloud reported that the portal did not start (external activities,
  ``apps.webhooks``) on a server or a group's servers: from the database, no upstream call.

A change (a registered action) drops the account's cached reads, so the next read is fresh.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from apps.accounts.reads import own_client
from apps.activities.models import Activity, Origin
from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.clc import horizontal_autoscale as clc_autoscale
from apps.clc import schedules as clc_schedules
from apps.clc import statistics as clc_statistics
from apps.clc.entities import Group
from apps.clc.horizontal_autoscale import HorizontalMapping, HorizontalPolicy
from apps.clc.links import HasLinks, Link
from apps.clc.schedules import ScheduledActivity
from apps.inventory import selectors as inventory
from apps.inventory.cache import PersonCache
from apps.inventory.selectors import GroupStatistics, ServerSeries

POLICY_SECONDS = 300  # the horizontal policies: the API cannot change them


@dataclass(frozen=True)
class Range:
    key: str
    label: str
    type: str  # the statistics call's ``type``
    span: timedelta
    interval: str  # ``sampleInterval``
    dated: bool  # labels carry the date (ranges over a day)


RANGES = {
    r.key: r
    for r in (
        Range("hour", "Last hour", "realtime", timedelta(hours=1), "00:05:00", False),
        Range("day", "Last day", "hourly", timedelta(days=1), "01:00:00", False),
        Range("week", "Last week", "hourly", timedelta(days=7), "04:00:00", True),
        Range("14d", "Last 14 days", "hourly", timedelta(days=14), "08:00:00", True),
    )
}
DEFAULT_RANGE = "day"  # the group page's (and the inventory group API's) last 24 hours


def range_of(value) -> Range:
    """``?range=week`` -> that range; anything unknown -> the default (a bookmark never breaks)."""
    return RANGES.get(str(value or "").strip().lower(), RANGES[DEFAULT_RANGE])


# --- charts ----------------------------------------------------------------------------------------
def _label(ts: str, dated: bool) -> str:
    """``2026-11-20T10:00:00Z`` -> ``10:00`` (or ``11-20 10:00`` for ranges over a day)."""
    if "T" not in ts:
        return ts[:16]
    date, time = ts.split("T", 1)
    return f"{date[5:10]} {time[:5]}" if dated else time[:5]


def chart_inputs(servers: tuple[ServerSeries, ...], rng: Range, *, single: bool = False) -> dict:
    """CPU %, memory %, disk used (GB) and network (kbps) chart inputs, ``[(label, timestamps,
    values)]`` each; one line per server, or, for one server (``single``), its network in and out."""
    cpu, memory, disk, network = [], [], [], []
    for s in servers:
        stamps = tuple(_label(t, rng.dated) for t in s.timestamps)
        n = len(stamps)
        cpu.append((s.server_id, stamps, s.cpu_percent))
        memory.append((s.server_id, stamps, s.memory_percent))
        used = [sum(d.consumed_mb[i] for d in s.disks) / 1024 for i in range(n)] if s.disks else []
        disk.append((s.server_id, stamps, used))
        received = s.network_received_kbps or (0.0,) * n
        sent = s.network_transmitted_kbps or (0.0,) * n
        if single:
            network += [("Received", stamps, received), ("Transmitted", stamps, sent)]
        else:
            network.append((s.server_id, stamps, tuple(a + b for a, b in zip(received, sent, strict=False))))
    has_samples = any(values for _, _, values in cpu + memory + disk)
    return {
        "cpu": cpu,
        "memory": memory,
        "disk": disk,
        "disk_reported": any(values for _, _, values in disk),  # guests report it while running
        "network": network,
        "has_samples": has_samples,
    }


@dataclass(frozen=True)
class Charts:
    range: Range
    statistics: GroupStatistics

    def inputs(self, single: bool) -> dict:
        return chart_inputs(self.statistics.servers, self.range, single=single)


def server_charts(user, server_id: str, rng: Range, *, client=None, fresh: bool = False) -> Charts:
    """One server's samples over ``rng`` (the server's ``statistics`` link: 1 call, cached)."""
    server_id = inventory.checked_id(server_id, "server").upper()
    client = own_client(user, client)

    def fetch() -> Charts:
        start, end = inventory.statistics_window(rng.span, rng.interval)
        stats = clc_statistics.server_statistics(
            client,
            server_id,
            type=rng.type,
            start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            end=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            sample_interval=rng.interval,
        )
        series = inventory.server_series(stats)
        return Charts(rng, GroupStatistics(start, end, rng.interval, (series,)))

    return PersonCache(user).get_or_fetch(f"stats:server:{server_id}:{rng.key}", fetch, fresh=fresh)


def group_charts(user, group_id: str, rng: Range, *, client=None, fresh: bool = False, day=None) -> Charts:
    """A group's servers' samples over ``rng``; ``day``: the last day's, already read (the group
    page's own statistics), used as they are for the default range."""
    if rng.key == DEFAULT_RANGE and day is not None:
        return Charts(rng, day)
    group_id = inventory.checked_id(group_id, "group")
    client = own_client(user, client)

    def fetch() -> Charts:
        stats = inventory.group_statistics(
            client, group_id, type=rng.type, span=rng.span, interval=rng.interval
        )
        return Charts(rng, stats)

    return PersonCache(user).get_or_fetch(f"stats:group:{group_id}:{rng.key}", fetch, fresh=fresh)


# --- schedules and autoscale of a group ---------------------------------------------------------
@dataclass(frozen=True)
class GroupAutomation(HasLinks):
    """A group (its links say what the person may) with its scheduled activities and its
    horizontal autoscale mapping (None: none set)."""

    group: Group
    schedules: tuple[ScheduledActivity, ...]
    autoscale: HorizontalMapping | None

    @property
    def links(self) -> tuple[Link, ...]:
        return self.group.links

    @property
    def id(self) -> str:
        return self.group.id.lower()

    @property
    def name(self) -> str:
        return self.group.name

    @property
    def archived(self) -> bool:
        return self.group.status == "archived" or self.group.type == "archive"

    @property
    def upcoming(self) -> list[ScheduledActivity]:
        """The activities that will run, soonest first."""
        coming = [s for s in self.schedules if s.next_occurrence is not None and s.status == "on"]
        return sorted(coming, key=lambda s: s.next_occurrence)

    @property
    def next_run(self) -> ScheduledActivity | None:
        coming = self.upcoming
        return coming[0] if coming else None

    def find_schedule(self, activity_id: str) -> ScheduledActivity | None:
        wanted = (activity_id or "").strip().lower()
        return next((s for s in self.schedules if s.id.lower() == wanted), None)

    @property
    def rows(self) -> list["ScheduleView"]:
        return [ScheduleView(self, s) for s in self.schedules]


def _ordered(found) -> tuple[ScheduledActivity, ...]:
    far = timezone.now() + timedelta(days=36500)
    return tuple(sorted(found, key=lambda s: (s.next_occurrence is None, s.next_occurrence or far, s.id)))


def _schedules(client, group: Group) -> tuple[ScheduledActivity, ...]:
    if group.link("scheduledActivities") is None:
        return ()
    return _ordered(clc_schedules.list_activities(client, group.id))


def _autoscale(client, group: Group) -> HorizontalMapping | None:
    if group.link("horizontalAutoscalePolicyMapping") is None:
        return None
    return clc_autoscale.group_policy(client, group.id)


def group_automation(
    user, group_id: str, *, client=None, fresh: bool = False, group: Group | None = None
) -> GroupAutomation:
    """The group (read unless given: the group page has it), its schedules and its autoscale."""
    group_id = inventory.checked_id(group_id, "group")
    client = own_client(user, client)

    def fetch() -> GroupAutomation:
        found = group
        if found is None:
            try:
                found = clc_groups.get_group(client, group_id)
            except errors.NotFound:
                raise inventory.NotFound(f"No group {group_id} in your account.") from None
        results = inventory.run_tasks([lambda: _schedules(client, found), lambda: _autoscale(client, found)])
        for result in results:
            inventory.reraise_fatal(result)
            if isinstance(result, Exception):
                raise result
        return GroupAutomation(found, results[0], results[1])

    return PersonCache(user).get_or_fetch(f"automation:{group_id}", fetch, fresh=fresh)


def horizontal_policies(user, *, client=None, fresh: bool = False) -> tuple[HorizontalPolicy, ...]:
    cache = PersonCache(user)
    cached = None if fresh else cache.get_stable("hpolicies")
    if isinstance(cached, tuple):
        return cached
    found = tuple(sorted(clc_autoscale.list_policies(own_client(user, client)), key=lambda p: p.name.lower()))
    cache.put_stable("hpolicies", found, POLICY_SECONDS)
    return found


# --- what the cloud did by itself (external activities) ----------------------------------------
RECENT_DAYS = 14
RECENT_SCAN = 500


def external_operations(user, server_ids, *, limit: int = 10) -> list[Activity]:
    """The newest external activities (``origin=external``: reported by the cloud, not started
    here) on any of ``server_ids``, newest first; none invented."""
    wanted = {str(s).upper() for s in server_ids if s}
    alias = getattr(user, "account_alias", "")
    if not wanted or not alias:
        return []
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = Activity.objects.filter(
        account_alias=alias.upper(), origin=Origin.EXTERNAL, resource_type="server", created_at__gte=since
    ).order_by("-created_at", "-id")[:RECENT_SCAN]
    out = []
    for activity in recent:
        if wanted & {str(i).upper() for i in activity.resource_ids or ()}:
            out.append(activity)
            if len(out) >= limit:
                break
    return out


@dataclass(frozen=True)
class ScheduleView(HasLinks):
    """One scheduled activity of a group (the target of its change and removal)."""

    automation: GroupAutomation
    schedule: ScheduledActivity

    @property
    def links(self) -> tuple[Link, ...]:
        return self.schedule.links

    @property
    def group(self):
        return self.automation.group


def group_schedule(
    user, group_id: str, schedule_id: str, *, client=None, fresh: bool = False
) -> ScheduleView:
    automation = group_automation(user, group_id, client=client, fresh=fresh)
    found = automation.find_schedule(schedule_id)
    if found is None:
        raise inventory.NotFound(f"No scheduled activity {schedule_id[:64]!r} on {automation.name}.")
    return ScheduleView(automation, found)


# --- which schedule an external change came from ---------------------------------------------------
RUN_WINDOW = timedelta(minutes=15)  # a run's operations finish within this of its start
POWER_AFTER = {"shutdown": "stopped", "poweron": "started", "pause": "paused"}


@dataclass(frozen=True)
class ExternalRow:
    activity: Activity
    schedule: ScheduledActivity | None = None  # the group's activity whose last run it fits


def attributed(external, schedules) -> list[ExternalRow]:
    """Each external change with the scheduled activity that explains it, when one does: its last
    run began at most ``RUN_WINDOW`` before the change and the change reads as that run's power
    state (the cloud's payload names no schedule, and may keep the last person as its modifier)."""
    out = []
    for activity in external:
        found = None
        for s in schedules:
            state = POWER_AFTER.get(s.type)
            last = s.last_occurrence
            if state is None or last is None or f"power {state}" not in (activity.summary or ""):
                continue
            if last <= activity.created_at <= last + RUN_WINDOW:
                found = s
                break
        out.append(ExternalRow(activity, found))
    return out
