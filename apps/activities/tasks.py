"""Celery tasks of the tracking. They take ids only: tokens are decrypted in the worker."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import tracking

log = logging.getLogger(__name__)


@shared_task(name="activities.dispatch", ignore_result=True, acks_late=False)
def dispatch():
    """Beat runs this every ``ACTIVITY_DISPATCH_INTERVAL`` s: claim what is due, poll it concurrently.

    Celery does not log its runs (``portal.beat.register(quiet=True)``); this logs one line when a
    dispatch changed something (an activity's status), and nothing for a sweep with nothing to do."""
    try:
        counts = tracking.dispatch()
    except (OperationalError, InterfaceError) as exc:
        # The database is restarting: nothing is lost (the rows are the truth); the next tick after
        # it is back claims what is due, the leased ones once their lease runs out.
        log.warning("dispatch skipped: the database is unavailable (%s)", type(exc).__name__)
        return {"skipped": 1}
    if counts.get("changed"):
        log.info(
            "dispatch: %d status change(s) (%d claimed, %d polled)",
            counts["changed"],
            counts.get("claimed", 0),
            counts.get("polled", 0),
        )
    return counts


@shared_task(name="activities.poll", ignore_result=True)
def poll(activity_ids):
    """Poll these activities now (e.g. a page asking for a fresh status). Duplicates are harmless."""
    if isinstance(activity_ids, int):
        activity_ids = [activity_ids]
    return tracking.poll_activities(activity_ids)
