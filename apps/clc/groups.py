"""Groups: read the tree, create, rename/move, delete, archive, restore."""

from urllib.parse import quote

from .client import ClcClient
from .entities import Group, StatusLink


def _id(group_id: str) -> str:
    return quote(group_id.lower(), safe="")


def get_group(client: ClcClient, group_id: str) -> Group:
    """One group with its direct children (and theirs: the API nests the whole subtree)."""
    return Group.from_api(client.get(f"/v2/groups/{{alias}}/{_id(group_id)}"))


def create_group(
    client: ClcClient, name: str, parent_group_id: str, description: str = "", custom_fields=None
) -> Group:
    body = {"name": name, "description": description, "parentGroupId": parent_group_id}
    if custom_fields:
        body["customFields"] = custom_fields
    return Group.from_api(client.post("/v2/groups/{alias}", json=body))


def update_group(
    client: ClcClient, group_id: str, *, name=None, description=None, parent_group_id=None
) -> None:
    """PATCH name/description/parent (204)."""
    ops = []
    if name is not None:
        ops.append({"op": "set", "member": "name", "value": name})
    if description is not None:
        ops.append({"op": "set", "member": "description", "value": description})
    if parent_group_id is not None:
        ops.append({"op": "set", "member": "parentGroupId", "value": parent_group_id})
    if ops:
        client.patch(f"/v2/groups/{{alias}}/{_id(group_id)}", json=ops)


def delete_group(client: ClcClient, group_id: str) -> StatusLink | None:
    return StatusLink.from_body(client.delete(f"/v2/groups/{{alias}}/{_id(group_id)}"))


def archive_group(client: ClcClient, group_id: str) -> StatusLink | None:
    return StatusLink.from_body(client.post(f"/v2/groups/{{alias}}/{_id(group_id)}/archive"))


def restore_group(client: ClcClient, group_id: str, target_group_id: str) -> StatusLink | None:
    return StatusLink.from_body(
        client.post(f"/v2/groups/{{alias}}/{_id(group_id)}/restore", json={"targetGroupId": target_group_id})
    )


def get_group_defaults(client: ClcClient, group_id: str) -> dict:
    """GET /v2/groups/{alias}/{id}/defaults, flattened: ``{"cpu": 2, "memoryGB": 4, "networkId": ...,
    "templateName": ..., "primaryDns": ..., "secondaryDns": ...}`` (inherited or set on the group)."""
    body = client.get(f"/v2/groups/{{alias}}/{_id(group_id)}/defaults") or {}
    out = {}
    for key, item in body.items() if isinstance(body, dict) else ():
        out[key] = item.get("value") if isinstance(item, dict) else item
    return out
