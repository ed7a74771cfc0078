"""Inventory reads for pages and the API: data centers, the group tree, servers (docs/inventory-interface.md).

Each selector takes the signed-in person, fetches live through ``apps.clc`` with their token, and
caches the result briefly per person (``apps.inventory.cache``). The main resource of a page is
required (its failure raises); side panels (billing, statistics, a server's cost) carry a
``PanelError`` instead, so one failing call never blanks a page.

Upstream calls per page, cold (N = servers shown):

* data center view: 1 data center GET (root group link; cached an hour, it never changes)
  + 1 tree GET (the root group nests the whole tree with server links) + N server GETs, fanned out;
* dashboard: 1 data center list + per data center (1 + 1 + its servers + 1 group billing),
  all in two bounded fan-outs;
* group detail: 1 group GET + its direct servers + billing + statistics (+ the data center tree
  for breadcrumbs unless cached);
* server detail: 1 server GET + its cost (``billing`` link) + its group.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Generic, TypeVar

from apps.accounts.services import cloud_client_for
from apps.clc import billing as clc_billing
from apps.clc import datacenters as clc_datacenters
from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.clc import servers as clc_servers
from apps.clc import statistics as clc_statistics
from apps.clc.entities import (
    AlertPolicy,
    ChangeInfo,
    CustomField,
    Disk,
    Group,
    IpAddress,
    Partition,
    Server,
    ServerCost,
    ServerCostEstimate,
    ServerStatistics,
    Snapshot,
    cost_totals,
)
from apps.clc.fanout import fan_out
from apps.clc.links import HasLinks, Link

from . import patches
from .cache import PersonCache

T = TypeVar("T")

# The parsed upstream entities (apps.clc.entities) under the names this interface documents.
LinkInfo = Link
CustomFieldInfo = CustomField
ChangeInfoData = ChangeInfo
IpAddressInfo = IpAddress
DiskInfo = Disk
PartitionInfo = Partition
SnapshotInfo = Snapshot
AlertPolicyInfo = AlertPolicy
ServerCostRow = ServerCost

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ROOT_GROUP_SECONDS = 3600


class NotFound(errors.NotFound):
    """No such data center, group or server for this person (or one of another account)."""


# --- shared shapes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PanelError:
    panel: str
    message: str
    status: int | None = None

    @classmethod
    def from_exception(cls, panel: str, exc: errors.ClcError, what: str | None = None) -> "PanelError":
        what = what or panel.capitalize()
        if isinstance(exc, errors.Forbidden):
            message = f"{what}: you do not have permission to see this."
        elif isinstance(exc, errors.NotFound):
            message = f"{what} is not available."
        elif isinstance(exc, errors.UpstreamUnavailable):
            status = f" (the cloud API answered {exc.status})" if exc.status else ""
            message = f"{what} is unavailable right now{status}. Try again in a moment."
        else:
            message = f"{what}: {exc.message}"
        return cls(panel=panel, message=message, status=exc.status)


@dataclass(frozen=True)
class Panel(Generic[T]):
    """A side panel: ``data``, or ``error``; neither when it does not apply (e.g. no billing link)."""

    data: T | None = None
    error: PanelError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class PowerBreakdown:
    started: int = 0
    stopped: int = 0
    paused: int = 0
    maintenance: int = 0  # overlaps the power states
    archived: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.started + self.stopped + self.paused + self.archived + self.other

    @classmethod
    def of(cls, rows) -> "PowerBreakdown":
        counts = dict(started=0, stopped=0, paused=0, maintenance=0, archived=0, other=0)
        for row in rows:
            if row.error:
                continue
            if row.in_maintenance_mode:
                counts["maintenance"] += 1
            if row.status == "archived":
                counts["archived"] += 1
            elif row.power_state in ("started", "stopped", "paused"):
                counts[row.power_state] += 1
            else:
                counts["other"] += 1
        return cls(**counts)

    def __add__(self, other: "PowerBreakdown") -> "PowerBreakdown":
        return PowerBreakdown(
            started=self.started + other.started,
            stopped=self.stopped + other.stopped,
            paused=self.paused + other.paused,
            maintenance=self.maintenance + other.maintenance,
            archived=self.archived + other.archived,
            other=self.other + other.other,
        )


@dataclass(frozen=True)
class DataCenterRef:
    id: str
    name: str = ""
    root_group_id: str | None = None


@dataclass(frozen=True)
class GroupRef:
    id: str
    name: str = ""


@dataclass(frozen=True)
class GroupNode(HasLinks):
    id: str
    name: str
    description: str = ""
    type: str = "default"
    status: str = "active"
    location_id: str = ""
    parent_id: str | None = None
    depth: int = 0
    server_count: int = 0
    direct_server_count: int = 0
    server_ids: tuple[str, ...] = ()
    children: tuple["GroupNode", ...] = ()
    links: tuple[Link, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()
    change_info: ChangeInfo = field(default_factory=ChangeInfo)

    @property
    def is_root(self) -> bool:
        """A data center's root group: it has no parent (no ``parentGroup`` link), and can't be
        moved or deleted."""
        return not self.parent_id

    def walk(self) -> Iterator["GroupNode"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, group_id: str) -> "GroupNode | None":
        wanted = group_id.lower()
        return next((g for g in self.walk() if g.id.lower() == wanted), None)

    def path_to(self, group_id: str) -> list["GroupNode"] | None:
        """The groups from this one down to ``group_id`` (both included), or None."""
        if self.id.lower() == group_id.lower():
            return [self]
        for child in self.children:
            path = child.path_to(group_id)
            if path is not None:
                return [self, *path]
        return None

    @classmethod
    def from_group(cls, group: Group, depth: int = 0, parent_id: str | None = None) -> "GroupNode":
        children = tuple(cls.from_group(g, depth + 1, group.id) for g in group.groups)
        server_ids = tuple(sid.upper() for sid in group.server_ids)
        return cls(
            id=group.id,
            name=group.name,
            description=group.description,
            type=group.type,
            status=group.status,
            location_id=group.location_id,
            parent_id=group.parent_id or parent_id,
            depth=depth,
            server_count=len(server_ids) + sum(c.server_count for c in children),
            direct_server_count=len(server_ids),
            server_ids=server_ids,
            children=children,
            links=group.links,
            custom_fields=group.custom_fields,
            change_info=group.change_info,
        )


@dataclass(frozen=True)
class ServerRow(HasLinks):
    id: str
    name: str = ""
    description: str = ""
    group_id: str = ""
    group_name: str = ""
    location_id: str = ""
    status: str = ""
    power_state: str = ""
    in_maintenance_mode: bool = False
    cpu: int = 0
    memory_mb: int = 0
    storage_gb: float = 0
    internal_ips: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()
    os_type: str = ""
    os: str = ""
    is_template: bool = False
    # (rel, href, id, name, verbs) per link: plain tuples keep a cached data center of a thousand
    # servers quick to unpickle; ``links`` builds the Link objects when first read.
    link_data: tuple[tuple, ...] = ()
    error: str | None = None

    @cached_property
    def links(self) -> tuple[Link, ...]:
        return tuple(Link(rel, href, id_, name, verbs) for rel, href, id_, name, verbs in self.link_data)

    @property
    def memory_gb(self) -> float:
        return round(self.memory_mb / 1024, 2)

    @classmethod
    def from_server(cls, server: Server, group_name: str = "") -> "ServerRow":
        return cls(
            id=server.id,
            name=server.name,
            description=server.description,
            group_id=server.group_id,
            group_name=group_name,
            location_id=server.location_id,
            status=server.status,
            power_state=server.power_state,
            in_maintenance_mode=server.in_maintenance_mode,
            cpu=server.cpu,
            memory_mb=server.memory_mb,
            storage_gb=server.storage_gb,
            internal_ips=tuple(server.internal_ips),
            public_ips=tuple(server.public_ips),
            os_type=server.os_type,
            os=server.os,
            is_template=server.is_template,
            link_data=tuple((lk.rel, lk.href, lk.id, lk.name, lk.verbs) for lk in server.links),
        )


# --- dashboard -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataCenterSummary:
    id: str
    name: str
    root_group_id: str | None = None
    server_count: int = 0
    power: PowerBreakdown = field(default_factory=PowerBreakdown)
    cpu: int = 0
    memory_gb: float = 0
    storage_gb: float = 0
    monthly_estimate: float | None = None
    month_to_date: float | None = None
    error: PanelError | None = None
    billing_error: PanelError | None = None
    server_errors: int = 0


@dataclass(frozen=True)
class Dashboard:
    datacenters: tuple[DataCenterSummary, ...]
    server_count: int
    power: PowerBreakdown
    cpu: int
    memory_gb: float
    storage_gb: float
    monthly_estimate: float | None
    errors: tuple[PanelError, ...] = ()


# --- data center view ------------------------------------------------------------------------
@dataclass(frozen=True)
class DataCenterView:
    datacenter: DataCenterRef
    tree: GroupNode
    groups: tuple[GroupNode, ...]
    selected_group: GroupNode | None
    servers: tuple[ServerRow, ...]
    server_errors: tuple[PanelError, ...]
    power: PowerBreakdown


# --- group detail ----------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupCost:
    group_id: str
    name: str
    monthly_estimate: float
    month_to_date: float
    current_hour: float
    servers: tuple[ServerCostRow, ...] = ()


@dataclass(frozen=True)
class BillingSummary:
    date: datetime | None
    monthly_estimate: float
    month_to_date: float
    current_hour: float
    groups: tuple[GroupCost, ...] = ()


@dataclass(frozen=True)
class DiskSeries:
    path: str
    capacity_mb: tuple[float, ...]
    consumed_mb: tuple[float, ...]


@dataclass(frozen=True)
class ServerSeries:
    server_id: str
    timestamps: tuple[str, ...]
    cpu_percent: tuple[float, ...]
    memory_percent: tuple[float, ...]
    disk_usage_mb: tuple[float, ...]
    disks: tuple[DiskSeries, ...] = ()


@dataclass(frozen=True)
class GroupStatistics:
    start: datetime
    end: datetime
    interval: str
    servers: tuple[ServerSeries, ...]


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


# --- server detail ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerDetail(HasLinks):
    server: ServerRow
    host_name: str
    type: str
    storage_type: str
    ip_addresses: tuple[IpAddress, ...]
    disks: tuple[Disk, ...]
    partitions: tuple[Partition, ...]
    snapshots: tuple[Snapshot, ...]
    custom_fields: tuple[CustomField, ...]
    alert_policies: tuple[AlertPolicy, ...]
    change_info: ChangeInfo
    group: GroupRef | None
    datacenter: DataCenterRef | None
    cost: Panel[ServerCostEstimate]

    @property
    def links(self) -> tuple[Link, ...]:
        return self.server.links


@dataclass(frozen=True)
class Credentials:
    user_name: str
    password: str = field(repr=False)


# --- helpers ---------------------------------------------------------------------------------
def _client(user, client):
    if client is not None:
        return client
    return cloud_client_for(user)


def _checked_id(value: str, what: str) -> str:
    value = (value or "").strip()
    if not _ID.match(value):
        raise NotFound(f"No {what} {value!r}.")
    return value


def _run_tasks(tasks: list[Callable[[], Any]], workers: int | None = None) -> list:
    """Run heterogeneous calls in one bounded fan-out; a ``ClcError`` comes back in place."""
    return fan_out(lambda task: task(), tasks, workers=workers, return_exceptions=True)


def _reraise_fatal(result) -> None:
    """A 401 always propagates (the person must sign in again)."""
    if isinstance(result, errors.Unauthorized):
        raise result


def _server_result_rows(
    results: list, ids: list[str], group_names: dict[str, str], id_groups: dict[str, str]
) -> tuple[list[ServerRow], list[PanelError]]:
    rows: list[ServerRow] = []
    problems: list[PanelError] = []
    for server_id, result in zip(ids, results, strict=True):
        _reraise_fatal(result)
        if isinstance(result, errors.NotFound):
            continue  # deleted between the tree and its GET: it's gone
        group_id = id_groups.get(server_id, "")
        if isinstance(result, errors.ClcError):
            problem = PanelError.from_exception("servers", result, f"Server {server_id}")
            problems.append(problem)
            rows.append(
                ServerRow(
                    id=server_id,
                    name=server_id,
                    group_id=group_id,
                    group_name=group_names.get(group_id.lower(), ""),
                    error=problem.message,
                )
            )
        else:
            rows.append(ServerRow.from_server(result, group_names.get(result.group_id.lower(), "")))
    return rows, problems


def _group_lookup(tree: GroupNode) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    names, server_groups, order = {}, {}, {}
    for index, group in enumerate(tree.walk()):
        names[group.id.lower()] = group.name
        order[group.id.lower()] = index
        for sid in group.server_ids:
            server_groups[sid] = group.id
    return names, server_groups, order


def _sorted_rows(rows: list[ServerRow], order: dict[str, int]) -> tuple[ServerRow, ...]:
    return tuple(sorted(rows, key=lambda r: (order.get(r.group_id.lower(), 1 << 30), r.name, r.id)))


# --- data center pieces ----------------------------------------------------------------------
def _datacenter_ref(client, cache: PersonCache, dc: str) -> DataCenterRef:
    """The data center and its root group id (1 call, then cached an hour: it never changes)."""
    resource = f"dcref:{dc}"
    cached = cache.get_stable(resource)
    if isinstance(cached, DataCenterRef):
        return cached
    try:
        entity = clc_datacenters.get_datacenter(client, dc, group_links=True)
    except errors.NotFound:
        raise NotFound(f"No data center {dc.upper()} in your account.") from None
    ref = DataCenterRef(id=entity.id or dc.upper(), name=entity.name, root_group_id=entity.root_group_id)
    if ref.root_group_id:
        cache.put_stable(resource, ref, ROOT_GROUP_SECONDS)
    return ref


@dataclass(frozen=True)
class _DataCenterData:
    """What one data center view needs, cached as one entry: the tree and every server row."""

    datacenter: DataCenterRef
    tree: GroupNode
    servers: tuple[ServerRow, ...]
    server_errors: tuple[PanelError, ...]


def _tree_task(client, ref: DataCenterRef) -> GroupNode:
    if not ref.root_group_id:
        raise errors.NotFound("This data center has no root group.")
    return GroupNode.from_group(clc_groups.get_group(client, ref.root_group_id))


def _assemble_dc(ref: DataCenterRef, tree: GroupNode, ids: list[str], results: list) -> _DataCenterData:
    names, server_groups, order = _group_lookup(tree)
    rows, problems = _server_result_rows(results, ids, names, server_groups)
    return _DataCenterData(ref, tree, _sorted_rows(rows, order), tuple(problems))


def _fetch_dc_data(client, cache: PersonCache, dc: str) -> _DataCenterData:
    ref = _datacenter_ref(client, cache, dc)
    try:
        tree = _tree_task(client, ref)
    except errors.NotFound:
        raise NotFound(f"No data center {dc.upper()} in your account.") from None
    ids = [sid for group in tree.walk() for sid in group.server_ids]
    results = clc_servers.get_servers(client, ids, return_exceptions=True)
    return _assemble_dc(ref, tree, ids, results)


def _dc_patch(client) -> Callable:
    """Brings a cached data center view up to the account's changes: only changed servers are
    read again (``patches.datacenter_view``)."""

    def patch(data: _DataCenterData, changes: list[dict]):
        return patches.datacenter_view(
            data,
            changes,
            fetch_servers=lambda ids: clc_servers.get_servers(client, ids, return_exceptions=True),
            row_of=ServerRow.from_server,
        )

    return patch


def _dc_data(client, cache: PersonCache, dc: str, fresh: bool = False) -> _DataCenterData:
    return cache.get_or_fetch(
        f"dc:{dc}",
        lambda: _fetch_dc_data(client, cache, dc),
        cacheable=lambda data: not data.server_errors,
        fresh=fresh,
        patch=_dc_patch(client),
    )


def _view_of(data: _DataCenterData, group_id: str | None) -> DataCenterView:
    selected = None
    rows = data.servers
    errors_ = data.server_errors
    if group_id:
        selected = data.tree.find(group_id)
        if selected is None:
            raise NotFound(f"No group {group_id} in {data.datacenter.id}.")
        wanted = {g.id.lower() for g in selected.walk()}
        rows = tuple(r for r in rows if r.group_id.lower() in wanted)
        failed = {r.id for r in rows if r.error}
        errors_ = tuple(e for e in errors_ if any(sid in e.message for sid in failed))
    return DataCenterView(
        datacenter=data.datacenter,
        tree=data.tree,
        groups=tuple(data.tree.walk()),
        selected_group=selected,
        servers=rows,
        server_errors=errors_,
        power=PowerBreakdown.of(rows),
    )


def datacenter_view(
    user, dc: str, group_id: str | None = None, *, client=None, fresh: bool = False
) -> DataCenterView:
    """The group tree of a data center and every server in it (or in ``group_id``'s subtree)."""
    dc = _checked_id(dc, "data center").lower()
    if group_id:
        group_id = _checked_id(group_id, "group")
    client = _client(user, client)
    cache = PersonCache(user)
    return _view_of(_dc_data(client, cache, dc, fresh), group_id)


def datacenter_servers(
    user, dc: str, group_id: str | None = None, *, client=None, fresh: bool = False
) -> tuple[ServerRow, ...]:
    return datacenter_view(user, dc, group_id, client=client, fresh=fresh).servers


# --- billing and statistics ------------------------------------------------------------------
def _billing_summary(client, group_id: str) -> BillingSummary:
    billing = clc_billing.group_billing(client, group_id)
    groups = tuple(
        GroupCost(group_id=gid, name=name, servers=tuple(costs), **cost_totals(costs))
        for gid, (name, costs) in billing.groups.items()
    )
    return BillingSummary(date=billing.date, groups=groups, **cost_totals(billing.servers))


def _series(stats: ServerStatistics) -> ServerSeries:
    """One server's samples as columns (one tuple per measure), guest disks by path."""
    samples = stats.samples
    paths: dict[str, tuple[list, list]] = {}
    for index, sample in enumerate(samples):
        for usage in sample.guest_disks:
            capacity, consumed = paths.setdefault(usage.path, ([0.0] * len(samples), [0.0] * len(samples)))
            capacity[index] = usage.capacity_mb
            consumed[index] = usage.consumed_mb
    return ServerSeries(
        server_id=stats.server,
        timestamps=tuple(s.timestamp_text for s in samples),
        cpu_percent=tuple(s.cpu_percent for s in samples),
        memory_percent=tuple(s.memory_percent for s in samples),
        disk_usage_mb=tuple(s.disk_total_mb for s in samples),
        disks=tuple(
            DiskSeries(path=path, capacity_mb=tuple(cap), consumed_mb=tuple(used))
            for path, (cap, used) in paths.items()
        ),
    )


def _group_statistics(client, group_id: str, now: datetime | None = None) -> GroupStatistics:
    """Hourly samples of the last 24 hours of every server of the group (and sub-groups)."""
    end = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=1)
    interval = "01:00:00"
    stats = clc_statistics.group_statistics(
        client,
        group_id,
        type="hourly",
        start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        end=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        sample_interval=interval,
    )
    return GroupStatistics(start=start, end=end, interval=interval, servers=tuple(_series(s) for s in stats))


