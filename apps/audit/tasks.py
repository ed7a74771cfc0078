"""Scheduled upkeep: prune audit entries past their retention (beat, daily)."""

from celery import shared_task

from . import services


@shared_task(name="audit.prune", ignore_result=True)
def prune():
    return services.prune()
