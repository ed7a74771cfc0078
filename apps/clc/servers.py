"""Servers: details (one or many, fanned out), create, update (CPU/memory, disks, description, group,
custom fields, password), delete, restore, credentials, maintenance mode."""

import dataclasses
from urllib.parse import quote

from .client import ClcClient
from .entities import QueuedResult, Server, StatusLink, each
from .errors import ClcError, Unauthorized
from .fanout import fan_out


def _id(server_id: str) -> str:
    return quote(server_id.lower(), safe="")


def get_server(client: ClcClient, server_id: str) -> Server:
    return Server.from_api(client.get(f"/v2/servers/{{alias}}/{_id(server_id)}"))


def get_servers(client: ClcClient, server_ids, *, return_exceptions: bool = False, tally=None) -> list:
    """Details of many servers at once (bounded concurrency, order kept).

    With ``return_exceptions`` a failed GET yields its ``ClcError`` in place of the server.
    """
    return fan_out(
        lambda sid: get_server(client, sid),
        list(server_ids),
        return_exceptions=return_exceptions,
        tally=tally,
    )


def create_server(client: ClcClient, spec: dict) -> QueuedResult:
    """POST /v2/servers/{alias} (202): the spec uses the API's field names."""
    return QueuedResult.from_api(client.post("/v2/servers/{alias}", json=spec) or {})


def with_server_id(client: ClcClient, answer: QueuedResult) -> QueuedResult:
    """A create's 202 names the server by its short name and a uuid ``self`` link: the answer with
    the real server id (one GET ``?uuid=true``), so the activity names the server. Falls back to
    the answer as it was when there is no link or the GET fails."""
    link = next((lk for lk in answer.links if lk.rel == "self"), None)
    if link is None or not link.id:
        return answer
    try:
        body = client.get(f"/v2/servers/{{alias}}/{quote(link.id, safe='')}", params={"uuid": "true"})
    except ClcError as exc:
        if isinstance(exc, Unauthorized):
            raise
        return answer
    server_id = str((body or {}).get("id") or "").upper()
    return dataclasses.replace(answer, server=server_id) if server_id else answer


def delete_server(client: ClcClient, server_id: str) -> QueuedResult:
    return QueuedResult.from_api(client.delete(f"/v2/servers/{{alias}}/{_id(server_id)}") or {})


def update_server(client: ClcClient, server_id: str, operations: list[dict]) -> StatusLink | None:
    """PATCH: ``[{"op": "set", "member": "cpu", "value": 2}, ...]``. 204 (None) or 202 with a status link."""
    body = client.patch(f"/v2/servers/{{alias}}/{_id(server_id)}", json=operations)
    if isinstance(body, dict) and body.get("rel") == "status":
        return StatusLink.from_body(body)
    return None


def restore_server(client: ClcClient, server_id: str, target_group_id: str) -> StatusLink | None:
    body = client.post(
        f"/v2/servers/{{alias}}/{_id(server_id)}/restore", json={"targetGroupId": target_group_id}
    )
    return StatusLink.from_body(body)


def get_credentials(client: ClcClient, server_id: str) -> dict:
    """``{"userName", "password"}``: show once, never cache or log."""
    return client.get(f"/v2/servers/{{alias}}/{_id(server_id)}/credentials") or {}


def set_cpu_memory(client: ClcClient, server_id: str, cpu: int, memory_gb: int) -> StatusLink | None:
    return update_server(
        client,
        server_id,
        [{"op": "set", "member": "cpu", "value": cpu}, {"op": "set", "member": "memory", "value": memory_gb}],
    )


def set_disks(client: ClcClient, server_id: str, disks: list[dict]) -> StatusLink | None:
    """The complete new disk list (``[{"diskId", "sizeGB"} | {"path", "sizeGB", "type"}]``)."""
    return update_server(client, server_id, [{"op": "set", "member": "disks", "value": disks}])


def set_password(client: ClcClient, server_id: str, current: str, new: str) -> StatusLink | None:
    """Change the administrator/root password (needs the current one): 202, queued. Neither
    password is logged or kept."""
    value = {"current": current, "password": new}
    return update_server(client, server_id, [{"op": "set", "member": "password", "value": value}])


def set_custom_fields(client: ClcClient, server_id: str, values: list[dict]) -> StatusLink | None:
    """The complete list of ``{"id", "value"}`` pairs (a field left out is unset): 204."""
    return update_server(client, server_id, [{"op": "set", "member": "customFields", "value": values}])


def set_maintenance(client: ClcClient, wanted: dict[str, bool]) -> list[QueuedResult]:
    """``POST /v2/operations/{alias}/servers/setMaintenance``: each server on (True) or off, one
    call for all of them; one result per server."""
    body = {"servers": [{"id": s.upper(), "inMaintenanceMode": bool(on)} for s, on in wanted.items()]}
    answer = client.post("/v2/operations/{alias}/servers/setMaintenance", json=body)
    return list(each(QueuedResult.from_api, answer))


def set_description(client: ClcClient, server_id: str, description: str) -> StatusLink | None:
    return update_server(client, server_id, [{"op": "set", "member": "description", "value": description}])


def move_server(client: ClcClient, server_id: str, group_id: str) -> StatusLink | None:
    return update_server(client, server_id, [{"op": "set", "member": "groupId", "value": group_id}])


def delete_snapshot(client: ClcClient, server_id: str, snapshot_id: str) -> StatusLink | None:
    body = client.delete(f"/v2/servers/{{alias}}/{_id(server_id)}/snapshots/{quote(snapshot_id, safe='')}")
    return StatusLink.from_body(body)


def revert_snapshot(client: ClcClient, server_id: str, snapshot_id: str) -> StatusLink | None:
    path = f"/v2/servers/{{alias}}/{_id(server_id)}/snapshots/{quote(snapshot_id, safe='')}/restore"
    return StatusLink.from_body(client.post(path))


def add_public_ip(client: ClcClient, server_id: str, spec: dict) -> StatusLink | None:
    """``spec``: ``{"ports": [...], "sourceRestrictions": [...], "internalIPAddress"?}`` (202)."""
    return StatusLink.from_body(
        client.post(f"/v2/servers/{{alias}}/{_id(server_id)}/publicIPAddresses", json=spec)
    )


def remove_public_ip(client: ClcClient, server_id: str, address: str) -> StatusLink | None:
    path = f"/v2/servers/{{alias}}/{_id(server_id)}/publicIPAddresses/{quote(address, safe='')}"
    return StatusLink.from_body(client.delete(path))