def _panel(result, panel: str, what: str) -> Panel:
    _reraise_fatal(result)
    if isinstance(result, errors.ClcError):
        return Panel(error=PanelError.from_exception(panel, result, what))
    return Panel(data=result)


# --- dashboard -------------------------------------------------------------------------------
def _summary(
    ref: DataCenterRef, data: _DataCenterData | None, billing: Panel | None, error: PanelError | None
) -> DataCenterSummary:
    if data is None:
        return DataCenterSummary(id=ref.id, name=ref.name, root_group_id=ref.root_group_id, error=error)
    rows = [r for r in data.servers if not r.error]
    costs = billing.data if billing is not None and billing.data is not None else None
    return DataCenterSummary(
        id=ref.id,
        name=ref.name or data.datacenter.name,
        root_group_id=data.datacenter.root_group_id,
        server_count=len(data.servers),
        power=PowerBreakdown.of(rows),
        cpu=sum(r.cpu for r in rows),
        memory_gb=round(sum(r.memory_mb for r in rows) / 1024, 2),
        storage_gb=round(sum(r.storage_gb for r in rows), 2),
        monthly_estimate=costs.monthly_estimate if costs else None,
        month_to_date=costs.month_to_date if costs else None,
        error=error,
        billing_error=billing.error if billing is not None else None,
        server_errors=len(data.server_errors),
    )


