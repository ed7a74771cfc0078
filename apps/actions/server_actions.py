"""The server actions, one declaration each: a server (``/servers/<id>/actions/<name>/``) and
servers in bulk (``/servers/bulk/actions/<name>/``: one upstream call for all of them).

State rules come first (an archived server, a server being built, a snapshot already taken), then
roles (``roles.py``, from ROLES.md), then the link and verb the cloud returned for the server.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from apps.accounts.services import client_for_request
from apps.clc import operations as clc_operations
from apps.clc import servers as clc_servers
from apps.inventory import selectors

from . import forms_server as f
from .declare import asks, at_once, declare, server_call, unmodifiable, unreadable
from .registry import ALLOWED, Target, refuse_role, register_target
from .roles import CREDENTIALS, OPERATE

MAX_BULK = settings.ACTIONS_MAX_BULK  # the bulk pages' form limit follows it (settings)


# --- targets ------------------------------------------------------------------------------------
def _load_server(request, server_id: str):
    return selectors.server_detail(request.user, server_id, client=client_for_request(request))


def _server_crumbs(detail) -> list:
    out = []
    if detail.datacenter:
        out.append((detail.datacenter.id, reverse("datacenter", args=[detail.datacenter.id.lower()])))
    if detail.group:
        out.append((detail.group.name or detail.group.id, reverse("group", args=[detail.group.id.lower()])))
    return out


SERVER = register_target(
    Target(
        name="server",
        route="servers/<str:server_id>/",
        load=_load_server,
        ident=lambda d: d.server.id.upper(),
        title=lambda d: d.server.name or d.server.id,
        url=lambda d: reverse("server", args=[d.server.id.lower()]),
        kwargs=lambda d: {"server_id": d.server.id.lower()},
        crumbs=_server_crumbs,
    )
)


@dataclass(frozen=True)
class Selection:
    """Servers picked on a page (``ids``), each checked readable by the person's account."""

    ids: tuple[str, ...]

    def allows(self, rel, verb) -> bool:  # per-server links are the cloud's to check, one by one
        return True


def _load_selection(request, **_):
    if request.method != "POST":
        source = request.GET
    else:  # a page's form, or the API's body (DRF: ``data``, JSON or a form)
        source = getattr(request, "data", None)
        source = request.POST if source is None else source
    if hasattr(source, "getlist"):
        raw = source.getlist("ids")
    elif isinstance(source, dict):
        raw = source.get("ids") or []
    else:  # a JSON body that is not an object
        raise ValueError('Send an object: {"ids": ["WA1DEMOWEB01", ...]}.')
    if not isinstance(raw, list | tuple | str):
        raise ValueError("ids must be a list of server ids.")
    ids = selectors.checked_server_ids(raw, limit=MAX_BULK)
    selectors.require_visible_servers(client_for_request(request), ids)
    return Selection(tuple(ids))


SERVERS = register_target(
    Target(
        name="servers",
        route="servers/bulk/",
        load=_load_selection,
        ident=lambda sel: ",".join(sel.ids),
        title=lambda sel: f"{len(sel.ids)} server{'s' if len(sel.ids) != 1 else ''}",
        url=lambda sel: reverse("dashboard"),
        audit_type="server",
        many=True,
    )
)


# --- state rules -----------------------------------------------------------------------------------
POWER_STATES = {
    # operation: (power states it starts from, what the person reads otherwise)
    "powerOn": ({"stopped", "paused"}, "it is already on"),
    "powerOff": ({"started"}, "it is not running"),
    "shutDown": ({"started"}, "it is not running"),
    "reboot": ({"started"}, "it is not running"),
    "reset": ({"started"}, "it is not running"),
    "pause": ({"started"}, "it is not running"),
}


def _power_state(operation):
    def rule(detail):
        reason = unmodifiable(detail)
        if reason:
            return reason
        s = detail.server
        if operation == "startMaintenance" and s.in_maintenance_mode:
            return "it is already in maintenance"
        if operation == "stopMaintenance" and not s.in_maintenance_mode:
            return "it is not in maintenance"
        starts, otherwise = POWER_STATES.get(operation, (None, ""))
        if starts is not None and s.power_state not in starts:
            return otherwise
        return None

    return rule


def _snapshot_state(detail) -> str | None:
    return unmodifiable(detail) or (
        "it already has a snapshot (one per server): delete it first" if detail.snapshots else None
    )


def _has_snapshot(detail) -> str | None:
    return None if f.snapshot_choices(detail) else "it has no snapshot"


def _snapshot_link(kind):
    """The snapshot's own link (``delete`` / ``restore``): the cloud shows it to the roles that may."""

    def check(user, detail):
        if any(s[kind] for s in f.snapshot_choices(detail)):
            return ALLOWED
        return refuse_role(OPERATE)

    return check


# --- power (one server, and in bulk) ----------------------------------------------------------
POWER = (
    # name, label, destructive, question
    ("powerOn", "Power on", False, ""),
    ("shutDown", "Shut down", True, "Shut down {name}? The guest OS is asked to stop."),
    ("reboot", "Reboot", False, ""),
    ("pause", "Pause", False, ""),
    ("powerOff", "Power off", True, "Power off {name}? Like pulling the plug: unsaved work is lost."),
    ("reset", "Reset", True, "Reset {name}? A hard restart: unsaved work is lost."),
    ("startMaintenance", "Start maintenance", False, ""),
    ("stopMaintenance", "End maintenance", False, ""),
)


