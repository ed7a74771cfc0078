"""Servers: get, delete, PATCH (cpu/memory/disks queued; description/group/custom
fields at once), credentials, restore from the archive.

Shared helpers for the server sub-resources (public IPs, snapshots) live here too. Create (and
clone, bare metal): ``server_create.py``; import: ``vm_import.py``.
"""

from .. import errors
from ..factory import LINUX_RESERVED, WINDOWS_RESERVED, move_server, set_archived
from ..links import status_link
from ..models import Disk, Server
from ..roles import require
from ..router import route
from ..serializers_server import is_linux, public_uuid, server_json
from ..state import effect
from ..webhook_events import server_updated
from .custom_fields import resolve_custom_fields

MAX_DISK_GB = 1024

# --- helpers shared by the server routes ---------------------------------------------------


def find_server(req, alias: str, server_id: str) -> Server:
    """The caller's server by id, or by uuid with ``?uuid=true``; 404 otherwise."""
    if not req.flag("uuid"):
        return req.world.server(alias, server_id)
    wanted = server_id.replace("-", "").lower()
    for server in req.world.servers.values():
        if server.alias.upper() == alias.upper() and public_uuid(server) == wanted:
            return server
    raise errors.not_found()


def server_for(req, alias: str, server_id: str, capability: str) -> Server:
    """The caller's server (404 otherwise), when the caller's roles allow ``capability`` (403)."""
    server = find_server(req, alias, server_id)
    require(req, capability)
    return server


def member(items, wanted: str, key: str = "id"):
    """The entry of one of a server's lists (snapshots, public IPs) whose ``key`` is ``wanted``."""
    for item in items:
        if getattr(item, key) == wanted.strip():
            return item
    raise errors.not_found()


def sub_resource(req, alias: str, server_id: str, capability: str, find, action: str | None = None):
    """(server, ``find(server)``) for a route on one of a server's sub-resources: the server (404),
    the role (403), the sub-resource (404), and with an ``action`` an active server (400)."""
    server = server_for(req, alias, server_id, capability)
    item = find(server)
    if action is not None:
        refuse_unless_active(req, server, action)
    return server, item


def refuse_if_building(server: Server) -> None:
    if server.status == "underConstruction":
        raise errors.bad_request(f"The server {server.id} is still being built.")


def refuse_unless_active(req, server: Server, action: str) -> None:
    """Actions other than view/restore/delete need a built, non-archived, idle server."""
    if server.status == "archived":
        raise errors.bad_request(f"The server {server.id} is archived: restore it before you {action}.")
    refuse_if_building(server)
    if server.status != "active":
        raise errors.bad_request(f"The server {server.id} is {server.status}: you cannot {action}.")
    refuse_if_deleting(req, server)


def refuse_if_deleting(req, server: Server) -> None:
    if "deleteServer" in req.world.pending_kinds_for(server.id):
        raise errors.bad_request(f"The server {server.id} is being deleted.")


def refuse_if_busy(req, server: Server) -> None:
    """One queued operation at a time per server (as the power operations do)."""
    refuse_if_deleting(req, server)
    if req.world.pending_kinds_for(server.id):
        raise errors.bad_request(
            f"The server {server.id} has an operation in progress; try again when it ends."
        )


def touch(req, server: Server) -> None:
    server.change.modified_by = req.user.username
    server.change.modified_date = req.world.now()


def integer(value, name: str, low: int, high: int) -> int:
    """An integer in range; numeric strings are accepted (the documented examples send them)."""
    if isinstance(value, bool):
        raise errors.bad_request(f"{name} must be a whole number.")
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
        if not isinstance(value, str) and number != value:
            raise ValueError
    except (TypeError, ValueError):
        raise errors.bad_request(f"{name} must be a whole number.")
    if not low <= number <= high:
        raise errors.bad_request(f"{name} must be between {low} and {high}.")
    return number


def text(value, name: str, *, required=False, max_len=256) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise errors.bad_request(f"{name} is required." if required else f"{name} must be a string.")
    if len(value) > max_len:
        raise errors.bad_request(f"{name} must be at most {max_len} characters.")
    return value


def queued(req, server: Server, kind: str, params=None, extra_ids=()):
    """Queue an operation on an idle server and answer 202 with the bare status link."""
    refuse_if_busy(req, server)
    op = req.world.queue(server.alias, server.location, kind, [server.id, *extra_ids], params)
    return 202, status_link(server.alias, op.id)


def target_group(req, group_id, name: str, location: str | None = None):
    """A group of the caller's account where servers may live (not an archive group)."""
    if not isinstance(group_id, str) or not group_id.strip():
        raise errors.bad_request(f"{name} is required.")
    group = req.world.groups.get(group_id.strip().lower())
    if group is None or group.alias.upper() != req.user.alias.upper():
        raise errors.bad_request(f"The group '{group_id}' does not exist.")
    if group.type == "archive" or group.status != "active":
        raise errors.bad_request(f"Servers cannot be placed in the group '{group.name}'.")
    if location is not None and group.location.upper() != location.upper():
        raise errors.bad_request(
            f"The group '{group.name}' is in {group.location}; the server is in {location}."
        )
    return group