def _fetch_dashboard(client, cache: PersonCache) -> Dashboard:
    listed = [
        DataCenterRef(id=dc.id, name=dc.name)
        for dc in cache.get_or_fetch(
            "dcs", lambda: clc_datacenters.list_datacenters(client), patch=lambda dcs, changes: dcs
        )
    ]
    # Data centers whose tree and servers are already cached (e.g. the page was just visited).
    known: dict[str, _DataCenterData] = {}
    billing: dict[str, Panel] = {}
    for ref in listed:
        data = cache.peek(f"dc:{ref.id}", patch=_dc_patch(client))
        if isinstance(data, _DataCenterData):
            known[ref.id] = data
        cost = cache.peek(f"billing:{ref.id}", patch=patches.drop_if_datacenter_changed(ref.id))
        if isinstance(cost, BillingSummary):
            billing[ref.id] = Panel(data=cost)
    missing = [ref for ref in listed if ref.id not in known]

    # Phase 1: the root group of every missing data center and its tree (2 calls each, in parallel).
    def tree_of(ref: DataCenterRef):
        full = _datacenter_ref(client, cache, ref.id.lower())
        return full, _tree_task(client, full)

    trees = _run_tasks([lambda ref=ref: tree_of(ref) for ref in missing]) if missing else []
    failures: dict[str, PanelError] = {}
    pending: dict[str, tuple[DataCenterRef, GroupNode, list[str]]] = {}
    for ref, result in zip(missing, trees, strict=True):
        _reraise_fatal(result)
        if isinstance(result, errors.ClcError):
            failures[ref.id] = PanelError.from_exception("datacenter", result, f"Data center {ref.id}")
        else:
            full, tree = result
            pending[ref.id] = (full, tree, [sid for g in tree.walk() for sid in g.server_ids])

    # Phase 2: every server of every missing data center and each data center's billing, one pool.
    tasks: list[Callable[[], Any]] = []
    slots: list[tuple[str, str]] = []  # (dc, "server"|"billing")
    for dc_id, (_full, _tree, ids) in pending.items():
        for sid in ids:
            tasks.append(lambda sid=sid: clc_servers.get_server(client, sid))
            slots.append((dc_id, "server"))
    roots: dict[str, str | None] = {ref.id: None for ref in listed}
    for dc_id, (full, _tree, _ids) in pending.items():
        roots[dc_id] = full.root_group_id
    for ref in listed:
        if ref.id in known:
            roots[ref.id] = known[ref.id].datacenter.root_group_id
    for dc_id, root in roots.items():
        if root and dc_id not in billing:
            tasks.append(lambda root=root: _billing_summary(client, root))
            slots.append((dc_id, "billing"))
    results = _run_tasks(tasks) if tasks else []
    server_results: dict[str, list] = {dc_id: [] for dc_id in pending}
    for (dc_id, kind), result in zip(slots, results, strict=True):
        if kind == "server":
            server_results[dc_id].append(result)
        else:
            billing[dc_id] = _panel(result, "billing", f"The cost of {dc_id}")
            if billing[dc_id].data is not None:
                cache.put(f"billing:{dc_id}", billing[dc_id].data)
    for dc_id, (full, tree, ids) in pending.items():
        data = _assemble_dc(full, tree, ids, server_results[dc_id])
        known[dc_id] = data
        if not data.server_errors:
            cache.put(f"dc:{dc_id.lower()}", data)

    summaries = tuple(
        _summary(ref, known.get(ref.id), billing.get(ref.id), failures.get(ref.id)) for ref in listed
    )
    return _board(summaries, [e for data in known.values() for e in data.server_errors])


