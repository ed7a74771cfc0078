"""Forms of the schedule and autoscale actions: one form validates a page's POST and the API's
JSON, and says what is wrong before anything is sent upstream (a schedule that would never run,
a time that is not one, a weekly schedule without days, an expiry before the start, a policy that
keeps more servers running than the group has, a half-given load balancer pool)."""

import re
from datetime import UTC, datetime, timedelta

from django import forms

from apps.actions.forms import ActionForm, optional_text
from apps.clc import errors
from apps.clc.schedules import TYPES, WEEKDAYS

from . import selectors

TYPE_LABELS = {
    "shutdown": "Power off (shut down)",
    "poweron": "Power on",
    "pause": "Pause",
    "reboot": "Reboot",
    "createsnapshot": "Create a snapshot",
    "deletesnapshot": "Delete the snapshot",
    "archive": "Archive",
    "delete": "Delete the servers",
}
REPEAT_LABELS = {
    "never": "Once",
    "daily": "Every day",
    "weekly": "Every week",
    "monthly": "Every month",
    "customWeekly": "On some days of the week",
}
EXPIRE_LABELS = {"never": "Never", "afterDate": "After a date", "afterCount": "After a number of runs"}
DAY_LABELS = {
    "sun": "Sun",
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
}
_OFFSET = re.compile(r"^([+-])?(\d{1,2}):?(\d{2})(?::00)?$")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
MAX_COUNT = 10000


def _choice(value, allowed, what: str) -> str:
    text = str(value or "").strip()
    for option in allowed:
        if option.lower() == text.lower():
            return option
    raise forms.ValidationError(f"The {what} must be one of: {', '.join(allowed)}.")


