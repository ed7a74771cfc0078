"""Data centers and what they offer for deployments (templates, networks)."""

from dataclasses import dataclass, field

from ..links import HasLinks, Link, find_link, parse_links
from .shared import as_float


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
