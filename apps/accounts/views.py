"""Sign-in, sign-out and the (placeholder) dashboard."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from apps.clc import errors
from portal.client_address import client_address

from . import services, throttle
from .forms import SignInForm
from .middleware import safe_next

log = logging.getLogger(__name__)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    home = resolve_url(settings.LOGIN_REDIRECT_URL)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next")) or home
    if request.method != "POST":
        if request.user.is_authenticated and _has_usable_token(request.user):
            return HttpResponseRedirect(next_url)
        return _form(request, SignInForm(), next_url)

    form = SignInForm(request.POST)
    if not form.is_valid():
        return _form(request, form, next_url, status=400)
    username, password = form.cleaned_data["username"], form.cleaned_data["password"]
    address = client_address(request) or ""

    blocked = throttle.check(username, address)
    if blocked:
        # Every refused attempt is recorded too (a throttled guess is still a guess).
        user_login_failed.send(
            sender=__name__,
            credentials={"username": username},
            request=request,
            reason=blocked.message,
            throttled=True,
        )
        response = _form(request, form, next_url, status=429, error=blocked.message)
        response["Retry-After"] = str(blocked.retry_after)
        return response
    # Mapped here, not by the middleware: no one is signed in yet, and the form must show again.
    try:
        user = services.authenticate_with_cloud(username, password)
    except errors.BadRequest as exc:
        throttle.record_failure(username, address)
        # Recorded by the audit log (apps.audit.signals), which sits above this app.
        user_login_failed.send(
            sender=__name__, credentials={"username": username}, request=request, reason=exc.message or ""
        )
        return _form(request, form, next_url, status=400, error=exc.message)
    except errors.UpstreamUnavailable:
        return _form(request, form, next_url, status=503, error="The cloud API is unavailable")
    except errors.ClcError as exc:
        log.warning("sign-in failed upstream: %s", exc)
        return _form(
            request, form, next_url, status=502, error="The cloud API could not sign you in. Try again."
        )
    throttle.clear_user(username)
    services.start_session(request, user)
    return HttpResponseRedirect(next_url)


def _form(request, form, next_url, status=200, error=None):
    if error:
        form.add_error(None, error)
    context = {"form": form, "next": next_url if next_url != resolve_url(settings.LOGIN_REDIRECT_URL) else ""}
    return render(request, "accounts/login.html", context, status=status)


def _has_usable_token(user) -> bool:
    try:
        services.cloud_client_for(user)
    except errors.Unauthorized:
        return False
    return True


@require_POST
def logout_view(request):
    services.sign_out(request)
    messages.info(request, "You are signed out.")
    return redirect(settings.LOGIN_URL)


@login_required
def dashboard(request):
    """For now: the person's data centers (the inventory pages replace this)."""
    dcs = services.user_datacenters(request, refresh=True)
    return render(request, "accounts/dashboard.html", {"datacenters": dcs})
