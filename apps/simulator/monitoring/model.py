"""Policies, schedules, load overrides and fired alerts: plain dataclasses (the world pickles).

Everything lives in one ``Monitoring`` object, ``world.monitoring``. Ids are 32 lowercase hex
digits; server references are server keys (lowercased ids). A deleted server's leftovers are
dropped lazily by the code that reads them.
"""

from dataclasses import dataclass, field

from ..models import ChangeInfo

ALERTS_KEPT = 2000  # fired alerts kept for GET /control/alerts


@dataclass
class AlertPolicy:
    id: str
    alias: str
    name: str
    actions: list[dict]  # [{"action": "email", "settings": {"recipients": [...]}}]
    triggers: list[dict]  # [{"metric": "cpu", "duration": "00:05:00", "threshold": 80}]


@dataclass
class AntiAffinityPolicy:
    id: str
    alias: str
    name: str
    location: str  # data center id, upper case
    servers: list[str] = field(default_factory=list)  # server keys, in the order they joined


@dataclass
class AutoscalePolicy:
    """A vertical (CPU) autoscale policy; accounts define them, the API only reads them."""

    id: str
    alias: str
    name: str
    threshold_period_minutes: int
    scale_up_increment: int
    min_cpu: int
    max_cpu: int
    scale_up_threshold: int
    scale_down_threshold: int
    window_start: str  # "HH:MM" UTC
    window_end: str
    cool_down_minutes: int = 15  # the portal's setting; not part of the API entity


@dataclass
class HorizontalPolicy:
    """A horizontal autoscale policy (read-only here); ``data`` is its JSON without id/links."""

    id: str
    alias: str
    data: dict


@dataclass
class HorizontalMapping:
    group_id: str
    policy_id: str
    load_balancer: dict | None  # {"id", "publicPort", "privatePort"} or None
    since: float


@dataclass
class ScheduledActivity:
    id: str
    alias: str
    group_id: str
    status: str  # "on" | "off"
    type: str  # archive, createsnapshot, delete, deletesnapshot, pause, poweron, reboot, shutdown
    begin: float  # epoch seconds (UTC)
    repeat: str  # never, daily, weekly, monthly, customWeekly
    custom_weekly_days: list[str]
    expire: str  # never, afterDate, afterCount
    expire_count: int | None
    expire_date: float | None
    tz_offset_minutes: int
    change: ChangeInfo
    occurrence_count: int = 0
    last_occurrence: float | None = None
    next_occurrence: float | None = None  # armed run (None: off, expired)


@dataclass
class LoadOverride:
    """``POST /control/load``: the server's series reads these values from ``start`` to ``until``."""

    start: float
    until: float
    cpu: float | None
    memory: float | None
    disk: float | None
    cpu_count: int  # CPUs when the load was set: more CPUs later share the same work


@dataclass
class Monitoring:
    alert_policies: dict[str, AlertPolicy] = field(default_factory=dict)
    alert_servers: set[str] = field(default_factory=set)  # server keys with alert policies
    alert_runs: dict[str, dict] = field(default_factory=dict)  # "server|policy|trigger" -> run
    alerts: list[dict] = field(default_factory=list)  # fired notifications, oldest first
    alert_seq: int = 0
    anti_affinity: dict[str, AntiAffinityPolicy] = field(default_factory=dict)
    autoscale_policies: dict[str, AutoscalePolicy] = field(default_factory=dict)
    server_autoscale: dict[str, str] = field(default_factory=dict)  # server key -> policy id
    autoscale_runs: dict[str, dict] = field(default_factory=dict)  # server key -> run
    horizontal_policies: dict[str, HorizontalPolicy] = field(default_factory=dict)
    group_horizontal: dict[str, HorizontalMapping] = field(default_factory=dict)  # group id ->
    schedules: dict[str, ScheduledActivity] = field(default_factory=dict)
    overrides: dict[str, list[LoadOverride]] = field(default_factory=dict)  # server key -> loads


def owned(items: dict, alias: str, item_id: str):
    """The account's item by id (any case), or None: another account's items do not exist."""
    item = items.get(str(item_id).strip().lower())
    if item is None or item.alias.upper() != alias.upper():
        return None
    return item
