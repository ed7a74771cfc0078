"""Firewall policies: intra data center (``/v2-experimental/firewallPolicies``) and cross data
center (``/v2-experimental/crossDcFirewallPolicies``).

    policies = list_intra(client, "WA1")                       # [IntraPolicy]
    new_id = create_intra(client, "WA1", {"destinationAccount": "DEMO", "source": [...], ...})
    update_intra(client, "WA1", policy_id, {"enabled": False})  # 204
    delete_intra(client, "WA1", policy_id)                      # 204
    cross = create_cross(client, "WA1", {...})                  # CrossPolicy (201, the whole policy)
    set_cross_enabled(client, "WA1", policy_id, False)          # PUT ...?enabled=false (204)

A new policy is ``pending`` until the cloud has provisioned it (then ``active``, or ``error``).
"""

from dataclasses import dataclass
from urllib.parse import quote

from .client import ClcClient
from .links import HasLinks, Link, find_link, parse_links

INTRA = "/v2-experimental/firewallPolicies/{alias}"
CROSS = "/v2-experimental/crossDcFirewallPolicies/{alias}"


def _part(value: str) -> str:
    return quote(str(value), safe="")


def _dc(dc: str) -> str:
    return _part(dc.upper())


def _strings(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value or () if v is not None)


@dataclass(frozen=True)
class IntraPolicy(HasLinks):
    id: str
    location: str
    status: str = ""
    enabled: bool = True
    source: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    destination_account: str = ""
    ports: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict, location: str) -> "IntraPolicy":
        return cls(
            id=str(raw.get("id", "")),
            location=location.upper(),
            status=str(raw.get("status") or ""),
            enabled=bool(raw.get("enabled")),
            source=_strings(raw.get("source")),
            destination=_strings(raw.get("destination")),
            destination_account=str(raw.get("destinationAccount") or "").upper(),
            ports=tuple(p.lower() for p in _strings(raw.get("ports"))),
            links=parse_links(raw.get("links")),
        )


@dataclass(frozen=True)
class CrossPolicy(HasLinks):
    id: str
    location: str
    status: str = ""
    enabled: bool = True
    source_cidr: str = ""
    source_account: str = ""
    destination_cidr: str = ""
    destination_account: str = ""
    destination_location: str = ""
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict, location: str) -> "CrossPolicy":
        return cls(
            id=str(raw.get("id", "")),
            location=str(raw.get("sourceLocation") or location).upper(),
            status=str(raw.get("status") or ""),
            enabled=bool(raw.get("enabled")),
            source_cidr=str(raw.get("sourceCidr") or ""),
            source_account=str(raw.get("sourceAccount") or "").upper(),
            destination_cidr=str(raw.get("destinationCidr") or ""),
            destination_account=str(raw.get("destinationAccount") or "").upper(),
            destination_location=str(raw.get("destinationLocation") or "").upper(),
            links=parse_links(raw.get("links")),
        )


def _id_from_links(body) -> str:
    link = find_link(parse_links((body or {}).get("links")), "self") if isinstance(body, dict) else None
    return link.href.rstrip("/").rsplit("/", 1)[-1] if link else ""


# --- intra data center ---------------------------------------------------------------------------
def list_intra(client: ClcClient, dc: str) -> list[IntraPolicy]:
    return [
        IntraPolicy.from_api(p, dc) for p in client.get(f"{INTRA}/{_dc(dc)}") or () if isinstance(p, dict)
    ]


def get_intra(client: ClcClient, dc: str, policy_id: str) -> IntraPolicy:
    return IntraPolicy.from_api(client.get(f"{INTRA}/{_dc(dc)}/{_part(policy_id)}") or {}, dc)


def create_intra(client: ClcClient, dc: str, spec: dict) -> str:
    """POST (201 ``{"links": [self]}``): the new policy's id."""
    return _id_from_links(client.post(f"{INTRA}/{_dc(dc)}", json=spec))


def update_intra(client: ClcClient, dc: str, policy_id: str, changes: dict) -> None:
    """PUT any of ``enabled``, ``source``, ``destination``, ``ports`` (204)."""
    client.put(f"{INTRA}/{_dc(dc)}/{_part(policy_id)}", json=changes)


def delete_intra(client: ClcClient, dc: str, policy_id: str) -> None:
    client.delete(f"{INTRA}/{_dc(dc)}/{_part(policy_id)}")


# --- cross data center ---------------------------------------------------------------------------
def list_cross(client: ClcClient, dc: str) -> list[CrossPolicy]:
    return [
        CrossPolicy.from_api(p, dc) for p in client.get(f"{CROSS}/{_dc(dc)}") or () if isinstance(p, dict)
    ]


def get_cross(client: ClcClient, dc: str, policy_id: str) -> CrossPolicy:
    return CrossPolicy.from_api(client.get(f"{CROSS}/{_dc(dc)}/{_part(policy_id)}") or {}, dc)


def create_cross(client: ClcClient, dc: str, spec: dict) -> CrossPolicy:
    """POST (201, the whole policy): ``destinationAccountId``, ``destinationLocationId``,
    ``destinationCidr``, ``sourceCidr``, ``enabled``."""
    return CrossPolicy.from_api(client.post(f"{CROSS}/{_dc(dc)}", json=spec) or {}, dc)


def set_cross_enabled(client: ClcClient, dc: str, policy_id: str, enabled: bool) -> None:
    """PUT ``...?enabled=true|false`` (204): the only change the API offers on these."""
    client.request(
        "PUT", f"{CROSS}/{_dc(dc)}/{_part(policy_id)}", params={"enabled": "true" if enabled else "false"}
    )


def delete_cross(client: ClcClient, dc: str, policy_id: str) -> None:
    client.delete(f"{CROSS}/{_dc(dc)}/{_part(policy_id)}")
