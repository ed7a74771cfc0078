"""Sign-in throttling per user name and per client address, in the shared cache (Redis).

Failed sign-ins (wrong credentials) count; after ``LOGIN_THROTTLE_ATTEMPTS`` failures within
``LOGIN_THROTTLE_WINDOW`` seconds, further attempts for that user name or from that address are
refused until the window that began with the first failure ends. A successful sign-in clears the
user name's count. If the cache is down, sign-in is not blocked (logged).
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Blocked:
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        minutes, seconds = divmod(max(1, self.retry_after), 60)
        wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        return f"Too many sign-in attempts. Try again in {wait}."


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(username: str, address: str) -> list[str]:
    return [f"signin:user:{_digest(username.strip().lower())}", f"signin:addr:{_digest(address or '-')}"]


def check(username: str, address: str) -> Blocked | None:
    limit = int(settings.LOGIN_THROTTLE_ATTEMPTS)
    try:
        now = time.time()
        longest = 0
        for key in _keys(username, address):
            entries = cache.get_many([f"{key}:n", f"{key}:until"])
            count, until = entries.get(f"{key}:n") or 0, entries.get(f"{key}:until") or 0
            if count >= limit and until > now:
                longest = max(longest, int(until - now + 0.999))
        return Blocked(longest) if longest else None
    except Exception:  # a broken cache must not lock everyone out
        log.warning("sign-in throttle unavailable", exc_info=True)
        return None


def record_failure(username: str, address: str) -> None:
    window = int(settings.LOGIN_THROTTLE_WINDOW)
    try:
        for key in _keys(username, address):
            if cache.add(f"{key}:until", time.time() + window, timeout=window):
                cache.set(f"{key}:n", 0, timeout=window)
            try:
                cache.incr(f"{key}:n")
            except ValueError:  # expired between the two calls
                cache.set(f"{key}:n", 1, timeout=window)
    except Exception:
        log.warning("sign-in throttle unavailable", exc_info=True)


def clear_user(username: str) -> None:
    try:
        key = _keys(username, "")[0]
        cache.delete_many([f"{key}:n", f"{key}:until"])
    except Exception:
        log.warning("sign-in throttle unavailable", exc_info=True)
