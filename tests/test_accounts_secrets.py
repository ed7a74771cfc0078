"""The bearer token never leaves the server: not in the database in clear, not in pages, cookies,
the admin or the logs. Keys rotate without signing anyone out."""

import io
import re

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import Client

from apps.accounts.models import CloudToken, User
from apps.accounts.services import CloudSessionExpired, cloud_client_for
from tests.test_accounts_signin import sign_in, stored_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

TOKEN_LIKE = re.compile(r"[A-Za-z0-9._~+/=\-]{16,}")


def dump_database() -> list[str]:
    """Every text, JSON and binary value of every table."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        texts.append(bytes(value).decode("latin-1"))
                    elif isinstance(value, str | dict | list):
                        texts.append(str(value))
    return texts


def authenticates(simulator, candidate: str) -> bool:
    for alias in ("DEMO", "OTHR"):
        response = requests.get(
            f"{simulator.url}/v2/datacenters/{alias}",
            headers={"Authorization": f"Bearer {candidate}"},
            timeout=5,
        )
        if response.status_code != 401:
            return True
    return False


def test_no_token_like_string_anywhere_authenticates(clc_settings, simulator, admin_client, caplog):
    caplog.set_level("DEBUG")
    people = {name: Client() for name in ("demo", "other")}
    exposed: list[str] = []
    for name, client in people.items():
        exposed.append(client.get("/login/").content.decode())
        response = sign_in(client, name)
        exposed += [str(response.headers), str(response.cookies)]
        for path in ("/", "/login/", "/?again=1"):
            response = client.get(path)
            exposed += [response.content.decode(), str(response.headers)]
        exposed += [f"{c.key}={c.value}" for c in client.cookies.values()]

    # The admin shows that a token exists and when it expires, never its value.
    demo = User.objects.get(account_alias="DEMO")
    token_row = CloudToken.objects.get(user=demo)
    for path in (
        "/admin/accounts/cloudtoken/",
        f"/admin/accounts/cloudtoken/{token_row.pk}/change/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{demo.pk}/change/",
    ):
        page = admin_client.get(path)
        assert page.status_code == 200, path
        exposed.append(page.content.decode())
    assert "token stored" in exposed[-3].lower() and "expires" in exposed[-3]

    exposed += dump_database()
    exposed.append(caplog.text)

    real_tokens = [stored_token(user) for user in User.objects.filter(cloud_username__in=["demo", "other"])]
    assert len(real_tokens) == 2
    blob = "\n".join(exposed)
    for token in real_tokens:
        assert token not in blob
        assert authenticates(simulator, token)  # the real one does work

    candidates = set(TOKEN_LIKE.findall(blob))
    assert len(candidates) > 20  # we did look at session keys, CSRF tokens, ciphertexts...
    leaked = [c for c in candidates if authenticates(simulator, c)]
    assert leaked == []


def test_cookies_are_http_only_and_hold_no_token(clc_settings):
    client = Client()
    sign_in(client, "demo")
    session_cookie = client.cookies["sessionid"]
    assert session_cookie["httponly"]
    token = stored_token(User.objects.get(account_alias="DEMO"))
    assert all(token not in c.value for c in client.cookies.values())


def test_keys_rotate_without_signing_anyone_out(clc_settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    clc_settings.TOKEN_ENCRYPTION_KEYS = [old]
    client = Client()
    sign_in(client, "demo")
    user = User.objects.get(account_alias="DEMO")
    before = bytes(CloudToken.objects.get(user=user).ciphertext)
    assert Fernet(old.encode()).decrypt(before)

    # A new key in front: old tokens still decrypt, nobody is signed out.
    clc_settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    assert client.get("/").status_code == 200

    out = io.StringIO()
    call_command("rotate_token_keys", stdout=out)
    assert "re-encrypted 1 token(s)" in out.getvalue()
    after = bytes(CloudToken.objects.get(user=user).ciphertext)
    assert after != before and Fernet(new.encode()).decrypt(after) == Fernet(old.encode()).decrypt(before)

    # The old key can go now.
    clc_settings.TOKEN_ENCRYPTION_KEYS = [new]
    assert client.get("/").status_code == 200

    # A token no configured key opens counts as expired: sign in again.
    clc_settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CloudSessionExpired):
        cloud_client_for(user)
    assert client.get("/")["Location"].startswith("/login/")


def test_tampered_ciphertext_is_rejected(clc_settings):
    sign_in(Client(), "demo")
    user = User.objects.get(account_alias="DEMO")
    row = CloudToken.objects.get(user=user)
    data = bytearray(bytes(row.ciphertext))
    data[-5] = ord("A") if data[-5] != ord("A") else ord("B")
    row.ciphertext = bytes(data)
    row.save()
    with pytest.raises(CloudSessionExpired):
        cloud_client_for(user)
    assert CloudToken.objects.get(user=user).invalid


def test_client_repr_and_errors_hide_the_token(clc_settings, simulator):
    sign_in(Client(), "demo")
    user = User.objects.get(account_alias="DEMO")
    client = cloud_client_for(user)
    token = stored_token(user)
    assert token not in repr(client) and token not in str(client)
    simulator.control("expire-tokens")
    from apps.clc import datacenters, errors

    with pytest.raises(errors.Unauthorized) as caught:
        datacenters.list_datacenters(client)
    assert token not in str(caught.value) and token not in repr(caught.value)
