"""Servers and their parts (addresses, disks, partitions, snapshots, alert policies)."""

from dataclasses import dataclass, field

from ..links import HasLinks, Link, find_link, parse_links
from .shared import ChangeInfo, CustomField, as_float, as_int, each


@dataclass(frozen=True)
class IpAddress:
    internal: str = ""
    public: str = ""


@dataclass(frozen=True)
class Disk:
    id: str
    size_gb: float
    partition_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Partition:
    """A partition as the guest reports it (``details.partitions``)."""

    path: str
    size_gb: float


@dataclass(frozen=True)
class Snapshot(HasLinks):
    name: str
    links: tuple[Link, ...] = ()

    @property
    def id(self) -> str | None:
        link = find_link(self.links, "self")
        return link.href.rstrip("/").rsplit("/", 1)[-1] if link else None


@dataclass(frozen=True)
class AlertPolicy(HasLinks):
    """An alert policy applied to a server (``details.alertPolicies``)."""

    id: str
    name: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ServerSummary:
    """What every list of servers shows of each one: flat values only, so that a cached data center
    of a thousand servers stays small and quick to load. A server's fields are declared here (and
    in ``ServerDetails``) once: ``Server`` has both, the portal's row has this part, its detail page
    the other, and the API's serializers and the tables' columns follow (docs/entities.md)."""

    id: str
    name: str = ""
    description: str = ""
    group_id: str = ""
    location_id: str = ""
    status: str = ""
    power_state: str = ""  # "" while it has no details (under construction)
    in_maintenance_mode: bool = False
    cpu: int = 0
    memory_mb: int = 0
    storage_gb: float = 0
    internal_ips: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()
    os_type: str = ""
    os: str = ""
    is_template: bool = False

    @property
    def memory_gb(self) -> float:
        return round(self.memory_mb / 1024, 2)


@dataclass(frozen=True, kw_only=True)
class ServerDetails:
    """What a server's own page shows besides its summary."""

    host_name: str = ""
    type: str = ""
    storage_type: str = ""
    ip_addresses: tuple[IpAddress, ...] = ()
    disks: tuple[Disk, ...] = ()
    partitions: tuple[Partition, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()
    alert_policies: tuple[AlertPolicy, ...] = ()
    change_info: ChangeInfo = field(default_factory=ChangeInfo)


@dataclass(frozen=True, kw_only=True)
class Server(ServerSummary, ServerDetails, HasLinks):
    """A server as ``GET /v2/servers/{alias}/{id}`` describes it: its summary, its details, its links."""

    links: tuple[Link, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_details(self) -> bool:
        """A server under construction has no ``details`` yet."""
        return bool(self.raw.get("details"))

    @classmethod
    def from_api(cls, raw: dict) -> "Server":
        details = raw.get("details") or {}
        addresses = tuple(
            IpAddress(internal=ip.get("internal") or "", public=ip.get("public") or "")
            for ip in details.get("ipAddresses") or ()
        )
        return cls(
            id=str(raw.get("id", "")).upper(),
            name=str(raw.get("name") or raw.get("id") or "").upper(),
            description=raw.get("description") or "",
            group_id=raw.get("groupId") or "",
            location_id=str(raw.get("locationId", "")).upper(),
            is_template=bool(raw.get("isTemplate")),
            os_type=raw.get("osType") or "",
            os=raw.get("os") or "",
            status=raw.get("status") or "",
            type=raw.get("type") or "",
            storage_type=raw.get("storageType") or "",
            power_state=details.get("powerState") or "",
            in_maintenance_mode=bool(details.get("inMaintenanceMode")),
            cpu=as_int(details.get("cpu")),
            memory_mb=as_int(details.get("memoryMB")),
            storage_gb=as_float(details.get("storageGB")),
            host_name=details.get("hostName") or "",
            ip_addresses=addresses,
            internal_ips=tuple(ip.internal for ip in addresses if ip.internal),
            public_ips=tuple(ip.public for ip in addresses if ip.public),
            disks=tuple(
                Disk(
                    id=str(d.get("id", "")),
                    size_gb=as_float(d.get("sizeGB")),
                    partition_paths=tuple(d.get("partitionPaths") or ()),
                )
                for d in details.get("disks") or ()
            ),
            partitions=each(
                lambda p: Partition(path=str(p.get("path", "")), size_gb=as_float(p.get("sizeGB"))),
                details.get("partitions"),
            ),
            snapshots=tuple(
                Snapshot(name=s.get("name", ""), links=parse_links(s.get("links")))
                for s in details.get("snapshots") or ()
            ),
            alert_policies=each(
                lambda p: AlertPolicy(
                    id=str(p.get("id", "")), name=str(p.get("name", "")), links=parse_links(p.get("links"))
                ),
                details.get("alertPolicies"),
            ),
            custom_fields=tuple(
                CustomField.from_api(f) for f in details.get("customFields") or raw.get("customFields") or ()
            ),
            links=parse_links(raw.get("links")),
            change_info=ChangeInfo.from_api(raw.get("changeInfo")),
            raw=raw,
        )
