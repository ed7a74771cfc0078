"""``handler400``: what Django answers for a request it refuses to read (a SuspiciousOperation:
too many form fields, a body over the size limit, a bad host, ...), said plainly — a page for
people, ``{"message"}`` for ``/api/``. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413."""

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render


class NulCharacterSent(BadRequest):
    """A NUL character (``%00``) in the path or the query string (``portal.nul_guard``)."""


def _what(exception) -> tuple[int, str]:
    if isinstance(exception, NulCharacterSent):
        return 400, "The address contains a NUL character (%00), which no field takes."
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, f"The request is too large (at most {limit:,} bytes)."
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, f"The form sent too many fields (at most {limit:,})."
    if isinstance(exception, TooManyFilesSent):
        return 400, f"The form sent too many files (at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,})."
    return 400, "The request could not be read."


def bad_request(request, exception=None):
    status, message = _what(exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message}, status=status)
    return render(request, "400.html", {"message": message, "status": status}, status=status)
