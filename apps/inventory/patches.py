"""Bringing cached inventory entries up to the account's changes (``cache.PersonCache`` ``patch``).

A change (``cache.invalidate_server`` / ``invalidate_datacenter``) is plain data:
``{"scope": "server", "dc": "WA1", "server": "WA1DEMOWEB01", "group": "<id>", "kind": "updated"}``
or ``{"scope": "datacenter", "dc": "WA1", "group": ...}``.

Each entry kind answers "am I affected, and how":

* a data center view (its tree and every server row): a server change refetches that server only
  (with the person's token: links follow their roles) and moves its id in the tree to the group it
  now has, counts recomputed; a deleted server is dropped without a call; a data center change, a
  server moved into a group the tree does not have, or a server that can't be read: read it again;
* a server page: dropped when that server (or its data center as a whole) changed;
* a group page: dropped when one of its servers, one of its groups or its data center changed;
* anything of a data center (its cost): dropped when something in it changed.

Functions return the entry (unaffected or patched) or None (read it again). They take what they
need to fetch as arguments, so they stay free of the selectors' imports.
"""

from collections.abc import Callable, Iterable
from dataclasses import replace

from apps.clc import errors


def _in(changes: Iterable[dict], dc: str) -> list[dict]:
    dc = dc.upper()
    return [c for c in changes if str(c.get("dc", "")).upper() == dc]


def touches_datacenter(changes: Iterable[dict], dc: str) -> bool:
    return bool(dc) and bool(_in(changes, dc))


def drop_if_datacenter_changed(dc: str) -> Callable:
    """For an entry that holds figures of a whole data center (e.g. its cost)."""

    def patch(value, changes):
        return None if touches_datacenter(changes, dc) else value

    return patch


def server_page(detail, changes: list[dict]):
    sid, dc = detail.server.id.upper(), detail.server.location_id.upper()
    for change in changes:
        if change.get("scope") == "server" and change.get("server") == sid:
            return None
        if change.get("scope") != "server" and str(change.get("dc", "")).upper() == dc:
            return None
    return detail


def group_page(detail, changes: list[dict]):
    groups = list(detail.group.walk())
    group_ids = {g.id.lower() for g in groups}
    server_ids = {sid.upper() for g in groups for sid in g.server_ids}
    dc = detail.group.location_id.upper()
    for change in changes:
        if change.get("scope") != "server":
            if not dc or str(change.get("dc", "")).upper() == dc:
                return None
        elif change.get("server") in server_ids or change.get("group") in group_ids:
            return None
    return detail


def _with_servers(node, placed: dict[str, list[str]], gone: set[str]):
    """The tree with ``gone`` ids removed and ``placed`` (group id -> ids) added, counts redone."""
    children = tuple(_with_servers(child, placed, gone) for child in node.children)
    ids = tuple(sid for sid in node.server_ids if sid not in gone) + tuple(placed.get(node.id.lower(), ()))
    return replace(
        node,
        children=children,
        server_ids=ids,
        direct_server_count=len(ids),
        server_count=len(ids) + sum(c.server_count for c in children),
    )


def datacenter_view(data, changes: list[dict], *, fetch_servers: Callable, row_of: Callable):
    """``data``: the cached ``_DataCenterData``. ``fetch_servers(ids)`` -> one ``Server`` or
    ``ClcError`` per id (the person's token); ``row_of(server, group_name)`` -> a ``ServerRow``."""
    mine = _in(changes, data.datacenter.id)
    if not mine:
        return data
    if any(c.get("scope") != "server" for c in mine):
        return None
    latest: dict[str, dict] = {}
    for change in mine:
        latest[str(change["server"]).upper()] = change
    deleted = [sid for sid, c in latest.items() if c.get("kind") == "deleted"]
    wanted = [sid for sid, c in latest.items() if c.get("kind") != "deleted"]
    results = fetch_servers(wanted) if wanted else []
    groups = {g.id.lower(): g for g in data.tree.walk()}
    placed: dict[str, list[str]] = {}
    fresh_rows = []
    for sid, result in zip(wanted, results, strict=True):
        if isinstance(result, errors.Unauthorized):
            raise result
        if isinstance(result, errors.NotFound):
            deleted.append(sid)
            continue
        if isinstance(result, Exception):
            return None  # read the whole view again: it marks what can't be read
        group = groups.get(result.group_id.lower())
        if result.location_id and result.location_id.upper() != data.datacenter.id.upper():
            deleted.append(sid)  # not in this data center (any more)
            continue
        if group is None:
            return None  # a group the cached tree does not know: read the tree again
        placed.setdefault(group.id.lower(), []).append(sid)
        fresh_rows.append(row_of(result, group.name))
    gone = set(latest)
    tree = _with_servers(data.tree, placed, gone)
    order = {g.id.lower(): index for index, g in enumerate(tree.walk())}
    rows = [r for r in data.servers if r.id.upper() not in gone] + fresh_rows
    rows.sort(key=lambda r: (order.get(r.group_id.lower(), 1 << 30), r.name, r.id))
    problems = tuple(e for e in data.server_errors if not any(sid in e.message for sid in gone))
    return replace(data, tree=tree, servers=tuple(rows), server_errors=problems)
