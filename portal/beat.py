"""One place where apps add their Celery beat entries.

Each app registers its own entries from ``AppConfig.ready()``. Entries are merged into the Celery
app's ``beat_schedule`` rather than set in settings, so that no app's schedule replaces another's
(a ``CELERY_BEAT_SCHEDULE`` in settings once wiped the activity dispatcher's entry).
"""

from __future__ import annotations

from portal.celery import QUIET_TASKS, app


def register(
    name: str, task: str, *, every: float, expires: float, queue: str | None = None, quiet: bool = False
) -> None:
    """Add (or replace) the beat entry ``name``: ``task`` every ``every`` seconds, a run the workers
    could not start within ``expires`` seconds dropped, on ``queue`` (else Celery's default).
    ``quiet``: a routine task run often (every second or so): beat and the worker don't log each
    run; the task logs when it did something."""
    options = {"queue": queue, "expires": expires} if queue else {"expires": expires}
    schedule = dict(app.conf.beat_schedule or {})
    schedule[name] = {"task": task, "schedule": every, "options": options}
    app.conf.beat_schedule = schedule
    if quiet:
        QUIET_TASKS.add(task)