def _board(summaries: tuple[DataCenterSummary, ...], server_errors: list) -> Dashboard:
    problems = []
    for summary in summaries:
        if summary.error:
            problems.append(summary.error)
        if summary.billing_error:
            problems.append(summary.billing_error)
    problems.extend(server_errors)
    costs = [s.monthly_estimate for s in summaries if s.monthly_estimate is not None]
    power = PowerBreakdown()
    for summary in summaries:
        power = power + summary.power
    return Dashboard(
        datacenters=summaries,
        server_count=sum(s.server_count for s in summaries),
        power=power,
        cpu=sum(s.cpu for s in summaries),
        memory_gb=round(sum(s.memory_gb for s in summaries), 2),
        storage_gb=round(sum(s.storage_gb for s in summaries), 2),
        monthly_estimate=round(sum(costs), 2) if costs else None,
        errors=tuple(problems),
    )


def _dashboard_patch(client, cache: PersonCache) -> Callable:
    """A data center that changed gets its summary again from its (patched) view and its cost read
    again; the others are kept."""

    def patch(board: Dashboard, changes: list[dict]):
        touched = {str(c.get("dc", "")).upper() for c in changes}
        if not any(s.id.upper() in touched for s in board.datacenters):
            return board
        summaries = []
        try:
            for s in board.datacenters:
                if s.id.upper() not in touched:
                    summaries.append(s)
                    continue
                data = _dc_data(client, cache, s.id.lower())
                cost = cache.peek(f"billing:{s.id}", patch=patches.drop_if_datacenter_changed(s.id))
                root = data.datacenter.root_group_id
                if not isinstance(cost, BillingSummary) and root:
                    cost = _billing_summary(client, root)
                    cache.put(f"billing:{s.id}", cost)
                ref = DataCenterRef(id=s.id, name=s.name, root_group_id=root)
                summaries.append(_summary(ref, data, Panel(data=cost) if cost else None, None))
        except errors.Unauthorized:
            raise
        except errors.ClcError:
            return None  # read the whole dashboard again: it shows what fails where
        patched = _board(tuple(summaries), [])
        return patched if not patched.errors else None

    return patch


