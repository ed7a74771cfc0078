"""One place where apps add their Celery beat entries.

Each app registers its own entries from ``AppConfig.ready()``. Entries are merged into the Celery
app's ``beat_schedule`` rather than set in settings, so that no app's schedule replaces another's
(a ``CELERY_BEAT_SCHEDULE`` in settings once wiped the activity dispatcher's entry).
"""

from __future__ import annotations

from portal.celery import app


def register(name: str, entry: dict) -> None:
    schedule = dict(app.conf.beat_schedule or {})
    schedule[name] = entry
    app.conf.beat_schedule = schedule
