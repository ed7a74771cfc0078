"""The dashboard read ahead and shared: started at sign-in (``INVENTORY_WARMUP_AT_SIGNIN``), or by
the dashboard page itself, and joined by whoever needs it meanwhile.

* ``dashboard(user, client)`` -> a ``Future`` of the person's ``Dashboard``: the one already running
  for this person in this process, else a new one (``fresh``: always new).
* The page waits for it up to ``INVENTORY_DASHBOARD_WAIT_SECONDS`` (0.15 s); past that it answers
  at once with each data center as a placeholder that its script fills in from
  ``/dashboard/datacenters/<dc>/`` (``line``), so a slow data center delays only its own card.
* ``line(user, client, ref)``: one data center's line. While the running dashboard reads that data
  center, this waits for it (no second read); otherwise it reads it (from the cache when done).

Reads run in a small thread pool of this process with the person's client; their upstream calls
count in the ``Server-Timing`` of the request that started them, if any.
"""

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, InvalidStateError, ThreadPoolExecutor, wait

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import close_old_connections

from apps.accounts.services import client_for_request, sees_inventory, user_datacenters
from apps.clc import metrics

from . import selectors
from .cache import PersonCache

log = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inventory-warmup")
_lock = threading.Condition()
_boards: dict[str, Future] = {}
_lines: dict[tuple[str, str], Future] = {}
_pending: set[Future] = set()  # every read started here, until it ends (``wait_idle``)


def _submit(fn, *args) -> Future:
    future = _pool.submit(fn, *args)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_discard)
    return future


def _discard(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def wait_idle(timeout: float = 60.0) -> None:
    """Wait until every read started here has ended (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            pending = list(_pending)
        if not pending or time.monotonic() >= deadline:
            return
        for future in pending:
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:
                pass


def wait_seconds() -> float:
    return float(getattr(settings, "INVENTORY_DASHBOARD_WAIT_SECONDS", 0.15))


def _person_and_version(user) -> tuple[str, tuple]:
    """Who reads, and what their cached inventory stands at (generation, change position): a read
    started at another version is not joined (an action since must show)."""
    cache = PersonCache(user)
    return f"{cache.alias}:{cache.person}", (cache.key(""), cache.position)


def _tracked(person: str, version: tuple, user, client, ref) -> tuple:
    """Read one data center's line, told to ``line`` callers while it runs."""
    future: Future = Future()
    future.version = version
    key = (person, ref.id.upper())
    with _lock:
        _lines[key] = future
        _lock.notify_all()
    try:
        result = selectors.dashboard_line(user, ref, client=client)
    except BaseException as exc:
        future.set_exception(exc)
        raise
    else:
        future.set_result(result)
        return result
    finally:
        with _lock:
            if _lines.get(key) is future:
                del _lines[key]


def _tell(future: Future, value) -> None:
    """``future``'s result, unless it has one or was given up (a background refresh of the
    dashboard lists again, after its read ended)."""
    try:
        future.set_result(value)
    except InvalidStateError:
        pass


def _read(person: str, version: tuple, user, client, fresh: bool, tally, listing: Future):
    try:
        with metrics.use_tally(tally):
            return selectors.dashboard(
                user,
                client=client,
                fresh=fresh,
                line=lambda ref: _tracked(person, version, user, client, ref),
                listed=lambda refs: _tell(listing, refs),
            )
    finally:
        listing.cancel()  # not listed (the dashboard came from the cache, or failed): no-op once set
        close_old_connections()


def dashboard(user, client, *, fresh: bool = False, tally=None) -> Future:
    person, version = _person_and_version(user)
    with _lock:
        running = _boards.get(person)
        if running is not None and not running.done() and not fresh and running.version == version:
            return running
        listing: Future = Future()  # the data centers, as soon as the read has them (``datacenters``)
        future = _submit(_read, person, version, user, client, fresh, tally, listing)
        future.version, future.listing = version, listing
        _boards[person] = future

    def forget(done: Future) -> None:
        with _lock:
            if _boards.get(person) is done:
                del _boards[person]
            _lock.notify_all()

    future.add_done_callback(forget)
    return future


def datacenters(user, client, running: Future, timeout: float = 60.0) -> list:
    """The person's data centers for the dashboard's placeholders: those the ``running`` read
    listed, as soon as it has (no second list call while the upstream is slow); read here when it
    did not list them (its dashboard came from the cache, or it failed)."""
    wait([running, running.listing], timeout=timeout, return_when=FIRST_COMPLETED)
    if running.listing.done() and not running.listing.cancelled():
        return running.listing.result()
    return selectors.dashboard_datacenters(user, client=client)


def line(user, client, ref, timeout: float = 60.0) -> tuple:
    """One data center's (summary, server errors): joined while the person's dashboard reads it."""
    person, version = _person_and_version(user)
    key = (person, ref.id.upper())
    deadline = time.monotonic() + min(timeout, 5.0)

    def board_running() -> bool:
        board = _boards.get(person)
        return board is not None and board.version == version

    with _lock:
        # The dashboard is running but has not reached this data center yet: wait for it a little.
        while key not in _lines and board_running() and time.monotonic() < deadline:
            _lock.wait(max(0.0, deadline - time.monotonic()))
        running = _lines.get(key)
    if running is not None and running.version == version:
        return running.result(timeout=timeout)
    return selectors.dashboard_line(user, ref, client=client)


def _at_sign_in(sender, request, user, **kwargs) -> None:
    if not getattr(settings, "INVENTORY_WARMUP_AT_SIGNIN", True) or not sees_inventory(user):
        return
    try:
        client = client_for_request(request)  # here: the token is read from the database
    except Exception:  # a sign-in never fails for a warm-up
        log.warning("dashboard warm-up not started", exc_info=True)
        return
    dashboard(user, client)
    _submit(_top_bar, request)


def _top_bar(request) -> None:
    """The top bar's list of data centers (its own cache), read meanwhile too."""
    try:
        user_datacenters(request)
    except Exception:
        log.info("top bar warm-up failed", exc_info=True)
    finally:
        close_old_connections()


def connect() -> None:
    user_logged_in.connect(_at_sign_in, dispatch_uid="inventory-dashboard-warmup")
