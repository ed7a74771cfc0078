"""Monitoring statistics: samples of a server's CPU, memory, disks and network."""

from dataclasses import dataclass
from datetime import datetime

from .shared import as_float, each, parse_time


@dataclass(frozen=True)
class GuestDiskUsage:
    """One guest partition's usage in a statistics sample (``guestDiskUsage``)."""

    path: str
    capacity_mb: float
    consumed_mb: float


@dataclass(frozen=True)
class StatSample:
    timestamp: datetime | None
    cpu: float
    cpu_percent: float
    memory_mb: float
    memory_percent: float
    disk_total_mb: float
    network_received_kbps: float
    network_transmitted_kbps: float
    guest_disks: tuple[GuestDiskUsage, ...] = ()
    timestamp_text: str = ""  # as the API wrote it (chart labels)

    @classmethod
    def from_api(cls, raw: dict) -> "StatSample":
        return cls(
            timestamp=parse_time(raw.get("timestamp")),
            cpu=as_float(raw.get("cpu")),
            cpu_percent=as_float(raw.get("cpuPercent")),
            memory_mb=as_float(raw.get("memoryMB")),
            memory_percent=as_float(raw.get("memoryPercent")),
            disk_total_mb=as_float(raw.get("diskUsageTotalCapacityMB")),
            network_received_kbps=as_float(raw.get("networkReceivedKBps")),
            network_transmitted_kbps=as_float(raw.get("networkTransmittedKBps")),
            guest_disks=each(
                lambda u: GuestDiskUsage(
                    path=str(u.get("path", "")),
                    capacity_mb=as_float(u.get("capacityMB")),
                    consumed_mb=as_float(u.get("consumedMB")),
                ),
                raw.get("guestDiskUsage"),
            ),
            timestamp_text=str(raw.get("timestamp", "")),
        )


@dataclass(frozen=True)
class ServerStatistics:
    server: str
    samples: tuple[StatSample, ...]

    @classmethod
    def from_api(cls, raw: dict) -> "ServerStatistics":
        return cls(
            server=str(raw.get("name", "")).upper(),
            samples=each(StatSample.from_api, raw.get("stats")),
        )
