from django.apps import AppConfig

from portal import beat


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        # Here, not at the top: signals imports models, which Django loads after the app configs.
        from . import signals  # noqa: F401  (sign-in / sign-out entries)

        # Daily prune of entries past AUDIT_RETENTION_DAYS (also: manage.py prune_audit).
        beat.register("audit-prune", "audit.prune", every=24 * 3600.0, expires=3600.0)