def dashboard(user, *, client=None, fresh: bool = False) -> Dashboard:
    """Every data center of the person with its figures and this month's estimated cost."""
    client = _client(user, client)
    cache = PersonCache(user)
    return cache.get_or_fetch(
        "dashboard",
        lambda: _fetch_dashboard(client, cache),
        cacheable=lambda board: not board.errors,
        fresh=fresh,
        patch=_dashboard_patch(client, cache),
    )


# --- group detail ----------------------------------------------------------------------------
def _fetch_group_detail(client, cache: PersonCache, group_id: str) -> GroupDetail:
    try:
        group = GroupNode.from_group(clc_groups.get_group(client, group_id))
    except errors.NotFound:
        raise NotFound(f"No group {group_id} in your account.") from None
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
    tasks: list[Callable[[], Any]] = [lambda sid=sid: clc_servers.get_server(client, sid) for sid in ids]
    tasks.append(lambda: _billing_summary(client, group.id))
    tasks.append(lambda: _group_statistics(client, group.id))
    if dc:
        tasks.append(ancestors_task)
    results = _run_tasks(tasks)
    server_results = results[: len(ids)]
    billing_result, stats_result = results[len(ids)], results[len(ids) + 1]
    ancestors: tuple[GroupRef, ...] = ()
    datacenter = DataCenterRef(id=group.location_id) if group.location_id else None
    if dc:
        tree_result = results[len(ids) + 2]
        _reraise_fatal(tree_result)
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


