"""Sign-in with cloud credentials against the running simulator: success, failure, upstream down,
throttling, token expiry with the ``next`` round trip, logout, session lifetime, two accounts."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client, RequestFactory
from django.utils import timezone

from apps.accounts import crypto
from apps.accounts.middleware import EXPIRED_MESSAGE, CloudSessionMiddleware
from apps.accounts.models import CloudToken, User
from apps.accounts.services import CloudSessionExpired, cloud_client_for
from apps.clc import errors
from tests.support.portal import upstream_calls
from tests.support.simulator import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


# --- helpers (also used by test_accounts_secrets) -----------------------------------------------
def sign_in(client, username, password=None, **extra):
    data = {"username": username, "password": password if password is not None else username}
    data.update(extra)
    return client.post("/login/", data)


def stored_token(user) -> str:
    return crypto.decrypt_token(CloudToken.objects.get(user=user).ciphertext)


def next_of(response) -> str:
    """The ``next`` of a redirect to the sign-in page."""
    location = urlsplit(response["Location"])
    assert location.path == "/login/", response["Location"]
    return parse_qs(location.query)["next"][0]


# --- sign-in ------------------------------------------------------------------------------------
def test_sign_in_success_creates_user_and_encrypted_token(client, clc_settings):
    page = client.get("/login/")
    assert page.status_code == 200 and b'name="csrfmiddlewaretoken"' in page.content

    response = sign_in(client, "demo")
    assert response.status_code == 302 and response["Location"] == "/"
    assert upstream_calls(response) == 1  # the login call, counted in Server-Timing

    user = User.objects.get(account_alias="DEMO", cloud_username__iexact="demo")
    assert user.location_alias == "WA1"
    assert set(user.roles) == {"AccountAdmin", "ServerAdmin"}
    assert not user.has_usable_password()
    token = CloudToken.objects.get(user=user)
    assert not token.invalid
    expected = timezone.now() + timedelta(days=14)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    plaintext = stored_token(user)
    assert plaintext.encode() not in bytes(token.ciphertext)

    dashboard = client.get("/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert "DEMO" in html and "AccountAdmin" in html and "/datacenters/wa1/" in html
    assert 'action="/logout/"' in html

    # Signing in again updates the same person (keyed by account alias + user name).
    sign_in(Client(), "DEMO", "demo")
    assert User.objects.filter(account_alias="DEMO").count() == 1
    assert stored_token(user) != plaintext


def test_bad_password_shows_upstream_message_and_creates_nobody(client, clc_settings, caplog):
    response = sign_in(client, "demo", "N0t-the-Passw0rd!")
    assert response.status_code == 400
    assert "recognize the username or password" in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()
    assert "N0t-the-Passw0rd!" not in caplog.text
    assert "_auth_user_id" not in client.session


def test_empty_form_is_a_400_not_a_500(client, clc_settings):
    response = client.post("/login/", {"username": "", "password": ""})
    assert response.status_code == 400
    assert not User.objects.exists()


def test_upstream_down_says_so(client, settings):
    settings.CLC_API_URL = f"http://127.0.0.1:{free_port()}"
    response = sign_in(client, "demo")
    assert response.status_code == 503
    assert "The cloud API is unavailable" in response.content.decode()
    assert not User.objects.exists()


def test_sign_in_is_throttled_per_user_name(client, clc_settings):
    clc_settings.LOGIN_THROTTLE_ATTEMPTS = 3
    clc_settings.LOGIN_THROTTLE_WINDOW = 120
    for _ in range(3):
        assert sign_in(client, "demo", "wrong").status_code == 400
    # Even the right password is refused now, from any address, with a clear message.
    blocked = sign_in(Client(REMOTE_ADDR="10.9.8.7"), "demo")
    assert blocked.status_code == 429
    assert "Too many sign-in attempts. Try again in" in blocked.content.decode()
    assert 0 < int(blocked["Retry-After"]) <= 120
    assert not User.objects.exists()
    # Another person from another address is not affected.
    assert sign_in(Client(REMOTE_ADDR="10.9.8.8"), "viewer").status_code == 302


def test_sign_in_is_throttled_per_client_address(clc_settings):
    clc_settings.LOGIN_THROTTLE_ATTEMPTS = 3
    attacker = Client(REMOTE_ADDR="10.1.1.1")
    for name in ("alice", "bob", "carol"):
        assert sign_in(attacker, name, "guess").status_code == 400
    assert sign_in(attacker, "operator").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.1.1.2"), "operator").status_code == 302


def test_upstream_failures_do_not_count_toward_the_throttle(client, settings):
    settings.CLC_API_URL = f"http://127.0.0.1:{free_port()}"
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    for _ in range(3):
        assert sign_in(client, "demo").status_code == 503


# --- next, expiry, logout -----------------------------------------------------------------------
def test_next_is_followed_only_on_this_site(clc_settings):
    assert sign_in(Client(), "demo", next="/?tab=2")["Location"] == "/?tab=2"
    assert sign_in(Client(), "demo", next="https://evil.example/")["Location"] == "/"
    assert sign_in(Client(), "demo", next="//evil.example/x")["Location"] == "/"
    # A bare word is no address: redirect() took it for a view's name and answered 500.
    assert sign_in(Client(), "demo", next="³")["Location"] == "/"
    page = Client().get("/login/?next=https://evil.example/")
    assert b"evil.example" not in page.content


def test_anonymous_visitor_is_sent_to_login_with_next(client, clc_settings):
    response = client.get("/?view=all")
    assert response.status_code == 302
    assert next_of(response) == "/?view=all"


def test_token_expiry_sends_to_login_and_back(client, clc_settings, simulator):
    sign_in(client, "demo")
    user = User.objects.get(cloud_username__iexact="demo")
    assert client.get("/").status_code == 200

    simulator.control("expire-tokens")
    # refresh=1 reads upstream past the per-person cache, as the Refresh button does.
    response = client.get("/?refresh=1")
    assert response.status_code == 302
    assert next_of(response) == "/?refresh=1"
    assert CloudToken.objects.get(user=user).invalid
    with pytest.raises(CloudSessionExpired):
        cloud_client_for(user)

    login_page = client.get(response["Location"])
    html = login_page.content.decode()
    assert EXPIRED_MESSAGE in html
    assert 'name="next" value="/?refresh=1"' in html

    back = sign_in(client, "demo", next="/?refresh=1")
    assert back.status_code == 302 and back["Location"] == "/?refresh=1"
    assert client.get(back["Location"]).status_code == 200
    assert not CloudToken.objects.get(user=user).invalid


def test_api_paths_get_a_401_json(clc_settings, client):
    sign_in(client, "demo")
    user = User.objects.get(cloud_username__iexact="demo")
    request = RequestFactory().get("/api/v1/servers/")
    request.user = user
    request.session = client.session
    response = CloudSessionMiddleware(lambda r: None).process_exception(request, errors.Unauthorized())
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "sign in to the portal again" in json.loads(response.content)["message"]
    assert CloudToken.objects.get(user=user).invalid


def test_logout_ends_session_and_deletes_token(client, clc_settings):
    sign_in(client, "demo")
    user = User.objects.get(cloud_username__iexact="demo")
    assert client.get("/logout/").status_code == 405  # POST only
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not CloudToken.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302


def test_session_lifetime_is_capped_by_idle_timeout_and_token_expiry(client, clc_settings):
    clc_settings.SESSION_IDLE_SECONDS = 600
    sign_in(client, "demo")
    assert 590 <= client.session.get_expiry_age() <= 600

    clc_settings.CLC_TOKEN_LIFETIME_SECONDS = 120
    other = Client()
    sign_in(other, "viewer")
    assert other.session.get_expiry_age() <= 120

    # Once the token's expiry has passed, the session ends.
    session = other.session
    session["cloud_token_expires"] = timezone.now().timestamp() - 1
    session.save()
    response = other.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


# --- two people, two accounts -------------------------------------------------------------------
def test_two_people_in_two_accounts_see_only_their_own(clc_settings, simulator):
    demo, other = Client(), Client()
    assert sign_in(demo, "demo").status_code == 302
    assert sign_in(other, "other").status_code == 302

    demo_page = demo.get("/").content.decode()
    other_page = other.get("/").content.decode()
    assert "Data centers of DEMO" in demo_page and "Data centers of OTHR" in other_page
    assert "/datacenters/uc1/" in demo_page and "/datacenters/uc1/" not in other_page
    assert "OTHR" not in demo_page and "DEMO" not in other_page

    # Each page was fetched with its own token: each token sees only its own account upstream.
    demo_user = User.objects.get(account_alias="DEMO")
    other_user = User.objects.get(account_alias="OTHR")
    demo_token, other_token = stored_token(demo_user), stored_token(other_user)
    assert demo_token != other_token

    def status(token, alias):
        return requests.get(
            f"{simulator.url}/v2/datacenters/{alias}", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ).status_code

    assert (status(demo_token, "DEMO"), status(demo_token, "OTHR")) == (200, 404)
    assert (status(other_token, "OTHR"), status(other_token, "DEMO")) == (200, 404)
    assert cloud_client_for(demo_user).account_alias == "DEMO"
    assert not demo_user.same_team(other_user)


def test_people_of_one_account_form_a_team(clc_settings):
    sign_in(Client(), "demo")
    sign_in(Client(), "viewer")
    sign_in(Client(), "other")
    demo = User.objects.get(cloud_username__iexact="demo")
    assert [u.cloud_username.lower() for u in demo.teammates()] == ["viewer"]


# --- upstream trouble on pages and Server-Timing -------------------------------------------------
def test_dashboard_when_upstream_fails_is_a_503_with_retries_counted(client, clc_settings, simulator):
    sign_in(client, "demo")
    simulator.control("config", errorRate=1)
    response = client.get("/")
    assert response.status_code == 503
    assert "The cloud API is unavailable" in response.content.decode()
    # The data center list: one GET, retried CLC_GET_RETRIES times; every attempt counted.
    assert upstream_calls(response) == 1 + clc_settings.CLC_GET_RETRIES


def test_server_timing_counts_upstream_calls(client, clc_settings):
    sign_in(client, "demo")
    # A server page, cold: the top bar's data center list, the server, its cost estimate, its group
    # (for its name), its data center's load balancers (the "Load balancer pools" panel), its networks
    # (the "Networks" panel), its vertical autoscale policy (the "Policies" panel) and the monitoring
    # charts (the server's statistics link).
    assert upstream_calls(client.get("/servers/WA1DEMOWEB01/")) == 8
    assert upstream_calls(client.get("/servers/WA1DEMOWEB01/")) == 0  # cached for this person
    assert upstream_calls(client.get("/login/")) == 0


@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_async_handler(clc_settings, simulator):
    import asyncio

    from django.test import AsyncClient

    sync = Client()
    sign_in(sync, "demo")
    async_client = AsyncClient()
    async_client.cookies = sync.cookies

    async def visit(path):
        return await async_client.get(path)

    page = asyncio.run(visit("/servers/WA1DEMOWEB01/"))
    assert page.status_code == 200 and upstream_calls(page) == 8
    simulator.control("expire-tokens")
    expired = asyncio.run(visit("/?refresh=1"))
    assert expired.status_code == 302 and next_of(expired) == "/?refresh=1"
    assert asyncio.run(visit("/login/")).status_code == 200