def custom_field_values(req, value) -> list[dict]:
    """``[{id, value}]`` checked against the account's definitions -> stored entries (the same rules
    as a group's: ``custom_fields.resolve_custom_fields``)."""
    return resolve_custom_fields(req, req.world.account(req.user.alias), value)


def new_disk(req, item: dict, linux: bool, used_paths: set[str]) -> tuple[int, list[str]]:
    """Validate a disk to add (``{path?, sizeGB, type}``) -> (size, partition paths)."""
    size = integer(req.field(item, "sizeGB"), "sizeGB", 1, MAX_DISK_GB)
    kind = req.field(item, "type", "raw")
    if not isinstance(kind, str) or kind.lower() not in ("raw", "partitioned"):
        raise errors.bad_request("A disk's type must be 'raw' or 'partitioned'.")
    if kind.lower() == "raw":
        return size, []
    path = req.field(item, "path")
    if not isinstance(path, str) or not path.strip():
        raise errors.bad_request("A partitioned disk needs a path.")
    path = path.strip()
    bare = path.strip("/\\").rstrip(":").lower()
    reserved = LINUX_RESERVED if linux else WINDOWS_RESERVED
    if not bare or bare in reserved:
        raise errors.bad_request(f"The path '{path}' is reserved.")
    if linux:
        path = "/" + path.strip("/")
    else:
        if len(bare) != 1 or not bare.isalpha():
            raise errors.bad_request(f"The path '{path}' must be a drive letter.")
        path = bare.upper() + ":\\"
    if path.lower() in used_paths:
        raise errors.bad_request(f"The path '{path}' is already in use.")
    used_paths.add(path.lower())
    return size, [path]


# --- GET -----------------------------------------------------------------------------------


@route("GET", "/v2/servers/{alias}/{server_id}")
def get_server(req, alias, server_id):
    require(req, "view")
    return server_json(req.world, find_server(req, alias, server_id), req.user.roles)


@route("GET", "/v2/servers/{alias}/{server_id}/credentials")
def get_credentials(req, alias, server_id):
    server = server_for(req, alias, server_id, "credentials")
    refuse_if_building(server)
    return {"userName": "root" if is_linux(server) else "Administrator", "password": server.password}


# --- delete --------------------------------------------------------------------------------


@route("DELETE", "/v2/servers/{alias}/{server_id}")
def delete_server(req, alias, server_id):
    server = server_for(req, alias, server_id, "manage_servers")
    refuse_if_building(server)
    refuse_if_busy(req, server)
    op = req.world.queue(alias, server.location, "deleteServer", [server.id])
    return 202, {"server": server.id.lower(), "isQueued": True, "links": [status_link(alias, op.id)]}


@effect("deleteServer")
def _deleted(world, op):
    from ..factory import remove_server

    server = world.op_server(op)
    if server is not None:
        remove_server(world, server)


# --- PATCH ---------------------------------------------------------------------------------

QUEUED_MEMBERS = ("cpu", "memory", "disks")
IMMEDIATE_MEMBERS = ("description", "groupId", "customFields")
ARCHIVED_MEMBERS = ("description", "customFields")


@route("PATCH", "/v2/servers/{alias}/{server_id}")
def patch_server(req, alias, server_id):
    server = find_server(req, alias, server_id)
    from .server_extras import is_password_patch, set_password  # it imports this module

    if is_password_patch(req):  # its own role (credentials) and its own queued operation
        return set_password(req, server)
    require(req, "modify_servers")
    changes = _patch_operations(req)
    if server.status == "archived":
        refuse_if_deleting(req, server)
        blocked = [m for m in changes if m not in ARCHIVED_MEMBERS]
        if blocked:
            raise errors.bad_request(
                f"The server {server.id} is archived: only description and customFields can change."
            )
    else:
        refuse_unless_active(req, server, "change it")
    queued_changes = {
        m: _validate_queued(req, server, m, v) for m, v in changes.items() if m in QUEUED_MEMBERS
    }
    immediate = {
        m: _validate_immediate(req, server, m, v) for m, v in changes.items() if m in IMMEDIATE_MEMBERS
    }
    if queued_changes:
        if server.type == "bareMetal":
            raise errors.bad_request(
                "A bare metal server's CPU, memory and disks are those of its configuration."
            )
        refuse_if_busy(req, server)
    _apply_immediate(req, server, immediate)
    if not queued_changes:
        return 204, None
    params = {"user": req.user.username}
    params.update(queued_changes)
    return queued(req, server, "updateServer", params)


