"""The monitoring series: what ``.../statistics`` answers and what alerts and autoscale read.

Every figure is a pure function of the server (its id, size, disks and power state), the 5-minute
bucket a moment falls in (on the simulator clock) and the load set with ``POST /control/load``:
the same query answers the same numbers, a group's figures are its servers' figures, and an alert
fires exactly when the statistics show the metric over its threshold.

- CPU: a per-server base of 5-50%, busier in the (UTC) afternoon, with +/-7.5% noise per bucket.
- Memory: a per-server base of 25-75% with +/-4% noise per bucket.
- Guest disks: each partition 15-65% full, filling slowly (+2% a day over a 10-day cycle), <= 95%.
- A server that is not started (or not active) reports 0% CPU and memory and no guest disks.
- A load override replaces CPU/memory/disk percentages while it lasts; a CPU load set on N CPUs
  reads as ``load * N / cpus`` once the server has more CPUs (vertical autoscale helps).
"""

import hashlib
import math
import re
from datetime import UTC, datetime

from .. import errors
from ..state import iso

BUCKET = 300  # seconds: one sample, the realtime resolution
HOUR = 3600
RETENTION = 14 * 24 * HOUR
REALTIME_WINDOW = 4 * HOUR
SKEW = 300  # seconds of clock difference tolerated on start/end checks


# --- parameters -------------------------------------------------------------------------------
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
    """The ``type``/``start``/``end``/``sampleInterval`` query -> (type, sample moments)."""
    kind = (req.param("type") or "").strip().lower()
    if not kind:
        kind = "hourly" if req.param("start") else "latest"
    if kind not in ("latest", "hourly", "realtime"):
        raise errors.bad_request(
            f"The value '{req.param('type')}' is not valid for type: use latest, hourly or realtime."
        )
    if kind == "latest":
        return kind, [now - now % BUCKET]
    start_text = req.param("start")
    if not start_text or not start_text.strip():
        raise errors.bad_request(f"The 'start' parameter is required for the {kind} type.")
    start = parse_datetime(start_text, "start")
    end_text = req.param("end")
    end = parse_datetime(end_text, "end") if end_text and end_text.strip() else now
    end = min(end, now)
    minimum = HOUR if kind == "hourly" else BUCKET
    interval_text = req.param("sampleInterval")
    interval = parse_interval(interval_text) if interval_text and interval_text.strip() else minimum
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


# --- stable noise -----------------------------------------------------------------------------
def _unit(*parts) -> float:
    """A stable number in [0, 1) from the parts."""
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 100.0)


# --- one server -------------------------------------------------------------------------------
_TWO_PI = 2 * math.pi


