"""Sign-in, sign-out and the bound cloud client of a person (the interface later work uses).

    from apps.accounts.services import cloud_client_for, CloudSessionExpired
    client = cloud_client_for(request.user)   # or client_for_request(request): memoised per request
    servers.get_server(client, "WA1DEMOWEB01")

``cloud_client_for`` raises ``CloudSessionExpired`` (a subclass of ``apps.clc.errors.Unauthorized``)
when the person has no stored token, or it is marked invalid, expired or unreadable; in a view the
``CloudSessionMiddleware`` turns it (and any upstream 401) into a redirect to ``/login/?next=...``.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.clc import auth as clc_auth
from apps.clc import datacenters as clc_datacenters
from apps.clc.client import ClcClient
from apps.clc.errors import ClcError, Unauthorized

from . import crypto, signals
from .models import CloudToken, User

log = logging.getLogger(__name__)

# The login answer carries no expiry. Tokens of the real API were documented to last two weeks,
# so we assume 14 days from sign-in (override with CLC_TOKEN_LIFETIME_SECONDS); an earlier 401
# marks the token invalid anyway.
DEFAULT_TOKEN_LIFETIME = timedelta(days=14)
SESSION_TOKEN_EXPIRES = "cloud_token_expires"
DATACENTER_CACHE_SECONDS = 300
# A Billing Manager alone sees no data centers, groups or servers (ROLES.md): the cloud answers 403.
INVENTORY_BLIND_ROLES = frozenset({"BillingAdmin"})


class CloudSessionExpired(Unauthorized):
    """The person has no usable cloud token: sign in again."""


def token_lifetime() -> timedelta:
    seconds = getattr(settings, "CLC_TOKEN_LIFETIME_SECONDS", None)
    return timedelta(seconds=int(seconds)) if seconds else DEFAULT_TOKEN_LIFETIME


def authenticate_with_cloud(username: str, password: str) -> User:
    """Check the credentials upstream; create or update the local user and store the token.

    Raises ``apps.clc.errors.BadRequest`` (wrong credentials, upstream message) or
    ``UpstreamUnavailable``; nothing is written to the database then.
    """
    result = clc_auth.login(username, password)
    expires_at = timezone.now() + token_lifetime()
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(account_alias=result.account_alias, cloud_username__iexact=result.user_name)
            .first()
        )
        if user is None:
            user = User(
                account_alias=result.account_alias,
                cloud_username=result.user_name,
                username=f"{result.account_alias}/{result.user_name}"[:150],
            )
            user.set_unusable_password()
        user.cloud_username = result.user_name
        user.location_alias = result.location_alias
        user.roles = list(result.roles)
        user.is_active = True
        user.save()
        CloudToken.objects.update_or_create(
            user=user,
            defaults={
                "ciphertext": crypto.encrypt_token(result.bearer_token),
                "expires_at": expires_at,
                "invalid": False,
            },
        )
    forget_datacenters(user)
    log.info("signed in %s", user)
    return user


def start_session(request, user: User) -> None:
    """Log the person in; the session ends at the earlier of the idle timeout and token expiry."""
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    token = CloudToken.objects.get(user=user)
    request.session[SESSION_TOKEN_EXPIRES] = token.expires_at.timestamp()
    apply_session_lifetime(request)


def apply_session_lifetime(request) -> bool:
    """Cap the session at min(idle timeout, token expiry). False if the token already expired."""
    expires = request.session.get(SESSION_TOKEN_EXPIRES)
    if expires is None:
        return True
    remaining = int(expires - timezone.now().timestamp())
    if remaining <= 0:
        return False
    request.session.set_expiry(min(int(settings.SESSION_IDLE_SECONDS), remaining))
    return True


def sign_out(request) -> None:
    """End the session and delete the stored token."""
    user = request.user
    user_id = user.pk if user.is_authenticated else None
    if user.is_authenticated:
        CloudToken.objects.filter(user=user).delete()
        forget_datacenters(user)
        log.info("signed out %s", user)
    django_logout(request)
    _access_ended(user_id)


def sign_out_session_only(request) -> None:
    """End the session but keep the (invalid-marked) token row, e.g. after an upstream 401."""
    user = getattr(request, "user", None)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    django_logout(request)
    _access_ended(user_id)


def mark_token_invalid(user) -> None:
    if getattr(user, "is_authenticated", False):
        CloudToken.objects.filter(user=user).update(invalid=True)
        forget_datacenters(user)
        _access_ended(user.pk)


def _access_ended(user_id) -> None:
    """Tell listeners (open event streams) once the change is committed. Never raises."""
    if user_id is None:
        return

    def send():
        try:
            signals.access_ended.send(sender=User, user_id=user_id)
        except Exception:
            log.warning("access_ended listeners failed for user %s", user_id, exc_info=True)

    transaction.on_commit(send)


def cloud_client_for(user) -> ClcClient:
    """The client bound to this person's token. Raises ``CloudSessionExpired`` if there is none."""
    if not getattr(user, "is_authenticated", False):
        raise CloudSessionExpired("You are not signed in.")
    token = CloudToken.objects.filter(user_id=user.pk).first()
    if token is None or token.invalid or token.expires_at <= timezone.now():
        raise CloudSessionExpired()
    try:
        plaintext = crypto.decrypt_token(token.ciphertext)
    except crypto.InvalidToken:
        log.warning("stored token of %s cannot be decrypted with the configured keys", user)
        CloudToken.objects.filter(pk=token.pk).update(invalid=True)
        raise CloudSessionExpired()
    return ClcClient(plaintext, user.account_alias, location_alias=user.location_alias)


