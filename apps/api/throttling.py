"""Rate limits of ``/api/v1/`` (DRF throttles, counted in the shared cache) and their schema.

Every API call may spend the person's cloud quota, so each is counted three ways:

- ``PersonalTokenThrottle``: per personal token (``API_THROTTLE_TOKEN``, 120/minute);
- ``PersonThrottle``: per person, every token and the browser session together
  (``API_THROTTLE_PERSON``, 240/minute);
- ``AnonymousThrottle``: per client address (``portal.client_address``) for calls without a person,
  e.g. the schema (``API_THROTTLE_ANONYMOUS``, 60/minute).

Over a rate: 429 ``{"message"}`` with ``Retry-After`` (seconds), shaped like every API error by
``apps.accounts.api_errors``. A rate is ``"<n>/<second|minute|
hour|day>"``; empty: no limit. Rates are read at each request (settings can change in tests). If
the cache is down, calls are not refused (logged). ``document_throttling`` adds the 429 answer to
every operation of the OpenAPI document.
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.client_address import client_address

log = logging.getLogger(__name__)


class _SettingRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting, None) or None

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view):
        ident = self.ident(request)
        if ident is None:
            return None
        return f"api-throttle:{self.scope}:{ident}"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # a broken cache must not take the API down
            log.warning("API throttle %s unavailable", self.scope, exc_info=True)
            return True


class PersonalTokenThrottle(_SettingRateThrottle):
    scope = "token"
    setting = "API_THROTTLE_TOKEN"

    def ident(self, request):
        token = getattr(request, "auth", None)
        if token is None or not getattr(token, "display_prefix", None):
            return None  # not a personal token (a browser session)
        return str(token.pk)


class PersonThrottle(_SettingRateThrottle):
    scope = "person"
    setting = "API_THROTTLE_PERSON"

    def ident(self, request):
        user = getattr(request, "user", None)
        return str(user.pk) if getattr(user, "is_authenticated", False) else None


class AnonymousThrottle(_SettingRateThrottle):
    scope = "anonymous"
    setting = "API_THROTTLE_ANONYMOUS"

    def ident(self, request):
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False):
            return None
        return client_address(request) or "unknown"


TOO_MANY = {
    "description": (
        "Too many requests: over the rate of this personal token, of its person, or (without a "
        "person) of this client address. Wait the seconds `Retry-After` says."
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before the next call.",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/TooManyRequests"},
            "example": {"message": "Request was throttled. Expected available in 12 seconds."},
        }
    },
}
TOO_MANY_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def document_throttling(result, generator, request, public):
    """drf-spectacular postprocessing hook: a 429 answer on every operation."""
    for path_item in (result.get("paths") or {}).values():
        for method, operation in path_item.items():
            if method in METHODS:
                operation.setdefault("responses", {}).setdefault("429", TOO_MANY)
    result.setdefault("components", {}).setdefault("schemas", {})["TooManyRequests"] = TOO_MANY_SCHEMA
    return result
