"""The audit log: one append-only row per action anyone took through the portal.

Rows are never updated; the only deletion path is ``manage.py prune_audit`` (retention). The model
refuses ``save()`` of an existing row and ``delete()``; its queryset refuses ``update()`` and
``delete()``; on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE unless the prune
command set ``audit.allow_prune`` for its transaction.

``user`` has no database constraint and is never cascaded: deleting a person keeps their history
(``username`` and ``account_alias`` are copied at the time of the action).
"""

import json

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone


class AppendOnlyError(Exception):
    """Audit entries are never changed or deleted (except by the retention prune)."""


class Result(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only; use `manage.py prune_audit`.")

    def _prune_delete(self) -> int:
        """The retention prune: the one deletion path (bypasses the refusal above)."""
        return models.QuerySet.delete(self)[0]


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)  # who (as typed for a failed sign-in)
    account_alias = models.CharField(max_length=16, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=200, blank=True)
    result = models.CharField(max_length=16, db_index=True)
    detail = models.JSONField(default=str, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)  # web | api | system | webhook

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        # One index per list of /audit/ and /api/v1/audit/, each ending in (at, id) for keyset pages
        # (portal.keyset); the filters compare upper-cased (iexact), so do the indexes.
        indexes = [
            models.Index(fields=["account_alias", "at", "id"], name="audit_account_recent"),
            models.Index(fields=["user", "at", "id"], name="audit_user_recent"),
            models.Index(F("account_alias"), Upper("username"), F("at"), F("id"), name="audit_person"),
            models.Index(F("account_alias"), Upper("action"), F("at"), F("id"), name="audit_action"),
            models.Index(F("account_alias"), Upper("result"), F("at"), F("id"), name="audit_result"),
            models.Index(F("account_alias"), Upper("target_id"), F("at"), F("id"), name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.target_id} {self.result}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only.")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only; use `manage.py prune_audit`.")

    @property
    def detail_text(self) -> str:
        return detail_text(self.detail)


def detail_text(detail) -> str:
    """The detail as one line of text (a message as it is, a dict as sorted JSON)."""
    return detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True, default=str)
