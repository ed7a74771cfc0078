"""A per-person cache of inventory reads in Redis (the Django cache), told what changed.

Keys look like ``inv:<ALIAS>:g<generation>:<cloud user>:<resource>``:

* per person (account alias + cloud user name): two people never share an entry, since what the
  API shows depends on the caller's roles (links, verbs, billing);
* per *account generation*: a counter in Redis (``inv:gen:<ALIAS>``, no expiry) that
  ``invalidate_account`` bumps: every later read of that account — by anyone of the team — misses.

Precise invalidation: what changed is told, not guessed. ``invalidate_server(alias, id, dc=...)``
and ``invalidate_datacenter(alias, dc)`` append a *change* to the account's change log
(``inv:seq:<ALIAS>`` counts them, ``inv:chg:<ALIAS>:<n>`` holds change n). Every entry remembers the
log position it was read at. When it is read again and changes came since, the selector's ``patch``
decides: the entry is unaffected (kept), patched (e.g. the data center view refetches only the
changed server's row), or dropped (read again). A selector without ``patch`` drops its entry on any
change. Too many changes since (more than ``CHANGES_APPLIED``), or a change record gone: dropped.
An entry is stamped with the position read *before* its fetch started, so a change that lands
while it is fetched is applied on the next read. An entry found unaffected is not written again:
a small ``<key>:at`` records the position it is known to be current at.

Fresh for ``ttl_for(alias)``: ``CLC_CACHE_SECONDS`` (30 s), or ``CLC_CACHE_WEBHOOK_SECONDS`` (300 s)
while the account's webhooks are connected (``mark_connected``: the cloud then tells us what
changed). Then, for ``CLC_CACHE_STALE_SECONDS`` more (default 4x ``CLC_CACHE_SECONDS``), a stale
copy is served while one background thread refreshes it (stale-while-revalidate). A Redis outage
degrades to no cache (logged), never to an error page.

Credentials are never cached (``selectors.server_credentials`` doesn't come here).
"""

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from apps.clc import metrics

from . import memo

log = logging.getLogger(__name__)

T = TypeVar("T")

CHANGES_APPLIED = 200  # more changes than this since an entry was read: read it again
_MISS = object()

_refreshing: set[threading.Thread] = set()
_refreshing_lock = threading.Lock()


def ttl() -> int:
    """Freshness without webhooks (``CLC_CACHE_SECONDS``)."""
    return int(getattr(settings, "CLC_CACHE_SECONDS", 30))


def webhook_ttl() -> int:
    """Freshness while the account's webhooks are connected (``CLC_CACHE_WEBHOOK_SECONDS``)."""
    value = getattr(settings, "CLC_CACHE_WEBHOOK_SECONDS", None)
    return int(value) if value is not None else 10 * ttl()


def stale_seconds() -> int:
    value = getattr(settings, "CLC_CACHE_STALE_SECONDS", None)
    return int(value) if value is not None else 4 * ttl()


def alias_of(user_or_alias) -> str:
    if isinstance(user_or_alias, str):
        return user_or_alias.strip().upper()
    return str(getattr(user_or_alias, "account_alias", "") or "").upper()


def _gen_key(alias: str) -> str:
    return f"inv:gen:{alias}"


def _seq_key(alias: str) -> str:
    return f"inv:seq:{alias}"


def _change_key(alias: str, seq: int) -> str:
    return f"inv:chg:{alias}:{seq}"


def _hooked_key(alias: str) -> str:
    return f"inv:hooked:{alias}"


def generation(alias: str) -> int | None:
    """The account's current generation (0 before any invalidation); None if Redis is down."""
    try:
        return int(cache.get(_gen_key(alias)) or 0)
    except Exception:
        log.warning("cache unavailable (reading generation)", exc_info=True)
        return None