def group_detail(user, group_id: str, *, client=None, fresh: bool = False) -> GroupDetail:
    group_id = _checked_id(group_id, "group")
    client = _client(user, client)
    cache = PersonCache(user)
    return cache.get_or_fetch(
        f"group:{group_id}",
        lambda: _fetch_group_detail(client, cache, group_id),
        cacheable=_detail_is_whole,
        fresh=fresh,
        patch=patches.group_page,
    )


# --- server detail ---------------------------------------------------------------------------
def _server_cost(client, server: Server) -> ServerCostEstimate | None:
    return clc_billing.server_cost_estimate(client, server)


def _group_name(client, cache: PersonCache, server: Server) -> GroupRef | None:
    if not server.group_id:
        return None
    cached_dc = (
        cache.peek(f"dc:{server.location_id.lower()}", patch=_dc_patch(client))
        if server.location_id
        else None
    )
    if isinstance(cached_dc, _DataCenterData):
        node = cached_dc.tree.find(server.group_id)
        if node is not None:
            return GroupRef(node.id, node.name)
    group = clc_groups.get_group(client, server.group_id)
    return GroupRef(group.id, group.name)


def _fetch_server_detail(client, cache: PersonCache, server_id: str) -> ServerDetail:
    try:
        server = clc_servers.get_server(client, server_id)
    except errors.NotFound:
        raise NotFound(f"No server {server_id.upper()} in your account.") from None
    cost_result, group_result = _run_tasks(
        [lambda: _server_cost(client, server), lambda: _group_name(client, cache, server)]
    )
    _reraise_fatal(group_result)
    if isinstance(group_result, errors.ClcError):
        group_result = GroupRef(server.group_id) if server.group_id else None
    return ServerDetail(
        server=ServerRow.from_server(server, group_result.name if group_result else ""),
        host_name=server.host_name,
        type=server.type,
        storage_type=server.storage_type,
        ip_addresses=server.ip_addresses,
        disks=server.disks,
        partitions=server.partitions,
        snapshots=server.snapshots,
        custom_fields=server.custom_fields,
        alert_policies=server.alert_policies,
        change_info=server.change_info,
        group=group_result,
        datacenter=DataCenterRef(id=server.location_id) if server.location_id else None,
        cost=_panel(cost_result, "cost", "The cost estimate"),
    )


