"""The dashboard: every data center of the person with its figures and this month's cost."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.clc import datacenters as clc_datacenters
from apps.clc import errors
from apps.clc import servers as clc_servers

from .. import patches
from ..cache import PersonCache
from . import panels
from .common import Panel, PanelError, _client, _panel, _reraise_fatal, _run_tasks
from .datacenters import _assemble_dc, _datacenter_ref, _DataCenterData, _dc_data, _dc_patch, _tree_task
from .panels import BillingSummary
from .rows import DataCenterRef, GroupNode, PowerBreakdown


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
            tasks.append(lambda root=root: panels._billing_summary(client, root))
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
                    cost = panels._billing_summary(client, root)
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
