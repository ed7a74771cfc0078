"""/profile/tokens/: the person's personal API tokens (list, create: value shown once, revoke)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apps.audit import services as audit

from . import services
from .forms import TokenForm


def _page(request, form, created=None, value=None, status=200):
    context = {
        "form": form,
        "tokens": services.tokens_of(request.user),
        "created": created,
        "value": value,
        "limit": services.MAX_TOKENS_PER_USER,
    }
    return render(request, "tokens/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request):
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    active = [t for t in services.tokens_of(request.user) if t.is_active]
    if len(active) >= services.MAX_TOKENS_PER_USER:
        form.add_error(None, f"You have {len(active)} active tokens; revoke one first.")
        return _page(request, form, status=400)
    days = form.cleaned_data["expires_in_days"]
    expires_at = timezone.now() + timedelta(days=days) if days else None
    token, value = services.create_token(request.user, form.cleaned_data["name"], expires_at)
    audit.record(
        request=request,
        action="token.create",
        target_type="api_token",
        target_id=str(token.pk),
        result="success",
        detail={"name": token.name},
    )
    # Rendered, not redirected: the value is never stored anywhere, so it can only be shown now.
    return _page(request, TokenForm(), created=token, value=value, status=201)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    revoked = services.revoke(request.user, token_id)
    audit.record(
        request=request,
        action="token.revoke",
        target_type="api_token",
        target_id=str(token_id),
        result="success" if revoked else "failure",
    )
    if revoked:
        messages.info(request, "Token revoked: scripts using it now get 401.")
    else:
        messages.warning(request, "No such active token.")
    return HttpResponseRedirect("/profile/tokens/")
