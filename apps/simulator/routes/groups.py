"""Groups: get (whole subtree), create, patch (name, description, parent, custom fields), delete,
archive, restore, and defaults.

- GET answers the group with every sub-group nested; a role without ``view`` (BillingAdmin) gets 403.
- POST answers 201 with the new group; PATCH answers 204 and applies at once.
- DELETE queues ``deleteGroup`` (202, bare status link): the group, its sub-groups and their servers go.
- archive queues ``archiveGroup`` (bare status link): the group moves under the data center's
  ``Archive`` group, and it, its sub-groups and their servers become archived (servers stopped).
- restore ``{targetGroupId}`` queues ``restoreGroup`` and answers ``{isQueued, links}``: the group
  moves under the target and everything becomes active again, servers stopped (like a restored
  server).
- The root ``<DC> Hardware`` group and the ``Archive`` group can't be renamed, moved, deleted or archived.
- Sibling group names are unique (case-insensitive); a name is 1-256 characters.
- Scheduled activities, horizontal autoscale and statistics: ``schedules.py``,
  ``horizontal_autoscale.py``, ``statistics.py``.
"""

import ipaddress

from .. import addressing, errors
from ..factory import TEMPLATES, add_group, remove_server, set_archived
from ..fields import INVALID, identifier, text, whole_number
from ..group_detail import servers_of, wants_detail
from ..links import status_link
from ..models import Group
from ..roles import require
from ..router import route
from ..serializers_group import Perms, is_system, serialize_group
from ..state import effect
from ..webhook_events import server_updated
from .custom_fields import resolve_custom_fields
from .datacenters import network_ids

MAX_NAME = 256
MAX_DESCRIPTION = 1024
GROUP_KINDS = ("deleteGroup", "archiveGroup", "restoreGroup")
DEFAULT_KEYS = ("cpu", "memoryGB", "networkId", "primaryDns", "secondaryDns", "templateName")


def group_for(req, alias: str, group_id: str, capability: str) -> Group:
    """403 unless the caller's roles allow ``capability``; then the caller's group (404 otherwise)."""
    require(req, capability)
    return req.world.group(alias, group_id)


def _in_archive(world, group: Group) -> bool:
    current = group
    while current is not None:
        if current.type == "archive" or current.status == "archived":
            return True
        current = world.groups.get(current.parent_id) if current.parent_id else None
    return False


def _is_descendant(world, candidate: Group, ancestor: Group) -> bool:
    current = candidate
    while current is not None:
        if current.id == ancestor.id:
            return True
        current = world.groups.get(current.parent_id) if current.parent_id else None
    return False


def _unique_name(world, parent: Group, name: str, exclude: Group | None = None) -> None:
    for child_id in parent.children:
        child = world.groups.get(child_id)
        if child is not None and child is not exclude and child.name.lower() == name.lower():
            raise errors.bad_request(f"A group named '{name}' already exists in '{parent.name}'.")


def _parent(req, alias: str, parent_id) -> Group:
    wanted = identifier(parent_id, "parentGroupId")
    try:
        return req.world.group(alias, wanted)
    except errors.ApiError:
        raise errors.bad_request(f"The parent group '{parent_id}' does not exist.") from None


def _no_pending(world, group: Group) -> None:
    if world.pending_kinds_for(group.id) & set(GROUP_KINDS):
        raise errors.bad_request("The group has an operation in progress; try again when it completes.")


def _touch(req, group: Group) -> None:
    group.change.modified_by = req.user.username
    group.change.modified_date = req.world.now()


# --- get / create -----------------------------------------------------------------------------
@route("GET", "/v2/groups/{alias}/{group_id}")
def get_group(req, alias, group_id):
    group = group_for(req, alias, group_id, "view")
    detail = servers_of(req.world, req.user.roles) if wants_detail(req) else None
    return serialize_group(req.world, group, Perms.of(req.user.roles), servers_of=detail)


@route("POST", "/v2/groups/{alias}")
def create_group(req, alias):
    require(req, "manage_groups")
    world = req.world
    body = req.json_object()
    name = text(req.field(body, "name"), "name", MAX_NAME, required=True)
    description = text(req.field(body, "description"), "description", MAX_DESCRIPTION, required=False)
    parent = _parent(req, alias, req.field(body, "parentGroupId"))
    if _in_archive(world, parent):
        raise errors.bad_request("A group can't be created inside an archived group.")
    custom = resolve_custom_fields(req, world.account(alias), req.field(body, "customFields"))
    _unique_name(world, parent, name)
    group = add_group(
        world,
        alias,
        parent.location,
        name,
        parent,
        description=description,
        user=req.user.username,
        custom_fields=custom,
    )
    return 201, serialize_group(world, group, Perms.of(req.user.roles))


