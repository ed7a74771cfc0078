"""What the portal keeps of the cloud's webhooks: the account's connection (the secret in the
receiver's URL), every delivery received (verified or refused), the last change time seen per
resource (so an older delivery never moves what people see back in time), and alerts."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Connection(models.Model):
    """One per account: the receiver's address (``/hooks/clc/<secret>/<event>/``) and what was
    set up through the Webhooks API."""

    account_alias = models.CharField(max_length=16, unique=True)
    secret_digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the URL secret
    secret = models.BinaryField()  # encrypted (apps.accounts.crypto): to build the URL again
    target_base = models.CharField(max_length=500, blank=True)  # the public URL when set up
    events = models.JSONField(default=list, blank=True)  # the events set up to reach us
    connected = models.BooleanField(default=False)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"webhooks of {self.account_alias} ({'connected' if self.connected else 'not connected'})"


class Verification(models.TextChoices):
    VERIFIED = "verified", "Verified"
    BAD_SIGNATURE = "bad_signature", "Bad signature"
    MISSING_SIGNATURE = "missing_signature", "No signature"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # verified, waiting for the worker
    APPLIED = "applied", "Applied"  # the view was told what changed
    STALE = "stale", "Older than seen"  # a change older than one already applied: recorded only
    RECORDED = "recorded", "Recorded"  # nothing to refresh (alerts, users, accounts)
    REFUSED = "refused", "Refused"  # bad or missing signature: nothing done
    FAILED = "failed", "Failed"  # the worker could not handle it (see note)


class Delivery(models.Model):
    account_alias = models.CharField(max_length=16)
    received_at = models.DateTimeField(default=timezone.now)
    event = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=80, blank=True)  # eventId, else SHA-256 of the body
    verification = models.CharField(max_length=20, choices=Verification.choices)
    key_fingerprint = models.CharField(max_length=64, blank=True)  # the key that verified it
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    resource_type = models.CharField(max_length=16, blank=True)
    resource_id = models.CharField(max_length=200, blank=True)
    change_time = models.DateTimeField(null=True, blank=True)  # as the payload says
    processed_at = models.DateTimeField(null=True, blank=True)
    duplicates = models.PositiveIntegerField(default=0)  # copies received again (ignored)
    payload = models.JSONField(null=True, blank=True)  # verified deliveries only
    address = models.GenericIPAddressField(null=True, blank=True)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["account_alias", "-received_at"], name="hook_delivery_recent"),
            models.Index(fields=["status", "received_at"], name="hook_delivery_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account_alias", "dedupe_key"],
                condition=Q(verification="verified"),
                name="hook_delivery_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.account_alias} ({self.status})"

    @property
    def lag_seconds(self) -> float | None:
        """From the change (as the payload says) to its receipt."""
        if self.change_time is None:
            return None
        return (self.received_at - self.change_time).total_seconds()

    @property
    def work_seconds(self) -> float | None:
        """From receipt to the end of the worker's handling."""
        if self.processed_at is None:
            return None
        return (self.processed_at - self.received_at).total_seconds()


class ResourceMark(models.Model):
    """The newest change time applied for one resource, and what it looked like then (to say what
    changed next time)."""

    account_alias = models.CharField(max_length=16)
    resource_type = models.CharField(max_length=16)
    resource_id = models.CharField(max_length=200)
    changed_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_alias", "resource_type", "resource_id"], name="hook_mark_once"
            )
        ]


class Alert(models.Model):
    """One trigger of an ``Alert.Notification``: a policy threshold exceeded (``triggered``) or
    back below it (``notTriggered``)."""

    account_alias = models.CharField(max_length=16)
    server_id = models.CharField(max_length=64)
    metric = models.CharField(max_length=32)
    state = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    duration = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["account_alias", "server_id", "-received_at"], name="hook_alert_recent")
        ]

    @property
    def triggered(self) -> bool:
        return self.state.lower() == "triggered"
