"""Admin: people and whether they hold a cloud token; never the token itself."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import CloudToken, User


class CloudTokenInline(admin.StackedInline):
    model = CloudToken
    can_delete = True
    extra = 0
    max_num = 0
    fields = ("has_token", "expires_at", "invalid", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(boolean=True, description="token stored")
    def has_token(self, obj):
        return bool(obj and obj.ciphertext)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "cloud_username",
        "account_alias",
        "location_alias",
        "roles_display",
        "token_expires",
        "is_staff",
    )
    list_filter = ("account_alias", "is_staff", "is_active")
    search_fields = ("username", "cloud_username", "account_alias")
    ordering = ("account_alias", "cloud_username")
    inlines = [CloudTokenInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Cloud account", {"fields": ("account_alias", "cloud_username", "location_alias", "roles")}),
    )
    readonly_fields = ("account_alias", "cloud_username", "location_alias", "roles")

    @admin.display(description="roles")
    def roles_display(self, obj):
        return ", ".join(obj.roles or [])

    @admin.display(description="token expires")
    def token_expires(self, obj):
        token = CloudToken.objects.filter(user=obj).first()
        if token is None:
            return "no token"
        return f"{token.expires_at:%Y-%m-%d %H:%M} UTC" + (" (invalid)" if token.invalid else "")


@admin.register(CloudToken)
class CloudTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "has_token", "expires_at", "invalid", "updated_at")
    list_filter = ("invalid",)
    fields = ("user", "has_token", "expires_at", "invalid", "created_at", "updated_at")
    readonly_fields = ("user", "has_token", "expires_at", "created_at", "updated_at")
    search_fields = ("user__cloud_username", "user__account_alias")

    def has_add_permission(self, request):
        return False  # tokens come from signing in, never typed in

    @admin.display(boolean=True, description="token stored")
    def has_token(self, obj):
        return bool(obj and obj.ciphertext)
