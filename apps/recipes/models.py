"""Server recipes: named, bounded create-server specifications an account admin publishes."""

from django.conf import settings
from django.db import models

CREATE_ROLES = ("AccountAdmin", "ServerAdmin", "ServerOperator")
STORAGE_TYPES = (("standard", "Standard"), ("premium", "Premium"))


class Recipe(models.Model):
    """Everything a launch sends upstream except the name (and a generated password).

    Belongs to an account (``account_alias``); people of other accounts never see it. Who may
    launch: anyone whose roles include one of ``allowed_roles`` or whose cloud user name is in
    ``allowed_users`` — and, in any case, only people whose roles may create servers.
    """

    account_alias = models.CharField(max_length=16, db_index=True)
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=256, blank=True)
    datacenter = models.CharField(max_length=16)
    group_id = models.CharField(max_length=64)
    group_name = models.CharField(max_length=200, blank=True)
    template = models.CharField(max_length=100)
    cpu = models.PositiveSmallIntegerField()
    memory_gb = models.PositiveSmallIntegerField()
    network_id = models.CharField(max_length=64, blank=True)  # blank: the cloud picks one
    network_name = models.CharField(max_length=200, blank=True)
    storage_type = models.CharField(max_length=16, choices=STORAGE_TYPES, default="standard")
    ttl_hours = models.PositiveIntegerField(null=True, blank=True)  # None: kept until deleted
    allowed_roles = models.JSONField(default=list, blank=True)
    allowed_users = models.JSONField(default=list, blank=True)  # cloud user names (lower case)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account_alias", "name"], name="unique_recipe_name_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_alias})"

    @property
    def audience(self) -> str:
        parts = []
        if set(CREATE_ROLES) <= set(self.allowed_roles or ()):
            return "Everyone in the account who may create servers"
        if self.allowed_roles:
            parts.append("roles " + ", ".join(self.allowed_roles))
        if self.allowed_users:
            parts.append("people " + ", ".join(self.allowed_users))
        return "; ".join(parts) or "Nobody (no roles or people chosen)"
