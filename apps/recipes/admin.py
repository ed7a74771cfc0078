from django.contrib import admin

from .models import Recipe


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    list_display = ("name", "account_alias", "datacenter", "template", "cpu", "memory_gb", "ttl_hours")
    list_filter = ("account_alias", "datacenter")
    search_fields = ("name", "description")
