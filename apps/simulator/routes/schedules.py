"""Group scheduled activities (``Groups/get-group-scheduled-activities.md``, ``set-...``).

GET    /v2/groups/{alias}/{id}/scheduledActivities        the group's activities
POST   /v2/groups/{alias}/{id}/scheduledActivities        one activity -> the activity
GET    /v2/groups/{alias}/{id}/scheduledActivities/{sid}  one activity (its ``self`` link)
PUT    /v2/groups/{alias}/{id}/scheduledActivities/{sid}  the whole activity again -> the activity
DELETE /v2/groups/{alias}/{id}/scheduledActivities/{sid}  200, no content
GET    /v2/groups/{alias}/{id}/upcomingScheduledActivities  the group's activities that will run,
                                                          soonest first
GET    /v2/servers/{alias}/{id}/scheduledActivities       the activities that act on the server (its
                                                          group's and its ancestors')

Body: ``status`` on|off, ``type`` (archive, createsnapshot, delete, deletesnapshot, pause, poweron,
reboot, shutdown), ``beginDateUTC``, ``repeat`` (never, daily, weekly, monthly, customWeekly; then
``customWeeklyDays`` sun..sat), ``expire`` (never, afterDate + ``expireDateUTC``, afterCount +
``expireCount``), ``timeZoneOffset`` (``-08:00``; answered as ``-08:00:00``). Activities run on
the simulator clock (``monitoring/schedules.py``). Viewing roles read; the roles that manage groups
(AccountAdmin, ServerAdmin, ServerOperator: "group schedules") create, change and delete.
"""

import re

from .. import errors
from ..links import link
from ..models import ChangeInfo
from ..monitoring import schedules
from ..monitoring.model import ScheduledActivity
from ..monitoring.series import parse_datetime
from ..roles import require
from ..router import route
from ..serializers_group import change_info
from ..state import iso
from .groups import group_for
from .policy_common import verbs
from .servers import find_server

_OFFSET = re.compile(r"^([+-])?(\d{1,2}):(\d{2})(?::(00))?$")


# --- parsing ----------------------------------------------------------------------------------
def _choice(req, body, name: str, options, required: bool = True) -> str:
    value = req.field(body, name)
    if value is None and not required:
        return ""
    for option in options:
        if isinstance(value, str) and value.strip().lower() == option.lower():
            return option
    raise errors.bad_request(f"The request is invalid: {name} must be one of {', '.join(options)}.")


def _moment(req, body, name: str) -> float:
    value = req.field(body, name)
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"The request is invalid: {name} is required.")
    return parse_datetime(value, name)


def _offset(value) -> int:
    match = _OFFSET.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise errors.bad_request("The request is invalid: timeZoneOffset must look like -08:00.")
    sign, hours, minutes, _seconds = match.groups()
    total = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or total > 14 * 60:
        raise errors.bad_request("The request is invalid: timeZoneOffset must be between -14:00 and +14:00.")
    return -total if sign == "-" else total


def _count(value) -> int:
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10000:
        raise errors.bad_request(
            "The request is invalid: expireCount must be a whole number from 1 to 10000."
        )
    return value


def _days(req, value) -> list[str]:
    if not isinstance(value, list) or not value:
        raise errors.bad_request(
            "The request is invalid: customWeeklyDays must list days (sun, mon, ... sat)."
        )
    out = []
    full = {f"{d}{rest}": d for d, rest in zip(schedules.WEEKDAYS, _REST, strict=True)}
    for day in value:
        name = day.strip().lower() if isinstance(day, str) else None
        name = full.get(name, name)
        if name not in schedules.WEEKDAYS:
            raise errors.bad_request(
                f"The day '{day}' is not valid: use sun, mon, tue, wed, thu, fri or sat."
            )
        if name not in out:
            out.append(name)
    return sorted(out, key=lambda d: (schedules.WEEKDAYS.index(d) + 1) % 7)  # sun first


_REST = ("day", "sday", "nesday", "rsday", "day", "urday", "day")  # monday ... sunday


def _parse(req, now: float) -> dict:
    body = req.json_object()
    fields = {
        "status": _choice(req, body, "status", ("on", "off")),
        "type": _choice(req, body, "type", tuple(schedules.TYPES)),
        "begin": _moment(req, body, "beginDateUTC"),
        "repeat": _choice(req, body, "repeat", schedules.REPEATS),
        "expire": _choice(req, body, "expire", schedules.EXPIRES),
        "tz_offset_minutes": _offset(req.field(body, "timeZoneOffset")),
        "custom_weekly_days": [],
        "expire_count": None,
        "expire_date": None,
    }
    if fields["repeat"] == "customWeekly":
        fields["custom_weekly_days"] = _days(req, req.field(body, "customWeeklyDays"))
    if fields["expire"] == "afterCount":
        fields["expire_count"] = _count(req.field(body, "expireCount"))
    if fields["expire"] == "afterDate":
        fields["expire_date"] = _moment(req, body, "expireDateUTC")
        if fields["expire_date"] <= fields["begin"]:
            raise errors.bad_request("The request is invalid: expireDateUTC must be after beginDateUTC.")
    if fields["repeat"] == "never" and fields["begin"] < now:
        raise errors.bad_request(
            "beginDateUTC is in the past: an activity that does not repeat would never run."
        )
    return fields


