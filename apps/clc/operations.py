"""Power operations, archive and snapshots (bulk, one result per server), and the queue status."""

from urllib.parse import quote, urlsplit

from .client import ClcClient
from .entities import OperationStatus, QueuedResult, each

POWER_OPERATIONS = (
    "powerOn",
    "powerOff",
    "shutDown",
    "reboot",
    "reset",
    "pause",
    "startMaintenance",
    "stopMaintenance",
    "archive",
)


def server_operation(client: ClcClient, operation: str, server_ids) -> list[QueuedResult]:
    """POST /v2/operations/{alias}/servers/{operation} with a list of server ids (sent once)."""
    if operation not in POWER_OPERATIONS:
        raise ValueError(f"unknown server operation {operation!r}")
    body = client.post(f"/v2/operations/{{alias}}/servers/{operation}", json=[s.upper() for s in server_ids])
    return list(each(QueuedResult.from_api, body))


def create_snapshot(client: ClcClient, server_ids, expiration_days: int = 7) -> list[QueuedResult]:
    body = client.post(
        "/v2/operations/{alias}/servers/createSnapshot",
        json={"serverIds": [s.upper() for s in server_ids], "snapshotExpirationDays": expiration_days},
    )
    return list(each(QueuedResult.from_api, body))


def get_status(client: ClcClient, operation_id: str) -> OperationStatus:
    """GET /v2/operations/{alias}/status/{id}: notStarted, executing, succeeded, failed, ..."""
    body = client.get(f"/v2/operations/{{alias}}/status/{quote(operation_id, safe='')}") or {}
    return OperationStatus(id=operation_id, status=str(body.get("status", "unknown")))


EXPERIMENTAL_STATUS = "/v2-experimental/operations/"


def follow_status(client: ClcClient, operation_id: str, href: str = "") -> OperationStatus:
    """The status behind an activity's link: operations answered the experimental way (network
    claims, secondary networks: ``/v2-experimental/operations/{alias}/status/{id}``, with running,
    succeeded, failed) are read at their ``href`` (its path only, never another host); every
    other one with ``get_status``."""
    path = urlsplit(href or "").path
    if not path.lower().startswith(EXPERIMENTAL_STATUS):
        return get_status(client, operation_id)
    body = client.get(path) or {}
    return OperationStatus(id=operation_id, status=str(body.get("status", "unknown")))
