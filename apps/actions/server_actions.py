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
from .registry import ALLOWED, Action, Target, refuse_role, register, register_target
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
def _unmodifiable(detail) -> str | None:
    s = detail.server
    if s.error:
        return "its details could not be read"
    if s.status == "archived":
        return "it is archived"
    if s.status != "active":
        return f"it is {s.status or 'not active'}"
    return None


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
        reason = _unmodifiable(detail)
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
    return _unmodifiable(detail) or (
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


for _order, (_name, _label, _danger, _question) in enumerate(POWER):
    register(
        Action(
            name=_name,
            target="server",
            label=_label,
            call=_power_call(_name),
            roles=OPERATE,
            link=("self", "PATCH"),
            state=_power_state(_name),
            confirm=_danger,
            danger=_danger,
            question=_question or f"{_label} {{name}}?",
            order=_order,
            description=f"{_label} the server (a queued operation).",
        )
    )
    register(
        Action(
            name=_name,
            target="servers",
            label=_label,
            call=_power_call(_name),
            roles=OPERATE,
            danger=_danger,
            question=f"{_label} {{name}}?",
            resource_ids=lambda run: list(run.resource.ids),
            order=_order,
            example={"ids": ["WA1DEMOWEB01", "WA1DEMOWEB02"]},
            description=f"{_label} several servers with one upstream call (one activity per server).",
        )
    )

register(
    Action(
        name="archive",
        target="servers",
        label="Archive",
        call=_power_call("archive"),
        roles=OPERATE,
        danger=True,
        question="Archive {name}? They are stopped and kept in the archive group.",
        resource_ids=lambda run: list(run.resource.ids),
        order=80,
        example={"ids": ["WA1DEMOWEB01"]},
        description="Archive several servers with one upstream call.",
    )
)
register(
    Action(
        name="archive",
        target="server",
        label="Archive",
        call=_power_call("archive"),
        roles=OPERATE,
        link=("self", "DELETE"),
        state=_unmodifiable,
        confirm=True,
        danger=True,
        question="Archive {name}? It is stopped and kept in the archive group; restore it later.",
        order=80,
    )
)

# --- snapshots ---------------------------------------------------------------------------------
register(
    Action(
        name="createSnapshot",
        target="server",
        label="Create snapshot",
        form=f.CreateSnapshotForm,
        call=lambda run: clc_operations.create_snapshot(
            run.client, [run.resource.server.id], run.data["expiration_days"]
        ),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=_snapshot_state,
        order=20,
        example={"expiration_days": 7},
    )
)
register(
    Action(
        name="deleteSnapshot",
        target="server",
        label="Delete snapshot",
        form=f.SnapshotTargetForm,
        call=lambda run: clc_servers.delete_snapshot(
            run.client, run.resource.server.id, run.data["snapshot"]
        ),
        roles=OPERATE,
        state=_has_snapshot,
        check=_snapshot_link("delete"),
        confirm=True,
        danger=True,
        question="Delete the snapshot {target} of {name}?",
        button="Delete snapshot",
        placement="item",
        example={"snapshot": "10"},
    )
)
register(
    Action(
        name="revertSnapshot",
        target="server",
        label="Revert to snapshot",
        form=f.SnapshotTargetForm,
        call=lambda run: clc_servers.revert_snapshot(
            run.client, run.resource.server.id, run.data["snapshot"]
        ),
        roles=OPERATE,
        state=_has_snapshot,
        check=_snapshot_link("revert"),
        confirm=True,
        danger=True,
        question="Revert {name} to the snapshot {target}? Changes on its disks since then are lost.",
        button="Revert",
        placement="item",
        example={"snapshot": "10"},
    )
)

# --- settings ------------------------------------------------------------------------------------
register(
    Action(
        name="setCpuMemory",
        target="server",
        label="Change CPU / memory",
        form=f.CpuMemoryForm,
        call=lambda run: clc_servers.set_cpu_memory(
            run.client, run.resource.server.id, run.data["cpu"], run.data["memory"]
        ),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=_unmodifiable,
        button="Apply",
        order=30,
        example={"cpu": 4, "memory": 8},
    )
)
register(
    Action(
        name="disk",
        target="server",
        label="Add or grow a disk",
        form=f.DiskForm,
        call=lambda run: clc_servers.set_disks(run.client, run.resource.server.id, run.data["disks"]),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=_unmodifiable,
        button="Apply",
        order=31,
        example={"disk": "new", "size_gb": 20, "path": "/data"},
    )
)
register(
    Action(
        name="description",
        target="server",
        label="Change description",
        form=f.DescriptionForm,
        call=lambda run: clc_servers.set_description(
            run.client, run.resource.server.id, run.data["description"]
        ),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=lambda d: "its details could not be read" if d.server.error else None,
        button="Save",
        done="Description saved.",
        queues=False,
        order=33,
        example={"description": "Web server, blue pool"},
    )
)
register(
    Action(
        name="move",
        target="server",
        label="Move to group",
        form=f.MoveForm,
        call=lambda run: clc_servers.move_server(run.client, run.resource.server.id, run.data["group"]),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=_unmodifiable,
        button="Move",
        done="Server moved.",
        queues=False,
        order=34,
        example={"group": "<group id>"},
    )
)

# --- lifecycle --------------------------------------------------------------------------------------
register(
    Action(
        name="restore",
        target="server",
        label="Restore",
        form=f.RestoreForm,
        call=lambda run: clc_servers.restore_server(run.client, run.resource.server.id, run.data["group"]),
        roles=OPERATE,
        link=("restore", "POST"),
        state=lambda d: None if d.server.status == "archived" else "it is not archived",
        order=85,
        example={"group": "<group id>"},
    )
)
register(
    Action(
        name="delete",
        target="server",
        label="Delete",
        call=lambda run: clc_servers.delete_server(run.client, run.resource.server.id),
        roles=OPERATE,
        link=("self", "DELETE"),
        state=lambda d: "its details could not be read" if d.server.error else None,
        confirm=True,
        danger=True,
        question="Delete {name}? The server and its disks are gone for good.",
        order=90,
    )
)

__all__ = ["CREDENTIALS", "MAX_BULK", "SERVER", "SERVERS", "Selection"]
