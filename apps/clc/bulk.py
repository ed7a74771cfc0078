"""Big answers parsed without the cyclic garbage collector running meanwhile.

Parsing a data center's detailed group answer (1,000 servers: some 100,000 dicts, strings, links
and entities) triggers many collections, and each older-generation pass walks every object the
process holds (cached pages included): measured, it makes the parse about three times slower.
``bulk_parsing()`` pauses automatic collection while such an answer is decoded and turned into
entities (nothing of it is garbage yet), process-wide but counted: collection resumes when the
last thread inside leaves. Cycles made meanwhile are collected afterwards as usual.

``bulk_parsing(exclusive=True)`` (turning answers into entities and rows, no network wait inside)
also takes the process's one *parse slot*: with the interpreter's lock, parsing several data centers
at once is no faster than one after the other, and one at a time leaves the other threads (the
page being answered meanwhile) half the interpreter instead of a seventh.
"""

import contextlib
import gc
import threading

_lock = threading.Lock()
_inside = 0
_was_enabled = True
_parse_slot = threading.Lock()


@contextlib.contextmanager
def bulk_parsing(exclusive: bool = False):
    if exclusive:
        with _parse_slot, bulk_parsing():
            yield
        return
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
