"""Server operations: POST /v2/operations/{alias}/servers/{action}.

Power (powerOn, powerOff, shutDown, reboot, reset, pause), maintenance (startMaintenance,
stopMaintenance, setMaintenance), archive and createSnapshot. Each answers 200 with one entry per
server: ``{server, isQueued: true, links: [status]}`` when an operation was queued,
``{server, isQueued: false, errorMessage}`` when it could not be, and ``{server, isQueued: false}``
when the server is already in the requested state.

Rules the documentation leaves open (the simulator's choices):
- Only an ``active`` server that is not a template can be acted on; unknown, other-account,
  archived, under-construction and queued-for-delete servers get the documented errorMessage.
- One operation at a time per server: a server with an operation still running (of any kind,
  from any endpoint) is refused with the documented errorMessage.
- powerOn: stopped or paused -> started. powerOff: started or paused -> stopped. shutDown: started ->
  stopped. pause: started -> paused. reboot, reset: started only (stay started).
  start/stop/setMaintenance: any power state. archive: any power state.
- The server keeps its old state while the operation runs; the effect applies when it completes,
  and a failed operation leaves the server unchanged.
- Archive: status ``archived``, power ``stopped``, maintenance off, and the server moves to its
  data center's ``Archive`` group (restore moves it to a target group).
- createSnapshot: one snapshot per server; a second is refused with its own errorMessage. The
  snapshot is named after its completion time (UTC), like ``2014-05-16.23:45:52``.
- The same id twice in one request is acted on once (one entry in the answer).
- One queued operation (and status id) per server, in the server's data center.
"""

from datetime import UTC, datetime

from .. import errors
from ..factory import move_server, set_archived
from ..fields import INVALID, boolean, whole_number
from ..links import status_link
from ..models import Server, Snapshot
from ..roles import require
from ..router import route
from ..state import effect
from ..webhook_events import server_updated

NOT_QUEUED = (
    "The operation cannot be queued because the server cannot be found or it is not in a valid state."
)
SNAPSHOT_EXISTS = (
    "The operation cannot be queued because the server already has a snapshot. "
    "Delete the existing snapshot first."
)
MAX_SNAPSHOT_DAYS = 10

# action -> (power states it may start from, power state it leads to; None: no change)
POWER_ACTIONS = {
    "powerOn": ({"stopped", "paused"}, "started"),
    "powerOff": ({"started", "paused"}, "stopped"),
    "shutDown": ({"started"}, "stopped"),
    "pause": ({"started"}, "paused"),
    "reboot": ({"started"}, None),
    "reset": ({"started"}, None),
}


class _AlreadyDone(Exception):
    """The server is already in the requested state: isQueued false, no errorMessage."""


class _Refused(Exception):
    def __init__(self, message: str = NOT_QUEUED):
        super().__init__(message)
        self.message = message


# --- request parsing --------------------------------------------------------------------------
def _server_ids(req) -> list[str]:
    """The ids from a JSON array (documented) or ``{"serverIds": [...]}`` (liberal clients)."""
    body = req.body
    if isinstance(body, dict):
        ids = req.field(body, "serverIds")
        if ids is None:
            ids = req.field(body, "servers")
        body = ids
    return _id_list(body)


def _id_list(value) -> list[str]:
    if isinstance(value, str) and value.strip():
        value = [value]  # a form field with a single id
    if not isinstance(value, list) or not value:
        raise errors.bad_request("The request is invalid: a non-empty list of server ids is required.")
    out, seen = [], set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise errors.bad_request("The request is invalid: every server id must be a non-empty string.")
        key = item.strip().lower()
        if key not in seen:
            seen.add(key)
            out.append(item.strip())
    return out


# --- the shared machinery ---------------------------------------------------------------------
def _actionable(world, alias: str, server_id: str) -> Server:
    """The server, if an operation may be queued on it at all (else ``_Refused``)."""
    server = world.servers.get(server_id.lower())
    if server is None or server.alias.upper() != alias.upper():
        raise _Refused()
    if server.status != "active" or server.is_template:
        raise _Refused()
    if world.pending_kinds_for(server.id):
        raise _Refused()
    return server


def _run(req, alias: str, kind: str, server_ids: list[str], check, params_for=None) -> list[dict]:
    """Queue ``kind`` on each server that passes ``check(server)`` and describe the outcome."""
    world = req.world
    answer = []
    for server_id in server_ids:
        entry = {"server": server_id.lower()}
        try:
            server = _actionable(world, alias, server_id)
            check(server)
        except _AlreadyDone:
            entry["isQueued"] = False
        except _Refused as refused:
            entry["isQueued"] = False
            entry["errorMessage"] = refused.message
        else:
            params = params_for(server) if params_for else {}
            op = world.queue(alias, server.location, kind, [server.id], params)
            entry["isQueued"] = True
            entry["links"] = [status_link(alias, op.id)]
        answer.append(entry)
    return answer


# --- power ------------------------------------------------------------------------------------
def _power_check(action: str):
    valid_from, target = POWER_ACTIONS[action]

    def check(server: Server) -> None:
        if target is not None and server.power_state == target:
            raise _AlreadyDone()
        if server.power_state not in valid_from:
            raise _Refused()

    return check


