from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.actions"
    label = "actions"
    verbose_name = "Actions"

    def ready(self):
        # The registry: this app's declarations, then every other app's ``actions.py``. Here, not at
        # the top: the declarations import models, which Django loads after the app configs.
        from . import group_actions, lifecycle_actions, server_actions  # noqa: F401

        autodiscover_modules("actions")
