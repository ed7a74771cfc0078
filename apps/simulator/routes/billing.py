"""Billing and monitoring figures, derived from each server's size, state and the clock.

GET /v2/groups/{alias}/{id}/billing            per-server figures for the group and every sub-group
GET /v2/billing/{alias}/estimate-server/{id}    one server's figures (the server's ``billing`` link)
GET /v2/billing/{alias}/serverPricing/{id}      hourly unit prices (what the official Python SDK calls)
GET /v2/groups/{alias}/{id}/statistics          monitoring statistics, ``type=latest|hourly|realtime``

(The invoice, ``GET /v2/invoice/{alias}/{year}/{month}``, is in ``routes/invoices.py``.)

Statistics are deterministic pseudo-random series seeded by the server id and the sample time, so
the same query answers the same numbers and charts look alive; servers that aren't started show 0%.
"""

import hashlib
import math
import re
from datetime import UTC, datetime

from .. import errors
from ..pricing import estimate, unit_prices
from ..roles import can
from ..router import route
from ..state import iso
from ..usage import month_to_date

HOUR = 3600
RETENTION = 14 * 24 * HOUR
REALTIME_WINDOW = 4 * HOUR
SKEW = 300  # seconds of clock difference tolerated on start/end checks


def _require(req, capability: str) -> None:
    if not can(req.user.roles, capability):
        raise errors.forbidden()


# --- billing ----------------------------------------------------------------------------------
@route("GET", "/v2/groups/{alias}/{group_id}/billing")
def group_billing(req, alias, group_id):
    _require(req, "view_billing_summary")
    world = req.world
    group = world.group(alias, group_id)
    now = world.now()
    groups = {}
    for member in world.subtree_groups(group):  # the queried group first, then depth-first
        servers = {}
        for key in member.servers:
            server = world.servers.get(key)
            if server is not None:
                servers[key] = estimate(server, now, month_to_date(world, server))
        groups[member.id] = {"name": member.name, "servers": servers}
    return {"date": iso(now), "groups": groups}


@route("GET", "/v2/billing/{alias}/estimate-server/{server_id}")
def server_estimate(req, alias, server_id):
    _require(req, "view_billing_summary")
    world = req.world
    server = world.server(alias, server_id)
    now = world.now()
    return {"id": server.id, "date": iso(now), **estimate(server, now, month_to_date(world, server))}


@route("GET", "/v2/billing/{alias}/serverPricing/{server_id}")
def server_pricing(req, alias, server_id):
    _require(req, "view_billing_summary")
    server = req.world.server(alias, server_id)
    return unit_prices(server)


# --- statistics: parameters -------------------------------------------------------------------
_INTERVAL = re.compile(r"^(?:(\d+)[.:])?(\d{1,2}):(\d{1,2}):(\d{1,2})$|^(\d{1,2}):(\d{1,2})$")


