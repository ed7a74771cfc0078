"""Counts and times upstream calls per request (or task), for the ``Server-Timing`` header."""

import contextlib
import contextvars
import threading
from dataclasses import dataclass, field


@dataclass
class UpstreamTally:
    calls: int = 0
    duration_ms: float = 0.0
    fallback_reads: int = 0  # servers read one by one because a group answer lacked them
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, duration_ms: float) -> None:
        # Fan-out threads add to the same tally at once.
        with self._lock:
            self.calls += 1
            self.duration_ms += duration_ms

    def add_fallback(self, count: int) -> None:
        with self._lock:
            self.fallback_reads += count

    def header_value(self) -> str:
        value = f'upstream;desc="{self.calls} calls";dur={self.duration_ms:.1f}'
        if self.fallback_reads:
            value += f', upstream-fallback;desc="{self.fallback_reads} server reads"'
        return value


_current: contextvars.ContextVar[UpstreamTally | None] = contextvars.ContextVar(
    "upstream_tally", default=None
)


def start_tally() -> tuple[UpstreamTally, contextvars.Token]:
    tally = UpstreamTally()
    return tally, _current.set(tally)


def end_tally(token: contextvars.Token) -> None:
    _current.reset(token)


def current_tally() -> UpstreamTally | None:
    return _current.get()


@contextlib.contextmanager
def use_tally(tally: UpstreamTally | None):
    """Make ``tally`` the current one in this thread (fan-out workers run under the caller's)."""
    token = _current.set(tally)
    try:
        yield tally
    finally:
        _current.reset(token)


def record_call(duration_ms: float) -> None:
    """Record one upstream call in the current tally (fan-out threads run under the caller's: ``use_tally``)."""
    tally = _current.get()
    if tally is not None:
        tally.add(duration_ms)


def record_fallback(count: int) -> None:
    """Record ``count`` servers read one GET each because the group answer did not carry them
    (an upstream that ignores ``serverDetail``): ``upstream-fallback`` in ``Server-Timing``."""
    tally = _current.get()
    if tally is not None and count:
        tally.add_fallback(count)
