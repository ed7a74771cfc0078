"""Cloud session handling for every view.

* The session never outlives the cloud token (min(idle timeout, token expiry), refreshed each request).
* An upstream 401 (``apps.clc.errors.Unauthorized``, including ``CloudSessionExpired``) anywhere marks
  the token invalid, ends the session and sends the person to ``/login/?next=<where they were>``
  with a message; ``/api/`` paths get ``401 {"message": ...}`` instead.
* Other upstream failures that a view did not handle become a friendly page (or JSON), never a 500:
  403, 404, 503 "cloud unavailable" (``Retry-After`` on the API), 502 for anything else. Views don't
  re-map these themselves; ``response_for`` is the one mapping, used here for every view and by the
  API's exception handler (``apps.accounts.api_errors``).
"""

import logging
from urllib.parse import urlencode, urlsplit

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from apps.clc import errors
from apps.clc.middleware import HybridMiddleware
from portal.clipping import clip

from . import services

log = logging.getLogger(__name__)

EXPIRED_MESSAGE = "Your cloud session expired — sign in again."
# An API caller (a script with a personal token) is told where: the portal's sign-in page.
API_EXPIRED_MESSAGE = "Your cloud session expired — sign in to the portal again (/login/)."
# The personal token's 401s (apps.tokens.authentication), here so that every API module's schema
# examples say the same (this module imports nothing of DRF: the token module is loaded by DRF's
# settings).
CLOUD_EXPIRED_MESSAGE = (
    "Your cloud session expired — sign in to the portal again (/login/); "
    "your personal token keeps working after that."
)
INVALID_TOKEN_MESSAGE = "Invalid, revoked or expired token."
UNAVAILABLE_MESSAGE = "The cloud API is unavailable. Try again in a moment."
RETRY_AFTER_SECONDS = 5  # what an API caller is told to wait when the cloud API is down


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def login_url_for(request) -> str:
    if request.method in ("GET", "HEAD"):
        target = request.get_full_path()
    else:
        # Don't bring someone back to a POST endpoint: use the page they posted from.
        referer = request.headers.get("Referer", "")
        target = referer if safe_next(request, referer) else reverse("dashboard")
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("login") + "?" + urlencode({"next": target})


def safe_next(request, target: str | None) -> str | None:
    """``target`` if it is an address on this site (a path, or a URL of this host with no scheme
    change), else None. A bare word (``"³"``, ``"dashboard"``) is not one: ``redirect()`` would
    take it for a view's name and fail (a 500)."""
    if not target or not (target.startswith("/") or urlsplit(target).scheme in ("http", "https")):
        return None
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


class CloudSessionMiddleware(HybridMiddleware):
    def _call(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            if not services.apply_session_lifetime(request):
                return self._expired(request)
        return self.get_response(request)

    async def _acall(self, request):
        if hasattr(request, "auser") and hasattr(request, "session"):
            user = await request.auser()
            if user.is_authenticated and not await sync_to_async(services.apply_session_lifetime)(request):
                return await sync_to_async(self._expired)(request)
        return await self.get_response(request)

    def process_exception(self, request, exception):
        return response_for(request, exception)

    @staticmethod
    def _expired(request):
        target = login_url_for(request)
        services.mark_token_invalid(request.user)
        services.sign_out_session_only(request)
        if is_api(request):
            return JsonResponse({"message": API_EXPIRED_MESSAGE, "login": reverse("login")}, status=401)
        messages.warning(request, EXPIRED_MESSAGE)
        return HttpResponseRedirect(target)

    @staticmethod
    def _error(request, status, message):
        message = clip(message)  # messages quote ids from the URL: never echo a huge one back
        if is_api(request):
            response = JsonResponse({"message": message}, status=status)
            if status == 503:
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return render(
            request, "accounts/upstream_error.html", {"message": message, "status": status}, status=status
        )


def response_for(request, exception):
    """The answer to an ``apps.clc`` error (a redirect to sign in, a page, or ``{"message"}`` JSON
    under ``/api/``), or None for any other exception."""
    if isinstance(exception, errors.Unauthorized):
        return CloudSessionMiddleware._expired(request)
    if isinstance(exception, errors.UpstreamUnavailable):
        log.warning("upstream unavailable during %s %s", request.method, request.path)
        if getattr(request, "_clc_datacenters", None) is None:
            # The top bar's data-center list would ask the failing upstream again (with retries):
            # tell it this request already found the cloud API down (accounts.services memo).
            request._clc_datacenters = exception
        return CloudSessionMiddleware._error(request, 503, UNAVAILABLE_MESSAGE)
    if isinstance(exception, errors.Forbidden):
        return CloudSessionMiddleware._error(request, 403, exception.message)
    if isinstance(exception, errors.NotFound):
        return CloudSessionMiddleware._error(request, 404, exception.message)
    if isinstance(exception, errors.ClcError):
        return CloudSessionMiddleware._error(request, 502, exception.message)
    return None
