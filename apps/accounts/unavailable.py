"""When the portal's own services fail (its database restarting, Redis gone): a clear 503 "temporarily
unavailable" page (``{"message"}`` under ``/api/``, with ``Retry-After``), never a 500 and a traceback.

* ``ServiceUnavailableMiddleware`` (right after Django's ``AuthenticationMiddleware``): loads the
  signed-in person first, so a database that does not answer is a 503 before anything else runs;
  and maps a view's database or Redis connection error to the same 503.
* ``outage_now()``: for ``handler500`` (``api_errors.server_error``): an error that escaped a
  middleware has no exception to look at there, so it asks the database (and the cache) whether
  they answer; if not, the answer is the 503 too.

The page is rendered without the request (no session, no person, no top bar): none of those can be
read while the database is down.
"""

import logging

import redis
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from apps.clc.middleware import HybridMiddleware
from portal import csp

log = logging.getLogger(__name__)

MESSAGE = (
    "The portal is temporarily unavailable (its database or cache is restarting). Try again in a moment."
)
RETRY_AFTER_SECONDS = 5
OUTAGES = (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def is_outage(exc) -> bool:
    return isinstance(exc, OUTAGES)


def unavailable(request) -> HttpResponse:
    """The 503: JSON under ``/api/``, plain text for the event stream, else a standalone page."""
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        response = JsonResponse({"message": MESSAGE}, status=503)
    elif path.startswith("/events/"):
        response = HttpResponse(MESSAGE + "\n", status=503, content_type="text/plain")
    else:
        response = HttpResponse(
            render_to_string("service_unavailable.html", {"message": MESSAGE}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response[csp.HEADER] = csp.policy()  # answered before the CSP middleware would add it
    response._has_been_logged = True  # said once, as a warning (not Django's error for a 5xx)
    return response


def outage_now() -> bool:
    """Does the database (or the cache) fail to answer right now? (Asked only after an error.)"""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OUTAGES:
        return True
    except Exception:
        return False
    finally:
        try:
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
        except Exception:
            pass
    try:
        cache.get("portal:outage-probe")
    except OUTAGES:
        return True
    except Exception:
        return False
    return False


class ServiceUnavailableMiddleware(HybridMiddleware):
    def _call(self, request):
        try:
            getattr(request, "user", None) and request.user.is_authenticated  # the session, from the DB
        except OUTAGES as exc:
            return self._down(request, exc)
        return self.get_response(request)

    async def _acall(self, request):
        if hasattr(request, "auser"):
            try:
                await request.auser()
            except OUTAGES as exc:
                return self._down(request, exc)
        return await self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return self._down(request, exception)
        return None

    @staticmethod
    def _down(request, exc) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and not hasattr(session, "_session_cache"):
            # The session could not be read: don't let SessionMiddleware try again on the way out
            # (a second failure there would be a 500). Nothing is saved on a 503; the cookie stays.
            session._session_cache = {}
        log.warning("%s %s: 503, the portal's %s is unavailable (%s)", request.method, request.path,
                    "cache" if isinstance(exc, redis.exceptions.RedisError) else "database", type(exc).__name__)  # fmt: skip
        return unavailable(request)