def parse_interval(text: str) -> int:
    """``dd:hh:mm:ss``, ``d.hh:mm:ss``, ``hh:mm:ss`` or ``mm:ss`` (the doc's "05:00" is 5 minutes)."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise errors.bad_request(
            f"The value '{text}' is not valid for sampleInterval: use dd:hh:mm:ss, e.g. 01:00:00."
        )
    days, hours, minutes, seconds, short_m, short_s = match.groups()
    if short_m is not None:
        hours, minutes, seconds = "0", short_m, short_s
    h, m, s = int(hours), int(minutes), int(seconds)
    if (days is not None and h > 23) or m > 59 or s > 59:
        raise errors.bad_request(f"The value '{text}' is not valid for sampleInterval.")
    total = int(days or 0) * 86400 + h * 3600 + m * 60 + s
    if total <= 0:
        raise errors.bad_request("The sampleInterval must be longer than zero.")
    return total


def parse_datetime(text: str, name: str) -> float:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise errors.bad_request(
            f"The value '{text}' is not valid for {name}: use a UTC date and time like 2014-04-09T20:00:00Z."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def sample_times(req, now: float) -> tuple[str, list[float]]:
    kind = (req.param("type") or "").strip().lower()
    if not kind:
        kind = "hourly" if req.param("start") else "latest"
    if kind not in ("latest", "hourly", "realtime"):
        raise errors.bad_request(
            f"The value '{req.param('type')}' is not valid for type: use latest, hourly or realtime."
        )
    if kind == "latest":
        return kind, [now - now % 300]
    start_text = req.param("start")
    if not start_text or not start_text.strip():
        raise errors.bad_request(f"The 'start' parameter is required for the {kind} type.")
    start = parse_datetime(start_text, "start")
    end_text = req.param("end")
    end = parse_datetime(end_text, "end") if end_text and end_text.strip() else now
    end = min(end, now)
    minimum = HOUR if kind == "hourly" else 300
    interval_text = req.param("sampleInterval")
    if interval_text and interval_text.strip():
        interval = parse_interval(interval_text)
    else:
        interval = minimum
    if interval < minimum:
        raise errors.bad_request(
            "The sampleInterval must be at least "
            + (
                "one hour (01:00:00) for the hourly type."
                if kind == "hourly"
                else "5 minutes (00:05:00) for the realtime type."
            )
        )
    if start < now - RETENTION - SKEW:
        raise errors.bad_request("Statistics are kept for 14 days: 'start' must be within the past 14 days.")
    if kind == "realtime" and start < now - REALTIME_WINDOW - SKEW:
        raise errors.bad_request("For the realtime type, 'start' must be within the last 4 hours.")
    if start >= end:
        raise errors.bad_request("The 'start' parameter must be before 'end'.")
    if end - start < interval:
        raise errors.bad_request(
            "The 'end' parameter must represent a time that occurs at least one 'sampleInterval' before 'start.'"
        )
    count = int((end - start) // interval)
    return kind, [start + i * interval for i in range(count)]


# --- statistics: values -----------------------------------------------------------------------
def _unit(*parts) -> float:
    """A stable number in [0, 1) from the parts."""
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _units4(*parts) -> tuple[float, float, float, float]:
    """Four stable numbers in [0, 1) from one hash."""
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return tuple(b / 256 + digest[i + 4] / 65536 for i, b in enumerate(digest[:4]))


def _guest_paths(server) -> list[tuple[str, int, float]]:
    """(path, capacityMB, base share in use) of each partition the guest OS reports."""
    linux = "windows" not in (server.os or "").lower()
    out = []
    for disk in server.disks:
        paths = list(disk.partition_paths)
        if not paths:
            if linux and disk.id == "0:2":
                paths = ["/"]
            elif linux and disk.id == "0:0":
                paths = ["/boot"]
            elif not linux and disk.id == "0:0":
                paths = ["C:\\"]
        for path in paths:
            out.append((path, max(disk.size_gb * 1024 - 350, 1), 0.15 + 0.5 * _unit(server.id, path)))
    return out


def server_series(server, times: list[float], stamps: list[str]) -> list[dict]:
    """One server's samples; what doesn't change between samples is computed once."""
    running = server.power_state == "started" and server.status == "active"
    disks = [{"id": d.id, "capacityMB": d.size_gb * 1024} for d in server.disks]
    total = float(sum(d["capacityMB"] for d in disks))
    cpus, memory_mb = float(server.cpu), float(server.memory_mb)
    if not running:
        return [
            {
                "timestamp": stamp,
                "cpu": cpus,
                "cpuPercent": 0.0,
                "memoryMB": memory_mb,
                "memoryPercent": 0.0,
                "networkReceivedKBps": 0.0,
                "networkTransmittedKBps": 0.0,
                "diskUsageTotalCapacityMB": total,
                "diskUsage": disks,
                "guestDiskUsage": [],
            }
            for stamp in stamps
        ]
    cpu_base = 5 + 45 * _unit(server.id, "cpu")
    memory_base = 25 + 50 * _unit(server.id, "mem")
    net_base = 40 * _unit(server.id, "net")
    partitions = _guest_paths(server)
    out = []
    for t, stamp in zip(times, stamps, strict=True):
        day = math.sin(2 * math.pi * (((t / 3600) % 24) - 9) / 24)  # busier in the afternoon (UTC)
        c, m, r, x = _units4(server.id, int(t // 300))
        cpu = cpu_base * (1 + 0.5 * day) + 15 * (c - 0.5)
        memory = memory_base + 8 * (m - 0.5)
        net = net_base * (1.2 + day)
        growth = 0.02 * ((t / 86400) % 10)  # disks slowly fill up, never beyond 95%
        out.append(
            {
                "timestamp": stamp,
                "cpu": cpus,
                "cpuPercent": round(min(max(cpu, 0.0), 100.0), 2),
                "memoryMB": memory_mb,
                "memoryPercent": round(min(max(memory, 0.0), 100.0), 2),
                "networkReceivedKBps": round(net * (0.6 + 0.8 * r), 2),
                "networkTransmittedKBps": round(net * 0.7 * (0.6 + 0.8 * x), 2),
                "diskUsageTotalCapacityMB": total,
                "diskUsage": disks,
                "guestDiskUsage": [
                    {
                        "path": path,
                        "capacityMB": capacity,
                        "consumedMB": int(capacity * min(share + growth, 0.95)),
                    }
                    for path, capacity, share in partitions
                ],
            }
        )
    return out


@route("GET", "/v2/groups/{alias}/{group_id}/statistics")
def group_statistics(req, alias, group_id):
    _require(req, "view")
    world = req.world
    group = world.group(alias, group_id)
    _kind, times = sample_times(req, world.now())
    stamps = [iso(t) for t in times]
    out = []
    for member in world.subtree_groups(group):
        for key in member.servers:
            server = world.servers.get(key)
            if server is None or server.is_template or server.status == "archived":
                continue
            out.append({"name": key, "stats": server_series(server, times, stamps)})
    return out
