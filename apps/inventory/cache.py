"""A short per-person cache of inventory reads in Redis (the Django cache), with invalidation.

Keys look like ``inv:<ALIAS>:g<generation>:<cloud user>:<resource>``:

* per person (account alias + cloud user name): two people never share an entry, since what the
  API shows depends on the caller's roles (links, verbs, billing);
* per *account generation*: a counter in Redis (``inv:gen:<ALIAS>``, no expiry) that every
  invalidation bumps. Any action on a server, group or data center of an account makes every
  later read of that account — by anyone of the team — miss, so the next page is true. Old entries
  are never read again and expire on their own.

Fresh for ``settings.CLC_CACHE_SECONDS``; then, for ``CLC_CACHE_STALE_SECONDS`` more (default 4x the
TTL), a stale copy is served while one background thread refreshes it (stale-while-revalidate).
A Redis outage degrades to no cache (logged), never to an error page.

Credentials are never cached (``selectors.server_credentials`` doesn't come here).
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from apps.clc import metrics

log = logging.getLogger(__name__)

T = TypeVar("T")

_refreshing: set[threading.Thread] = set()
_refreshing_lock = threading.Lock()


def ttl() -> int:
    return int(getattr(settings, "CLC_CACHE_SECONDS", 30))


def stale_seconds() -> int:
    value = getattr(settings, "CLC_CACHE_STALE_SECONDS", None)
    return int(value) if value is not None else 4 * ttl()


def alias_of(user_or_alias) -> str:
    if isinstance(user_or_alias, str):
        return user_or_alias.strip().upper()
    return str(getattr(user_or_alias, "account_alias", "") or "").upper()


def _gen_key(alias: str) -> str:
    return f"inv:gen:{alias}"


def generation(alias: str) -> int | None:
    """The account's current generation (0 before any invalidation); None if Redis is down."""
    try:
        return int(cache.get(_gen_key(alias)) or 0)
    except Exception:
        log.warning("cache unavailable (reading generation)", exc_info=True)
        return None


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


def invalidate_server(user_or_alias, server_id: str | None = None) -> None:
    """After an action on a server: its page, its group's and its data center's are refetched."""
    invalidate_account(user_or_alias)


def invalidate_group(user_or_alias, group_id: str | None = None) -> None:
    invalidate_account(user_or_alias)


def invalidate_datacenter(user_or_alias, dc: str | None = None) -> None:
    invalidate_account(user_or_alias)


class PersonCache:
    """The cache as one person sees it; the generation is read once, when first needed."""

    def __init__(self, user):
        self.alias = alias_of(user)
        self.person = str(getattr(user, "cloud_username", "") or getattr(user, "pk", "")).lower()
        self._generation: int | None = None
        self._loaded = False

    @property
    def enabled(self) -> bool:
        if not self._loaded:
            self._generation = generation(self.alias)
            self._loaded = True
        return self._generation is not None and ttl() > 0

    def key(self, resource: str) -> str:
        return f"inv:{self.alias}:g{self._generation}:{self.person}:{resource.lower()}"

    def stable_key(self, resource: str) -> str:
        """For facts that no action changes (a data center's root group id): no generation."""
        return f"inv:{self.alias}:stable:{self.person}:{resource.lower()}"

    # --- raw access ------------------------------------------------------------------------
    def peek(self, resource: str) -> Any:
        """The cached value if still fresh, else None (no refresh)."""
        if not self.enabled:
            return None
        try:
            entry = cache.get(self.key(resource))
        except Exception:
            log.warning("cache unavailable", exc_info=True)
            return None
        if entry and time.time() - entry[0] <= ttl():
            return entry[1]
        return None

    def put(self, resource: str, value: Any) -> None:
        if not self.enabled:
            return
        try:
            cache.set(self.key(resource), (time.time(), value), timeout=ttl() + stale_seconds())
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
    ) -> T:
        """The cached value (fresh, or stale while a refresh runs), else ``fetch()`` stored."""
        if not self.enabled:
            return fetch()
        key = self.key(resource)
        if not fresh:
            try:
                entry = cache.get(key)
            except Exception:
                log.warning("cache unavailable", exc_info=True)
                entry = None
            if entry:
                stored_at, value = entry
                if time.time() - stored_at > ttl():
                    self._refresh_in_background(key, fetch, cacheable)
                return value
        value = fetch()
        if cacheable(value):
            self.put(resource, value)
        return value

    def _refresh_in_background(self, key: str, fetch: Callable, cacheable: Callable) -> None:
        try:
            # One refresher per entry across processes; the lock expires on its own.
            if not cache.add(f"{key}:refreshing", 1, timeout=max(ttl(), 5)):
                return
        except Exception:
            return

        def run():
            try:
                with metrics.use_tally(None):  # not part of any request's Server-Timing
                    value = fetch()
                if cacheable(value):
                    cache.set(key, (time.time(), value), timeout=ttl() + stale_seconds())
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
