"""The portal's session engine (``SESSION_ENGINE``): Django's database sessions, except that a
session save the database could not take is that outage, not a "session deleted" 400.

Django turns every database error of a session's save into ``UpdateError``, which the session
middleware answers with 400 "The request's session was deleted before the request completed". When
the database stops between a page's read and its session save (``SESSION_SAVE_EVERY_REQUEST``), the
person would get that 400; the outage's own error goes on instead, and ``handler500`` answers it
with the 503 "temporarily unavailable" page (``unavailable.outage_now``). A session row that is
really gone (signed out in another tab) still raises ``UpdateError``.
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from .unavailable import OUTAGES


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            if isinstance(exc.__context__, OUTAGES):
                raise exc.__context__ from None
            raise
