"""Celery tasks of the webhooks: handle one delivery; sweep what a lost message left waiting.
They run on the activities' queue (``ACTIVITY_QUEUE``): the same workers."""

from celery import shared_task

from apps.activities import conf

from . import processing, sweeping


@shared_task(name="webhooks.process", ignore_result=True)
def process(delivery_id: int):
    """The worker's part of one verified delivery (``processing.process``); a second run of the
    same delivery does nothing."""
    return processing.process(delivery_id)


def enqueue(delivery_id: int) -> None:
    process.apply_async((delivery_id,), queue=conf.queue())


@shared_task(name="webhooks.sweep", ignore_result=True, acks_late=False)
def sweep():
    waiting = sweeping.waiting()
    for pk in waiting:
        enqueue(pk)
    return {"requeued": len(waiting), "pruned": sweeping.prune()}
