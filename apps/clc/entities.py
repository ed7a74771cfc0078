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


def as_float(value: Any, default: float = 0) -> float:
    """``value`` as a float; ``default`` when it is missing or not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def as_int(value: Any, default: int = 0) -> int:
    """``value`` as an int; ``default`` when it is missing or not a number."""
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
                    storage_size_gb=as_float(t.get("storageSizeGB")),
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
            servers_count=as_int(raw.get("serversCount")),
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
    partitions: tuple[Partition, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    alert_policies: tuple[AlertPolicy, ...] = ()
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
            cpu=as_int(details.get("cpu")),
            memory_mb=as_int(details.get("memoryMB")),
            storage_gb=as_float(details.get("storageGB")),
            host_name=details.get("hostName") or "",
            ip_addresses=tuple(
                IpAddress(internal=ip.get("internal") or "", public=ip.get("public") or "")
                for ip in details.get("ipAddresses") or ()
            ),
            disks=tuple(
                Disk(
                    id=str(d.get("id", "")),
                    size_gb=as_float(d.get("sizeGB")),
                    partition_paths=tuple(d.get("partitionPaths") or ()),
                )
                for d in details.get("disks") or ()
            ),
            partitions=tuple(
                Partition(path=str(p.get("path", "")), size_gb=as_float(p.get("sizeGB")))
                for p in details.get("partitions") or ()
                if isinstance(p, dict)
            ),
            snapshots=tuple(
                Snapshot(name=s.get("name", ""), links=parse_links(s.get("links")))
                for s in details.get("snapshots") or ()
            ),
            alert_policies=tuple(
                AlertPolicy(
                    id=str(p.get("id", "")), name=str(p.get("name", "")), links=parse_links(p.get("links"))
                )
                for p in details.get("alertPolicies") or ()
                if isinstance(p, dict)
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

    @classmethod
    def from_body(cls, body) -> "StatusLink | None":
        """A write's answer: a bare status link (``{"rel": "status", ...}``) or an object with
        ``links``; None when it carries no status link (done at once)."""
        if isinstance(body, dict):
            if body.get("rel") == "status":
                return cls.from_links(parse_links([body]))
            return cls.from_links(parse_links(body.get("links")))
        return None


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
def _cost_fields(raw: dict) -> dict:
    """The cost figures an upstream billing answer gives for one server."""
    return {
        "current_hour": as_float(raw.get("currentHour")),
        "month_to_date": as_float(raw.get("monthToDate")),
        "monthly_estimate": as_float(raw.get("monthlyEstimate")),
        "archive_cost": as_float(raw.get("archiveCost")),
        "template_cost": as_float(raw.get("templateCost")),
    }


@dataclass(frozen=True)
class ServerCost:
    """One server's line of a group's billing summary."""

    server_id: str
    current_hour: float
    month_to_date: float
    monthly_estimate: float
    archive_cost: float = 0
    template_cost: float = 0


def cost_totals(costs) -> dict[str, float]:
    """The sums of servers' costs, rounded as the portal shows them (cents; the hour to 1/100 cent)."""
    costs = list(costs)
    return {
        "monthly_estimate": round(sum(c.monthly_estimate for c in costs), 2),
        "month_to_date": round(sum(c.month_to_date for c in costs), 2),
        "current_hour": round(sum(c.current_hour for c in costs), 4),
    }


@dataclass(frozen=True)
class ServerCostEstimate:
    """A server's own cost estimate (the answer behind its ``billing`` link)."""

    date: datetime | None
    current_hour: float
    month_to_date: float
    monthly_estimate: float
    archive_cost: float = 0
    template_cost: float = 0

    @classmethod
    def from_api(cls, raw: dict) -> "ServerCostEstimate":
        return cls(date=parse_time(raw.get("date")), **_cost_fields(raw))


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
        return cost_totals(self.servers)["monthly_estimate"]

    @property
    def month_to_date(self) -> float:
        return cost_totals(self.servers)["month_to_date"]

    @property
    def current_hour(self) -> float:
        return cost_totals(self.servers)["current_hour"]

    @classmethod
    def from_api(cls, raw: dict) -> "GroupBilling":
        groups = {}
        for group_id, entry in (raw.get("groups") or {}).items():
            costs = tuple(
                ServerCost(server_id=str(server_id).upper(), **_cost_fields(c))
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
            total_amount=as_float(raw.get("totalAmount")),
            lines=tuple(
                InvoiceLine(
                    description=li.get("description", ""),
                    quantity=as_float(li.get("quantity")),
                    unit_cost=as_float(li.get("unitCost")),
                    total=as_float(li.get("itemTotal")),
                    service_location=li.get("serviceLocation", ""),
                )
                for li in raw.get("lineItems") or ()
            ),
            raw=raw,
        )


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
            guest_disks=tuple(
                GuestDiskUsage(
                    path=str(u.get("path", "")),
                    capacity_mb=as_float(u.get("capacityMB")),
                    consumed_mb=as_float(u.get("consumedMB")),
                )
                for u in raw.get("guestDiskUsage") or ()
                if isinstance(u, dict)
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
            samples=tuple(StatSample.from_api(s) for s in raw.get("stats") or () if isinstance(s, dict)),
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
