"""The simulator's in-memory entities. Ids are stored as the API shows them; lookups use
lowercased keys (see ``state.World``)."""

from dataclasses import dataclass, field


@dataclass
class ChangeInfo:
    created_by: str
    created_date: float
    modified_by: str
    modified_date: float


@dataclass
class Account:
    alias: str
    # Account-level custom field definitions (GET /v2/accounts/{alias}/customFields).
    custom_fields: list[dict] = field(default_factory=list)
    server_counters: dict[str, int] = field(default_factory=dict)


@dataclass
class User:
    username: str
    password: str
    alias: str
    location: str
    roles: list[str]


@dataclass
class Token:
    value: str
    username: str
    alias: str
    expires_at: float


@dataclass
class DataCenter:
    id: str  # "WA1"
    name: str  # "US West (Seattle)"


@dataclass
class Group:
    id: str  # 32 hex characters, lowercase
    alias: str
    location: str  # data center id
    name: str
    description: str
    parent_id: str | None
    type: str  # "default" or "archive"
    status: str  # "active" or "archived"
    change: ChangeInfo
    custom_fields: list[dict] = field(default_factory=list)
    defaults: dict = field(default_factory=dict)
    children: list[str] = field(default_factory=list)  # child group ids, in order
    servers: list[str] = field(default_factory=list)  # server ids (lowercase), in order


@dataclass
class Disk:
    id: str  # "0:0"
    size_gb: int
    partition_paths: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    id: str  # numeric string
    name: str  # "2014-05-16.23:45:52"


@dataclass
class PublicIp:
    address: str
    internal: str
    ports: list[dict] = field(default_factory=list)
    source_restrictions: list[dict] = field(default_factory=list)


@dataclass
class Server:
    id: str  # uppercase name, e.g. "WA1DEMOWEB01"
    uuid: str
    alias: str
    location: str
    group_id: str
    name: str
    description: str
    os_type: str  # "Ubuntu 22 64-bit"
    os: str  # template os code, e.g. "ubuntu22_64Bit"
    template: str
    type: str  # "standard", "hyperscale", "bareMetal"
    storage_type: str  # "standard", "premium", "hyperscale"
    status: str  # "underConstruction", "active", "archived", "queuedForDelete"
    power_state: str  # "started", "stopped", "paused"
    in_maintenance: bool
    cpu: int
    memory_mb: int
    disks: list[Disk]
    internal_ips: list[str]
    password: str
    change: ChangeInfo
    is_template: bool = False
    public_ips: list[PublicIp] = field(default_factory=list)
    secondary_ips: list[str] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    custom_fields: list[dict] = field(default_factory=list)
    alert_policies: list[dict] = field(default_factory=list)
    network_id: str = ""
    # What create-server's optional fields set (routes/server_create.py).
    is_managed_os: bool = False
    is_managed_backup: bool = False
    dns: list[str] = field(default_factory=list)  # primary, secondary (never shown by the API)
    ttl: float | None = None  # when the cloud deletes the server by itself
    bare_metal: dict | None = None  # {"configurationId", "processorDescription", "storageDescription"}
    packages_ran: list[dict] = field(default_factory=list)  # {packageId, parameters, at}

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def storage_gb(self) -> int:
        return sum(d.size_gb for d in self.disks)


@dataclass
class Operation:
    """A queued job. Its status is derived from the clock when read (``state.World``)."""

    id: str  # "wa1-123456"
    alias: str
    kind: str  # "powerOff", "createServer", ...
    resource_ids: list[str]
    started_at: float
    duration: float
    will_fail: bool
    failure_message: str = ""
    params: dict = field(default_factory=dict)
    applied: bool = False
    completed_at: float | None = None  # when its effect was applied (simulator clock)
    # A queue fault (``/control/interrupt-next``): {"status": "resumed"|"unknown", "at": moment,
    # "resumeAt": moment} — see ``state.World.status_of``.
    interruption: dict | None = None

    @property
    def ends_at(self) -> float:
        return self.started_at + self.duration


@dataclass
class Network:
    """A private network (VLAN) an account holds in a data center. Its claimed addresses are not
    stored: they are the servers' internal addresses inside ``cidr`` (see ``addressing``)."""

    id: str  # 32 hex characters, lowercase
    alias: str
    location: str  # data center id, "WA1"
    cidr: str  # "10.16.0.0/24"
    gateway: str
    netmask: str
    vlan: int
    name: str
    description: str
    type: str = "private"
    releasing: bool = False  # a release is queued: no new addresses, no second release


@dataclass
class FirewallPolicy:
    """An intra data center firewall policy (``/v2-experimental/firewallPolicies``)."""

    id: str
    alias: str  # the source account
    location: str
    destination_account: str
    source: list[str]
    destination: list[str]
    ports: list[str]
    enabled: bool = True
    status: str = "pending"  # pending -> active (or error)


@dataclass
class CrossDcFirewallPolicy:
    """A cross data center firewall policy (``/v2-experimental/crossDcFirewallPolicies``)."""

    id: str
    alias: str  # the source account
    location: str  # the source data center
    source_cidr: str
    destination_account: str
    destination_location: str
    destination_cidr: str
    enabled: bool = True
    status: str = "pending"
