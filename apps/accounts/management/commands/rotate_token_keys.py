"""Re-encrypt every stored cloud token with the newest key of TOKEN_ENCRYPTION_KEYS.

Rotation: put a new key first in TOKEN_ENCRYPTION_KEYS (keep the old ones after it), deploy, run
this command, then drop the old keys. Nobody is signed out. Tokens no key can open are marked invalid
(their owners sign in again).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import crypto
from apps.accounts.models import CloudToken


class Command(BaseCommand):
    help = "Re-encrypt stored cloud tokens with the newest TOKEN_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        rotated = unreadable = 0
        for pk in CloudToken.objects.values_list("pk", flat=True):
            with transaction.atomic():
                token = CloudToken.objects.select_for_update().get(pk=pk)
                try:
                    token.ciphertext = crypto.rotate_ciphertext(token.ciphertext)
                except crypto.InvalidToken:
                    token.invalid = True
                    token.save(update_fields=["invalid", "updated_at"])
                    unreadable += 1
                    continue
                token.save(update_fields=["ciphertext", "updated_at"])
                rotated += 1
        self.stdout.write(f"re-encrypted {rotated} token(s); {unreadable} unreadable (marked invalid)")
