from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from portal import beat

        from . import signals  # noqa: F401  (sign-in / sign-out entries)

        # Daily prune of entries past AUDIT_RETENTION_DAYS (also: manage.py prune_audit).
        beat.register(
            "audit-prune",
            {"task": "audit.prune", "schedule": 24 * 3600.0, "options": {"expires": 3600.0}},
        )