def _power_route(action: str):
    def handler(req, alias):
        require(req, "power")
        return _run(req, alias, action, _server_ids(req), _power_check(action))

    handler.__name__ = f"operation_{action}"
    route("POST", f"/v2/operations/{{alias}}/servers/{action}")(handler)

    target = POWER_ACTIONS[action][1]
    if target is not None:

        @effect(action)
        def apply(world, op):
            server = world.op_server(op)
            if server is not None:
                server.power_state = target
                server_updated(world, server)

    return handler


for _action in POWER_ACTIONS:
    _power_route(_action)


# --- maintenance ------------------------------------------------------------------------------
def _maintenance_check(wanted: bool):
    def check(server: Server) -> None:
        if server.in_maintenance == wanted:
            raise _AlreadyDone()

    return check


@route("POST", "/v2/operations/{alias}/servers/startMaintenance")
def start_maintenance(req, alias):
    require(req, "power")
    return _run(req, alias, "startMaintenance", _server_ids(req), _maintenance_check(True))


@route("POST", "/v2/operations/{alias}/servers/stopMaintenance")
def stop_maintenance(req, alias):
    require(req, "power")
    return _run(req, alias, "stopMaintenance", _server_ids(req), _maintenance_check(False))


def _maintenance_pairs(req) -> list[tuple[str, bool]]:
    """``{"servers": [{"id", "inMaintenanceMode"}]}`` (or the bare list) -> [(id, wanted)]."""
    body = req.body
    if isinstance(body, dict):
        body = req.field(body, "servers")
    if not isinstance(body, list) or not body:
        raise errors.bad_request(
            "The request is invalid: servers must be a non-empty list of {id, inMaintenanceMode}."
        )
    pairs, seen = [], set()
    for item in body:
        if not isinstance(item, dict):
            raise errors.bad_request(
                "The request is invalid: each server must be an object with id and inMaintenanceMode."
            )
        server_id = req.field(item, "id")
        if not isinstance(server_id, str) or not server_id.strip():
            raise errors.bad_request("The request is invalid: every server needs an id.")
        wanted = boolean(req.field(item, "inMaintenanceMode"), "inMaintenanceMode")
        if server_id.strip().lower() not in seen:
            seen.add(server_id.strip().lower())
            pairs.append((server_id.strip(), wanted))
    return pairs


@route("POST", "/v2/operations/{alias}/servers/setMaintenance")
def set_maintenance(req, alias):
    require(req, "power")
    answer = []
    for server_id, wanted in _maintenance_pairs(req):
        answer.extend(
            _run(
                req,
                alias,
                "setMaintenance",
                [server_id],
                _maintenance_check(wanted),
                lambda _server, wanted=wanted: {"inMaintenanceMode": wanted},
            )
        )
    return answer


def _maintenance_effect(kind: str, wanted) -> None:
    """Completing ``kind`` puts the server in maintenance mode or out of it (``wanted(op)``)."""

    def apply(world, op):
        server = world.op_server(op)
        if server is not None:
            server.in_maintenance = wanted(op)
            server_updated(world, server)

    effect(kind)(apply)


_maintenance_effect("startMaintenance", lambda op: True)
_maintenance_effect("stopMaintenance", lambda op: False)
_maintenance_effect("setMaintenance", lambda op: bool(op.params.get("inMaintenanceMode")))


# --- archive ----------------------------------------------------------------------------------
@route("POST", "/v2/operations/{alias}/servers/archive")
def archive(req, alias):
    require(req, "manage_servers")
    return _run(req, alias, "archive", _server_ids(req), lambda server: None)


def archive_server(world, server: Server) -> None:
    """Archive a server now: archived, stopped, out of maintenance, into the Archive group."""
    set_archived(server, True)
    target = world.archive_group(server.alias, server.location)
    if target is not None and target.id != server.group_id:
        move_server(world, server, target)
    server_updated(world, server)


@effect("archive")
def _archive(world, op):
    server = world.op_server(op)
    if server is not None and server.status == "active":
        archive_server(world, server)


# --- snapshots --------------------------------------------------------------------------------
def _expiration_days(req, body: dict) -> int:
    return whole_number(
        req.field(body, "snapshotExpirationDays"),
        1,
        MAX_SNAPSHOT_DAYS,
        f"{INVALID}snapshotExpirationDays must be a number between 1 and {MAX_SNAPSHOT_DAYS}.",
    )


BARE_METAL_SNAPSHOT = "The operation cannot be queued because bare metal servers have no snapshots."


def _snapshot_check(server: Server) -> None:
    if server.type == "bareMetal":
        raise _Refused(BARE_METAL_SNAPSHOT)
    if server.snapshots:
        raise _Refused(SNAPSHOT_EXISTS)


@route("POST", "/v2/operations/{alias}/servers/createSnapshot")
def create_snapshot(req, alias):
    require(req, "snapshots")
    body = req.body
    if not isinstance(body, dict):
        raise errors.bad_request(
            "The request is invalid: an object with snapshotExpirationDays and serverIds is expected."
        )
    server_ids = _id_list(req.field(body, "serverIds"))
    days = _expiration_days(req, body)
    return _run(
        req,
        alias,
        "createSnapshot",
        server_ids,
        _snapshot_check,
        lambda _server: {"snapshotExpirationDays": days},
    )


@effect("createSnapshot")
def _create_snapshot(world, op):
    server = world.op_server(op)
    if server is None or server.snapshots:
        return
    world._seq += 1
    when = datetime.fromtimestamp(op.ends_at, tz=UTC).strftime("%Y-%m-%d.%H:%M:%S")
    server.snapshots.append(Snapshot(str(1000 + world._seq), when))
