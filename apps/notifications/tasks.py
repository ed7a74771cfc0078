"""Celery: deliver one notification, retrying with exponential backoff (see ``services.attempt``)."""

from celery import shared_task

from . import services


@shared_task(bind=True, name="notifications.deliver", ignore_result=True, max_retries=None)
def deliver(self, delivery_id: int):
    outcome = services.attempt(delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="notifications.retry_pending", ignore_result=True)
def retry_pending():
    """Optional beat entry: re-queue pending deliveries whose retry message was lost."""
    return services.retry_pending()
