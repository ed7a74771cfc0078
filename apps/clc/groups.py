"""Groups: read the tree, create, rename/move, custom field values, delete, archive, restore,
defaults (read and set)."""

from dataclasses import dataclass
from urllib.parse import quote

from . import metrics
from .bulk import bulk_parsing
from .client import ClcClient
from .entities import Group, Server, StatusLink
from .errors import ClcError
from .servers import get_servers


def _id(group_id: str) -> str:
    return quote(group_id.lower(), safe="")


def get_group(client: ClcClient, group_id: str) -> Group:
    """One group with its direct children (and theirs: the API nests the whole subtree)."""
    return Group.from_api(client.get(f"/v2/groups/{{alias}}/{_id(group_id)}"))


def get_group_tree(client: ClcClient, group_id: str) -> Group:
    """The group, its whole subtree, and each group's servers as full objects, in one call:
    ``?serverDetail=detailed`` (undocumented; the live API and the Java SDK's ``getGroup(id,
    includeServerDetails)`` use it). Groups whose answer carried links only have ``servers`` None."""
    with bulk_parsing():  # ~100,000 objects for 1,000 servers, none garbage yet
        body = client.get(f"/v2/groups/{{alias}}/{_id(group_id)}", params=DETAILED)
        with bulk_parsing(exclusive=True):
            return Group.from_api(body)


DETAILED = {"serverDetail": "detailed"}


def get_group_servers(
    client: ClcClient, group_id: str, *, subtree: bool = True
) -> tuple[Group, dict[str, Server | ClcError]]:
    """The group's subtree (``get_group_tree``) and every server in it by upper-case id (only the
    group's direct servers with ``subtree=False``): a ``Server``, or the ``ClcError`` its read
    failed with.

    Servers come from the detailed answer; a server it names by link only (an upstream that ignores
    the parameter, or a group answered without ``servers``) is read with one GET of its own, fanned
    out and counted as a fallback read in ``Server-Timing``."""
    group = get_group_tree(client, group_id)
    found: dict[str, Server | ClcError] = {}
    missing: list[str] = []
    for node in group.walk() if subtree else (group,):
        given = {s.id: s for s in node.servers or ()}
        for sid in node.server_ids:
            sid = sid.upper()
            if sid in given:
                found[sid] = given.pop(sid)
            elif sid not in found:
                missing.append(sid)
    if missing:
        metrics.record_fallback(len(missing))
        found.update(zip(missing, get_servers(client, missing, return_exceptions=True), strict=True))
    return group, found


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


def set_custom_fields(client: ClcClient, group_id: str, values: list[dict]) -> None:
    """The complete list of ``{"id", "value"}`` pairs (a field left out is unset): 204."""
    client.patch(
        f"/v2/groups/{{alias}}/{_id(group_id)}",
        json=[{"op": "set", "member": "customFields", "value": values}],
    )


def delete_group(client: ClcClient, group_id: str) -> StatusLink | None:
    return StatusLink.from_body(client.delete(f"/v2/groups/{{alias}}/{_id(group_id)}"))


def archive_group(client: ClcClient, group_id: str) -> StatusLink | None:
    return StatusLink.from_body(client.post(f"/v2/groups/{{alias}}/{_id(group_id)}/archive"))


def restore_group(client: ClcClient, group_id: str, target_group_id: str) -> StatusLink | None:
    return StatusLink.from_body(
        client.post(f"/v2/groups/{{alias}}/{_id(group_id)}/restore", json={"targetGroupId": target_group_id})
    )


DEFAULT_KEYS = ("cpu", "memoryGB", "networkId", "primaryDns", "secondaryDns", "templateName")


@dataclass(frozen=True)
class GroupDefault:
    """One default of a group: its value, and whether it comes from a parent (``inherited``) or is
    set on the group itself."""

    value: object
    inherited: bool


def get_defaults(client: ClcClient, group_id: str) -> dict[str, GroupDefault]:
    """GET /v2/groups/{alias}/{id}/defaults: ``{"cpu": GroupDefault(2, inherited=True), ...}``."""
    return _defaults_of(client.get(f"/v2/groups/{{alias}}/{_id(group_id)}/defaults"))


def get_group_defaults(client: ClcClient, group_id: str) -> dict:
    """The defaults flattened: ``{"cpu": 2, "memoryGB": 4, "networkId": ..., "templateName": ...,
    "primaryDns": ..., "secondaryDns": ...}`` (inherited or set on the group)."""
    return {key: default.value for key, default in get_defaults(client, group_id).items()}


def set_defaults(client: ClcClient, group_id: str, values: dict) -> dict[str, GroupDefault]:
    """POST /v2/groups/{alias}/{id}/defaults with some of ``DEFAULT_KEYS`` (a ``None`` value clears the
    group's own value: it inherits again); -> the defaults as they now are."""
    body = {k: v for k, v in values.items() if k in DEFAULT_KEYS}
    return _defaults_of(client.post(f"/v2/groups/{{alias}}/{_id(group_id)}/defaults", json=body))


def _defaults_of(body) -> dict[str, GroupDefault]:
    out = {}
    for key, item in body.items() if isinstance(body, dict) else ():
        if isinstance(item, dict):
            out[key] = GroupDefault(item.get("value"), bool(item.get("inherited")))
        else:
            out[key] = GroupDefault(item, False)
    return out
