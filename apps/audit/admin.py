"""Admin: the audit log, read-only (no add, change or delete)."""

from django.contrib import admin

from .export import FIELDS
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = FIELDS[:-1]  # the CSV's columns but the channel (a filter) and the detail
    list_filter = ("result", "channel", "account_alias", "action")
    search_fields = ("username", "target_id", "action")
    date_hierarchy = "at"
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
