"""A request whose path or query string holds a NUL character (``%00``) is refused with a 400 that
says so (``error_pages.NulCharacterSent``), before a view reads it: no field takes one, and
PostgreSQL can neither store nor compare it (a filter of the activity screen with one was a 500).
Bodies need no guard here: Django's and DRF's CharField refuse a NUL themselves."""

from django.utils.deprecation import MiddlewareMixin

from .error_pages import NulCharacterSent


class RefuseNulCharacterMiddleware(MiddlewareMixin):
    def process_request(self, request):
        # The raw query string: a NUL can only stand there percent-encoded ("%00", no case to fold).
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
            raise NulCharacterSent("a NUL character in the path or the query string")
