"""Webhooks are not a way into the portal's own network (issue #16, item 1).

Loopback, link-local, private, multicast and reserved addresses, and URLs with credentials, are
refused when the URL is saved and again when a notification is sent (the name is resolved once and
the connection goes to the address that was checked); the page keeps only the receiver's status
code; changing the URL or turning the webhook off cancels pending retries. A local receiver needs
``NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE``, which the production profile refuses.
"""

import socket

import pytest

from apps.accounts.models import User
from apps.activities.models import Activity
from apps.notifications import services
from apps.notifications.models import Delivery, Preference
from tests.support.portal import signed_in_user, text_of
from tests.support.simulator import free_port
from tests.support.webhook import Hook
from tests.test_infra_deploy import manage, production

pytestmark = pytest.mark.django_db

INTERNAL_URLS = [
    "http://127.0.0.1:6379/",
    "http://127.1.2.3/",
    "http://[::1]:8000/hook",
    "http://localhost/hook",
    "http://LOCALHOST:8000/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.8/hook",
    "http://172.16.4.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://user:secret@hooks.example.com/hook",
    "https://hooks.example.com@127.0.0.1/hook",
]


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def _form(url, **extra):
    return {
        "webhook_enabled": "on",
        "webhook_url": url,
        "long_threshold_seconds": "300",
        **extra,
    }


def _person(name="ann"):
    return User.objects.create(username=f"DEMO/{name}", cloud_username=name, account_alias="DEMO", roles=[])


def _delivery_for(user, url):
    Preference.objects.update_or_create(
        user=user, defaults={"webhook_enabled": True, "webhook_url": url, "email_enabled": False}
    )
    activity = Activity.objects.create(user=user, account_alias="DEMO", operation="powerOff", status="failed")
    [delivery] = services._activity_finished(activity)
    return delivery


def test_saving_refuses_internal_addresses_and_credentials(clc_settings):
    page, demo = signed_in_user("demo")
    assert page.post("/notifications/", _form("https://hooks.example.com/portal")).status_code == 302
    for url in INTERNAL_URLS:
        response = page.post("/notifications/", _form(url))
        assert response.status_code == 400, url
        assert 'class="field-error"' in response.content.decode(), url
    assert Preference.objects.get(user=demo).webhook_url == "https://hooks.example.com/portal"
    # The message says what is wrong, without naming what the host resolved to.
    text = text_of(page.post("/notifications/", _form("http://localhost:8000/")))
    assert "public address" in text
    text = text_of(page.post("/notifications/", _form("http://user:secret@hooks.example.com/")))
    assert "user name or password" in text
    # A public address is fine.
    assert page.post("/notifications/", _form("http://93.184.216.34/hook")).status_code == 302


def test_a_stored_internal_url_is_refused_when_sending(hook):
    """A URL saved before the check (or a name that now resolves inside) is never contacted."""
    ann = _person()
    for url in (hook.url, f"http://localhost:{hook.port}/hook", f"http://[::ffff:127.0.0.1]:{hook.port}/"):
        Delivery.objects.filter(user=ann).delete()
        delivery = _delivery_for(ann, url)
        outcome = services.attempt(delivery.pk)
        assert (outcome.status, outcome.retry_in) == ("failed", None), url  # no retry either
        delivery.refresh_from_db()
        assert delivery.status == "failed" and "public address" in delivery.last_error
    assert hook.requests == []


def test_local_receivers_need_the_explicit_setting(settings, hook):
    ann = _person()
    delivery = _delivery_for(ann, hook.url)
    assert services.attempt(delivery.pk).status == "failed" and hook.requests == []
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    Delivery.objects.all().delete()
    delivery = _delivery_for(ann, hook.url)
    assert services.attempt(delivery.pk).status == "delivered" and len(hook.requests) == 1


def test_the_production_profile_refuses_local_receivers():
    result = manage("check", **production(NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE="true"))
    assert result.returncode != 0
    assert "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE" in result.stderr and "Traceback" not in result.stderr


