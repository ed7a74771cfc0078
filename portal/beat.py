"""One place where apps add their Celery beat entries.

Each app registers its own entries from ``AppConfig.ready()``. Entries are merged into the Celery
app's ``beat_schedule`` rather than set in settings, so that no app's schedule replaces another's
(a ``CELERY_BEAT_SCHEDULE`` in settings once wiped the activity dispatcher's entry).
"""

from __future__ import annotations

from portal.celery import QUIET_TASKS, app


def register(name: str, entry: dict, *, quiet: bool = False) -> None:
    """Add (or replace) a beat entry. ``quiet``: a routine task run often (every second or so):
    beat and the worker don't log each run; the task logs when it did something."""
    schedule = dict(app.conf.beat_schedule or {})
    schedule[name] = entry
    app.conf.beat_schedule = schedule
    if quiet:
        QUIET_TASKS.add(entry["task"])
