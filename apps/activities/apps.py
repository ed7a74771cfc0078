from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "apps.activities"
    label = "activities"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_resume_after_signin, dispatch_uid="activities.resume_after_signin")
        _register_beat()


def _resume_after_signin(sender, request, user, **kwargs):
    from .tracking import resume_for_user

    try:
        resume_for_user(user)
    except Exception:  # a sign-in never fails because of tracking; the sweep catches up
        import logging

        logging.getLogger(__name__).warning("could not resume activities of %s", user, exc_info=True)


def _register_beat():
    """The dispatcher's beat entry (expires: a tick the worker could not take in time is dropped)."""
    from portal import beat

    from . import conf

    interval = conf.dispatch_interval()
    beat.register(
        "activities-dispatch",
        {
            "task": "activities.dispatch",
            "schedule": interval,
            "options": {"queue": conf.queue(), "expires": max(1.0, 4 * interval)},
        },
    )