def parse_offset(value) -> int:
    """``-08:00`` (or ``-0800``, ``+05:30``, ``-08:00:00``) -> minutes east of UTC."""
    match = _OFFSET.match(str(value or "").strip())
    if match is None:
        raise forms.ValidationError("The time zone offset must look like -08:00 or +05:30.")
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or total > 14 * 60:
        raise forms.ValidationError("The time zone offset must be between -14:00 and +14:00.")
    return -total if sign == "-" else total


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local(moment: datetime | None, minutes: int) -> datetime | None:
    """A UTC moment in the schedule's fixed offset (naive: as the person typed it)."""
    if moment is None:
        return None
    return (moment.astimezone(UTC) + timedelta(minutes=minutes)).replace(tzinfo=None)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class ScheduleForm(ActionForm):
    """Create (``resource``: a ``GroupAutomation``) or change (a ``ScheduleView``) a scheduled
    activity. Times are local to ``time_zone_offset`` (as the Control Portal showed them); the
    API gets them in UTC."""

    type = forms.ChoiceField(label="What", choices=list(TYPE_LABELS.items()))
    begin = forms.DateTimeField(
        label="First run (local time)",
        input_formats=MOMENT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="YYYY-MM-DDTHH:MM in the time zone below, e.g. 2026-12-01T20:00.",
    )
    time_zone_offset = forms.CharField(
        label="Time zone (offset from UTC)",
        max_length=9,
        initial="+00:00",
        help_text="-08:00 for US Pacific standard time; fixed, no daylight saving.",
    )
    repeat = forms.ChoiceField(label="Repeat", choices=list(REPEAT_LABELS.items()), initial="daily")
    custom_weekly_days = forms.MultipleChoiceField(
        label="Days (for some days of the week)",
        choices=list(DAY_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="sun, mon, tue, wed, thu, fri, sat",
    )
    expire = forms.ChoiceField(label="Stops", choices=list(EXPIRE_LABELS.items()), initial="never")
    expire_count = forms.IntegerField(
        label="Number of runs (when it stops after a number of runs)",
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
    )
    expire_date = forms.DateTimeField(
        label="Stops after (local time, when it stops after a date)",
        input_formats=MOMENT_FORMATS,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    status = forms.ChoiceField(
        label="Status", choices=[("on", "On (runs)"), ("off", "Off (kept, never runs)")], initial="on"
    )

    @property
    def current(self):
        return getattr(self.resource, "schedule", None)

    def setup(self):
        current = self.current
        if current is not None and not self.is_bound:
            minutes = current.offset_minutes
            self.initial.update(
                type=current.type,
                begin=local(current.begin, minutes),
                time_zone_offset=offset_text(minutes),
                repeat=current.repeat,
                custom_weekly_days=list(current.custom_weekly_days),
                expire=current.expire,
                expire_count=current.expire_count,
                expire_date=local(current.expire_date, minutes),
                status=current.status or "on",
            )

    def now(self) -> datetime:
        return datetime.now(UTC)

    def clean_type(self):
        return _choice(self.cleaned_data.get("type"), TYPES, "activity")

    def clean_time_zone_offset(self):
        return parse_offset(self.cleaned_data.get("time_zone_offset"))

    def _utc(self, moment: datetime | None, minutes: int) -> datetime | None:
        if moment is None:
            return None
        return moment.replace(tzinfo=None).replace(tzinfo=UTC) - timedelta(minutes=minutes)

    def clean(self):
        data = super().clean()
        minutes = data.get("time_zone_offset")
        if minutes is None or "begin" not in data or data.get("begin") is None:
            return data
        begin = self._utc(data["begin"], minutes)
        repeat, expire = data.get("repeat"), data.get("expire")
        now = self.now()
        if repeat == "never" and begin <= now:
            self.add_error(
                "begin",
                f"{begin:%Y-%m-%d %H:%M} UTC is in the past: a schedule that runs once must begin in the future.",
            )
        days = data.get("custom_weekly_days") or []
        if repeat == "customWeekly" and not days:
            self.add_error("custom_weekly_days", "Pick at least one day of the week.")
        if expire == "afterCount" and not data.get("expire_count"):
            self.add_error("expire_count", f"Say after how many runs it stops (1 to {MAX_COUNT}).")
        expire_date = self._utc(data.get("expire_date"), minutes)
        if expire == "afterDate":
            if expire_date is None:
                self.add_error("expire_date", "Say when it stops.")
            elif expire_date <= begin:
                self.add_error("expire_date", "It must stop after its first run.")
            elif expire_date <= now:
                self.add_error("expire_date", "That date is in the past: the schedule would never run.")
        data["begin_utc"], data["expire_utc"] = begin, expire_date
        return data

    def payload(self) -> dict:
        """The API's body."""
        data = self.cleaned_data
        body = {
            "status": data["status"],
            "type": data["type"],
            "beginDateUTC": _iso(data["begin_utc"]),
            "repeat": data["repeat"],
            "expire": data["expire"],
            "timeZoneOffset": offset_text(data["time_zone_offset"]),
        }
        if data["repeat"] == "customWeekly":
            order = {d: i for i, d in enumerate(WEEKDAYS)}
            body["customWeeklyDays"] = sorted(set(data["custom_weekly_days"]), key=order.get)
        if data["expire"] == "afterCount":
            body["expireCount"] = data["expire_count"]
        if data["expire"] == "afterDate":
            body["expireDateUTC"] = _iso(data["expire_utc"])
        return body


class AutoscaleForm(ActionForm):
    """Set or change the group's horizontal autoscale policy (``resource``: a ``GroupAutomation``);
    a load balancer pool is optional (its id and both ports, or none of them)."""

    policy = forms.ChoiceField(
        label="Horizontal autoscale policy",
        error_messages={
            "invalid_choice": "Pick one of the account's horizontal autoscale policies (%(value)s is not one)."
        },
    )
    load_balancer = optional_text(
        "Load balancer id (optional)",
        64,
        "The shared load balancer whose pool gets the servers the policy starts.",
    )
    public_port = forms.IntegerField(label="Public port", min_value=1, max_value=65535, required=False)
    private_port = forms.IntegerField(label="Private port", min_value=1, max_value=65535, required=False)

    def setup(self):
        self.policies = ()
        if self.request is not None:
            try:
                self.policies = selectors.horizontal_policies(self.request.user)
            except errors.Unauthorized:
                raise
            except errors.ClcError:
                self.policies = ()
        self.fields["policy"].choices = [
            (p.id, f"{p.name} (at least {p.minimum_server_count} running)") for p in self.policies
        ]
        current = getattr(self.resource, "autoscale", None)
        if current is not None and not self.is_bound:
            self.initial["policy"] = current.policy_id
            lb = current.load_balancer or {}
            self.initial.update(
                load_balancer=lb.get("id", ""),
                public_port=lb.get("publicPort"),
                private_port=lb.get("privatePort"),
            )

    def clean_policy(self):
        wanted = str(self.cleaned_data.get("policy") or "").strip().lower()
        found = next((p for p in self.policies if p.id.lower() == wanted), None)
        if found is None:
            raise forms.ValidationError("Pick one of the account's horizontal autoscale policies.")
        servers = _direct_servers(self.resource)
        if servers is not None and found.minimum_server_count > servers:
            raise forms.ValidationError(
                f"{found.name} keeps at least {found.minimum_server_count} servers running, but the group "
                f"has {servers}: the minimum can't be more than the servers it may start."
            )
        return found.id

    def clean(self):
        data = super().clean()
        given = [
            bool(data.get("load_balancer")),
            bool(data.get("public_port")),
            bool(data.get("private_port")),
        ]
        if any(given) and not all(given):
            self.add_error(
                "load_balancer", "A load balancer pool needs its id, public port and private port (or none)."
            )
        lb = str(data.get("load_balancer") or "").strip()
        if lb and not re.fullmatch(r"[A-Za-z0-9-]{1,64}", lb):
            self.add_error("load_balancer", "That is not a load balancer id.")
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        pool = None
        if data.get("load_balancer"):
            pool = {
                "id": data["load_balancer"].strip().lower(),
                "publicPort": data["public_port"],
                "privatePort": data["private_port"],
            }
        return {"policy_id": data["policy"], "pool": pool}


def _direct_servers(resource) -> int | None:
    group = getattr(resource, "group", None)
    if group is None:
        return None
    return sum(1 for link in group.links if link.rel == "server")
