"""Control calls for monitoring and policies (outside /v2/, no authentication; see control.py).

POST /control/load        {"serverId", "cpu"?, "memory"?, "disk"?, "minutes": 30}: make a server busy.
                          From the current 5-minute bucket for ``minutes``, its series reads these
                          percentages (at least one of cpu/memory/disk, 0-100) instead of its
                          quiet values: statistics show them, alert policies and vertical autoscale
                          react to them. A later load on the same server wins while both last.
GET  /control/alerts      fired alert notifications, oldest first (``?since=<seq>``, ``?serverId=``):
                          {seq, at, accountAlias, serverId, policyId, policyName, metric, threshold,
                          duration, state (triggered|notTriggered), value, recipients, payload}
GET  /control/operations  queued operations, oldest first (``?kind=autoscaleCpu``, ``?resource=<id>``):
                          {id, kind, resources, params, status, started, completes}
"""

from .. import errors
from ..monitoring.model import LoadOverride
from ..monitoring.series import BUCKET, RETENTION
from ..monitoring.watch import ensure_tick
from ..router import route
from ..state import iso

MAX_LOAD_MINUTES = 14 * 24 * 60


def _percent(value, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise errors.bad_request(f"{name} must be a percentage from 0 to 100.")
    return float(value)


@route("POST", "/control/load", auth=False)
def set_load(req):
    body = req.json_object()
    world = req.world
    server_id = body.get("serverId")
    server = world.servers.get(server_id.strip().lower()) if isinstance(server_id, str) else None
    if server is None:
        raise errors.bad_request(f"The server '{server_id}' does not exist.")
    values = {name: _percent(body.get(name), name) for name in ("cpu", "memory", "disk")}
    if all(v is None for v in values.values()):
        raise errors.bad_request("Give at least one of cpu, memory or disk (percentages).")
    minutes = body.get("minutes", 30)
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int | float)
        or not 0 < minutes <= MAX_LOAD_MINUTES
    ):
        raise errors.bad_request(f"minutes must be a number from 1 to {MAX_LOAD_MINUTES}.")
    now = world.now()
    start = now - now % BUCKET  # whole buckets from the current one: the same load reads the same
    load = LoadOverride(start, start + minutes * 60, cpu_count=server.cpu, **values)  # at any second
    loads = world.monitoring.overrides.setdefault(server.key, [])
    loads[:] = [old for old in loads if old.until > now - RETENTION]  # past the statistics' history
    loads.append(load)
    ensure_tick(world)
    return {"serverId": server.id, "from": iso(load.start), "until": iso(load.until), **values}


@route("GET", "/control/alerts", auth=False)
def alerts(req):
    try:
        since = int(req.param("since", "0") or 0)
    except ValueError:
        raise errors.bad_request("since must be a whole number.") from None
    server = (req.param("serverId") or "").strip().lower()
    found = [
        a
        for a in req.world.monitoring.alerts
        if a["seq"] > since and (not server or a["serverId"].lower() == server)
    ]
    return {"alerts": found}


@route("GET", "/control/operations", auth=False)
def operations(req):
    world = req.world
    kind = (req.param("kind") or "").strip().lower()
    resource = (req.param("resource") or "").strip().lower()
    out = []
    for op in world.operations.values():
        if kind and op.kind.lower() != kind:
            continue
        if resource and resource not in (r.lower() for r in op.resource_ids):
            continue
        out.append(
            {
                "id": op.id,
                "kind": op.kind,
                "resources": list(op.resource_ids),
                "params": dict(op.params),
                "status": world.status_of(op),
                "started": iso(op.started_at),
                "completes": iso(op.ends_at),
            }
        )
    return {"operations": out}
