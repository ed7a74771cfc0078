"""A group's page (details, sub-groups, servers, billing, statistics) and a group about to change."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.clc.links import HasLinks, Link

from .. import patches
from ..cache import PersonCache
from . import panels
from .common import (
    NotFound,
    Panel,
    PanelError,
    _CachedPage,
    _panel,
    checked_id,
    own_client,
    reraise_fatal,
    run_tasks,
)
from .datacenters import _datacenter_ref, _DataCenterData, _dc_patch, _tree_task, datacenter_view
from .panels import BillingSummary, GroupStatistics
from .rows import DataCenterRef, GroupNode, GroupRef, ServerRow, _server_result_rows


@dataclass(frozen=True)
class GroupDetail(HasLinks):
    group: GroupNode
    datacenter: DataCenterRef | None
    ancestors: tuple[GroupRef, ...]
    subgroups: tuple[GroupNode, ...]
    servers: tuple[ServerRow, ...]
    server_errors: tuple[PanelError, ...]
    billing: Panel[BillingSummary]
    statistics: Panel[GroupStatistics]

    @property
    def links(self) -> tuple[Link, ...]:
        return self.group.links


def _fetch_group_detail(client, cache: PersonCache, group_id: str) -> GroupDetail:
    try:
        entity, found = clc_groups.get_group_servers(client, group_id, subtree=False)
    except errors.NotFound:
        raise NotFound(f"No group {group_id} in your account.") from None
    group = GroupNode.from_group(entity)
    dc = group.location_id.lower()
    cached_dc = cache.peek(f"dc:{dc}", patch=_dc_patch(client)) if dc else None

    def ancestors_task():
        if group.parent_id is None:
            return None
        tree = cached_dc.tree if isinstance(cached_dc, _DataCenterData) else None
        ref = cached_dc.datacenter if tree is not None else _datacenter_ref(client, cache, dc)
        if tree is None:
            tree = _tree_task(client, ref)
        return ref, tree

    ids = list(group.server_ids)
    server_results = [found[sid] for sid in ids]
    tasks: list[Callable[[], Any]] = [lambda: panels._billing_summary(client, group.id)]
    tasks.append(lambda: panels._group_statistics(client, group.id))
    if dc:
        tasks.append(ancestors_task)
    results = run_tasks(tasks)
    billing_result, stats_result = results[0], results[1]
    ancestors: tuple[GroupRef, ...] = ()
    datacenter = DataCenterRef(id=group.location_id) if group.location_id else None
    if dc:
        tree_result = results[2]
        reraise_fatal(tree_result)
        if isinstance(tree_result, tuple):
            ref, tree = tree_result
            datacenter = ref
            path = tree.path_to(group.id) or []
            ancestors = tuple(GroupRef(g.id, g.name) for g in path[:-1])
        elif tree_result is None and isinstance(cached_dc, _DataCenterData):
            datacenter = cached_dc.datacenter
    names = {group.id.lower(): group.name}
    rows, problems = _server_result_rows(server_results, ids, names, {sid: group.id for sid in ids})
    return GroupDetail(
        group=group,
        datacenter=datacenter,
        ancestors=ancestors,
        subgroups=group.children,
        servers=tuple(sorted(rows, key=lambda r: (r.name, r.id))),
        server_errors=tuple(problems),
        billing=_panel(billing_result, "billing", "Billing"),
        statistics=_panel(stats_result, "statistics", "Monitoring statistics"),
    )


def _detail_is_whole(detail: GroupDetail) -> bool:
    return not detail.server_errors and detail.billing.error is None and detail.statistics.error is None


_GROUP_PAGE = _CachedPage("group", _fetch_group_detail, cacheable=_detail_is_whole, patch=patches.group_page)


def group_detail(user, group_id: str, *, client=None, fresh: bool = False) -> GroupDetail:
    return _GROUP_PAGE.read(user, group_id, client=client, fresh=fresh)


@dataclass(frozen=True)
class GroupForChange(HasLinks):
    """A group about to be changed: read fresh (its whole subtree, links included, so a
    confirmation lists what really goes), placed in its data center's cached tree (depth, parent),
    with every group of that data center (for parent and target choices)."""

    group: GroupNode
    datacenter: str
    groups: tuple[GroupNode, ...]

    @property
    def links(self) -> tuple[Link, ...]:
        return self.group.links


def group_for_change(user, group_id: str, *, client=None, with_tree: bool = True) -> GroupForChange:
    """Raises ``NotFound`` for a malformed, unknown or another account's group id."""
    client = own_client(user, client)
    group_id = checked_id(group_id, "group")
    try:
        group = GroupNode.from_group(clc_groups.get_group(client, group_id))
    except errors.NotFound:
        raise NotFound(f"No group {group_id} in your account.") from None
    dc = group.location_id.upper()
    groups: tuple = ()
    if with_tree and dc:
        view = datacenter_view(user, dc, client=client)
        groups = view.groups
        placed = view.tree.find(group.id)
        if placed is not None:  # the fresh group has no depth / parent of its own inside the tree
            group = replace(group, depth=placed.depth, parent_id=placed.parent_id)
    return GroupForChange(group, dc, groups)


def active_servers_below(user, group: GroupForChange, *, client=None) -> list[ServerRow]:
    """Every active server of the group's subtree (rows of the data center view, cached)."""
    view = datacenter_view(user, group.datacenter, group.group.id, client=own_client(user, client))
    return [r for r in view.servers if r.status == "active" and not r.error]