def test_the_connection_goes_to_the_address_that_was_checked(settings, hook, monkeypatch):
    """DNS can't switch the address between the check and the connection: the name is resolved
    once. Here ``rebind.test`` answers 127.0.0.1 first, then 127.0.0.2 (where nothing listens)."""
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).lower().rstrip(".") == "rebind.test":
            return real(next(answers, "127.0.0.2"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    ann = _person()
    delivery = _delivery_for(ann, f"http://rebind.test:{hook.port}/hook?x=1")
    assert services.attempt(delivery.pk).status == "delivered"
    [request] = hook.requests
    assert request["headers"]["Host"] == f"rebind.test:{hook.port}" and request["path"] == "/hook?x=1"


def test_only_the_status_code_is_kept(settings, hook):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    hook.status = 502
    ann = _person()
    delivery = _delivery_for(ann, hook.url)
    services.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 502"
    # Nothing listening: the same words whatever the reason (no "Connection refused").
    Delivery.objects.all().delete()
    closed = free_port()  # bound and let go: nothing listens there
    delivery = _delivery_for(ann, f"http://127.0.0.1:{closed}/")
    services.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_error == "Could not connect to the receiver."


def test_changing_the_url_or_turning_the_webhook_off_cancels_pending_retries(clc_settings, settings, hook):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    page, demo = signed_in_user("demo")
    assert page.post("/notifications/", _form(hook.url)).status_code == 302
    hook.status = 503
    first = _delivery_for(demo, hook.url)
    assert services.attempt(first.pk).retry_in is not None  # a retry is due
    other = Hook()
    try:
        assert page.post("/notifications/", _form(other.url)).status_code == 302
        first.refresh_from_db()
        assert first.status == "cancelled" and first.next_attempt_at is None
        hook.status = 204
        assert services.attempt(first.pk).status == "cancelled"  # the retry message arrives: nothing
        assert len(hook.requests) == 1 and other.requests == []
        listing = text_of(page.get("/notifications/"))
        assert "Cancelled" in listing

        other.status = 503
        second = _delivery_for(demo, other.url)
        assert services.attempt(second.pk).retry_in is not None
        assert page.post("/notifications/", {"long_threshold_seconds": "300"}).status_code == 302
        second.refresh_from_db()
        assert second.status == "cancelled"
        other.status = 204
        assert services.attempt(second.pk).status == "cancelled" and len(other.requests) == 1
    finally:
        other.close()


def test_a_retry_after_the_url_changed_elsewhere_is_not_sent(settings, hook):
    """Even when the preference changes without the page (admin, shell), a retry goes nowhere."""
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    hook.status = 503
    ann = _person()
    delivery = _delivery_for(ann, hook.url)
    services.attempt(delivery.pk)
    Preference.objects.filter(user=ann).update(webhook_url="https://hooks.example.com/new")
    hook.status = 204
    assert services.attempt(delivery.pk).status == "cancelled"
    assert len(hook.requests) == 1


def _tls_receiver(tmp_path, name: str):
    """An https receiver on 127.0.0.1 whose certificate names ``name``; -> (hook, CA file)."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    hook = Hook()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    hook.server.socket = context.wrap_socket(hook.server.socket, server_side=True)
    return hook, cert_file


def test_https_keeps_the_name_for_sni_and_the_certificate_check(settings, monkeypatch, tmp_path):
    from apps.notifications import webhook_targets

    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).lower().endswith(".test"):
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    hook, ca = _tls_receiver(tmp_path, "hooks.test")
    monkeypatch.setattr(webhook_targets, "CA_BUNDLE", str(ca))
    try:
        ann = _person()
        delivery = _delivery_for(ann, f"https://hooks.test:{hook.port}/hook")
        assert services.attempt(delivery.pk).status == "delivered"
        assert hook.requests[0]["headers"]["Host"] == f"hooks.test:{hook.port}"
        # A certificate for another name is refused (no request arrives).
        Delivery.objects.all().delete()
        delivery = _delivery_for(ann, f"https://other.test:{hook.port}/hook")
        assert services.attempt(delivery.pk).status == "pending"
        delivery.refresh_from_db()
        assert delivery.last_error == "Could not connect to the receiver." and len(hook.requests) == 1
    finally:
        hook.close()


def test_errors_stored_before_are_cut_down_to_the_status_code():
    import importlib

    migration = importlib.import_module("apps.notifications.migrations.0003_scrub_webhook_errors")
    assert migration.scrubbed("HTTP 500: receiver is down") == "HTTP 500"
    assert migration.scrubbed("HTTP 404") == "HTTP 404"
    refused = (
        "ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): ... [Errno 111] Connection refused"
    )
    assert migration.scrubbed(refused) == "Could not connect to the receiver."
    assert migration.scrubbed("") == ""
