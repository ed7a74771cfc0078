"""/notifications/: the preferences form (CSRF, validation) and who sees which deliveries."""

import pytest
from django.test import Client

from apps.notifications.models import Delivery, Preference
from tests.support.portal import signed_in_user

pytestmark = pytest.mark.django_db


def test_save_preferences_with_csrf_and_validation(clc_settings):
    page, demo = signed_in_user("demo")
    page.handler.enforce_csrf_checks = True
    form = page.get("/notifications/")
    assert form.status_code == 200 and 'name="csrfmiddlewaretoken"' in form.content.decode()
    data = {
        "email_enabled": "on",
        "email_address": "ops@example.com",
        "webhook_enabled": "on",
        "webhook_url": "https://hooks.example.com/portal",
        "long_threshold_seconds": "600",
    }
    assert page.post("/notifications/", data).status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value
    response = page.post("/notifications/", {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    pref = Preference.objects.get(user=demo)
    assert (pref.email_enabled, pref.email_address, pref.webhook_url, pref.long_threshold_seconds) == (
        True,
        "ops@example.com",
        "https://hooks.example.com/portal",
        600,
    )
    for bad in (
        {"webhook_url": "ftp://x.example.com/"},
        {"email_address": ""},
        {"long_threshold_seconds": "-1"},
        {"long_threshold_seconds": "soon"},
    ):
        response = page.post("/notifications/", {**data, **bad, "csrfmiddlewaretoken": token})
        assert response.status_code == 400, bad
        assert 'class="field-error"' in response.content.decode()
    assert Preference.objects.get(user=demo).long_threshold_seconds == 600
    # Turning everything off is fine.
    response = page.post("/notifications/", {"long_threshold_seconds": "300", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    pref.refresh_from_db()
    assert not pref.email_enabled and not pref.webhook_enabled


def test_deliveries_are_private(clc_settings):
    demo_page, demo = signed_in_user("demo")
    op_page, operator = signed_in_user("operator")
    Delivery.objects.create(
        user=demo,
        event="activity.failed",
        channel="webhook",
        destination="https://secret.example.com/hook",
        payload={"activity": {"operation": "powerOff", "resource_ids": ["WA1DEMOWEB01"]}},
    )
    assert "secret.example.com" in demo_page.get("/notifications/").content.decode()
    assert "secret.example.com" not in op_page.get("/notifications/").content.decode()
    assert Client().get("/notifications/").status_code == 302