def _patch_operations(req) -> dict:
    """``[{op: set, member, value}]`` -> {member: value} (canonical member names)."""
    body = req.body
    if not isinstance(body, list) or not body:
        raise errors.bad_request("The request must be a non-empty list of {op, member, value} operations.")
    canonical = {m.lower(): m for m in QUEUED_MEMBERS + IMMEDIATE_MEMBERS}
    changes = {}
    for item in body:
        if not isinstance(item, dict):
            raise errors.bad_request("Each operation must be an object {op, member, value}.")
        op = req.field(item, "op")
        if not isinstance(op, str) or op.lower() != "set":
            raise errors.bad_request(f"The operation '{op}' is not supported: use 'set'.")
        member = req.field(item, "member")
        name = canonical.get(member.lower()) if isinstance(member, str) else None
        if name is None:
            raise errors.bad_request(f"The member '{member}' cannot be set.")
        changes[name] = req.field(item, "value")
    return changes


def _validate_queued(req, server, member, value):
    if member == "cpu":
        return integer(value, "cpu", 1, 16)
    if member == "memory":
        return integer(value, "memory", 1, 128)
    return _validate_disks(req, server, value)


def _validate_disks(req, server, value) -> list[dict]:
    """The complete new disk list: existing disks by diskId (grow only), new ones by size/path."""
    if not isinstance(value, list) or not all(isinstance(d, dict) for d in value):
        raise errors.bad_request("disks must be the complete list of disks.")
    existing = {d.id: d for d in server.disks}
    linux = is_linux(server)
    system = [d.id for d in server.disks[: 3 if linux else 2] if not d.partition_paths]
    kept, added, used = {}, [], set()
    for item in value:
        disk_id = req.field(item, "diskId")
        if disk_id is None:
            added.append(item)
            continue
        disk = existing.get(str(disk_id))
        if disk is None:
            raise errors.bad_request(f"The disk '{disk_id}' does not exist on {server.id}.")
        size = integer(req.field(item, "sizeGB"), "sizeGB", 1, MAX_DISK_GB)
        if size < disk.size_gb:
            raise errors.bad_request(f"The disk {disk.id} cannot shrink below {disk.size_gb} GB.")
        kept[disk.id] = size
        used.update(p.lower() for p in disk.partition_paths)
    missing = [d for d in system if d not in kept]
    if missing:
        raise errors.bad_request(f"The system disk {missing[0]} cannot be removed.")
    out = [{"diskId": d, "sizeGB": s} for d, s in kept.items()]
    for item in added:
        size, paths = new_disk(req, item, linux, used)
        out.append({"sizeGB": size, "paths": paths})
    return out


def _validate_immediate(req, server, member, value):
    if member == "description":
        return text(value, "description")
    if member == "groupId":
        return target_group(req, value, "groupId", server.location)
    return custom_field_values(req, value)


def _apply_immediate(req, server, changes: dict) -> None:
    if not changes:
        return
    if "description" in changes:
        server.description = changes["description"]
    if "customFields" in changes:
        server.custom_fields = changes["customFields"]
    if "groupId" in changes:
        move_server(req.world, server, changes["groupId"])
    touch(req, server)
    server_updated(req.world, server)


@effect("updateServer")
def _updated(world, op):
    server = world.op_server(op)
    if server is None:
        return
    params = op.params
    if "cpu" in params:
        server.cpu = params["cpu"]
    if "memory" in params:
        server.memory_mb = params["memory"] * 1024
    if "disks" in params:
        _apply_disks(server, params["disks"])
    server.change.modified_by = params.get("user", server.change.modified_by)
    server.change.modified_date = op.ends_at
    server_updated(world, server)


def _apply_disks(server: Server, wanted: list[dict]) -> None:
    by_id = {d.id: d for d in server.disks}
    disks = []
    for item in wanted:
        if "diskId" in item and item["diskId"] in by_id:
            disk = by_id[item["diskId"]]
            disks.append(Disk(disk.id, item["sizeGB"], list(disk.partition_paths)))
    taken = {d.id for d in disks}
    index = 0
    for item in wanted:
        if "diskId" in item:
            continue
        while f"0:{index}" in taken:
            index += 1
        taken.add(f"0:{index}")
        disks.append(Disk(f"0:{index}", item["sizeGB"], list(item["paths"])))
    server.disks = disks


# --- restore from the archive --------------------------------------------------------------


@route("POST", "/v2/servers/{alias}/{server_id}/restore")
def restore_server(req, alias, server_id):
    server = server_for(req, alias, server_id, "manage_servers")
    if server.status != "archived":
        raise errors.bad_request(f"The server {server.id} is not archived.")
    refuse_if_busy(req, server)
    body = req.json_object()
    group = target_group(req, req.field(body, "targetGroupId"), "targetGroupId", server.location)
    return queued(req, server, "restoreServer", {"groupId": group.id, "user": req.user.username})


@effect("restoreServer")
def _restored(world, op):
    server = world.op_server(op)
    group = world.groups.get(op.params["groupId"])
    if server is None or server.status != "archived":
        return
    if group is None or group.status != "active":  # the target went away meanwhile
        group = world.groups.get(server.group_id)
    set_archived(server, False)
    if group is not None:
        move_server(world, server, group)
    server.change.modified_by = op.params.get("user", server.change.modified_by)
    server.change.modified_date = op.ends_at
    server_updated(world, server)
