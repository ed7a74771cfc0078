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
from .entities import each
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
class Policy(HasLinks):
    """What both kinds of policy have: the data center it belongs to (``location``), its state
    (``pending``, ``active``, ``error``), whether it is on, the account traffic goes to."""

    id: str
    location: str
    status: str = ""
    enabled: bool = True
    destination_account: str = ""
    links: tuple[Link, ...] = ()

    @staticmethod
    def common(raw: dict, location: str) -> dict:
        return {
            "id": str(raw.get("id", "")),
            "location": location.upper(),
            "status": str(raw.get("status") or ""),
            "enabled": bool(raw.get("enabled")),
            "destination_account": str(raw.get("destinationAccount") or "").upper(),
            "links": parse_links(raw.get("links")),
        }


@dataclass(frozen=True)
class IntraPolicy(Policy):
    source: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, raw: dict, location: str) -> "IntraPolicy":
        return cls(
            **cls.common(raw, location),
            source=_strings(raw.get("source")),
            destination=_strings(raw.get("destination")),
            ports=tuple(p.lower() for p in _strings(raw.get("ports"))),
        )


@dataclass(frozen=True)
class CrossPolicy(Policy):
    source_cidr: str = ""
    source_account: str = ""
    destination_cidr: str = ""
    destination_location: str = ""

    @classmethod
    def from_api(cls, raw: dict, location: str) -> "CrossPolicy":
        return cls(
            **cls.common(raw, str(raw.get("sourceLocation") or location)),
            source_cidr=str(raw.get("sourceCidr") or ""),
            source_account=str(raw.get("sourceAccount") or "").upper(),
            destination_cidr=str(raw.get("destinationCidr") or ""),
            destination_location=str(raw.get("destinationLocation") or "").upper(),
        )


def _id_from_links(body) -> str:
    link = find_link(parse_links((body or {}).get("links")), "self") if isinstance(body, dict) else None
    return link.href.rstrip("/").rsplit("/", 1)[-1] if link else ""


def _path(base: str, dc: str, policy_id: str | None = None) -> str:
    return f"{base}/{_dc(dc)}" if policy_id is None else f"{base}/{_dc(dc)}/{_part(policy_id)}"


def _listed(client: ClcClient, base: str, parse, dc: str) -> list:
    return list(each(parse, client.get(_path(base, dc)), dc))


# --- intra data center ---------------------------------------------------------------------------
def list_intra(client: ClcClient, dc: str) -> list[IntraPolicy]:
    return _listed(client, INTRA, IntraPolicy.from_api, dc)


def get_intra(client: ClcClient, dc: str, policy_id: str) -> IntraPolicy:
    return IntraPolicy.from_api(client.get(_path(INTRA, dc, policy_id)) or {}, dc)


def create_intra(client: ClcClient, dc: str, spec: dict) -> str:
    """POST (201 ``{"links": [self]}``): the new policy's id."""
    return _id_from_links(client.post(_path(INTRA, dc), json=spec))


def update_intra(client: ClcClient, dc: str, policy_id: str, changes: dict) -> None:
    """PUT any of ``enabled``, ``source``, ``destination``, ``ports`` (204)."""
    client.put(_path(INTRA, dc, policy_id), json=changes)


def delete_intra(client: ClcClient, dc: str, policy_id: str) -> None:
    client.delete(_path(INTRA, dc, policy_id))


# --- cross data center ---------------------------------------------------------------------------
def list_cross(client: ClcClient, dc: str) -> list[CrossPolicy]:
    return _listed(client, CROSS, CrossPolicy.from_api, dc)


def get_cross(client: ClcClient, dc: str, policy_id: str) -> CrossPolicy:
    return CrossPolicy.from_api(client.get(_path(CROSS, dc, policy_id)) or {}, dc)


def create_cross(client: ClcClient, dc: str, spec: dict) -> CrossPolicy:
    """POST (201, the whole policy): ``destinationAccountId``, ``destinationLocationId``,
    ``destinationCidr``, ``sourceCidr``, ``enabled``."""
    return CrossPolicy.from_api(client.post(_path(CROSS, dc), json=spec) or {}, dc)


def set_cross_enabled(client: ClcClient, dc: str, policy_id: str, enabled: bool) -> None:
    """PUT ``...?enabled=true|false`` (204): the only change the API offers on these."""
    client.request("PUT", _path(CROSS, dc, policy_id), params={"enabled": "true" if enabled else "false"})


def delete_cross(client: ClcClient, dc: str, policy_id: str) -> None:
    client.delete(_path(CROSS, dc, policy_id))