# --- webhooks connected: entries last longer ---------------------------------------------------
def mark_connected(user_or_alias, connected: bool = True) -> None:
    """Webhooks tell us this account's changes (or no longer do): fresh for longer (or not)."""
    alias = alias_of(user_or_alias)
    try:
        if connected:
            cache.set(_hooked_key(alias), 1, timeout=None)
        else:
            cache.delete(_hooked_key(alias))
    except Exception:
        log.warning("cache unavailable (webhook flag of %s)", alias, exc_info=True)


def is_connected(user_or_alias) -> bool:
    try:
        return bool(cache.get(_hooked_key(alias_of(user_or_alias))))
    except Exception:
        return False


def ttl_for(user_or_alias) -> int:
    return webhook_ttl() if is_connected(user_or_alias) else ttl()


# --- invalidation ------------------------------------------------------------------------------
def invalidate_account(user_or_alias) -> None:
    """Make every cached inventory read of this account stale-proof: the next read is fresh."""
    alias = alias_of(user_or_alias)
    if not alias:
        return
    key = _gen_key(alias)
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, int(time.time()), timeout=None)
    except Exception:
        log.warning("cache unavailable (invalidation of %s)", alias, exc_info=True)


def _change_lifetime() -> int:
    """A change record outlives every entry it may have to be applied to."""
    return max(ttl(), webhook_ttl()) + stale_seconds() + 60


def record_change(user_or_alias, change: dict) -> int | None:
    """Append ``change`` (plain data: see ``invalidate_server``) to the account's change log; its
    position, or None when the log could not be written (then the account was invalidated)."""
    alias = alias_of(user_or_alias)
    if not alias:
        return None
    try:
        cache.add(_seq_key(alias), 0, timeout=None)
        seq = cache.incr(_seq_key(alias))
        cache.set(_change_key(alias, seq), dict(change), timeout=_change_lifetime())
        return seq
    except ValueError:  # the counter was evicted: positions restart, so nothing cached may stay
        log.info("change log of %s restarted", alias)
    except Exception:
        log.warning("cache unavailable (change of %s)", alias, exc_info=True)
    invalidate_account(alias)
    return None


def datacenter_of_server(alias: str, server_id: str) -> str:
    """``WA1DEMOWEB01`` of DEMO -> ``WA1``: ids are data center + alias + name + counter; "" when
    the id does not look like one (e.g. a name given to a server still being built)."""
    match = re.fullmatch(rf"([A-Z]{{2}}\d){re.escape(alias)}[A-Z0-9-]+\d\d", server_id.upper())
    return match.group(1) if match else ""


def invalidate_server(
    user_or_alias, server_id: str | None = None, *, dc: str = "", group_id: str = "", kind: str = "updated"
) -> int | None:
    """A server changed (``kind``: created, updated, deleted): its page, its group's and its data
    center's (the row only) are read again; other entries stay. ``group_id``: its group after the
    change, when known. Without a usable id and data center, the whole account is invalidated."""
    alias = alias_of(user_or_alias)
    sid = str(server_id or "").strip().upper()
    location = (dc or datacenter_of_server(alias, sid)).strip().upper()
    if not sid or not location:
        invalidate_account(alias)
        return None
    change = {"scope": "server", "dc": location, "server": sid, "group": group_id.lower(), "kind": kind}
    return record_change(alias, change)


def invalidate_group(user_or_alias, group_id: str | None = None, *, dc: str = "") -> int | None:
    """A group changed: with its data center, everything of that data center is read again; without
    it (groups carry no location in their id), the whole account."""
    if not dc:
        invalidate_account(user_or_alias)
        return None
    return invalidate_datacenter(user_or_alias, dc, group_id=group_id or "")


def invalidate_datacenter(user_or_alias, dc: str | None = None, *, group_id: str = "") -> int | None:
    location = str(dc or "").strip().upper()
    if not location:
        invalidate_account(user_or_alias)
        return None
    return record_change(user_or_alias, {"scope": "datacenter", "dc": location, "group": group_id.lower()})


