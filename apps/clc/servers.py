"""Servers: details (one or many, fanned out), create, update, delete, restore, credentials."""

from urllib.parse import quote

from .client import ClcClient
from .entities import QueuedResult, Server, StatusLink
from .fanout import fan_out
from .links import parse_links


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


def delete_server(client: ClcClient, server_id: str) -> QueuedResult:
    return QueuedResult.from_api(client.delete(f"/v2/servers/{{alias}}/{_id(server_id)}") or {})


def update_server(client: ClcClient, server_id: str, operations: list[dict]) -> StatusLink | None:
    """PATCH: ``[{"op": "set", "member": "cpu", "value": 2}, ...]``. 204 (None) or 202 with a status link."""
    body = client.patch(f"/v2/servers/{{alias}}/{_id(server_id)}", json=operations)
    if isinstance(body, dict) and body.get("rel") == "status":
        return StatusLink.from_links(parse_links([body]))
    return None


def restore_server(client: ClcClient, server_id: str, target_group_id: str) -> StatusLink | None:
    body = client.post(
        f"/v2/servers/{{alias}}/{_id(server_id)}/restore", json={"targetGroupId": target_group_id}
    )
    if isinstance(body, dict):
        return StatusLink.from_links(
            parse_links([body] if body.get("rel") == "status" else body.get("links"))
        )
    return None


def get_credentials(client: ClcClient, server_id: str) -> dict:
    """``{"userName", "password"}``: show once, never cache or log."""
    return client.get(f"/v2/servers/{{alias}}/{_id(server_id)}/credentials") or {}
