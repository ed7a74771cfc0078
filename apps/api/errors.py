"""The API's one DRF exception handler: every error DRF answers itself (authentication, parse
errors, throttling, 404, 405, 413, ...) carries ``{"message": ...}`` like the views' own refusals
(DRF's ``detail`` stays, for clients that read it)."""

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .clipping import clip, clip_all


def _first_text(value) -> str:
    if isinstance(value, dict):
        for key, item in value.items():
            text = _first_text(item)
            return text if key in ("detail", "non_field_errors") else f"{key}: {text}"
        return ""
    if isinstance(value, list):
        return _first_text(value[0]) if value else ""
    return str(value)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.Throttled):
        wait = response.get("Retry-After")
        message = f"Too many requests: try again in {wait} s." if wait else "Too many requests."
        data = {"message": message, "detail": message}
    elif isinstance(data, dict) and "message" in data:
        data = clip_all(data)
    else:
        message = clip(_first_text(data) or "The request was refused.")
        data = {
            "message": message,
            **(clip_all(data) if isinstance(data, dict) else {"errors": clip_all(data)}),
        }
    response.data = data
    return response
