"""In-process memos that keep a warm page from redoing work per request.

* ``entries``: cached inventory values already unpickled, by their Redis key and *stamp* (the time
  they were stored and the change position they were read at). ``cache.PersonCache`` reads the
  small stamp first; when this process holds that very version it skips fetching and unpickling
  the big value (a data center of a thousand servers is about 1.5 MB pickled).
* ``derived``: what is computed from such a value (a data center view filtered to a group, the
  server rows sorted and rendered to HTML), by the value's identity and the parameters. A value that
  changes (a patch, a new read) is a new object: what was derived from the old one is never reused.

Both are small LRUs (``MEMO_ENTRIES`` values, ``MEMO_DERIVED`` results) per process, thread-safe.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MEMO_ENTRIES = 16
MEMO_DERIVED = 64


class Lru:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            item = self._items.get(key, default)
            if item is not default:
                self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


entries = Lru(MEMO_ENTRIES)
_derived = Lru(MEMO_DERIVED)


def remember_entry(key: str, stamp: tuple, value: Any) -> None:
    entries.put(key, (stamp, value))


def entry_for(key: str, stamp) -> Any | None:
    """The value this process holds for ``key`` at exactly ``stamp``, else None."""
    found = entries.get(key)
    if found is None or stamp is None or found[0] != tuple(stamp):
        return None
    return found[1]


def derived(source: Any, params: Hashable, build: Callable[[], Any]) -> Any:
    """``build()``, computed once per ``source`` object and ``params``."""
    key = (id(source), params)
    found = _derived.get(key)
    if found is not None and found[0] is source:
        return found[1]
    value = build()
    _derived.put(key, (source, value))  # holds ``source``: its id is not reused meanwhile
    return value


def clear() -> None:
    entries.clear()
    _derived.clear()
