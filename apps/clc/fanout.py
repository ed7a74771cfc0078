"""Bounded concurrent fan-out (e.g. the details of many servers) that keeps the request's tally."""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings

from . import metrics
from .errors import ClcError

T = TypeVar("T")
R = TypeVar("R")


def fan_out(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    return_exceptions: bool = False,
    tally: metrics.UpstreamTally | None = None,
) -> list:
    """Run ``fn`` over ``items`` with at most ``CLC_FANOUT_WORKERS`` at once; results in input order.

    Calls made in the worker threads are recorded in ``tally`` (by default the caller's current
    one), so ``Server-Timing`` counts them. Without ``return_exceptions`` the first ``ClcError``
    (in input order) is raised after all calls finished; with it, errors are returned in place.
    """
    items = list(items)
    if not items:
        return []
    tally = tally or metrics.current_tally()
    limit = max(1, min(workers or int(settings.CLC_FANOUT_WORKERS), len(items)))

    def run(item):
        with metrics.use_tally(tally):
            try:
                return fn(item)
            except ClcError as exc:
                return exc

    if limit == 1:
        results = [run(item) for item in items]
    else:
        with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="clc-fanout") as pool:
            results = list(pool.map(run, items))
    if not return_exceptions:
        for result in results:
            if isinstance(result, ClcError):
                raise result
    return results
