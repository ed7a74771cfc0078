"""The API's JSON parser: DRF's, with the size cap forms already have and no RecursionError.

A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB, the limit Django applies to forms) is
refused with 413 before it is read whole or parsed; nesting deep enough to exhaust Python's
recursion (``[[[[…``) is a 400 like any other malformed JSON, never a 500.
"""

import io

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(f"The request body is too large (at most {limit:,} bytes).")


def _content_length(parser_context) -> int:
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", None) or {}
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            if _content_length(parser_context) > limit:
                raise RequestTooLarge(limit)
            raw = stream.read(limit + 1) if stream is not None else b""
            if len(raw) > limit:
                raise RequestTooLarge(limit)
            stream = io.BytesIO(raw)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
