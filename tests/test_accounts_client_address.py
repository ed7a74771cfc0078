"""The client's address comes from one place and only trusted proxies may tell it (issue #16, item 2).

Nobody picks their own address with ``X-Forwarded-For``: not to escape the per-address sign-in
throttle, not to forge the audit log's address. Behind proxies listed in ``TRUSTED_PROXIES`` each
client is told apart. The web server (Dockerfile, compose, quick start) does not rewrite the
address from the header either: checked by running uvicorn with each of their options.
"""

import importlib
import re

import pytest
import requests
from django.test import Client

from apps.audit.models import AuditEntry
from portal.client_address import client_address
from tests.support.portal import served_asgi
from tests.test_infra_compose import command, dockerfile_cmd

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def sign_in(client, username, password=None):
    return client.post("/login/", {"username": username, "password": password or username})


def test_a_forged_x_forwarded_for_changes_nothing(clc_settings):
    clc_settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for i, name in enumerate(("alice", "bob", "carol")):
        forged = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{i + 1}")
        assert sign_in(forged, name, "guess").status_code == 400
    blocked = sign_in(Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.99"), "operator")
    assert blocked.status_code == 429
    addresses = set(AuditEntry.objects.filter(action="sign_in").values_list("address", flat=True))
    assert addresses == {"203.0.113.5"}


def test_behind_a_trusted_proxy_every_client_is_counted_on_its_own(clc_settings):
    clc_settings.LOGIN_THROTTLE_ATTEMPTS = 3
    clc_settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def via_proxy(client_ip, forged=""):
        chain = ", ".join(part for part in (forged, client_ip, "10.0.0.9") if part)
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain)

    for name in ("alice", "bob", "carol"):
        # What the client wrote itself (left of what our proxies appended) is ignored.
        assert sign_in(via_proxy("198.51.100.7", forged=f"192.0.2.{len(name)}"), name, "x").status_code == 400
    assert sign_in(via_proxy("198.51.100.7", forged="192.0.2.200"), "operator").status_code == 429
    # Another client behind the same proxy is not the one who failed.
    assert sign_in(via_proxy("198.51.100.8"), "operator").status_code == 302
    entries = AuditEntry.objects.filter(action="sign_in")
    assert set(entries.filter(result="failure").values_list("address", flat=True)) == {"198.51.100.7"}
    assert set(entries.filter(result="success").values_list("address", flat=True)) == {"198.51.100.8"}


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "6.6.6.6", [], "203.0.113.5"),
        ("10.0.0.1", "6.6.6.6", [], "10.0.0.1"),
        ("10.0.0.1", "6.6.6.6, 198.51.100.7", ["10.0.0.1"], "198.51.100.7"),
        ("10.0.0.1", "198.51.100.7, 10.0.0.3", ["10.0.0.0/24"], "198.51.100.7"),
        ("10.0.0.1", "10.0.0.4, 10.0.0.3", ["10.0.0.0/24"], "10.0.0.4"),
        ("10.0.0.1", "", ["10.0.0.1"], "10.0.0.1"),
        ("10.0.0.1", "garbage, 10.0.0.3", ["10.0.0.0/24"], "10.0.0.3"),
        ("::ffff:10.0.0.1", "[2001:db8::7]:4711", ["10.0.0.1"], "2001:db8::7"),
        ("2001:db8::1", "198.51.100.7", ["2001:db8::/64"], "198.51.100.7"),
        ("", "198.51.100.7", ["10.0.0.0/8"], None),
    ],
)
def test_client_address_reads_forwarded_for_only_from_trusted_proxies(
    rf, settings, remote, forwarded, trusted, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# --- the web server's own options -------------------------------------------------------------------
def uvicorn_options(args: list[str]) -> dict:
    """``proxy_headers`` and ``forwarded_allow_ips`` as uvicorn reads them from ``args``."""
    cli = importlib.import_module("uvicorn.main").main  # (the package's ``main`` is the function)
    params = cli.make_context("uvicorn", list(args)).params
    return {"proxy_headers": params["proxy_headers"], "forwarded_allow_ips": params["forwarded_allow_ips"]}


def quickstart_args() -> list[str]:
    from portal import quickstart

    return ["portal.asgi:application", *quickstart.UVICORN_OPTIONS]


WEB_SERVERS = {
    "Dockerfile": lambda: dockerfile_cmd()[1:],
    "compose web": lambda: command("web")[1:],
    "quick start": quickstart_args,
}


@pytest.fixture
def served_portal(request, clc_settings, transactional_db, monkeypatch):
    """The portal under uvicorn in a thread, with the options of the web server under test."""
    from django.core.asgi import get_asgi_application

    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    with served_asgi(get_asgi_application(), **uvicorn_options(WEB_SERVERS[request.param]())) as url:
        yield url


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("served_portal", sorted(WEB_SERVERS), indirect=True)
def test_the_web_server_does_not_take_the_address_from_the_client(served_portal, clc_settings):
    """The probe of the issue: five failed sign-ins, each with another forged X-Forwarded-For."""
    clc_settings.LOGIN_THROTTLE_ATTEMPTS = 3
    answers = []
    for i, name in enumerate(("alice", "bob", "carol", "dave", "erin")):
        session = requests.Session()
        form = session.get(f"{served_portal}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        answer = session.post(
            f"{served_portal}/login/",
            data={"username": name, "password": "guess", "csrfmiddlewaretoken": token},
            headers={"X-Forwarded-For": f"198.51.100.{i + 1}", "Referer": f"{served_portal}/login/"},
            timeout=10,
        )
        answers.append(answer.status_code)
    assert answers == [400, 400, 400, 429, 429]
    addresses = set(AuditEntry.objects.filter(action="sign_in").values_list("address", flat=True))
    assert addresses == {"127.0.0.1"}
