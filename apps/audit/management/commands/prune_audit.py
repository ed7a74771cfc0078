"""Delete audit entries older than AUDIT_RETENTION_DAYS (the only way entries are ever deleted)."""

from django.core.management.base import BaseCommand

from apps.audit import services
from apps.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Delete audit entries older than AUDIT_RETENTION_DAYS (default 365)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        cutoff = services.retention_cutoff()
        if dry_run:
            count = AuditEntry.objects.filter(at__lt=cutoff).count()
            self.stdout.write(
                f"{count} audit entries older than {cutoff:%Y-%m-%d %H:%M} UTC would be deleted."
            )
            return
        count = services.prune()
        self.stdout.write(f"Deleted {count} audit entries older than {cutoff:%Y-%m-%d %H:%M} UTC.")
