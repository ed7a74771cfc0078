from django.apps import AppConfig

from portal import beat


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Here, not at the top: signals imports models, which Django loads after the app configs.
        from . import signals  # noqa: F401  (a terminal activity may notify its person)

        # Re-queue deliveries whose retry message was lost (a Redis flush, a killed worker).
        beat.register(
            "notifications-retry-pending", "notifications.retry_pending", every=300.0, expires=240.0
        )