# --- one person's view of the cache ------------------------------------------------------------
class PersonCache:
    """The cache as one person sees it; the account's generation, change position and freshness
    are read once (one round trip), when first needed."""

    def __init__(self, user):
        self.alias = alias_of(user)
        self.person = str(getattr(user, "cloud_username", "") or getattr(user, "pk", "")).lower()
        self._generation: int | None = None
        self._seq = 0
        self._ttl = ttl()
        self._loaded = False
        self._changes: dict[int, list | None] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        keys = [_gen_key(self.alias), _seq_key(self.alias), _hooked_key(self.alias)]
        try:
            values = cache.get_many(keys)
        except Exception:
            log.warning("cache unavailable (reading generation)", exc_info=True)
            return
        self._generation = int(values.get(keys[0]) or 0)
        self._seq = int(values.get(keys[1]) or 0)
        self._ttl = webhook_ttl() if values.get(keys[2]) else ttl()

    @property
    def enabled(self) -> bool:
        self._load()
        return self._generation is not None and ttl() > 0

    @property
    def ttl(self) -> int:
        self._load()
        return self._ttl

    @property
    def position(self) -> int:
        """The account's change position this person's reads are stamped with."""
        self._load()
        return self._seq

    def key(self, resource: str) -> str:
        self._load()  # the generation is part of the key
        return f"inv:{self.alias}:g{self._generation}:{self.person}:{resource.lower()}"

    def stable_key(self, resource: str) -> str:
        """For facts that no action changes (a data center's root group id): no generation."""
        return f"inv:{self.alias}:stable:{self.person}:{resource.lower()}"

    def _lifetime(self) -> int:
        return self.ttl + stale_seconds()

    def changes_since(self, seq: int) -> list[dict] | None:
        """The changes after position ``seq`` (oldest first), or None when they can't all be read."""
        if seq in self._changes:
            return self._changes[seq]
        found = None
        if 0 <= self._seq - seq <= CHANGES_APPLIED:
            keys = [_change_key(self.alias, n) for n in range(seq + 1, self._seq + 1)]
            try:
                values = cache.get_many(keys) if keys else {}
            except Exception:
                values = {}
            if len(values) == len(keys):
                found = [values[k] for k in keys]
        self._changes[seq] = found
        return found

    def _read(self, key: str):
        """(entry, position it is known current at) or (None, 0). The small ``:stamp`` is read
        first: when this process holds that version (``memo``), the big value is not fetched."""
        try:
            found = cache.get_many([f"{key}:stamp", f"{key}:at"])
            stamp, at = found.get(f"{key}:stamp"), int(found.get(f"{key}:at") or 0)
            value = memo.entry_for(key, stamp)
            if value is not None:
                return (stamp[0], value, stamp[1]), at
            entry = cache.get(key)
        except Exception:
            log.warning("cache unavailable", exc_info=True)
            return None, 0
        if isinstance(entry, tuple) and len(entry) == 3:
            memo.remember_entry(key, (entry[0], entry[2]), entry[1])
        return entry, at

    @staticmethod
    def _entry_items(key: str, stored_at: float, value, seq: int) -> dict:
        memo.remember_entry(key, (stored_at, seq), value)
        return {key: (stored_at, value, seq), f"{key}:stamp": (stored_at, seq), f"{key}:at": seq}

    def _current(self, key: str, entry, at: int, patch) -> Any:
        """The entry's value brought up to the account's position, or ``_MISS``."""
        if not isinstance(entry, tuple) or len(entry) != 3:
            return _MISS  # written before changes were told (no position)
        stored_at, value, seq = entry
        seq = max(seq, at) if at <= self._seq else seq
        if seq == self._seq:
            return value
        if seq > self._seq or patch is None:
            return _MISS  # the log restarted, or nobody can tell whether this entry is affected
        changes = self.changes_since(seq)
        if changes is None:
            return _MISS
        patched = patch(value, changes)
        if patched is None:
            return _MISS
        remaining = int(self._lifetime() - (time.time() - stored_at))
        if remaining > 0:
            try:
                if patched is value:  # unaffected: only its position moves (no big write)
                    cache.set(f"{key}:at", self._seq, timeout=remaining)
                else:  # keeps its age: what was not refetched is as old as before
                    cache.set_many(self._entry_items(key, stored_at, patched, self._seq), timeout=remaining)
            except Exception:
                log.warning("cache unavailable", exc_info=True)
        return patched

    # --- raw access ------------------------------------------------------------------------
    def peek(self, resource: str, patch=None) -> Any:
        """The cached value if still fresh (brought up to date by ``patch``), else None."""
        if not self.enabled:
            return None
        key = self.key(resource)
        entry, at = self._read(key)
        if not entry or time.time() - entry[0] > self.ttl:
            return None
        value = self._current(key, entry, at, patch)
        return None if value is _MISS else value

    def put(self, resource: str, value: Any, position: int | None = None) -> None:
        if not self.enabled:
            return
        seq = self._seq if position is None else position
        key = self.key(resource)
        try:
            cache.set_many(self._entry_items(key, time.time(), value, seq), timeout=self._lifetime())
        except Exception:
            log.warning("cache unavailable", exc_info=True)

    def get_stable(self, resource: str, timeout: int = 3600) -> Any:
        try:
            return cache.get(self.stable_key(resource))
        except Exception:
            return None

    def put_stable(self, resource: str, value: Any, timeout: int = 3600) -> None:
        try:
            cache.set(self.stable_key(resource), value, timeout=timeout)
        except Exception:
            log.warning("cache unavailable", exc_info=True)

    # --- the usual way -----------------------------------------------------------------------
    def get_or_fetch(
        self,
        resource: str,
        fetch: Callable[[], T],
        *,
        cacheable: Callable[[T], bool] = lambda value: True,
        fresh: bool = False,
        patch: Callable[[T, list[dict]], T | None] | None = None,
    ) -> T:
        """The cached value (fresh, or stale while a refresh runs; brought up to the account's
        changes by ``patch(value, changes) -> value | None``), else ``fetch()`` stored."""
        if not self.enabled:
            return fetch()
        key = self.key(resource)
        position = self._seq  # before the fetch: a change during it is applied on the next read
        if not fresh:
            entry, at = self._read(key)
            if entry:
                value = self._current(key, entry, at, patch)
                if value is not _MISS:
                    if time.time() - entry[0] > self.ttl:
                        self._refresh_in_background(key, fetch, cacheable, position)
                    return value
        value = fetch()
        if cacheable(value):
            self.put(resource, value, position)
        return value

    def _refresh_in_background(self, key: str, fetch: Callable, cacheable: Callable, position: int) -> None:
        try:
            # One refresher per entry across processes; the lock expires on its own.
            if not cache.add(f"{key}:refreshing", 1, timeout=max(self.ttl, 5)):
                return
        except Exception:
            return
        lifetime = self._lifetime()

        def run():
            try:
                with metrics.use_tally(None):  # not part of any request's Server-Timing
                    value = fetch()
                if cacheable(value):
                    cache.set_many(
                        PersonCache._entry_items(key, time.time(), value, position), timeout=lifetime
                    )
            except Exception:
                log.info("background refresh of %s failed", key.rsplit(":", 1)[-1], exc_info=True)
            finally:
                try:
                    cache.delete(f"{key}:refreshing")
                except Exception:
                    pass
                with _refreshing_lock:
                    _refreshing.discard(threading.current_thread())

        thread = threading.Thread(target=run, name="inventory-refresh", daemon=True)
        with _refreshing_lock:
            _refreshing.add(thread)
        thread.start()


def wait_for_refreshes(timeout: float = 10.0) -> None:
    """Join the running background refreshes (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:
        with _refreshing_lock:
            threads = list(_refreshing)
        if not threads:
            return
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            return
