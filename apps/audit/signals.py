"""Sign-in, failed sign-in and sign-out entries (Django's auth signals, sent by ``apps.accounts``).

``sign_out.expired``: the portal ended the session because the cloud refused the person's token.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from apps.accounts.models import CloudToken

from .models import Result
from .services import record, record_failed_sign_in


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender, request, user, **kwargs):
    record(
        request=request,
        user=user,
        action="sign_in",
        target_type="user",
        target_id=getattr(user, "username", ""),
        result=Result.SUCCESS,
    )


@receiver(user_login_failed, dispatch_uid="audit_failed_sign_in")
def _sign_in_failed(sender, credentials=None, request=None, reason="", throttled=False, **kwargs):
    """The cloud refused the credentials (``apps.accounts.views``; Django's own sign-in forms too),
    or the portal refused the attempt before asking the cloud (``throttled``: too many failures)."""
    result = Result.DENIED if throttled else Result.FAILURE
    record_failed_sign_in(request, (credentials or {}).get("username", ""), reason, result=result)


def _ended_by_expiry(user) -> bool:
    """The portal ended the session because the cloud token stopped working (the accounts middleware
    marks the token invalid, then logs out); a person's own sign-out deletes the token first."""
    try:
        return CloudToken.objects.filter(user_id=user.pk, invalid=True).exists()
    except Exception:
        return False


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is None or not getattr(user, "is_authenticated", False):
        return
    expired = _ended_by_expiry(user)
    record(
        request=request,
        user=user,
        # Not the person's act: the cloud refused their token (also on an API call with a personal
        # token, where there is no portal session to end).
        action="sign_out.expired" if expired else "sign_out",
        target_type="user",
        target_id=getattr(user, "username", ""),
        result=Result.SUCCESS,
        detail="The cloud session expired: sign in to the portal again." if expired else "",
    )
