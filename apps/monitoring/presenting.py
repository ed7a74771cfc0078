"""How a scheduled activity reads for people: what it does, when, how often, in its own time zone."""

from datetime import datetime

from .forms import DAY_LABELS, REPEAT_LABELS, TYPE_LABELS, local, offset_text


def _local_text(moment: datetime | None, minutes: int, with_date: bool = True) -> str:
    found = local(moment, minutes)
    if found is None:
        return "—"
    text = found.strftime("%Y-%m-%d %H:%M") if with_date else found.strftime("%H:%M")
    return f"{text} (UTC{offset_text(minutes)})"


def what(schedule) -> str:
    return TYPE_LABELS.get(schedule.type, schedule.type)


def recurrence(schedule) -> str:
    minutes = schedule.offset_minutes
    at = local(schedule.begin, minutes)
    clock = at.strftime("%H:%M") if at else "?"
    if schedule.repeat == "never":
        text = f"once, {_local_text(schedule.begin, minutes)}"
    elif schedule.repeat == "customWeekly":
        days = ", ".join(DAY_LABELS.get(d, d) for d in schedule.custom_weekly_days) or "no days"
        text = f"{days} at {clock}"
    elif schedule.repeat == "weekly":
        text = f"every {at.strftime('%A') if at else 'week'} at {clock}"
    elif schedule.repeat == "monthly":
        text = f"every month on day {at.day if at else '?'} at {clock}"
    else:
        text = f"{REPEAT_LABELS.get(schedule.repeat, schedule.repeat).lower()} at {clock}"
    if schedule.repeat != "never":
        text += f" (UTC{offset_text(minutes)})"
    return text


def expiry(schedule) -> str:
    if schedule.expire == "afterCount":
        return f"after {schedule.expire_count} runs"
    if schedule.expire == "afterDate":
        return f"after {_local_text(schedule.expire_date, schedule.offset_minutes)}"
    return "never"


def describe(schedule) -> str:
    """``Power off (shut down), every day at 20:00 (UTC-08:00)``."""
    return f"{what(schedule)}, {recurrence(schedule)}"


def next_run(schedule) -> str:
    if schedule.status != "on":
        return "off: never runs"
    if schedule.next_occurrence is None:
        return "expired" if schedule.is_expired else "—"
    return _local_text(schedule.next_occurrence, schedule.offset_minutes)


def last_run(schedule) -> str:
    return (
        _local_text(schedule.last_occurrence, schedule.offset_minutes)
        if schedule.last_occurrence
        else "never"
    )
