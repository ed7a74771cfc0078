"""/profile/tokens/: the person's personal API tokens (list, create: value shown once, revoke).

A create answers with a redirect (303) to the list, which shows the new value once: a reload never
posts again."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.crypto import InvalidToken, fernet
from apps.audit import services as audit

from . import services
from .forms import TokenForm

SHOWN_ONCE = "tokens:shown_once"
SHOWN_FOR_SECONDS = 60


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
        created, value = _shown_once(request)
        return _page(request, TokenForm(), created=created, value=value)
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
    # Post/redirect/get: a reload of the page shows the list, never creates a second token. The
    # value crosses the redirect encrypted in the person's session, readable once, for a minute.
    request.session[SHOWN_ONCE] = {"id": token.pk, "value": fernet().encrypt(value.encode()).decode()}
    return HttpResponseRedirect(reverse("tokens"), status=303)


def _shown_once(request):
    """The token just created and its value, taken out of the session (once), or (None, None)."""
    pending = request.session.pop(SHOWN_ONCE, None)
    if not isinstance(pending, dict):
        return None, None
    token = services.tokens_of(request.user).filter(pk=pending.get("id")).first()
    try:
        value = fernet().decrypt(str(pending.get("value", "")).encode(), ttl=SHOWN_FOR_SECONDS).decode()
    except InvalidToken:
        return None, None
    if token is None or not token.is_active:
        return None, None
    return token, value


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
    return redirect("tokens")
