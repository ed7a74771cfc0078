"""People who signed in with their cloud credentials, and their encrypted bearer tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A local user keyed by (account alias, cloud user name).

    ``username`` is ``"<ALIAS>/<cloud user name>"`` so Django's uniqueness holds across accounts;
    no usable password is ever stored: the cloud checks the password.
    """

    account_alias = models.CharField(max_length=16, db_index=True)
    cloud_username = models.CharField(max_length=150)
    location_alias = models.CharField(max_length=16, blank=True)
    roles = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_alias", "cloud_username"], name="unique_cloud_user_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cloud_username} ({self.account_alias})"

    def teammates(self):
        """People of the same cloud account: they form a team and share what the account sees."""
        return User.objects.filter(account_alias=self.account_alias).exclude(pk=self.pk)

    def same_team(self, other) -> bool:
        return bool(self.account_alias) and self.account_alias == getattr(other, "account_alias", None)


class CloudToken(models.Model):
    """The person's bearer token, encrypted at rest (see ``apps.accounts.crypto``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="cloud_token")
    ciphertext = models.BinaryField()
    expires_at = models.DateTimeField()
    invalid = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"token of {self.user} (expires {self.expires_at:%Y-%m-%d %H:%M})"