def server_detail(user, server_id: str, *, client=None, fresh: bool = False) -> ServerDetail:
    server_id = _checked_id(server_id, "server")
    client = _client(user, client)
    cache = PersonCache(user)
    return cache.get_or_fetch(
        f"server:{server_id}",
        lambda: _fetch_server_detail(client, cache, server_id),
        cacheable=lambda detail: detail.cost.error is None,
        fresh=fresh,
        patch=patches.server_page,
    )


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
    client = _client(user, client)
    group_id = _checked_id(group_id, "group")
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
    view = datacenter_view(user, group.datacenter, group.group.id, client=_client(user, client))
    return [r for r in view.servers if r.status == "active" and not r.error]


def checked_server_ids(raw, *, limit: int) -> list[str]:
    """Server ids a person picked (a form's or a body's list): upper-cased, each once, in order.
    Raises ``ValueError`` with a message for people (none, too many, not an id)."""
    if isinstance(raw, str):
        raw = [raw]
    out: list[str] = []
    for value in raw or ():
        value = str(value).strip().upper()
        if not value:
            continue
        if len(value) > 64 or not value.replace("-", "").isalnum():
            raise ValueError(f"{value[:64]} is not a server id.")
        if value not in out:
            out.append(value)
    if not out:
        raise ValueError("Select at least one server first.")
    if len(out) > limit:
        raise ValueError(f"Select at most {limit:,} servers at once.")
    return out


