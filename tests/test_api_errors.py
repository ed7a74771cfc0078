"""One error shape under /api/v1/: ``{"message": ...}`` plus fields, whatever refused the request
(apps/accounts/api_errors.py, REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

import json

import pytest
from rest_framework import exceptions

from apps.accounts.api_errors import exception_handler

pytestmark = pytest.mark.django_db


def _body(response) -> dict:
    body = response.json()
    assert isinstance(body.get("message"), str) and body["message"], body
    assert "detail" not in body, body
    return body


def test_an_unknown_api_path_answers_404_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "/api/v1/no-such-thing/" in _body(response)["message"]


def test_an_unknown_page_is_still_the_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_a_method_the_endpoint_lacks_answers_405(demo):
    response = demo.delete("/api/v1/datacenters/")
    assert response.status_code == 405
    assert "DELETE" in _body(response)["message"]


def test_a_body_that_is_not_json_answers_400(demo):
    response = demo.post(
        "/api/v1/servers/WA1DEMOWEB01/operations/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in _body(response)["message"]


def test_not_signed_in_answers_401_or_403_with_a_message(client):
    response = client.get("/api/v1/activities/")
    assert response.status_code in (401, 403)
    _body(response)


def test_a_validation_error_names_the_field_and_keeps_every_error():
    exc = exceptions.ValidationError({"name": ["This field is required."], "cpu": ["Too many."]})
    response = exception_handler(exc, {"request": None})
    assert response.status_code == 400
    assert response.data["message"] == "name: This field is required."
    assert json.loads(json.dumps(response.data["errors"])) == {
        "name": ["This field is required."],
        "cpu": ["Too many."],
    }


def test_a_throttled_call_answers_429_with_retry_after():
    response = exception_handler(exceptions.Throttled(wait=30), {"request": None})
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert "throttled" in response.data["message"].lower() and "detail" not in response.data
