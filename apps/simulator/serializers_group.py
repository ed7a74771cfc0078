"""The Group entity of ``GET /v2/groups/{alias}/{id}``: nested sub-groups, links by role and state.

A whole data center's tree is one call, so counts are computed in one pass over the subtree
(``subtree_counts``) and the caller's permissions once per request (``Perms``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Group
from .roles import ADMIN, SERVER_ADMIN, can
from .state import World, iso


@dataclass(frozen=True)
class Perms:
    view: bool
    manage_groups: bool
    manage_servers: bool
    billing: bool
    policies: bool

    @classmethod
    def of(cls, roles) -> "Perms":
        return cls(
            view=can(roles, "view"),
            manage_groups=can(roles, "manage_groups"),
            manage_servers=can(roles, "manage_servers"),
            billing=can(roles, "view_billing_summary"),
            # Create/edit/delete autoscale policies: AccountAdmin and ServerAdmin (ROLES.md).
            policies=any(role in (ADMIN, SERVER_ADMIN) for role in roles),
        )


def is_system(group: Group) -> bool:
    """The root ``<DC> Hardware`` group and the ``Archive`` group can't be moved or deleted."""
    return group.parent_id is None or group.type == "archive"


def subtree_counts(world: World, group: Group) -> dict[str, int]:
    """serversCount (own servers plus every sub-group's) for each group of the subtree, one pass."""
    order, stack = [], [group]
    while stack:
        current = stack.pop()
        order.append(current)
        stack.extend(world.groups[c] for c in current.children if c in world.groups)
    counts: dict[str, int] = {}
    for current in reversed(order):  # children before parents
        counts[current.id] = len(current.servers) + sum(counts.get(c, 0) for c in current.children)
    return counts


def change_info(change) -> dict:
    return {
        "createdDate": iso(change.created_date),
        "createdBy": change.created_by,
        "modifiedDate": iso(change.modified_date),
        "modifiedBy": change.modified_by,
    }


def group_links(world: World, group: Group, perms: Perms) -> list[dict]:
    alias = group.alias.lower()
    base = f"/v2/groups/{alias}/{group.id}"
    archived = group.status == "archived"
    system = is_system(group)
    links: list[dict] = []
    if not archived and group.type != "archive":
        if perms.manage_groups:
            links.append({"rel": "createGroup", "href": f"/v2/groups/{alias}", "verbs": ["POST"]})
        if perms.manage_servers:
            links.append({"rel": "createServer", "href": f"/v2/servers/{alias}", "verbs": ["POST"]})
    verbs = ["GET"]
    if perms.manage_groups and group.parent_id is not None and group.type != "archive":
        verbs.append("PATCH")
        verbs.append("DELETE")
    links.append({"rel": "self", "href": base, "verbs": verbs})
    if group.parent_id is not None:
        links.append(
            {"rel": "parentGroup", "href": f"/v2/groups/{alias}/{group.parent_id}", "id": group.parent_id}
        )
    if not archived:
        links.append(
            {
                "rel": "defaults",
                "href": f"{base}/defaults",
                "verbs": ["GET", "POST"] if perms.manage_groups else ["GET"],
            }
        )
    if perms.billing:
        links.append({"rel": "billing", "href": f"{base}/billing"})
    if perms.manage_servers and not system:
        if archived:
            links.append({"rel": "restoreGroupAction", "href": f"{base}/restore", "verbs": ["POST"]})
        else:
            links.append({"rel": "archiveGroupAction", "href": f"{base}/archive"})
    links.append({"rel": "statistics", "href": f"{base}/statistics"})
    links.append({"rel": "upcomingScheduledActivities", "href": f"{base}/upcomingScheduledActivities"})
    if not archived:
        links.append(
            {
                "rel": "horizontalAutoscalePolicyMapping",
                "href": f"{base}/horizontalAutoscalePolicy",
                "verbs": ["GET", "PUT", "DELETE"] if perms.policies else ["GET"],
            }
        )
    links.append(
        {
            "rel": "scheduledActivities",
            "href": f"{base}/scheduledActivities",
            "verbs": ["GET", "POST"] if perms.manage_groups and not archived else ["GET"],
        }
    )
    servers = world.servers
    for key in group.servers:
        server = servers.get(key)
        if server is not None:
            links.append({"rel": "server", "href": f"/v2/servers/{alias}/{key}", "id": server.id})
    return links


def serialize_group(
    world: World,
    group: Group,
    perms: Perms,
    counts: dict[str, int] | None = None,
    servers_of: Callable[[Group], list[dict]] | None = None,
) -> dict:
    """The group with all its sub-groups, recursively, each with the same shape. With
    ``servers_of`` (``?serverDetail=detailed``) each group also carries ``servers``: what
    ``servers_of(group)`` returns (the full server objects, see group_detail.py)."""
    if counts is None:
        counts = subtree_counts(world, group)
    return _serialize(world, group, perms, counts, servers_of)


def _serialize(world: World, group: Group, perms: Perms, counts: dict[str, int], servers_of=None) -> dict:
    children = [world.groups[c] for c in group.children if c in world.groups]
    out = {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "locationId": group.location,
        "type": group.type,
        "status": group.status,
        "serversCount": counts.get(group.id, 0),
        "groups": [_serialize(world, child, perms, counts, servers_of) for child in children],
        "links": group_links(world, group, perms),
        "changeInfo": change_info(group.change),
        "customFields": [dict(field) for field in group.custom_fields],
    }
    if servers_of is not None:
        out["servers"] = servers_of(group)
    return out
