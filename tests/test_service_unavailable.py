"""The portal's database or Redis failing in the middle of a request is a 503 "temporarily
unavailable" (a page, or ``{"message"}`` under /api/, with ``Retry-After``), never a 500: where the
session is read, in a view, in the API. (tests/test_resilience_restarts.py restarts the real ones.)"""

import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError

from apps.activities import selectors as activity_selectors
from apps.clc import errors as clc_errors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def down(*args, **kwargs):
    raise OperationalError("connection failed: Connection refused")


def assert_unavailable(response, api=False):
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"]
    text = response.json()["message"] if api else response.content.decode()
    assert "temporarily unavailable" in text


def test_the_session_cannot_be_read(demo, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", down)
    assert_unavailable(demo.get("/"))
    assert_unavailable(demo.get("/api/v1/activities/"), api=True)
    monkeypatch.undo()
    assert demo.get("/activities/").status_code == 200  # back: still signed in (the cookie was kept)


def test_a_view_meets_the_outage(demo, monkeypatch):
    monkeypatch.setattr(activity_selectors, "filtered_activities", down)
    assert_unavailable(demo.get("/activities/"))


def test_the_api_meets_the_outage(demo, monkeypatch):
    from apps.activities import services

    monkeypatch.setattr(services, "visible_activities", down)
    assert_unavailable(demo.get("/api/v1/activities/"), api=True)


def test_redis_refusing_a_view_is_a_503_not_a_500(demo, monkeypatch):
    def refused(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(activity_selectors, "filtered_activities", refused)
    assert_unavailable(demo.get("/activities/"))


def test_other_errors_are_still_what_they_were(demo, monkeypatch):
    def unavailable_cloud(*args, **kwargs):
        raise clc_errors.UpstreamUnavailable()

    monkeypatch.setattr(activity_selectors, "filtered_activities", unavailable_cloud)
    response = demo.get("/activities/")
    assert response.status_code == 503 and "Cloud API unavailable" in response.content.decode()


def test_the_database_stops_before_the_session_is_saved(demo, monkeypatch):
    """The page was read, then the session save (every request saves it) meets the outage: the
    person gets the 503, not Django's 400 "session deleted" (seen while PostgreSQL restarted)."""
    from django.contrib.sessions.models import Session

    from apps.accounts import unavailable

    demo.get("/activities/")  # the session row exists
    monkeypatch.setattr(Session, "save", down)
    monkeypatch.setattr(unavailable, "outage_now", lambda: True)  # still down when handler500 asks
    demo.raise_request_exception = False  # answered by handler500, as a server answers it
    assert_unavailable(demo.get("/activities/"))
    assert_unavailable(demo.get("/api/v1/activities/"), api=True)


def test_a_session_deleted_meanwhile_is_still_what_django_says(demo):
    """A session row removed during the request (signed out in another tab) is not an outage."""
    from django.conf import settings
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.models import Session
    from django.utils.module_loading import import_string

    demo.get("/activities/")
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(demo.cookies["sessionid"].value)
    store.load()
    Session.objects.filter(session_key=store.session_key).delete()
    with pytest.raises(UpdateError):
        store.save()
