"""Personal API tokens through the real stack: /login/ against the simulator, the token pages, DRF
with ``Authorization: Bearer``/``Token``, the person's cloud token behind it."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import CloudToken
from apps.tokens.models import PersonalToken
from tests.support.portal import create_token, signed_in

pytestmark = pytest.mark.django_db


def bearer(value: str, keyword="Bearer") -> Client:
    return Client(HTTP_AUTHORIZATION=f"{keyword} {value}")


def test_create_list_revoke_value_shown_once_and_stored_hashed(clc_settings):
    page = signed_in("demo")
    assert 'href="/profile/tokens/"' in page.get("/").content.decode()  # top bar link
    value = create_token(page, "nightly backup", expires_in_days="30")
    token = PersonalToken.objects.get()
    assert token.name == "nightly backup" and token.user.cloud_username.lower() == "demo"
    assert token.secret_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value.startswith(f"clcp_{token.public_id}_")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert token.last_used_at is None
    # Nothing in the database holds the value; the list shows only the public prefix.
    row = PersonalToken.objects.filter(pk=token.pk).values().get()
    assert value not in {str(v) for v in row.values()}
    listing = page.get("/profile/tokens/")
    body = listing.content.decode()
    assert listing.status_code == 200 and value not in body and "nightly backup" in body
    assert f"clcp_{token.public_id}" in body and "no-cache" in listing["Cache-Control"]

    assert bearer(value).get("/api/v1/activities/").status_code == 200
    assert page.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and "revoked" in page.get("/profile/tokens/").content.decode()
    refused = bearer(value).get("/api/v1/activities/")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in refused.json()["message"] and "detail" not in refused.json()

    from apps.audit.models import AuditEntry

    audited = list(
        AuditEntry.objects.filter(target_type="api_token", target_id=str(token.pk)).values_list(
            "action", "result"
        )
    )
    assert sorted(audited) == [("token.create", "success"), ("token.revoke", "success")]
    assert value not in str(list(AuditEntry.objects.values()))


def test_bad_form_and_someone_elses_token_cannot_be_revoked(clc_settings):
    demo = signed_in("demo")
    assert demo.post("/profile/tokens/", {"name": ""}).status_code == 400
    assert demo.post("/profile/tokens/", {"name": "x", "expires_in_days": "nonsense"}).status_code == 400
    value = create_token(demo)
    other = signed_in("other")
    other.post(f"/profile/tokens/{PersonalToken.objects.get().pk}/revoke/")
    assert PersonalToken.objects.get().revoked_at is None
    assert bearer(value).get("/api/v1/activities/").status_code == 200
    assert Client().get("/profile/tokens/").status_code == 302  # sign-in first


def test_token_acts_as_the_person_in_their_account_only(clc_settings):
    demo_value = create_token(signed_in("demo"))
    other_value = create_token(signed_in("other"))
    demo = bearer(demo_value).get("/api/v1/datacenters/")
    assert demo.status_code == 200 and {d["id"] for d in demo.json()["results"]} >= {"WA1"}
    assert bearer(demo_value, "Token").get("/api/v1/servers/WA1DEMOWEB01/").status_code == 200
    # The other account's token: the cloud (not the portal) says the demo server isn't theirs.
    assert bearer(other_value).get("/api/v1/servers/WA1DEMOWEB01/").status_code == 404
    started = bearer(demo_value).post(
        "/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert started.status_code == 202, started.content
    activity = started.json()["activity"]
    assert activity["user"] and activity["account_alias"] == "DEMO"
    assert bearer(demo_value).get(f"/api/v1/activities/{activity['id']}/").status_code == 200
    assert bearer(other_value).get(f"/api/v1/activities/{activity['id']}/").status_code == 404


def test_unknown_malformed_and_expired_tokens_are_401(clc_settings):
    page = signed_in("demo")
    value = create_token(page)
    for header in (
        "Bearer clcp_AAAAAAAA_" + "A" * 40,
        "Bearer " + value[:-1] + ("B" if value[-1] != "B" else "C"),
        "Bearer clcp_short",
        "Token",
        "Bearer a b",
    ):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/datacenters/")
        assert response.status_code == 401, header
        assert response.json()["message"]
    PersonalToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(value).get("/api/v1/datacenters/").status_code == 401
    assert "expired" in page.get("/profile/tokens/").content.decode()
    # No credentials at all: 401 with the scheme to use.
    anonymous = Client().get("/api/v1/activities/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")


def test_expired_cloud_token_is_401_asking_to_sign_in_again(clc_settings, simulator):
    page = signed_in("demo")
    value = create_token(page)
    # The cloud token expired by our clock: every endpoint says so, even ones that don't call the cloud.
    CloudToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for url in ("/api/v1/activities/", "/api/v1/datacenters/"):
        response = bearer(value).get(url)
        assert response.status_code == 401, url
        body = response.json()
        assert "sign in to the portal again" in body["message"] and body["login"] == "/login/"
    # Signing in again revives the personal token.
    signed_in("demo")
    assert bearer(value).get("/api/v1/datacenters/?fresh=1").status_code == 200
    # The cloud revokes its tokens behind our back: the upstream 401 is a 401 with the same advice.
    simulator.control("expire-tokens")
    response = bearer(value).get("/api/v1/servers/WA1DEMOWEB01/?fresh=1")
    assert response.status_code == 401 and "sign in" in response.json()["message"]
    assert CloudToken.objects.get(user__cloud_username__iexact="demo").invalid
    again = bearer(value).get("/api/v1/activities/")
    assert again.status_code == 401 and "sign in to the portal again" in again.json()["message"]


def test_last_used_is_recorded_at_most_once_a_minute(clc_settings, django_assert_max_num_queries):
    value = create_token(signed_in("demo"))
    bearer(value).get("/api/v1/activities/")
    first = PersonalToken.objects.get().last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=30)
    recent = timezone.now() - timedelta(seconds=30)
    PersonalToken.objects.update(last_used_at=recent)
    bearer(value).get("/api/v1/activities/")
    assert PersonalToken.objects.get().last_used_at == recent
    PersonalToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    bearer(value).get("/api/v1/activities/")
    assert timezone.now() - PersonalToken.objects.get().last_used_at < timedelta(seconds=30)


def test_token_values_are_never_logged(clc_settings, caplog):
    caplog.set_level(logging.DEBUG)
    page = signed_in("demo")
    value = create_token(page)
    bearer(value).get("/api/v1/datacenters/")
    bearer(value + "x").get("/api/v1/datacenters/")
    bearer(value).get("/api/v1/servers/WA1NOSUCH99/")
    secret = value.rsplit("_", 1)[1]
    assert secret not in caplog.text
