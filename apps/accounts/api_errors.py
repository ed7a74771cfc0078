"""The REST API's one error policy (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): every error under
``/api/v1/`` is ``{"message": ...}`` plus fields, never DRF's ``{"detail"}``.

* ``apps.clc`` errors: the same mapping as the pages (``middleware.response_for``): 401
  ``{"message", "login"}`` (the session is ended), 403, 404, 503 with ``Retry-After``, 502.
* DRF's own: NotAuthenticated / AuthenticationFailed 401 (with ``WWW-Authenticate``),
  PermissionDenied 403 (a failed CSRF check too), NotFound 404, MethodNotAllowed 405, ParseError 400,
  ValidationError 400 ``{"message": "<field>: <first error>", "errors": {...}}``, Throttled 429 with
  ``Retry-After``. DRF's headers are kept.
* An exception whose detail is already a dict with ``message`` (e.g. the personal-token 401
  ``{"message", "login"}``) is answered as it is.
"""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from apps.clc.errors import ClcError

from . import unavailable
from .middleware import is_api, response_for

INVALID_INPUT = "The request is invalid."


def first_error(errors) -> str:
    """A validation error's first message, as ``"field: text"`` (``text`` alone for a non-field one)."""
    if isinstance(errors, dict):
        for field, messages in errors.items():
            text = first_error(messages)
            if field in ("non_field_errors", "__all__"):
                return text
            return f"{field}: {text}"
        return INVALID_INPUT
    if isinstance(errors, (list, tuple)):
        return first_error(errors[0]) if errors else INVALID_INPUT
    return str(errors)


def _message_body(exc: exceptions.APIException) -> dict:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return {"message": first_error(errors), "errors": errors}
    if isinstance(detail, dict) and "message" in detail:
        return detail
    if isinstance(detail, (list, dict)):
        return {"message": first_error(detail)}
    return {"message": str(detail)}


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: see the module docstring. None (a 500) for anything else."""
    request = context.get("request")
    if isinstance(exc, ClcError) and request is not None:
        return response_for(getattr(request, "_request", request), exc)
    # Http404 and PermissionDenied too; its headers (WWW-Authenticate, Retry-After) are kept.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = _message_body(exc)
    elif isinstance(response.data, dict) and "detail" in response.data:  # Http404, PermissionDenied
        response.data = {"message": str(response.data["detail"])}
    return response


def page_not_found(request, exception=None):
    """``handler404``: ``{"message"}`` under ``/api/``, the portal's 404 page elsewhere."""
    if is_api(request):
        return JsonResponse({"message": f"There is no API endpoint at {request.path}."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: ``{"message"}`` under ``/api/``, the portal's 500 page elsewhere; a 503
    "temporarily unavailable" instead when the portal's database or cache does not answer (an error
    that escaped a middleware while it restarts)."""
    if unavailable.outage_now():
        return unavailable.unavailable(request)
    if is_api(request):
        return JsonResponse({"message": "The portal failed to answer. Try again later."}, status=500)
    return defaults.server_error(request)