def require_visible_servers(client, server_ids) -> None:
    """Raise ``NotFound`` naming the ids the person's account cannot read (another account's or
    unknown), before anything is sent upstream: one concurrent GET per server, the person's token."""
    ids = [str(s).upper() for s in server_ids]
    found = clc_servers.get_servers(client, ids, return_exceptions=True)
    hidden = (errors.NotFound, errors.BadRequest, errors.Forbidden)
    unseen = [i for i, got in zip(ids, found, strict=True) if isinstance(got, hidden)]
    for got in found:  # 401, upstream down: answered as for any other call
        if isinstance(got, Exception) and not isinstance(got, hidden):
            raise got
    if unseen:
        raise NotFound(f"Not found: {', '.join(unseen)}.")


def server_credentials(user, server_id: str, *, client=None) -> Credentials:
    """The server's administrator credentials: one GET, never cached, never logged."""
    server_id = _checked_id(server_id, "server")
    client = _client(user, client)
    try:
        raw = clc_servers.get_credentials(client, server_id)
    except errors.NotFound:
        raise NotFound(f"No server {server_id.upper()} in your account.") from None
    return Credentials(user_name=str(raw.get("userName", "")), password=str(raw.get("password", "")))


__all__ = [
    "AlertPolicyInfo",
    "BillingSummary",
    "ChangeInfoData",
    "Credentials",
    "CustomFieldInfo",
    "Dashboard",
    "DataCenterRef",
    "DataCenterSummary",
    "DataCenterView",
    "DiskInfo",
    "DiskSeries",
    "GroupCost",
    "GroupDetail",
    "GroupNode",
    "GroupRef",
    "GroupStatistics",
    "IpAddressInfo",
    "LinkInfo",
    "NotFound",
    "Panel",
    "PanelError",
    "PartitionInfo",
    "PowerBreakdown",
    "ServerCostEstimate",
    "ServerCostRow",
    "ServerDetail",
    "ServerRow",
    "ServerSeries",
    "SnapshotInfo",
    "dashboard",
    "datacenter_servers",
    "datacenter_view",
    "group_detail",
    "GroupForChange",
    "active_servers_below",
    "checked_server_ids",
    "group_for_change",
    "require_visible_servers",
    "server_credentials",
    "server_detail",
]
