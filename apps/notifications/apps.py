from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from portal import beat

        # Re-queue deliveries whose retry message was lost (a Redis flush, a killed worker).
        beat.register(
            "notifications-retry-pending",
            {
                "task": "notifications.retry_pending",
                "schedule": 300.0,
                "options": {"expires": 240.0},
            },
        )
