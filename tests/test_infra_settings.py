"""The production profile's refusals, the Content-Security-Policy, JSON-only API, and DATABASE_URL
(issue #16, items 8 and 13).

Each refusal is one line on stderr that names the variable: no traceback, whatever the service.
"""

import pytest
from django.test import Client

from tests.support.portal import signed_in
from tests.test_infra_deploy import manage, production, random_secret

pytestmark = pytest.mark.django_db


def refused(result, variable: str) -> bool:
    lines = result.stderr.strip().splitlines()
    return result.returncode != 0 and len(lines) == 1 and lines[0].startswith(f"{variable}: ")


# --- production refuses to start without real keys ------------------------------------------------
@pytest.mark.parametrize(
    "secret",
    ["short-but-not-default", "a" * 60, "dev-insecure-secret-key-change-me-in-production-0123456789"],
)
def test_production_refuses_a_weak_secret_key(secret):
    result = manage("check", **production(SECRET_KEY=secret))
    assert refused(result, "SECRET_KEY"), result.stderr


@pytest.mark.parametrize("keys", ["", "not-a-fernet-key"])
def test_production_refuses_to_start_without_real_token_encryption_keys(keys):
    result = manage("check", **production(TOKEN_ENCRYPTION_KEYS=keys))
    assert refused(result, "TOKEN_ENCRYPTION_KEYS"), result.stderr


def test_every_service_entry_point_says_it_in_one_line():
    """Celery and the ASGI application load the same settings: the same one line."""
    env = production(TOKEN_ENCRYPTION_KEYS="")
    for args in (
        ["check"],
        ["shell", "-c", "import portal.asgi"],
        ["shell", "-c", "from portal.celery import celery_app; celery_app.loader.import_default_modules()"],
    ):
        result = manage(*args, **env)
        assert refused(result, "TOKEN_ENCRYPTION_KEYS"), (args, result.stderr)


def test_production_has_no_browsable_api():
    result = manage(
        "shell",
        "-c",
        "from rest_framework.settings import api_settings as a; "
        "print([c.__name__ for c in a.DEFAULT_RENDERER_CLASSES])",
        **production(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['ClippedErrorsJSONRenderer']"


def test_the_api_answers_json_to_a_browser_too(clc_settings):
    page = signed_in("demo")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    response = page.get("/api/v1/activities/", HTTP_ACCEPT=browser)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


# --- one Content-Security-Policy for every page --------------------------------------------------------
STRICT = "default-src 'self'"


def test_every_page_sends_a_strict_content_security_policy(clc_settings):
    anonymous = Client()
    for path in ("/login/", "/healthz/", "/api/v1/schema/", "/no-such-page/"):
        policy = anonymous.get(path)["Content-Security-Policy"]
        assert policy.startswith(STRICT) and "'unsafe-inline'" not in policy, (path, policy)
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    page = signed_in("demo")
    for path in ("/", "/activities/", "/notifications/", "/audit/", "/team/", "/recipes/", "/profile/tokens/",
                 "/servers/wa1demoweb01/", "/datacenters/wa1/", "/api/v1/activities/"):  # fmt: skip
        response = page.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert policy.startswith(STRICT) and "'unsafe-inline'" not in policy, (path, policy)


def test_the_api_docs_page_adds_only_what_swagger_ui_needs(client):
    policy = client.get("/api/v1/docs/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["img-src"] == "'self' data:"
    assert "script-src" not in directives  # scripts: 'self' only, as everywhere


# --- DATABASE_URL ------------------------------------------------------------------------------------
def test_an_empty_database_url_is_unset():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DJANGO_SETTINGS_MODULE="portal.settings.development",
        DATABASE_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("nonsense://db.example.com/portal", "unknown scheme 'nonsense'"),
        ("postgres://portal:s3cret@db.example.com:port/portal", "unreadable"),
        ("just some text", "unreadable"),
    ],
)
def test_an_unreadable_database_url_is_one_line_naming_the_variable(url, why):
    for profile in ("development", "production"):
        env = production(DATABASE_URL=url) if profile == "production" else {
            "DJANGO_SETTINGS_MODULE": "portal.settings.development", "DATABASE_URL": url}  # fmt: skip
        result = manage("check", **env)
        assert refused(result, "DATABASE_URL"), result.stderr
        assert why in result.stderr and "s3cret" not in result.stderr


def test_a_non_number_is_one_line_too():
    result = manage("check", DJANGO_SETTINGS_MODULE="portal.settings.development", CLC_READ_TIMEOUT="soon")
    assert refused(result, "CLC_READ_TIMEOUT"), result.stderr
    result = manage("check", **production(SECRET_KEY=random_secret(), TRUSTED_PROXIES="10.0.0.0/8, proxy"))
    assert refused(result, "TRUSTED_PROXIES"), result.stderr


@pytest.mark.parametrize("rate", ["²/minute", "fast/minute", "120/fortnight"])
def test_a_rate_that_is_not_one_is_one_line_naming_the_variable(monkeypatch, rate):
    from portal.settings.env import SettingsRefused, env_rate

    monkeypatch.setenv("API_THROTTLE_TOKEN", rate)  # "²" is a digit to str.isdigit() that int() refuses
    with pytest.raises(SettingsRefused, match="^API_THROTTLE_TOKEN: .* is not a rate"):
        env_rate("API_THROTTLE_TOKEN", "120/minute")
