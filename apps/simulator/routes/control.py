"""Fault injection and test helpers, outside /v2/ and without authentication.

GET  /control/                   current settings
POST /control/config             {"latencyMs", "errorRate", "failureRate", "speed", "durationSeconds",
                                  "durationRange": [low, high] (each operation draws its duration),
                                  "ignoreServerDetail": true (group GETs answer as if
                                  ?serverDetail=detailed weren't there; reset clears it)}
POST /control/expire-tokens      every issued token stops working (401)
POST /control/fail-next          {"count": 1}: the next N queued operations fail
POST /control/interrupt-next     {"count": 1, "status": "resumed", "pauseSeconds": 5} or
                                 {"status": "unknown"}: the next N queued operations are interrupted
                                 halfway: "resumed" = paused that long, then resumed (status
                                 resumed until it ends); "unknown" = the queue loses track of it
                                 (status unknown for good; the work still completes)
POST /control/reset              {"seed": "demo", "keepTokens": false}: rebuild the world from a seed
                                 (keepTokens: the tokens already issued keep working)
GET  /control/operations/{id}    when an operation started and completes (for benchmarks)
GET  /control/clock              the simulator's clock: {"now": iso, "epoch": seconds, "offset": s}
POST /control/clock              {"advance": seconds} or {"to": iso | epoch}: move the clock forward and
                                 replay everything that fell due (schedules, autoscale, ttl, ...)
GET  /control/servers/{id}       what the API does not show of a server: DNS, ttl, managed flags,
                                 packages that ran, bare metal configuration
GET  /control/events             the last events the world emitted (?since=<seq>, ?event=<name>)
POST /control/load               {"serverId", "cpu"|"memory"|"disk": percent, "minutes"}: make a server
                                 busy (its monitoring series, alerts and autoscale follow)
GET  /control/alerts             fired alert notifications (?since=<seq>, ?serverId=)
GET  /control/operations         queued operations (?kind=autoscaleCpu, ?resource=<server id>)
(the last three: control_monitoring.py)
POST /control/custom-fields      {"alias", "fields": [...]}: replace an account's custom field
                                 definitions (custom_fields.py)
"""

from dataclasses import fields
from datetime import datetime

from .. import errors
from ..router import route
from ..state import Faults, iso


def _settings(world):
    f = world.faults
    return {
        "seed": world.seed_name,
        "speed": world.speed,
        "latencyMs": f.latency_ms,
        "errorRate": f.error_rate,
        "failureRate": f.failure_rate,
        "failNext": f.fail_next,
        "interruptNext": [dict(i) for i in f.interrupt_next],
        "durationSeconds": f.duration_override,
        "durationRange": list(f.duration_range) if f.duration_range else None,
        "ignoreServerDetail": f.ignore_server_detail,
        "servers": len(world.servers),
        "groups": len(world.groups),
        "operations": len(world.operations),
    }


@route("GET", "/control", auth=False)
def show(req):
    return _settings(req.world)


def _number(value, name, low=0.0, high=None):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise errors.bad_request(f"{name} must be a number.")
    if number < low or (high is not None and number > high):
        raise errors.bad_request(f"{name} is out of range.")
    return number


@route("POST", "/control/config", auth=False)
def configure(req):
    body = req.json_object()
    world, faults = req.world, req.world.faults
    if "latencyMs" in body:
        faults.latency_ms = _number(body["latencyMs"], "latencyMs")
    if "errorRate" in body:
        faults.error_rate = _number(body["errorRate"], "errorRate", 0, 1)
    if "failureRate" in body:
        faults.failure_rate = _number(body["failureRate"], "failureRate", 0, 1)
    if "speed" in body:
        world.speed = _number(body["speed"], "speed", 0.001)
    if "durationSeconds" in body:
        value = body["durationSeconds"]
        faults.duration_override = None if value is None else _number(value, "durationSeconds", 0.01)
        if value is not None:
            faults.duration_range = None
    if "durationRange" in body:
        value = body["durationRange"]
        if value is None:
            faults.duration_range = None
        else:
            if not isinstance(value, list) or len(value) != 2:
                raise errors.bad_request("durationRange must be [low, high] in seconds.")
            low = _number(value[0], "durationRange", 0.01)
            high = _number(value[1], "durationRange", low)
            faults.duration_range = (low, high)
            faults.duration_override = None
    if "ignoreServerDetail" in body:
        faults.ignore_server_detail = body["ignoreServerDetail"] is True
    return _settings(world)


