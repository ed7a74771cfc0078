"""The billing history the invoice is computed from: plain data, pickled with the world.

Nothing here imports the rest of the simulator (``state.World`` holds a ``UsageLedger``); the
logic that fills and reads it is in ``usage.py`` and ``invoices.py``.

A server's history is a list of *periods*; each starts at a moment and lasts until the next one
(or until the server was deleted, or until now). A period records what the server was billed
for at the time: its billing state and its size.
"""

from dataclasses import dataclass, field

# Billing states of a period.
COMPUTE = "compute"  # active and started: compute + storage
STORAGE = "storage"  # active but stopped or paused, a template, a failed build: storage only
ARCHIVE = "archive"  # archived: archive storage only
NONE = "none"  # under construction: nothing yet


@dataclass(frozen=True)
class Period:
    start: float
    state: str
    cpu: int
    memory_mb: int
    storage_gb: int
    storage_type: str
    windows: bool
    public_ips: int

    @property
    def terms(self) -> tuple:
        """Everything but the start: two periods with the same terms cost the same per hour."""
        return (
            self.state,
            self.cpu,
            self.memory_mb,
            self.storage_gb,
            self.storage_type,
            self.windows,
            self.public_ips,
        )


@dataclass
class ServerUsage:
    alias: str
    server_id: str  # as the API shows it, e.g. "WA1DEMOWEB01"
    location: str
    group_id: str
    periods: list[Period] = field(default_factory=list)
    deleted: float | None = None  # when the server was deleted (its billing ended)

    @property
    def created(self) -> float:
        return self.periods[0].start if self.periods else 0.0


@dataclass
class BalancerUsage:
    alias: str
    location: str
    created: float
    deleted: float | None = None


@dataclass
class UsageLedger:
    origin: float = 0.0  # when recording began; what came before is the seed's made-up past
    servers: dict[str, ServerUsage] = field(default_factory=dict)  # key: server id lowercased
    balancers: dict[str, BalancerUsage] = field(default_factory=dict)  # key: load balancer id
