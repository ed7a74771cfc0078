"""Sign-in and sign-out entries (Django's auth signals). Failed sign-ins: ``apps.accounts.views``."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .models import Result
from .services import record


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


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is None or not getattr(user, "is_authenticated", False):
        return
    record(
        request=request,
        user=user,
        action="sign_out",
        target_type="user",
        target_id=getattr(user, "username", ""),
        result=Result.SUCCESS,
    )
