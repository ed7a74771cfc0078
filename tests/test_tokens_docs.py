"""/api/v1/docs/: served by the app (Swagger UI from the drf-spectacular-sidecar package), nothing loaded
from anywhere else, no inline script."""

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
