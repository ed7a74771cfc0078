"""Scheduled activities of a group (``Groups/get-group-scheduled-activities.md``, ``set-...``).

    list_activities(client, group_id)                 -> [ScheduledActivity]
    create_activity(client, group_id, body)           -> ScheduledActivity (200 with the activity)
    update_activity(client, group_id, activity_id, body)   (PUT the whole activity again)
    delete_activity(client, group_id, activity_id)

``body`` is the API's: ``status``, ``type``, ``beginDateUTC``, ``repeat``, ``customWeeklyDays``,
``expire``, ``expireCount``, ``expireDateUTC``, ``timeZoneOffset``. Every change applies at once
(no queued operation); the runs are operations the cloud starts by itself.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from .client import ClcClient
from .entities import ChangeInfo, as_int, each, parse_time
from .links import HasLinks, Link, parse_links

TYPES = ("shutdown", "poweron", "pause", "reboot", "createsnapshot", "deletesnapshot", "archive", "delete")
REPEATS = ("never", "daily", "weekly", "monthly", "customWeekly")
EXPIRES = ("never", "afterDate", "afterCount")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _get(raw: dict, *names):
    """The first of ``names`` present (the docs' tables and examples disagree on ``Utc``/``UTC``)."""
    lowered = {str(k).lower(): v for k, v in raw.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


@dataclass(frozen=True)
class ScheduledActivity(HasLinks):
    id: str
    group_id: str
    status: str  # on | off
    type: str
    begin: datetime | None
    repeat: str
    expire: str
    time_zone_offset: str = "+00:00:00"
    custom_weekly_days: tuple[str, ...] = ()
    expire_count: int | None = None
    expire_date: datetime | None = None
    is_expired: bool = False
    occurrence_count: int = 0
    last_occurrence: datetime | None = None
    next_occurrence: datetime | None = None
    location_id: str = ""
    change_info: ChangeInfo = ChangeInfo()
    links: tuple[Link, ...] = ()

    @property
    def offset_minutes(self) -> int:
        """``-08:00:00`` -> -480."""
        text = (self.time_zone_offset or "").strip()
        sign = -1 if text.startswith("-") else 1
        parts = text.lstrip("+-").split(":")
        try:
            return sign * (int(parts[0]) * 60 + int(parts[1] if len(parts) > 1 else 0))
        except ValueError:
            return 0

    @classmethod
    def from_api(cls, raw: dict, group_id: str = "") -> "ScheduledActivity":
        links = parse_links(raw.get("links"))
        group = next((lk for lk in links if lk.rel == "group"), None)
        count = _get(raw, "expireCount")
        days = _get(raw, "customWeeklyDays") or ()
        return cls(
            id=str(raw.get("id") or ""),
            group_id=str((group.id if group and group.id else group_id) or "").lower(),
            status=str(raw.get("status") or "").lower(),
            type=str(raw.get("type") or "").lower(),
            begin=parse_time(_get(raw, "beginDateUTC")),
            repeat=str(raw.get("repeat") or "never"),
            expire=str(raw.get("expire") or "never"),
            time_zone_offset=str(raw.get("timeZoneOffset") or "+00:00:00"),
            custom_weekly_days=tuple(str(d).lower() for d in days if isinstance(d, str)),
            expire_count=as_int(count) if count not in (None, "") else None,
            expire_date=parse_time(_get(raw, "expireDateUTC")),
            is_expired=bool(raw.get("isExpired")),
            occurrence_count=as_int(raw.get("occurrenceCount")),
            last_occurrence=parse_time(_get(raw, "lastOccurrenceDateUTC")),
            next_occurrence=parse_time(_get(raw, "nextOccurrenceDateUTC")),
            location_id=str(raw.get("locationId") or ""),
            change_info=ChangeInfo.from_api(raw.get("changeInfo")),
            links=links,
        )


def href(alias: str, group_id: str, activity_id: str | None = None) -> str:
    """A group's scheduled activities (or one) as the API's links write them (``alias`` may be
    "{alias}")."""
    path = f"/v2/groups/{alias}/{quote(group_id.lower(), safe='')}/scheduledActivities"
    return path + (f"/{quote(activity_id.lower(), safe='')}" if activity_id else "")


def _path(group_id: str, activity_id: str | None = None) -> str:
    return href("{alias}", group_id, activity_id)


def list_activities(client: ClcClient, group_id: str) -> list[ScheduledActivity]:
    body = client.get(_path(group_id))
    return list(each(ScheduledActivity.from_api, body, group_id))


def create_activity(client: ClcClient, group_id: str, body: dict) -> ScheduledActivity:
    return ScheduledActivity.from_api(client.post(_path(group_id), json=body) or {}, group_id)


def update_activity(client: ClcClient, group_id: str, activity_id: str, body: dict) -> None:
    client.put(_path(group_id, activity_id), json=body)


def delete_activity(client: ClcClient, group_id: str, activity_id: str) -> None:
    client.delete(_path(group_id, activity_id))