def has_usable_token(user_id) -> bool:
    """The person's stored cloud token is there, not marked invalid and not expired (not decrypted:
    cheap enough for every heartbeat of an event stream)."""
    return CloudToken.objects.filter(user_id=user_id, invalid=False, expires_at__gt=timezone.now()).exists()


def client_for_request(request) -> ClcClient:
    """``cloud_client_for(request.user)``, memoised on the request."""
    client = getattr(request, "_clc_client", None)
    if client is None:
        client = cloud_client_for(request.user)
        request._clc_client = client
    return client


# --- the person's data centers (top bar switcher, dashboard) -----------------------------------
def sees_inventory(user) -> bool:
    """False for a person whose only roles see no inventory (a Billing Manager alone): their pages
    skip data center, group and server reads instead of collecting 403s."""
    roles = set(getattr(user, "roles", None) or ())
    return not roles or bool(roles - INVENTORY_BLIND_ROLES)


def _dc_cache_key(user) -> str:
    return f"accounts:datacenters:{user.pk}"


def forget_datacenters(user) -> None:
    try:
        cache.delete(_dc_cache_key(user))
    except Exception:
        log.warning("cache unavailable", exc_info=True)


def user_datacenters(request, *, refresh: bool = False) -> list[dict]:
    """``[{"id": "WA1", "name": "US West (Seattle)"}, ...]`` from the upstream, cached per user
    (``[]`` without asking for a person who sees no inventory)."""
    if not sees_inventory(request.user):
        return []
    memo = getattr(request, "_clc_datacenters", None)
    if isinstance(memo, Exception):
        raise memo  # failed once in this request: don't ask again (top bar after the page)
    if memo is not None and not refresh:
        return memo
    key = _dc_cache_key(request.user)
    cached = None
    if not refresh:
        try:
            cached = cache.get(key)
        except Exception:
            log.warning("cache unavailable", exc_info=True)
    if cached is None:
        try:
            dcs = clc_datacenters.list_datacenters(client_for_request(request))
        except ClcError as exc:
            request._clc_datacenters = exc
            raise
        cached = [{"id": dc.id, "name": dc.name} for dc in dcs]
        try:
            cache.set(key, cached, DATACENTER_CACHE_SECONDS)
        except Exception:
            log.warning("cache unavailable", exc_info=True)
    request._clc_datacenters = cached
    return cached
