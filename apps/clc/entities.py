"""Typed objects the client returns: the fields the portal uses plus each entity's links.

``raw`` keeps the upstream JSON for fields not modelled here (never shown wholesale to a user).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .links import HasLinks, Link, find_link, find_links, parse_links


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _num(value: Any, default: float = 0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class ChangeInfo:
    created_by: str = ""
    created_date: datetime | None = None
    modified_by: str = ""
    modified_date: datetime | None = None

    @classmethod
    def from_api(cls, raw: dict | None) -> "ChangeInfo":
        raw = raw or {}
        return cls(
            created_by=raw.get("createdBy") or "",
            created_date=parse_time(raw.get("createdDate")),
            modified_by=raw.get("modifiedBy") or "",
            modified_date=parse_time(raw.get("modifiedDate")),
        )


@dataclass(frozen=True)
class CustomField:
    id: str
    name: str
    value: Any
    display_value: str

    @classmethod
    def from_api(cls, raw: dict) -> "CustomField":
        return cls(
            id=raw.get("id", ""),
            name=raw.get("name", ""),
            value=raw.get("value"),
            display_value=str(raw.get("displayValue", raw.get("value", "")) or ""),
        )


# --- data centers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataCenter(HasLinks):
    id: str
    name: str
    links: tuple[Link, ...] = ()

    @property
    def root_group(self) -> Link | None:
        """The ``group`` link to the root hardware group (present with ``groupLinks=true``)."""
        return find_link(self.links, "group")

    @property
    def root_group_id(self) -> str | None:
        link = self.root_group
        return link.id if link else None

    @classmethod
    def from_api(cls, raw: dict) -> "DataCenter":
        return cls(
            id=str(raw.get("id", "")).upper(), name=raw.get("name", ""), links=parse_links(raw.get("links"))
        )


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    storage_size_gb: float
    capabilities: tuple[str, ...] = ()
    reserved_drive_paths: tuple[str, ...] = ()
    drive_path_length: int | None = None


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    type: str
    account_id: str = ""


@dataclass(frozen=True)
class DeploymentCapabilities:
    templates: tuple[Template, ...]
    networks: tuple[Network, ...]
    supports_premium_storage: bool = False
    supports_bare_metal: bool = False
    supports_shared_load_balancer: bool = False
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: dict) -> "DeploymentCapabilities":
        return cls(
            templates=tuple(
                Template(
                    name=t.get("name", ""),
                    description=t.get("description", ""),
                    storage_size_gb=_num(t.get("storageSizeGB")),
                    capabilities=tuple(t.get("capabilities") or ()),
                    reserved_drive_paths=tuple(t.get("reservedDrivePaths") or ()),
                    drive_path_length=t.get("drivePathLength"),
                )
                for t in raw.get("templates") or ()
            ),
            networks=tuple(
                Network(
                    id=n.get("networkId", ""),
                    name=n.get("name", ""),
                    type=n.get("type", ""),
                    account_id=n.get("accountID", ""),
                )
                for n in raw.get("deployableNetworks") or ()
            ),
            supports_premium_storage=bool(raw.get("supportsPremiumStorage")),
            supports_bare_metal=bool(raw.get("supportsBareMetalServers")),
            supports_shared_load_balancer=bool(raw.get("supportsSharedLoadBalancer")),
            raw=raw,
        )


# --- groups ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Group(HasLinks):
    id: str
    name: str
    description: str = ""
    location_id: str = ""
    type: str = "default"
    status: str = "active"
    servers_count: int = 0
    groups: tuple["Group", ...] = ()
    links: tuple[Link, ...] = ()
    change_info: ChangeInfo = field(default_factory=ChangeInfo)
    custom_fields: tuple[CustomField, ...] = ()

    @property
    def parent_id(self) -> str | None:
        link = find_link(self.links, "parentGroup")
        return link.id if link else None

    @property
    def server_ids(self) -> list[str]:
        """Ids of the servers directly in this group (from its ``server`` links)."""
        return [link.id for link in find_links(self.links, "server") if link.id]

    @property
    def is_archive(self) -> bool:
        return self.type.lower() == "archive"

    def walk(self):
        """This group and every descendant, depth first."""
        yield self
        for child in self.groups:
            yield from child.walk()

    @classmethod
    def from_api(cls, raw: dict) -> "Group":
        return cls(
            id=str(raw.get("id", "")),
            name=raw.get("name", ""),
            description=raw.get("description") or "",
            location_id=str(raw.get("locationId", "")).upper(),
            type=raw.get("type") or "default",
            status=raw.get("status") or "active",
            servers_count=_int(raw.get("serversCount")),
            groups=tuple(cls.from_api(g) for g in raw.get("groups") or () if isinstance(g, dict)),
            links=parse_links(raw.get("links")),
            change_info=ChangeInfo.from_api(raw.get("changeInfo")),
            custom_fields=tuple(CustomField.from_api(f) for f in raw.get("customFields") or ()),
        )


# --- servers -----------------------------------------------------------------------------------
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
class Snapshot(HasLinks):
    name: str
    links: tuple[Link, ...] = ()

    @property
    def id(self) -> str | None:
        link = find_link(self.links, "self")
        return link.href.rstrip("/").rsplit("/", 1)[-1] if link else None


@dataclass(frozen=True)
class Server(HasLinks):
    id: str
    name: str
    description: str = ""
    group_id: str = ""
    location_id: str = ""
    is_template: bool = False
    os_type: str = ""
    os: str = ""
    status: str = ""
    type: str = ""
    storage_type: str = ""
    power_state: str = ""
    in_maintenance_mode: bool = False
    cpu: int = 0
    memory_mb: int = 0
    storage_gb: float = 0
    host_name: str = ""
    ip_addresses: tuple[IpAddress, ...] = ()
    disks: tuple[Disk, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()
    links: tuple[Link, ...] = ()
    change_info: ChangeInfo = field(default_factory=ChangeInfo)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def memory_gb(self) -> float:
        return self.memory_mb / 1024

    @property
    def has_details(self) -> bool:
        """A server under construction has no ``details`` yet."""
        return bool(self.raw.get("details"))

    @property
    def public_ips(self) -> list[str]:
        return [ip.public for ip in self.ip_addresses if ip.public]

    @property
    def internal_ips(self) -> list[str]:
        return [ip.internal for ip in self.ip_addresses if ip.internal]

    @classmethod
    def from_api(cls, raw: dict) -> "Server":
        details = raw.get("details") or {}
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
            cpu=_int(details.get("cpu")),
            memory_mb=_int(details.get("memoryMB")),
            storage_gb=_num(details.get("storageGB")),
            host_name=details.get("hostName") or "",
            ip_addresses=tuple(
                IpAddress(internal=ip.get("internal") or "", public=ip.get("public") or "")
                for ip in details.get("ipAddresses") or ()
            ),
            disks=tuple(
                Disk(
                    id=str(d.get("id", "")),
                    size_gb=_num(d.get("sizeGB")),
                    partition_paths=tuple(d.get("partitionPaths") or ()),
                )
                for d in details.get("disks") or ()
            ),
            snapshots=tuple(
                Snapshot(name=s.get("name", ""), links=parse_links(s.get("links")))
                for s in details.get("snapshots") or ()
            ),
            custom_fields=tuple(
                CustomField.from_api(f) for f in details.get("customFields") or raw.get("customFields") or ()
            ),
            links=parse_links(raw.get("links")),
            change_info=ChangeInfo.from_api(raw.get("changeInfo")),
            raw=raw,
        )


# --- operations / queue ------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusLink:
    """A queued operation: the id and href of its status resource."""

    id: str
    href: str

    @classmethod
    def from_links(cls, links: tuple[Link, ...]) -> "StatusLink | None":
        link = find_link(links, "status")
        if link is None:
            return None
        op_id = link.id or link.href.rstrip("/").rsplit("/", 1)[-1]
        return cls(id=op_id, href=link.href)


@dataclass(frozen=True)
class QueuedResult:
    """One entry of a bulk answer (power operations, archive, snapshots, create/delete server)."""

    server: str
    is_queued: bool
    operation: StatusLink | None = None
    error_message: str | None = None
    links: tuple[Link, ...] = ()

    @property
    def operation_id(self) -> str | None:
        return self.operation.id if self.operation else None

    @classmethod
    def from_api(cls, raw: dict) -> "QueuedResult":
        links = parse_links(raw.get("links"))
        return cls(
            server=str(raw.get("server", "")).upper(),
            is_queued=bool(raw.get("isQueued")),
            operation=StatusLink.from_links(links),
            error_message=raw.get("errorMessage"),
            links=links,
        )


TERMINAL_STATUSES = frozenset({"succeeded", "failed"})


@dataclass(frozen=True)
class OperationStatus:
    id: str
    status: str

    @property
    def is_done(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


# --- billing / statistics / auth -------------------------------------------------------------
@dataclass(frozen=True)
class ServerCost:
    server_id: str
    current_hour: float
    month_to_date: float
    monthly_estimate: float
    archive_cost: float = 0
    template_cost: float = 0


@dataclass(frozen=True)
class GroupBilling:
    """Billing summary of a group and its sub-groups (``/v2/groups/{alias}/{id}/billing``)."""

    date: datetime | None
    groups: dict[str, tuple[str, tuple[ServerCost, ...]]]  # group id -> (name, costs)

    @property
    def servers(self) -> list[ServerCost]:
        return [cost for _name, costs in self.groups.values() for cost in costs]

    @property
    def monthly_estimate(self) -> float:
        return round(sum(c.monthly_estimate for c in self.servers), 2)

    @property
    def month_to_date(self) -> float:
        return round(sum(c.month_to_date for c in self.servers), 2)

    @property
    def current_hour(self) -> float:
        return round(sum(c.current_hour for c in self.servers), 4)

    @classmethod
    def from_api(cls, raw: dict) -> "GroupBilling":
        groups = {}
        for group_id, entry in (raw.get("groups") or {}).items():
            costs = tuple(
                ServerCost(
                    server_id=str(server_id).upper(),
                    current_hour=_num(c.get("currentHour")),
                    month_to_date=_num(c.get("monthToDate")),
                    monthly_estimate=_num(c.get("monthlyEstimate")),
                    archive_cost=_num(c.get("archiveCost")),
                    template_cost=_num(c.get("templateCost")),
                )
                for server_id, c in (entry.get("servers") or {}).items()
            )
            groups[group_id] = (entry.get("name", ""), costs)
        return cls(date=parse_time(raw.get("date")), groups=groups)


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: float
    unit_cost: float
    total: float
    service_location: str = ""


@dataclass(frozen=True)
class Invoice:
    id: str
    account_alias: str
    invoice_date: datetime | None
    total_amount: float
    lines: tuple[InvoiceLine, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: dict) -> "Invoice":
        return cls(
            id=raw.get("id", ""),
            account_alias=raw.get("accountAlias", ""),
            invoice_date=parse_time(raw.get("invoiceDate")),
            total_amount=_num(raw.get("totalAmount")),
            lines=tuple(
                InvoiceLine(
                    description=li.get("description", ""),
                    quantity=_num(li.get("quantity")),
                    unit_cost=_num(li.get("unitCost")),
                    total=_num(li.get("itemTotal")),
                    service_location=li.get("serviceLocation", ""),
                )
                for li in raw.get("lineItems") or ()
            ),
            raw=raw,
        )


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


@dataclass(frozen=True)
class ServerStatistics:
    server: str
    samples: tuple[StatSample, ...]

    @classmethod
    def from_api(cls, raw: dict) -> "ServerStatistics":
        return cls(
            server=str(raw.get("name", "")).upper(),
            samples=tuple(
                StatSample(
                    timestamp=parse_time(s.get("timestamp")),
                    cpu=_num(s.get("cpu")),
                    cpu_percent=_num(s.get("cpuPercent")),
                    memory_mb=_num(s.get("memoryMB")),
                    memory_percent=_num(s.get("memoryPercent")),
                    disk_total_mb=_num(s.get("diskUsageTotalCapacityMB")),
                    network_received_kbps=_num(s.get("networkReceivedKBps")),
                    network_transmitted_kbps=_num(s.get("networkTransmittedKBps")),
                )
                for s in raw.get("stats") or ()
            ),
        )


@dataclass(frozen=True)
class LoginResult:
    user_name: str
    account_alias: str
    location_alias: str
    roles: tuple[str, ...]
    bearer_token: str = field(repr=False)  # never in a repr or a log line

    def __str__(self) -> str:
        return f"{self.user_name} ({self.account_alias})"
