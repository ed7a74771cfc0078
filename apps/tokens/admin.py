from django.contrib import admin

from .models import PersonalToken


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "display_prefix",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = ("public_id", "secret_hash", "created_at", "last_used_at")
    search_fields = ("name", "public_id", "user__username")