class Profile:
    """One server's series. Takes a snapshot of what it needs (id, size, disks, power, loads), so
    samples can be computed after the world lock is released."""

    def __init__(self, server, overrides=()):
        self.key = server.key
        self._prefix = f"{server.id}|".encode()
        self.running = server.power_state == "started" and server.status == "active"
        self.disks = [{"id": d.id, "capacityMB": d.size_gb * 1024} for d in server.disks]
        self.total = float(sum(d["capacityMB"] for d in self.disks))
        self.cpus = float(server.cpu)
        self.memory_mb = float(server.memory_mb)
        self.cpu_base = 5 + 45 * _unit(server.id, "cpu")
        self.memory_base = 25 + 50 * _unit(server.id, "mem")
        self.net_base = 40 * _unit(server.id, "net")
        self.partitions = _guest_paths(server) if self.running else []
        self.overrides = list(overrides)
        # What the quiet series can never exceed (or go below): lets the monitoring tick skip work.
        self.ceiling = {
            "cpu": min(self.cpu_base * 1.5 + 7.5, 100.0) if self.running else 0.0,
            "memory": self.memory_base + 4 if self.running else 0.0,
            "disk": 100 * min(max((p[2] for p in self.partitions), default=-1) + 0.2, 0.95)
            if self.partitions
            else 0.0,
        }
        self.cpu_floor = max(self.cpu_base * 0.5 - 7.5, 0.0) if self.running else 0.0

    def override_at(self, t: float):
        for load in reversed(self.overrides):  # the last load set wins
            if load.start <= t < load.until:
                return load
        return None

    def _values(self, t: float):
        """(cpu %, memory %, partition shares, day wave, r, x) of the bucket ``t`` falls in."""
        bucket = int(t // BUCKET)
        digest = hashlib.blake2b(self._prefix + str(bucket).encode(), digest_size=8).digest()
        c = digest[0] / 256 + digest[4] / 65536
        m = digest[1] / 256 + digest[5] / 65536
        r = digest[2] / 256 + digest[6] / 65536
        x = digest[3] / 256 + digest[7] / 65536
        day = math.sin(_TWO_PI * (((t / 3600) % 24) - 9) / 24)  # busier in the afternoon (UTC)
        cpu = _clamp(self.cpu_base * (1 + 0.5 * day) + 15 * (c - 0.5))
        memory = _clamp(self.memory_base + 8 * (m - 0.5))
        growth = 0.02 * ((t / 86400) % 10)  # disks slowly fill up, never beyond 95%
        shares = [min(share + growth, 0.95) for _path, _capacity, share in self.partitions]
        if self.overrides:
            load = self.override_at(bucket * BUCKET)
            if load is not None:
                if load.cpu is not None:
                    cpu = _clamp(load.cpu * load.cpu_count / max(self.cpus, 1.0))
                if load.memory is not None:
                    memory = load.memory
                if load.disk is not None:
                    shares = [load.disk / 100 for _ in shares]
        return round(cpu, 2), round(memory, 2), shares, day, r, x

    def metrics(self, t: float) -> dict[str, float]:
        """cpu, memory and disk (fullest partition) percentages of the bucket ``t`` falls in."""
        if not self.running:
            return {"cpu": 0.0, "memory": 0.0, "disk": 0.0}
        cpu, memory, shares, _day, _r, _x = self._values(t)
        return {"cpu": cpu, "memory": memory, "disk": round(100 * max(shares), 2) if shares else 0.0}

    def sample(self, t: float, stamp: str) -> dict:
        """One statistics sample as ``.../statistics`` shows it."""
        if not self.running:
            return {
                "timestamp": stamp,
                "cpu": self.cpus,
                "cpuPercent": 0.0,
                "memoryMB": self.memory_mb,
                "memoryPercent": 0.0,
                "networkReceivedKBps": 0.0,
                "networkTransmittedKBps": 0.0,
                "diskUsageTotalCapacityMB": self.total,
                "diskUsage": self.disks,
                "guestDiskUsage": [],
            }
        cpu, memory, shares, day, r, x = self._values(t)
        net = self.net_base * (1.2 + day)
        return {
            "timestamp": stamp,
            "cpu": self.cpus,
            "cpuPercent": cpu,
            "memoryMB": self.memory_mb,
            "memoryPercent": memory,
            "networkReceivedKBps": round(net * (0.6 + 0.8 * r), 2),
            "networkTransmittedKBps": round(net * 0.7 * (0.6 + 0.8 * x), 2),
            "diskUsageTotalCapacityMB": self.total,
            "diskUsage": self.disks,
            "guestDiskUsage": [
                {"path": path, "capacityMB": capacity, "consumedMB": int(capacity * share)}
                for (path, capacity, _base), share in zip(self.partitions, shares, strict=True)
            ],
        }

    def series(self, times: list[float], stamps: list[str]) -> list[dict]:
        return [self.sample(t, stamp) for t, stamp in zip(times, stamps, strict=True)]


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


def profile(world, server) -> Profile:
    return Profile(server, world.monitoring.overrides.get(server.key, ()))


def is_reported(server) -> bool:
    """Archived servers and templates have no statistics."""
    return not server.is_template and server.status != "archived"


def stamps_for(times: list[float]) -> list[str]:
    return [iso(t) for t in times]