@route("POST", "/control/expire-tokens", auth=False)
def expire_tokens(req):
    return {"expired": req.world.expire_all_tokens()}


@route("POST", "/control/fail-next", auth=False)
def fail_next(req):
    body = req.json_object()
    count = int(_number(body.get("count", 1), "count", 0))
    req.world.faults.fail_next = count
    return _settings(req.world)


@route("POST", "/control/interrupt-next", auth=False)
def interrupt_next(req):
    body = req.json_object()
    count = int(_number(body.get("count", 1), "count", 0, 1000))
    status = body.get("status")
    if status not in ("resumed", "unknown"):
        raise errors.bad_request("status must be resumed or unknown.")
    wanted = {"status": status}
    if status == "resumed":
        wanted["pauseSeconds"] = _number(body.get("pauseSeconds", 5), "pauseSeconds", 0, 86400)
    req.world.faults.interrupt_next = [dict(wanted) for _ in range(count)]
    return _settings(req.world)


@route("POST", "/control/reset", auth=False)
def reset(req):
    from ..seed import build_world

    body = req.json_object()
    seed = body.get("seed", req.world.seed_name)
    try:
        fresh = build_world(seed, speed=req.world.speed)
    except ValueError as exc:
        raise errors.bad_request(str(exc))
    world = req.world
    # Keep the same World object (the server holds it), its lock, speed and fault rates;
    # everything else (entities, tokens, queue, timers, clock, events) comes from the fresh world.
    kept = {"lock", "faults", "speed"} | ({"tokens"} if body.get("keepTokens") is True else set())
    for f in fields(world):
        if f.name not in kept:
            setattr(world, f.name, getattr(fresh, f.name))
    world.seed_name = seed
    # The rates stay; the one-shot faults and duration settings (and any added later) start over.
    old = world.faults
    world.faults = Faults(latency_ms=old.latency_ms, error_rate=old.error_rate, failure_rate=old.failure_rate)
    return _settings(world)


@route("GET", "/control/operations/{op_id}", auth=False)
def operation(req, op_id):
    op = errors.found(req.world.operations.get(op_id.lower()))
    return {
        "id": op.id,
        "kind": op.kind,
        "resources": op.resource_ids,
        "status": req.world.status_of(op),
        "startedAt": op.started_at,
        "completesAt": op.ends_at,
        "completedAt": op.completed_at,
        "started": iso(op.started_at),
    }


@route("GET", "/control/servers/{server_id}", auth=False)
def server_internals(req, server_id):
    server = errors.found(req.world.servers.get(server_id.lower()))
    return {
        "id": server.id,
        "status": server.status,
        "dns": list(server.dns),
        "ttl": iso(server.ttl) if server.ttl is not None else None,
        "isManagedOS": server.is_managed_os,
        "isManagedBackup": server.is_managed_backup,
        "packagesRan": [dict(p, at=iso(p["at"])) for p in server.packages_ran],
        "bareMetal": dict(server.bare_metal) if server.bare_metal else None,
    }


def _clock(world):
    now = world.now()
    return {"now": iso(now), "epoch": now, "offset": world.clock_offset}


@route("GET", "/control/clock", auth=False)
def clock(req):
    return _clock(req.world)


@route("POST", "/control/clock", auth=False)
def move_clock(req):
    body = req.json_object()
    world = req.world
    if "advance" in body:
        seconds = _number(body["advance"], "advance", 0, 400 * 86400)
    elif "to" in body:
        target = body["to"]
        if isinstance(target, str):
            try:
                target = datetime.fromisoformat(target.replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise errors.bad_request("to must be an ISO 8601 time or seconds since the epoch.")
        seconds = _number(target, "to") - world.now()
        if seconds < 0:
            raise errors.bad_request("The clock only moves forward.")
    else:
        raise errors.bad_request("Send advance (seconds) or to (a time).")
    world.advance_clock(seconds)
    return _clock(world)


@route("GET", "/control/events", auth=False)
def events(req):
    since = int(_number(req.param("since", "0") or 0, "since"))
    name = (req.param("event") or "").lower()
    out = [
        {**e, "at": iso(e["at"])}
        for e in req.world.events
        if e["seq"] > since and (not name or e["event"].lower() == name)
    ]
    return {"events": out}
