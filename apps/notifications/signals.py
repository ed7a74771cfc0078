"""Notifications follow the activities: a terminal activity may notify its person."""

from django.dispatch import receiver

from apps.activities.models import Activity
from apps.activities.signals import activity_finished

from . import services


@receiver(activity_finished, sender=Activity, dispatch_uid="notifications.activity_finished")
def _activity_finished(sender, activity, **kwargs):
    services.activity_finished(activity)
