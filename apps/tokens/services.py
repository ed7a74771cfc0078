"""Create, find and revoke personal API tokens.

A value looks like ``clcp_<public id: 8>_<secret: 40 url-safe chars>``. The database keeps the public id
(to find the row) and ``sha256(value)`` (compared in constant time); the value itself is shown once.
"""

import hashlib
import hmac
import secrets
import string
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PersonalToken

PREFIX = "clcp_"
PUBLIC_ID_LENGTH = 8
SECRET_LENGTH = 40
LAST_USED_RESOLUTION = timedelta(seconds=60)
MAX_TOKENS_PER_USER = 50
_ALPHABET = string.ascii_letters + string.digits


def _random(length: int) -> str:
    # URL-safe characters only (no "_" so the value splits unambiguously).
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_value(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_token(user, name: str, expires_at=None) -> tuple[PersonalToken, str]:
    """A new token and its value (the only time the value exists outside the caller's hands)."""
    for _ in range(5):
        public_id = _random(PUBLIC_ID_LENGTH)
        value = f"{PREFIX}{public_id}_{_random(SECRET_LENGTH)}"
        try:
            with transaction.atomic():
                token = PersonalToken.objects.create(
                    user=user,
                    name=name,
                    public_id=public_id,
                    secret_hash=hash_value(value),
                    expires_at=expires_at,
                )
            return token, value
        except IntegrityError:  # public id collision: astronomically rare, draw again
            continue
    raise RuntimeError("could not draw a unique token id")


def parse(value: str) -> str | None:
    """The public id of a well-formed value, else None."""
    if not value.startswith(PREFIX):
        return None
    public_id, sep, secret = value[len(PREFIX) :].partition("_")
    if not sep or len(public_id) != PUBLIC_ID_LENGTH or len(secret) != SECRET_LENGTH:
        return None
    if not all(c in _ALPHABET for c in public_id + secret):
        return None
    return public_id


def find_active(value: str) -> PersonalToken | None:
    """The active (not revoked, not expired) token with this value, or None."""
    public_id = parse(value)
    if public_id is None:
        return None
    token = PersonalToken.objects.select_related("user").filter(public_id=public_id).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_value(value)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    return token


def touch(token: PersonalToken) -> None:
    """Record use, at most once per ``LAST_USED_RESOLUTION`` (one conditional UPDATE, usually none)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so concurrent requests of one script write once.
    PersonalToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now - LAST_USED_RESOLUTION).update(
        last_used_at=now
    )
    token.last_used_at = now


def revoke(user, token_id: int) -> bool:
    """Revoke one of the person's tokens. False if there is no such active token of theirs."""
    return bool(
        PersonalToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def tokens_of(user):
    return PersonalToken.objects.filter(user=user)