# --- patch ------------------------------------------------------------------------------------
@route("PATCH", "/v2/groups/{alias}/{group_id}")
def patch_group(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_groups")
    body = req.body
    if isinstance(body, dict) and isinstance(req.field(body, "patchOperation"), list):
        body = req.field(body, "patchOperation")
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list) or not body:
        raise errors.bad_request("The request is invalid: a list of {op, member, value} is expected.")
    _refuse_system(group, "changed")
    changes: dict[str, object] = {}
    for item in body:
        if not isinstance(item, dict):
            raise errors.bad_request("The request is invalid: a list of {op, member, value} is expected.")
        op = req.field(item, "op")
        member = req.field(item, "member")
        value = req.field(item, "value")
        if not isinstance(op, str) or op.lower() != "set":
            raise errors.bad_request(f"The operation '{op}' is not supported; use 'set'.")
        key = member.lower() if isinstance(member, str) else None
        if key == "name":
            changes["name"] = text(value, "name", MAX_NAME, required=True)
        elif key == "description":
            changes["description"] = text(value, "description", MAX_DESCRIPTION, required=False)
        elif key == "parentgroupid":
            changes["parent"] = _parent(req, alias, value)
        elif key == "customfields":
            changes["customFields"] = resolve_custom_fields(req, world.account(alias), value)
        else:
            raise errors.bad_request(f"The member '{member}' can't be changed on a group.")
    parent = world.groups.get(group.parent_id)
    new_parent = changes.get("parent", parent)
    if "parent" in changes and new_parent is not parent:
        if new_parent.location != group.location:
            raise errors.bad_request("A group can't be moved to another data center.")
        if _is_descendant(world, new_parent, group):
            raise errors.bad_request("A group can't be moved under itself or one of its sub-groups.")
        if _in_archive(world, new_parent) and group.status != "archived":
            raise errors.bad_request("A group can't be moved into an archived group.")
    final_name = changes.get("name", group.name)
    if new_parent is not None and ("name" in changes or new_parent is not parent):
        _unique_name(world, new_parent, final_name, exclude=group)
    # Every check passed: apply all at once.
    if "name" in changes:
        group.name = changes["name"]
    if "description" in changes:
        group.description = changes["description"]
    if "customFields" in changes:
        group.custom_fields = changes["customFields"]
    if new_parent is not parent:
        _move(world, group, new_parent)
    _touch(req, group)
    return 204, None


def _move(world, group: Group, new_parent: Group) -> None:
    old = world.groups.get(group.parent_id) if group.parent_id else None
    if old is not None and group.id in old.children:
        old.children.remove(group.id)
    new_parent.children.append(group.id)
    group.parent_id = new_parent.id


# --- delete -----------------------------------------------------------------------------------
def _refuse_system(group: Group, done: str) -> None:
    """The root ``<DC> Hardware`` and ``Archive`` groups can't be ``done`` (changed, deleted ...)."""
    if is_system(group):
        raise errors.bad_request(f"The group '{group.name}' is a system group and can't be {done}.")


def _queue_on_subtree(world, alias: str, group: Group, kind: str, params: dict):
    """Queue ``kind`` on the group and every server of its subtree (one group operation at a time)."""
    _no_pending(world, group)
    server_ids = [key for g in world.subtree_groups(group) for key in g.servers]
    return world.queue(alias, group.location, kind, [group.id, *server_ids], params)


