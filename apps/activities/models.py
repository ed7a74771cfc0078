"""Activities: operations the cloud accepted (queued), tracked until they finish; and their history."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper


def datacenter_of(resource_id) -> str:
    """``WA1DEMOWEB01`` -> ``WA1``; a group id (hex) or anything shorter -> ``""``."""
    rid = str(resource_id or "").upper()
    if len(rid) > 3 and rid[:2].isalpha() and rid[2].isdigit():
        return rid[:3]
    return ""


def datacenter_of_row(resource_type: str, resource_ids) -> str:
    ids = list(resource_ids or ())
    return datacenter_of(ids[0]) if resource_type == "server" and ids else ""


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown"
    WAITING_FOR_SIGNIN = "waiting_for_signin", "Waiting for sign-in"


TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.UNKNOWN})
# A poll may move an activity forward along this order, never back.
RANK = {
    Status.QUEUED: 0,
    Status.WAITING_FOR_SIGNIN: 0,
    Status.RUNNING: 1,
    Status.SUCCEEDED: 2,
    Status.FAILED: 2,
    Status.UNKNOWN: 2,
}


class ActionRequest(models.Model):
    """One call that carried an Idempotency-Key: its answer is replayed for the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    operation = models.CharField(max_length=64)
    resource_ids = models.JSONField(default=list)
    results = models.JSONField(null=True, blank=True)  # None while the first call is in flight
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_action_key_per_user")]


class Origin(models.TextChoices):
    PORTAL = "portal", "Portal"  # started through the portal and tracked by it
    EXTERNAL = "external", "External"  # reported by the cloud (a webhook): started elsewhere


class Activity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="activities"
    )
    account_alias = models.CharField(max_length=16)
    operation = models.CharField(max_length=64)
    resource_type = models.CharField(max_length=32, default="server")
    resource_ids = models.JSONField(default=list)
    status_href = models.CharField(max_length=500, blank=True)
    status_id = models.CharField(max_length=200, blank=True, db_index=True)
    upstream_status = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.QUEUED)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    polls = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)  # compare-and-set of every update
    idempotency_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    request = models.ForeignKey(
        ActionRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    # External activities (apps.webhooks): a change the cloud reported that the portal did not
    # start. Never polled (no status link); ``actor`` and ``summary`` are what the payload told.
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.PORTAL)
    actor = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    # Copies the filters of the activity screen compare with (set once, on insert): who (the
    # person's cloud user name, or the actor the cloud reported) and the data center of a server
    # activity (``WA1DEMOWEB01`` -> ``WA1``), each with an index ending in (created_at, id).
    person = models.CharField(max_length=200, blank=True)
    datacenter = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Every list of the history is one index range read newest first (see portal.keyset):
        # the columns a filter compares with "=", then (created_at, id). EXPLAIN checks in
        # tests/test_history_queries.py.
        indexes = [
            models.Index(fields=["next_poll_at"], name="activity_due"),
            models.Index(fields=["account_alias", "created_at", "id"], name="activity_account_recent"),
            models.Index(fields=["user", "created_at", "id"], name="activity_user_recent"),
            models.Index(fields=["account_alias", "status", "created_at", "id"], name="activity_status"),
            models.Index(
                fields=["account_alias", "operation", "created_at", "id"], name="activity_operation"
            ),
            models.Index(
                F("account_alias"), Upper("person"), F("created_at"), F("id"), name="activity_person"
            ),
            models.Index(fields=["account_alias", "datacenter", "created_at", "id"], name="activity_dc"),
            models.Index(
                fields=["account_alias", "created_at", "id"],
                name="activity_external",
                condition=Q(origin="external"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {','.join(self.resource_ids)} ({self.status})"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.person = (
                self.person or ((self.user.cloud_username if self.user_id else "") or self.actor or "")[:200]
            )
            self.datacenter = self.datacenter or datacenter_of_row(self.resource_type, self.resource_ids)
        return super().save(*args, **kwargs)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


class ActivityEvent(models.Model):
    """Every status change of an activity, with its time: the history."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    upstream_status = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
