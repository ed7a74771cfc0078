"""Queued work answered the ``/v2-experimental`` way: ``{"operationId", "uri"}`` (claim a network,
add or remove a secondary network) and followed at
``GET /v2-experimental/operations/{alias}/status/{operationId}``.

Each is an ordinary queued operation (``World.queue``: durations, failures, the clock) whose params
carry the 32-hex ``operationId`` the client sees, who asked and when. The status body is the one
the Claim Network page shows: ``requestType``, ``status`` (running, succeeded, failed),
``summary`` (``blueprintId``, ``locationId``, and on success ``links`` to what was made) and
``source`` (``userName``, ``requestedAt``).
"""

from .models import Operation
from .state import BASE_DURATIONS, World, iso

# Base durations (seconds at --speed 1) of the networking operations; World.queue reads them.
for _kind, _seconds in {
    "claimNetwork": 60,
    "releaseNetwork": 20,
    "addSecondaryNetwork": 45,
    "removeSecondaryNetwork": 30,
    "updateLogForwarding": 10,
    "createFirewallPolicy": 20,
    "createCrossDcFirewallPolicy": 30,
}.items():
    BASE_DURATIONS.setdefault(_kind, _seconds)


def queue(req, location: str, kind: str, resource_ids: list[str], params: dict | None = None) -> Operation:
    world = req.world
    details = dict(params or {})
    details.update(
        operationId=world.new_group_id(),
        location=location.upper(),
        user=req.user.username,
        requestedAt=world.now(),
    )
    return world.queue(req.user.alias, location, kind, resource_ids, details)


def status_path(op: Operation) -> str:
    return f"/v2-experimental/operations/{op.alias.upper()}/status/{op.params['operationId']}"


def answer(req, op: Operation, *, absolute: bool = False) -> dict:
    """``{"operationId", "uri"}``. The secondary-network pages show an absolute ``http://`` uri
    (``absolute``: built from the request's Host), the Claim Network page a path."""
    uri = status_path(op)
    host = req.headers.get("host")
    if absolute and host:
        uri = f"http://{host}{uri}"
    return {"operationId": op.params["operationId"], "uri": uri}


def find(world: World, alias: str, operation_id: str) -> Operation | None:
    wanted = operation_id.strip().lower()
    for op in world.operations.values():
        if op.params.get("operationId") == wanted and op.alias.upper() == alias.upper():
            return op
    return None


def blueprint_id(op: Operation) -> int:
    digits = "".join(ch for ch in op.id.rsplit("-", 1)[-1] if ch.isdigit())
    return int(digits or 0)


def status_body(world: World, op: Operation) -> dict:
    status = world.status_of(op)
    summary = {"blueprintId": blueprint_id(op), "locationId": op.params.get("location", "")}
    if status == "succeeded" and op.params.get("links"):
        summary["links"] = [dict(link) for link in op.params["links"]]
    return {
        "requestType": "blueprintOperation",
        "status": status if status in ("succeeded", "failed") else "running",
        "summary": summary,
        "source": {
            "userName": op.params.get("user", ""),
            "requestedAt": iso(op.params.get("requestedAt", op.started_at)),
        },
    }