@route("DELETE", "/v2/groups/{alias}/{group_id}")
def delete_group(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_groups")
    _refuse_system(group, "deleted")
    op = _queue_on_subtree(world, alias, group, "deleteGroup", {})
    return 202, status_link(alias, op.id)


@effect("deleteGroup")
def _delete_group(world, op):
    group = world.groups.get(op.resource_ids[0])
    if group is None:
        return
    for server in world.subtree_servers(group):
        remove_server(world, server)
    parent = world.groups.get(group.parent_id) if group.parent_id else None
    if parent is not None and group.id in parent.children:
        parent.children.remove(group.id)
    for member in world.subtree_groups(group):
        world.groups.pop(member.id, None)


# --- archive / restore ------------------------------------------------------------------------
def _set_archived(world, group: Group, archived: bool) -> None:
    """The group, its sub-groups and their servers archived, or restored (servers stopped either
    way, as an archived or restored server is: ``factory.set_archived``)."""
    now = world.now()
    for member in world.subtree_groups(group):
        member.status = "archived" if archived else "active"
        member.change.modified_date = now
        for server in world.members(member):
            if archived or server.status == "archived":
                set_archived(server, archived)
                server_updated(world, server)


@route("POST", "/v2/groups/{alias}/{group_id}/archive")
def archive_group(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_servers")
    _refuse_system(group, "archived")
    if group.status == "archived":
        raise errors.bad_request(f"The group '{group.name}' is already archived.")
    op = _queue_on_subtree(world, alias, group, "archiveGroup", {})
    return status_link(alias, op.id)


@effect("archiveGroup")
def _archive_group(world, op):
    group = world.groups.get(op.resource_ids[0])
    if group is None or group.status == "archived":
        return
    _set_archived(world, group, True)
    archive = world.archive_group(group.alias, group.location)
    if archive is not None and group.parent_id != archive.id:
        _move(world, group, archive)


@route("POST", "/v2/groups/{alias}/{group_id}/restore")
def restore_group(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_servers")
    target_id = identifier(req.field(req.json_object(), "targetGroupId"), "targetGroupId")
    if group.status != "archived":
        raise errors.bad_request(f"The group '{group.name}' is not archived.")
    try:
        target = world.group(alias, target_id)
    except errors.ApiError:
        raise errors.bad_request(f"The target group '{target_id}' does not exist.") from None
    if target.location != group.location:
        raise errors.bad_request("A group can only be restored to a group in the same data center.")
    if _in_archive(world, target):
        raise errors.bad_request("A group can't be restored into an archived group.")
    _unique_name(world, target, group.name, exclude=group)
    op = _queue_on_subtree(world, alias, group, "restoreGroup", {"targetGroupId": target.id})
    return {
        "isQueued": True,
        "links": [
            {"rel": "self", "href": f"/v2/groups/{alias.lower()}/{group.id}"},
            status_link(alias, op.id),
        ],
    }


@effect("restoreGroup")
def _restore_group(world, op):
    group = world.groups.get(op.resource_ids[0])
    target = world.groups.get(str(op.params.get("targetGroupId", "")))
    if group is None or target is None or group.status != "archived":
        return
    _set_archived(world, group, False)
    if group.parent_id != target.id and not _is_descendant(world, target, group):
        _move(world, group, target)


# --- defaults ---------------------------------------------------------------------------------
def account_defaults(alias: str, location: str) -> dict:
    """What a group inherits when no ancestor sets a value (the account's data center settings)."""
    return {
        "cpu": 2,
        "memoryGB": 4,
        "networkId": network_ids(alias, location)[0],
        "primaryDns": "172.17.1.26",
        "secondaryDns": "172.17.1.27",
        "templateName": "UBUNTU-22-64-TEMPLATE",
    }


def effective_defaults(world, group: Group) -> dict:
    out: dict[str, dict] = {}
    chain, current = [], group
    while current is not None:
        chain.append(current)
        current = world.groups.get(current.parent_id) if current.parent_id else None
    fallback = account_defaults(group.alias, group.location)
    for key in DEFAULT_KEYS:
        for index, member in enumerate(chain):
            if member.defaults.get(key) is not None:
                out[key] = {"value": member.defaults[key], "inherited": index > 0}
                break
        else:
            out[key] = {"value": fallback[key], "inherited": True}
    return out


def _int_between(value, name: str, low: int, high: int) -> int:
    return whole_number(value, low, high, f"{INVALID}{name} must be a whole number from {low} to {high}.")


def _dns(value, name: str) -> str:
    try:
        return str(ipaddress.IPv4Address(str(value).strip()))
    except ValueError:
        raise errors.bad_request(f"The request is invalid: {name} must be an IPv4 address.") from None


def _template(value) -> str:
    for name in TEMPLATES:
        if isinstance(value, str) and name.lower() == value.strip().lower():
            return name
    raise errors.bad_request(f"The template '{value}' is not available in this data center.")


def _network(world, value, alias: str, location: str) -> str:
    """A network of the account in the group's data center (``Get Network List``), not being released."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 64:
        raise errors.bad_request("The request is invalid: networkId must be a network id.")
    network = addressing.find(world, alias, location, value)
    if network is None or network.releasing:
        raise errors.bad_request(f"The network '{value.strip()}' does not exist in {location.upper()}.")
    return network.id


@route("GET", "/v2/groups/{alias}/{group_id}/defaults")
def get_defaults(req, alias, group_id):
    group = group_for(req, alias, group_id, "view")
    return effective_defaults(req.world, group)


@route("POST", "/v2/groups/{alias}/{group_id}/defaults")
def set_defaults(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "manage_groups")
    body = req.json_object()
    if group.status == "archived":
        raise errors.bad_request("The defaults of an archived group can't be changed.")
    parsers = {
        "cpu": lambda v: _int_between(v, "cpu", 1, 16),
        "memoryGB": lambda v: _int_between(v, "memoryGB", 1, 128),
        "networkId": lambda v: _network(world, v, alias, group.location),
        "primaryDns": lambda v: _dns(v, "primaryDns"),
        "secondaryDns": lambda v: _dns(v, "secondaryDns"),
        "templateName": _template,
    }
    known = {k.lower() for k in DEFAULT_KEYS}
    unknown = [k for k in body if not (isinstance(k, str) and k.lower() in known)]
    if unknown:
        raise errors.bad_request(f"The request is invalid: unknown default '{unknown[0]}'.")
    updates: dict[str, object] = {}
    for key in DEFAULT_KEYS:
        sentinel = object()
        raw = req.field(body, key, sentinel)
        if raw is sentinel:
            continue
        # null or "" clears the group's own value, so it inherits again.
        updates[key] = None if raw is None or raw == "" else parsers[key](raw)
    for key, value in updates.items():
        if value is None:
            group.defaults.pop(key, None)
        else:
            group.defaults[key] = value
    if updates:
        _touch(req, group)
    return effective_defaults(world, group)
