"""Rate limits on ``/api/v1/`` (issue #16, item 7): per personal token, per person, and per client
address for anonymous calls; 429 with ``Retry-After`` and ``{"message"}``, before any upstream
call; documented in the OpenAPI document."""

import pytest
from django.test import Client

from portal.settings import base
from tests.support.portal import create_token, signed_in, upstream_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def api(token, **options):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", **options)


def test_the_default_rates_are_on():
    assert base.API_THROTTLE_TOKEN == "120/minute"
    assert base.API_THROTTLE_PERSON == "240/minute"
    assert base.API_THROTTLE_ANONYMOUS == "60/minute"


def test_a_personal_token_is_throttled_with_429_and_retry_after(clc_settings):
    clc_settings.API_THROTTLE_TOKEN = "3/minute"
    page = signed_in("demo")
    first, second = create_token(page, "first"), create_token(page, "second")
    script = api(first)
    answers = [script.get("/api/v1/datacenters/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["message"].startswith("Request was throttled. Expected available in")
    assert upstream_calls(refused) == 0  # refused before the person's cloud quota is spent
    # Another token of the same person has its own count.
    assert api(second).get("/api/v1/datacenters/").status_code == 200


def test_a_person_is_throttled_across_tokens_and_the_session(clc_settings):
    clc_settings.API_THROTTLE_PERSON = "4/minute"
    page = signed_in("demo")
    first, second = create_token(page, "first"), create_token(page, "second")
    codes = [api(first).get("/api/v1/activities/").status_code for _ in range(2)]
    codes += [api(second).get("/api/v1/activities/").status_code for _ in range(2)]
    codes.append(page.get("/api/v1/activities/").status_code)
    assert codes == [200, 200, 200, 200, 429]
    # Someone else is not affected.
    assert signed_in("viewer").get("/api/v1/activities/").status_code == 200


def test_anonymous_calls_are_throttled_per_client_address(settings):
    settings.API_THROTTLE_ANONYMOUS = "2/minute"
    caller = Client(REMOTE_ADDR="198.51.100.20")
    codes = [caller.get("/api/v1/schema/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # A forged X-Forwarded-For is not another address; a really different one is.
    forged = Client(REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert forged.get("/api/v1/schema/").status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.21").get("/api/v1/schema/").status_code == 200


def test_the_schema_documents_the_429(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert operations
    for path, method, operation in operations:
        answer = operation["responses"].get("429")
        assert answer, f"{method.upper()} {path} does not document 429"
        assert "Retry-After" in answer["headers"]
    assert "message" in schema["components"]["schemas"]["TooManyRequests"]["properties"]
