"""Horizontal autoscale of a group (``Groups/*-group-horizontal-autoscale-policy.md``) and the
account's horizontal policies the mapping names.

    group_policy(client, group_id)          -> HorizontalMapping | None (the API answers {} for none)
    set_group_policy(client, group_id, policy_id, pool=None)   -> HorizontalMapping
    remove_group_policy(client, group_id)
    list_policies(client)                   -> [HorizontalPolicy]

Every change applies at once (no queued operation).
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from .client import ClcClient
from .entities import as_dict, as_int, each, parse_time
from .links import HasLinks, Link, parse_links


@dataclass(frozen=True)
class HorizontalPolicy:
    id: str
    name: str
    minimum_server_count: int = 0
    raw: dict | None = None

    @classmethod
    def from_api(cls, raw: dict) -> "HorizontalPolicy":
        return cls(
            id=str(raw.get("id") or ""),
            name=str(raw.get("name") or ""),
            minimum_server_count=as_int(raw.get("minimumServerCount")),
            raw=raw,
        )


@dataclass(frozen=True)
class HorizontalMapping(HasLinks):
    group_id: str
    policy_id: str
    name: str = ""
    available_servers: int = 0
    target_size: int = 0
    scale_direction: str = ""
    load_balancer: dict | None = None  # {id, name, publicIP, publicPort, privatePort}
    since: datetime | None = None
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "HorizontalMapping":
        lb = as_dict(raw.get("loadBalancer"))
        return cls(
            group_id=str(raw.get("groupId") or "").lower(),
            policy_id=str(raw.get("policyId") or ""),
            name=str(raw.get("name") or ""),
            available_servers=as_int(raw.get("availableServers")),
            target_size=as_int(raw.get("targetSize")),
            scale_direction=str(raw.get("scaleDirection") or ""),
            load_balancer={k: v for k, v in lb.items() if k != "links"} if lb else None,
            since=parse_time(raw.get("timestamp")),
            links=parse_links(raw.get("links")),
        )


def _path(group_id: str) -> str:
    return f"/v2/groups/{{alias}}/{quote(group_id.lower(), safe='')}/horizontalAutoscalePolicy"


def group_policy(client: ClcClient, group_id: str) -> HorizontalMapping | None:
    body = client.get(_path(group_id))
    if not isinstance(body, dict) or not body.get("policyId"):
        return None
    return HorizontalMapping.from_api(body)


def set_group_policy(
    client: ClcClient, group_id: str, policy_id: str, pool: dict | None = None
) -> HorizontalMapping:
    """``pool``: ``{"id": lb_id, "publicPort": 80, "privatePort": 8080}`` or None."""
    body: dict = {"policyId": policy_id}
    if pool:
        body["loadBalancerPool"] = pool
    return HorizontalMapping.from_api(client.put(_path(group_id), json=body) or {})


def remove_group_policy(client: ClcClient, group_id: str) -> None:
    client.delete(_path(group_id))


def list_policies(client: ClcClient) -> list[HorizontalPolicy]:
    body = client.get("/v2/horizontalAutoscalePolicies/{alias}")
    items = body.get("items") if isinstance(body, dict) else body
    return list(each(HorizontalPolicy.from_api, items))
