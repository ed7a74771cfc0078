"""Group scheduled activities on the simulator clock: when each runs and what it does.

An activity recurs from ``beginDateUTC`` (``never`` = once, ``daily``, ``weekly``, ``monthly``,
``customWeekly`` on the listed days). Days of the week and of the month are those of the
activity's local time (``timeZoneOffset``, a fixed offset); a monthly activity on the 31st runs on
the last day of shorter months. ``afterCount`` stops after ``expireCount`` runs, ``afterDate``
after ``expireDateUTC``. A timer (``schedule.run``) is armed for the next run of each activity that
is ``on``; when it fires, the activity's operation is queued on every server of the group and its
sub-groups that can take it (active, not a template, nothing running, in a fitting power state),
one operation per server, at that moment of the simulator clock (durations follow ``--speed``).
"""

import calendar
import math
from datetime import UTC, datetime, timedelta

from ..state import timer

TIMER = "schedule.run"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # datetime.weekday() order
REPEATS = ("never", "daily", "weekly", "monthly", "customWeekly")
EXPIRES = ("never", "afterDate", "afterCount")
# type -> (operation kind, power states it may start from; None: any)
TYPES = {
    "archive": ("archive", None),
    "createsnapshot": ("createSnapshot", None),
    "delete": ("deleteServer", None),
    "deletesnapshot": ("deleteSnapshot", None),
    "pause": ("pause", {"started"}),
    "poweron": ("powerOn", {"stopped", "paused"}),
    "reboot": ("reboot", {"started"}),
    "shutdown": ("shutDown", {"started"}),
}


def _local(moment: float, offset: int) -> datetime:
    """The local wall-clock time of ``moment`` (held in a UTC datetime)."""
    return datetime.fromtimestamp(moment + offset, tz=UTC)


def occurrence_from(act, moment: float) -> float | None:
    """The first occurrence at or after ``moment`` (ignoring expiry and status)."""
    begin = act.begin
    if act.repeat == "never":
        return begin if begin >= moment else None
    t = max(moment, begin)
    if act.repeat in ("daily", "weekly"):
        period = 86400 if act.repeat == "daily" else 7 * 86400
        return begin + math.ceil((t - begin) / period) * period
    offset = act.tz_offset_minutes * 60
    start = _local(begin, offset)
    local_t = _local(t, offset)
    if act.repeat == "customWeekly":
        days = set(act.custom_weekly_days)
        for i in range(8):
            day = local_t.date() + timedelta(days=i)
            candidate = datetime.combine(day, start.timetz()).timestamp() - offset
            if WEEKDAYS[day.weekday()] in days and candidate >= t:
                return candidate
        return None
    year, month = local_t.year, local_t.month  # monthly
    for _ in range(14):
        last = calendar.monthrange(year, month)[1]
        local = start.replace(year=year, month=month, day=min(start.day, last))
        candidate = local.timestamp() - offset
        if candidate >= t:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def next_occurrence(act, moment: float) -> float | None:
    """The next run at or after ``moment``, or None when the activity has expired."""
    if act.expire == "afterCount" and act.occurrence_count >= (act.expire_count or 0):
        return None
    found = occurrence_from(act, moment)
    if found is None or (
        act.expire == "afterDate" and act.expire_date is not None and found > act.expire_date
    ):
        return None
    return found


def _after_last(act, now: float) -> float:
    return max(now, act.last_occurrence + 1) if act.last_occurrence is not None else now


def is_expired(act, now: float) -> bool:
    return next_occurrence(act, _after_last(act, now)) is None


def arm(world, act) -> None:
    """(Re)arm the activity's timer for its next run (none when it is off or expired)."""
    world.cancel_timers(TIMER, schedule_id=act.id)
    act.next_occurrence = None
    if act.status != "on":
        return
    found = next_occurrence(act, _after_last(act, world.now()))
    if found is not None:
        act.next_occurrence = found
        world.schedule(found, TIMER, schedule_id=act.id)


def disarm(world, act) -> None:
    world.cancel_timers(TIMER, schedule_id=act.id)
    act.next_occurrence = None


@timer(TIMER)
def _run(world, schedule_id: str) -> None:
    mon = world.monitoring
    act = mon.schedules.get(schedule_id)
    now = world.now()
    if act is None or act.status != "on" or act.next_occurrence is None or act.next_occurrence > now:
        return
    group = world.groups.get(act.group_id)
    if group is None:  # the group was deleted: its activities go with it
        mon.schedules.pop(act.id, None)
        return
    perform(world, act, group)
    act.occurrence_count += 1
    act.last_occurrence = act.next_occurrence
    arm(world, act)


def perform(world, act, group) -> list[str]:
    """Queue the activity's operation on each server of the group's subtree that can take it."""
    kind, power_states = TYPES[act.type]
    queued = []
    for member in world.subtree_groups(group):
        for key in list(member.servers):
            server = world.servers.get(key)
            if server is None or server.status != "active" or server.is_template:
                continue
            if world.pending_kinds_for(server.id):
                continue
            if power_states is not None and server.power_state not in power_states:
                continue
            params = {"scheduledActivityId": act.id}
            if kind == "createSnapshot":
                if server.snapshots:
                    continue
                params["snapshotExpirationDays"] = 10
            if kind == "deleteSnapshot":
                if not server.snapshots:
                    continue
                params["snapshotId"] = server.snapshots[0].id
            op = world.queue(server.alias, server.location, kind, [server.id], params)
            queued.append(op.id)
    return queued
