"""Per-person notification preferences and every delivery attempt's outcome."""

from django.conf import settings
from django.db import models

DEFAULT_LONG_SECONDS = 300


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(default=False)
    email_address = models.EmailField(blank=True)
    webhook_enabled = models.BooleanField(default=False)
    webhook_url = models.URLField(max_length=500, blank=True)
    # A succeeded activity that ran at least this long is worth a notification.
    long_threshold_seconds = models.PositiveIntegerField(default=DEFAULT_LONG_SECONDS)
    # Alerts of the account's servers (Alert.Notification, through the webhooks) on the same channels.
    alerts_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notification preferences of {self.user}"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"  # the person changed the webhook URL or turned it off


class Delivery(models.Model):
    """One notification to one channel: pending until delivered, or failed after the last retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(
        "activities.Activity", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # activity.failed | activity.unknown | activity.succeeded_long | alert.triggered | alert.cleared
    event = models.CharField(max_length=32)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    destination = models.CharField(max_length=500)  # the address or URL at the time
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # /notifications/ lists a person's latest deliveries: one index range read (issue 15).
        indexes = [models.Index(fields=["user", "created_at", "id"], name="delivery_user_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "channel"], name="one_notification_per_activity_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} via {self.channel} to {self.user} ({self.status})"
