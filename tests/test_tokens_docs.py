"""/api/v1/docs/: served by the app (Swagger UI from the drf-spectacular-sidecar package), nothing loaded
from anywhere else, no inline script; every documented response of the schema has an example (the
audit API's 401 and CSV answer among them)."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_docs_page_renders_with_local_assets_only(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy.get("script-src", policy["default-src"]) == "'self'"  # this origin's files only
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))  # no inline script
    assert 'data-schema-url="/api/v1/schema/"' in html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(ref.startswith(("/", "data:")) for ref in refs), refs
    assert not re.search(r"https?://", html)
    for ref in refs:
        if ref.startswith("/static/"):
            assert finders.find(ref.removeprefix("/static/")), ref
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in refs
    init = open(finders.find("js/api-docs.js")).read()
    assert "validatorUrl: null" in init  # the default would call an outside validator
    css = open(finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")).read()
    assert not re.search(r"url\((?!\"?data:)", css) and "@import" not in css


def test_schema_documents_the_token_and_error_responses(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["personalToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"personalToken": []} in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)
            assert any(
                "examples" in content
                for response in operation["responses"].values()
                for content in response.get("content", {}).values()
            ), (method, path)


# --- every documented response has an example -----------------------------------------------------

# Responses documented without an example, in endpoints written before examples were required. The
# set may only shrink: a new endpoint or response without an example fails.
KNOWN_WITHOUT_EXAMPLE = {
    ("activities_list", "401"),
    ("activity_detail", "401"),
    ("group_detail", "200"),
    ("group_operation_start", "200"),
    ("group_operation_start", "202"),
    ("server_detail", "200"),
    ("server_operation_start", "200"),
    ("server_operation_start", "404"),
    ("servers_operation_start", "200"),
    ("servers_operation_start", "202"),
}


def test_every_documented_response_has_an_example(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    missing = set()
    for item in schema["paths"].values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    if "examples" not in content and "example" not in content:
                        missing.add((operation["operationId"], code))
    assert missing <= KNOWN_WITHOUT_EXAMPLE, sorted(missing - KNOWN_WITHOUT_EXAMPLE)

    audit = schema["paths"]["/api/v1/audit/"]["get"]["responses"]
    assert set(audit["200"]["content"]) == {"application/json", "text/csv"}
    assert audit["200"]["content"]["text/csv"]["examples"]
    assert {"CloudSessionExpired", "BadToken"} <= set(audit["401"]["content"]["application/json"]["examples"])
    launch_202 = schema["paths"]["/api/v1/recipes/{recipe_id}/launch/"]["post"]["responses"]["202"]
    ref = launch_202["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "ttl" in schema["components"]["schemas"][ref]["properties"]


def test_every_401_example_says_what_the_api_sends(client):
    """A script's author reads the 401 examples to match on the message: each is one the portal
    really answers (a cloud session that expired, a bad personal token), not a paraphrase."""
    from apps.accounts.middleware import API_EXPIRED_MESSAGE, CLOUD_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE

    sent = {API_EXPIRED_MESSAGE, CLOUD_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE}
    schema = client.get("/api/v1/schema/?format=json").json()
    seen = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation.get("responses", {}).get("401", {})
            for media in answer.get("content", {}).values():
                for name, example in media.get("examples", {}).items():
                    message = (example.get("value") or {}).get("message")
                    if message is not None:
                        seen.append((f"{method.upper()} {path} {name}", message))
    assert len(seen) > 20
    assert [(where, m) for where, m in seen if m not in sent] == []
