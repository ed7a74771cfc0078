import logging

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from apps.accounts.signals import access_ended
from portal import beat

from . import conf

log = logging.getLogger(__name__)


class ActivitiesConfig(AppConfig):
    name = "apps.activities"
    label = "activities"

    def ready(self):
        from . import stream_guard  # imports models: not before the app registry is ready

        user_logged_in.connect(_resume_after_signin, dispatch_uid="activities.resume_after_signin")
        # Open /events/ streams end as soon as their person signs out or loses the cloud token.
        access_ended.connect(stream_guard.access_ended, dispatch_uid="activities.stream_access_ended")
        _register_beat()


def _resume_after_signin(sender, request, user, **kwargs):
    # Here, not at the top: tracking imports models, which Django loads after the app configs.
    from .tracking import resume_for_user

    try:
        resume_for_user(user)
    except Exception:  # a sign-in never fails because of tracking; the sweep catches up
        log.warning("could not resume activities of %s", user, exc_info=True)


def _register_beat():
    """The dispatcher's beat entry (expires: a tick the worker could not take in time is dropped)."""
    interval = conf.dispatch_interval()
    beat.register(
        "activities-dispatch",
        "activities.dispatch",
        every=interval,
        expires=max(1.0, 4 * interval),
        queue=conf.queue(),
        quiet=True,  # twice a second: it logs itself when an activity changed (tasks.dispatch)
    )
