"""The dashboard: every data center of the person with its figures and this month's cost."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.clc import datacenters as clc_datacenters
from apps.clc import errors

from .. import patches
from ..cache import PersonCache
from . import panels
from .common import Panel, PanelError, _panel, own_client, reraise_fatal, run_tasks
from .datacenters import _datacenter_ref, _DataCenterData, _dc_patch, _dc_task
from .panels import BillingSummary
from .rows import DataCenterRef, PowerBreakdown


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


def _listed(client, cache: PersonCache) -> list[DataCenterRef]:
    return [
        DataCenterRef(id=dc.id, name=dc.name)
        for dc in cache.get_or_fetch(
            "dcs", lambda: clc_datacenters.list_datacenters(client), patch=lambda dcs, changes: dcs
        )
    ]


def _datacenter_part(client, cache: PersonCache, ref: DataCenterRef) -> tuple:
    """One data center's view and cost, from the cache or read: its root group (cached an hour),
    then at once its tree with every server (one detailed group call) and its cost.
    -> (``_DataCenterData`` | ``ClcError``, ``Panel`` | None); a 401 or a data center that can't be
    read at all raises."""
    data = cache.peek(f"dc:{ref.id.lower()}", patch=_dc_patch(client))
    cost = cache.peek(f"billing:{ref.id}", patch=patches.drop_if_datacenter_changed(ref.id))
    billing = Panel(data=cost) if isinstance(cost, BillingSummary) else None
    known = data if isinstance(data, _DataCenterData) else None
    full = known.datacenter if known is not None else _datacenter_ref(client, cache, ref.id.lower())
    tasks: list[Callable[[], Any]] = []
    if known is None:
        tasks.append(lambda: _dc_task(client, full))
    if billing is None and full.root_group_id:
        tasks.append(lambda: panels._billing_summary(client, full.root_group_id))
    results = run_tasks(tasks) if tasks else []
    if known is None:
        known = results.pop(0)
        reraise_fatal(known)
        if isinstance(known, _DataCenterData) and not known.server_errors:
            cache.put(f"dc:{ref.id.lower()}", known)
    if results:
        billing = _panel(results[0], "billing", f"The cost of {ref.id}")
        if billing.data is not None:
            cache.put(f"billing:{ref.id}", billing.data)
    return known, billing


def _datacenter_summary(client, cache: PersonCache, ref: DataCenterRef) -> tuple:
    """One data center's line of the dashboard and the servers it could not read."""
    try:
        data, billing = _datacenter_part(client, cache, ref)
    except errors.Unauthorized:
        raise
    except errors.ClcError as exc:
        data, billing = exc, None
    if isinstance(data, errors.ClcError):
        problem = PanelError.from_exception("datacenter", data, f"Data center {ref.id}")
        return _summary(ref, None, None, problem), ()
    return _summary(ref, data, billing, None), data.server_errors


def _fetch_dashboard(
    client, cache: PersonCache, line: Callable | None = None, listed: Callable | None = None
) -> Dashboard:
    """Every data center in one bounded fan-out: per data center (root group link, cached) + one
    detailed tree + its cost; what is cached (e.g. a page just visited) is not read again.
    ``line(ref)``: how one data center's line is had (default: read here; the warm-up tracks it);
    ``listed(refs)``: told the data centers as soon as they are known (the warm-up's placeholders)."""
    refs = _listed(client, cache)
    if listed is not None:
        listed(refs)
    line = line or (lambda ref: _datacenter_summary(client, cache, ref))
    results = run_tasks([lambda ref=ref: line(ref) for ref in refs])
    for result in results:
        reraise_fatal(result)
    return _board(tuple(r[0] for r in results), [e for r in results for e in r[1]])


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
    """A data center that changed gets its line again the way the dashboard reads it
    (``_datacenter_summary``: its patched view, its cost read again); the others are kept. A line
    that now shows a problem reads the whole dashboard again (it shows what fails where)."""

    def patch(board: Dashboard, changes: list[dict]):
        touched = {str(c.get("dc", "")).upper() for c in changes}
        stale = [s for s in board.datacenters if s.id.upper() in touched]
        if not stale:
            return board
        lines = run_tasks(
            [
                lambda s=s: _datacenter_summary(client, cache, DataCenterRef(id=s.id, name=s.name))
                for s in stale
            ]
        )
        for line in lines:
            reraise_fatal(line)  # any other problem is in its line (``_datacenter_summary``)
        again = {s.id: line for s, line in zip(stale, lines, strict=True)}
        summaries = tuple(again[s.id][0] if s.id in again else s for s in board.datacenters)
        patched = _board(summaries, [e for line in again.values() for e in line[1]])
        return patched if not patched.errors else None

    return patch


def dashboard(
    user, *, client=None, fresh: bool = False, line: Callable | None = None, listed: Callable | None = None
) -> Dashboard:
    """Every data center of the person with its figures and this month's estimated cost.
    ``line(ref) -> (DataCenterSummary, server errors)``, ``listed(refs)``: see ``_fetch_dashboard``."""
    client = own_client(user, client)
    cache = PersonCache(user)
    return cache.get_or_fetch(
        "dashboard",
        lambda: _fetch_dashboard(client, cache, line, listed),
        cacheable=lambda board: not board.errors,
        fresh=fresh,
        patch=_dashboard_patch(client, cache),
    )


def dashboard_datacenters(user, *, client=None) -> list[DataCenterRef]:
    """The person's data centers (id, name), as the dashboard lists them (cached)."""
    return _listed(own_client(user, client), PersonCache(user))


def dashboard_line(user, ref: DataCenterRef, *, client=None) -> tuple[DataCenterSummary, tuple]:
    """One data center's line of the dashboard and the servers it could not read (what the
    progressive dashboard fills in; from the cache when the data center was read)."""
    return _datacenter_summary(own_client(user, client), PersonCache(user), ref)
