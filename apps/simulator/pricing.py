"""What a server costs: hourly unit prices, and the figures of the billing endpoints.

The unit prices are the ones the official Python SDK shows in its doc string for
``GET /v2/billing/{alias}/serverPricing/{server}`` (cpu $0.01 per vCPU-hour, memory $0.015 per
GB-hour, storage $0.00021 per GB-hour, managedOS 0). Windows adds a licence per vCPU-hour, premium
storage costs more, archived servers pay a cheaper archive storage rate only, and stopped or paused
servers pay storage only. The doc's example figures use a 720-hour month (77.76 = 0.108 * 720);
here ``monthlyEstimate`` is what has accrued so far plus the current rate for the rest of the month.

Everything is derived from the server and the clock, so a figure never needs to be stored.
"""

import calendar
import hashlib
from datetime import UTC, datetime

CPU_HOUR = 0.01  # per vCPU
MEMORY_GB_HOUR = 0.015
STORAGE_GB_HOUR = {"standard": 0.00021, "premium": 0.0005, "hyperscale": 0.0004}
ARCHIVE_GB_HOUR = 0.00011
WINDOWS_LICENCE_CPU_HOUR = 0.04  # per vCPU, added to the cpu unit price of Windows servers
MANAGED_OS_HOUR = 0.0

COMPUTING_STATES = {"started"}  # stopped and paused servers pay for storage only


def _is_windows(server) -> bool:
    return "windows" in (server.os or "").lower()


def unit_prices(server) -> dict:
    """Hourly unit prices (the SDK's ``serverPricing`` shape)."""
    cpu = CPU_HOUR + (WINDOWS_LICENCE_CPU_HOUR if _is_windows(server) else 0.0)
    return {
        "cpu": round(cpu, 5),
        "memoryGB": MEMORY_GB_HOUR,
        "storageGB": STORAGE_GB_HOUR.get(server.storage_type, STORAGE_GB_HOUR["standard"]),
        "managedOS": MANAGED_OS_HOUR,
    }


def _compute_hour(server) -> float:
    units = unit_prices(server)
    return units["cpu"] * server.cpu + units["memoryGB"] * (server.memory_mb / 1024) + units["managedOS"]


def _storage_hour(server) -> float:
    return unit_prices(server)["storageGB"] * server.storage_gb


def hourly_rate(server) -> float:
    """What the server costs per hour in its current state."""
    if server.status == "archived":
        return ARCHIVE_GB_HOUR * server.storage_gb
    rate = _storage_hour(server)
    if server.power_state in COMPUTING_STATES and not server.is_template:
        rate += _compute_hour(server)
    return rate


def _uptime_share(server) -> float:
    """How much of the month so far the server has been computing (stable per server)."""
    digest = hashlib.blake2b(server.id.lower().encode(), digest_size=2).digest()
    jitter = int.from_bytes(digest, "big") / 65535
    if server.status == "archived" or server.is_template:
        return 0.0
    if server.power_state in COMPUTING_STATES:
        return 0.85 + 0.15 * jitter
    return 0.5 * jitter


def _month_bounds(now: float) -> tuple[float, float]:
    moment = datetime.fromtimestamp(now, tz=UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    days = calendar.monthrange(moment.year, moment.month)[1]
    return start.timestamp(), start.timestamp() + days * 86400


def estimate(server, now: float, so_far: float | None = None) -> dict:
    """The five figures of one server in ``GET /v2/groups/{alias}/{id}/billing``. ``so_far``: what
    the month has cost until now when it is known (the billing history, usage.py)."""
    month_start, month_end = _month_bounds(now)
    since = max(month_start, min(server.change.created_date, now))
    hours_so_far = max(now - since, 0.0) / 3600
    hours_left = max(month_end - now, 0.0) / 3600
    current = hourly_rate(server)
    if so_far is None and server.status == "archived":
        so_far = current * hours_so_far
    elif so_far is None:
        so_far = (_compute_hour(server) * _uptime_share(server) + _storage_hour(server)) * hours_so_far
    monthly = so_far + current * hours_left
    archive_cost = monthly if server.status == "archived" else 0.0
    template_cost = monthly if server.is_template else 0.0
    return {
        "templateCost": round(template_cost, 2),
        "archiveCost": round(archive_cost, 2),
        "monthlyEstimate": round(monthly, 2),
        "monthToDate": round(so_far, 2),
        "currentHour": round(current, 4),
    }


def period_cost(server, start: float, end: float) -> float:
    """What the server cost between two moments (a past month, for the invoice)."""
    since = max(start, server.change.created_date)
    hours = max(end - since, 0.0) / 3600
    if server.status == "archived":
        return ARCHIVE_GB_HOUR * server.storage_gb * hours
    return (_compute_hour(server) * _uptime_share(server) + _storage_hour(server)) * hours


def month_bounds(year: int, month: int) -> tuple[float, float]:
    start = datetime(year, month, 1, tzinfo=UTC).timestamp()
    return start, start + calendar.monthrange(year, month)[1] * 86400