MAINTENANCE = {"startMaintenance": True, "stopMaintenance": False}


def server_operation(client, operation: str, ids):
    """One upstream call for ``ids``: maintenance on/off through the documented ``setMaintenance``
    (Power Operations), the power operations and archive through their own endpoints."""
    if operation in MAINTENANCE:
        return clc_servers.set_maintenance(client, {i: MAINTENANCE[operation] for i in ids})
    return clc_operations.server_operation(client, operation, ids)


def _power_call(operation):
    def call(run):
        ids = list(run.resource.ids) if isinstance(run.resource, Selection) else [run.resource.server.id]
        return server_operation(run.client, operation, ids)

    return call


server = declare("server", roles=OPERATE, link=("self", "PATCH"), state=unmodifiable)
servers = declare("servers", roles=OPERATE, resource_ids=lambda run: list(run.resource.ids))

for _order, (_name, _label, _danger, _question) in enumerate(POWER):
    server(
        _name,
        _label,
        _power_call(_name),
        state=_power_state(_name),
        confirm=_danger,
        danger=_danger,
        question=_question or f"{_label} {{name}}?",
        order=_order,
        description=f"{_label} the server (a queued operation).",
    )
    servers(
        _name,
        _label,
        _power_call(_name),
        danger=_danger,
        question=f"{_label} {{name}}?",
        order=_order,
        example={"ids": ["WA1DEMOWEB01", "WA1DEMOWEB02"]},
        description=f"{_label} several servers with one upstream call (one activity per server).",
    )

servers(
    "archive",
    "Archive",
    _power_call("archive"),
    danger=True,
    order=80,
    example={"ids": ["WA1DEMOWEB01"]},
    question="Archive {name}? They are stopped and kept in the archive group.",
    description="Archive several servers with one upstream call.",
)
server(
    "archive",
    "Archive",
    _power_call("archive"),
    link=("self", "DELETE"),
    order=80,
    **asks("Archive {name}? It is stopped and kept in the archive group; restore it later."),
)


# --- snapshots ---------------------------------------------------------------------------------
server(
    "createSnapshot",
    "Create snapshot",
    lambda run: clc_operations.create_snapshot(
        run.client, [run.resource.server.id], run.data["expiration_days"]
    ),
    form=f.CreateSnapshotForm,
    state=_snapshot_state,
    order=20,
    example={"expiration_days": 7},
)
for _name, _label, _call, _kind, _question, _button in (
    (
        "deleteSnapshot",
        "Delete snapshot",
        clc_servers.delete_snapshot,
        "delete",
        "Delete the snapshot {target} of {name}?",
        "Delete snapshot",
    ),
    (
        "revertSnapshot",
        "Revert to snapshot",
        clc_servers.revert_snapshot,
        "revert",
        "Revert {name} to the snapshot {target}? Changes on its disks since then are lost.",
        "Revert",
    ),
):
    server(
        _name,
        _label,
        server_call(_call, "snapshot"),
        form=f.SnapshotTargetForm,
        link=None,
        state=_has_snapshot,
        check=_snapshot_link(_kind),
        **asks(_question),
        button=_button,
        placement="item",
        example={"snapshot": "10"},
    )

# --- settings ------------------------------------------------------------------------------------
server(
    "setCpuMemory",
    "Change CPU / memory",
    server_call(clc_servers.set_cpu_memory, "cpu", "memory"),
    form=f.CpuMemoryForm,
    button="Apply",
    order=30,
    example={"cpu": 4, "memory": 8},
)
server(
    "disk",
    "Add or grow a disk",
    server_call(clc_servers.set_disks, "disks"),
    form=f.DiskForm,
    button="Apply",
    order=31,
    example={"disk": "new", "size_gb": 20, "path": "/data"},
)
server(
    "description",
    "Change description",
    server_call(clc_servers.set_description, "description"),
    form=f.DescriptionForm,
    state=unreadable,
    **at_once("Description saved.", "Save"),
    order=33,
    example={"description": "Web server, blue pool"},
)
server(
    "move",
    "Move to group",
    server_call(clc_servers.move_server, "group"),
    form=f.MoveForm,
    **at_once("Server moved.", "Move"),
    order=34,
    example={"group": "<group id>"},
)

# --- lifecycle --------------------------------------------------------------------------------------
server(
    "restore",
    "Restore",
    server_call(clc_servers.restore_server, "group"),
    form=f.RestoreForm,
    link=("restore", "POST"),
    state=lambda d: None if d.server.status == "archived" else "it is not archived",
    order=85,
    example={"group": "<group id>"},
)
server(
    "delete",
    "Delete",
    server_call(clc_servers.delete_server),
    link=("self", "DELETE"),
    state=unreadable,
    **asks("Delete {name}? The server and its disks are gone for good."),
    order=90,
)

__all__ = ["CREDENTIALS", "MAX_BULK", "SERVER", "SERVERS", "Selection", "server", "unmodifiable"]