# --- answers ----------------------------------------------------------------------------------
def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}:00"


def activity_json(req, act: ScheduledActivity) -> dict:
    world = req.world
    group = world.groups.get(act.group_id)
    alias = act.alias.lower()
    base = f"/v2/groups/{alias}/{act.group_id}"
    out = {
        "id": act.id,
        "locationId": group.location if group else "",
        "changeInfo": change_info(act.change),
        "links": [
            link("group", base, id=act.group_id, name=group.name if group else ""),
            link(
                "self",
                f"{base}/scheduledActivities/{act.id}",
                verbs=verbs(req, "PUT", "DELETE", capability="manage_groups"),
            ),
        ],
        "status": act.status,
        "type": act.type,
        "beginDateUTC": iso(act.begin),
        "repeat": act.repeat,
        "customWeeklyDays": list(act.custom_weekly_days),
        "expire": act.expire,
        "timeZoneOffset": _offset_text(act.tz_offset_minutes),
        "isExpired": schedules.is_expired(act, world.now()),
        "occurrenceCount": act.occurrence_count,
    }
    if act.expire_count is not None:
        out["expireCount"] = act.expire_count
    if act.expire_date is not None:
        out["expireDateUTC"] = iso(act.expire_date)
    if act.last_occurrence is not None:
        out["lastOccurrenceDateUTC"] = iso(act.last_occurrence)
    if act.next_occurrence is not None:
        out["nextOccurrenceDateUTC"] = iso(act.next_occurrence)
    return out


def _of_group(world, group) -> list[ScheduledActivity]:
    return [a for a in world.monitoring.schedules.values() if a.group_id == group.id]


def _activity(req, group, activity_id: str) -> ScheduledActivity:
    act = req.world.monitoring.schedules.get(activity_id.strip().lower())
    if act is None or act.group_id != group.id:
        raise errors.not_found()
    return act


def _changeable(group) -> None:
    if group.status == "archived" or group.type == "archive":
        raise errors.bad_request(
            f"The group '{group.name}' is archived: its scheduled activities cannot change."
        )


# --- routes -----------------------------------------------------------------------------------
@route("GET", "/v2/groups/{alias}/{group_id}/scheduledActivities")
def list_activities(req, alias, group_id):
    group = group_for(req, alias, group_id, "view")
    return [activity_json(req, a) for a in _of_group(req.world, group)]


@route("POST", "/v2/groups/{alias}/{group_id}/scheduledActivities")
def create_activity(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_groups")
    _changeable(group)
    fields = _parse(req, world.now())
    act = ScheduledActivity(
        id=world.new_group_id(),
        alias=group.alias,
        group_id=group.id,
        change=world.change(req.user.username),
        **fields,
    )
    world.monitoring.schedules[act.id] = act
    schedules.arm(world, act)
    return activity_json(req, act)


@route("GET", "/v2/groups/{alias}/{group_id}/scheduledActivities/{activity_id}")
def get_activity(req, alias, group_id, activity_id):
    group = group_for(req, alias, group_id, "view")
    return activity_json(req, _activity(req, group, activity_id))


@route("PUT", "/v2/groups/{alias}/{group_id}/scheduledActivities/{activity_id}")
def update_activity(req, alias, group_id, activity_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_groups")
    act = _activity(req, group, activity_id)
    _changeable(group)
    for name, value in _parse(req, world.now()).items():
        setattr(act, name, value)
    act.change = ChangeInfo(act.change.created_by, act.change.created_date, req.user.username, world.now())
    schedules.arm(world, act)
    return activity_json(req, act)


@route("DELETE", "/v2/groups/{alias}/{group_id}/scheduledActivities/{activity_id}")
def delete_activity(req, alias, group_id, activity_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_groups")
    act = _activity(req, group, activity_id)
    schedules.disarm(world, act)
    del world.monitoring.schedules[act.id]
    return 200, None


@route("GET", "/v2/groups/{alias}/{group_id}/upcomingScheduledActivities")
def upcoming_activities(req, alias, group_id):
    group = group_for(req, alias, group_id, "view")
    coming = [a for a in _of_group(req.world, group) if a.next_occurrence is not None]
    return [activity_json(req, a) for a in sorted(coming, key=lambda a: a.next_occurrence)]


@route("GET", "/v2/servers/{alias}/{server_id}/scheduledActivities")
def server_activities(req, alias, server_id):
    require(req, "view")
    world = req.world
    server = find_server(req, alias, server_id)
    chain, current = [], world.groups.get(server.group_id)
    while current is not None:
        chain.append(current.id)
        current = world.groups.get(current.parent_id) if current.parent_id else None
    found = [a for a in world.monitoring.schedules.values() if a.group_id in chain]
    return [activity_json(req, a) for a in sorted(found, key=lambda a: chain.index(a.group_id))]
