"""Celery tasks of the tracking. They take ids only: tokens are decrypted in the worker."""

from celery import shared_task

from . import tracking


@shared_task(name="activities.dispatch", ignore_result=True, acks_late=False)
def dispatch():
    """Beat runs this every ``ACTIVITY_DISPATCH_INTERVAL`` s: claim what is due, poll it concurrently."""
    return tracking.dispatch()


@shared_task(name="activities.poll", ignore_result=True)
def poll(activity_ids):
    """Poll these activities now (e.g. a page asking for a fresh status). Duplicates are harmless."""
    if isinstance(activity_ids, int):
        activity_ids = [activity_ids]
    return tracking.poll_activities(activity_ids)
