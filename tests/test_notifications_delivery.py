"""Notifications: a failed (or long succeeded) activity -> e-mail and webhook; failures retried and visible."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.crypto import decrypt_token
from apps.accounts.models import CloudToken, User
from apps.activities import services as activity_services
from apps.activities import tracking
from apps.activities.models import Activity, Status
from apps.notifications import services
from apps.notifications.models import Delivery, Preference
from apps.notifications.tasks import deliver
from tests.support.portal import signed_in_user
from tests.support.webhook import Hook

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    h = Hook()
    yield h
    h.close()


@pytest.fixture
def eager(monkeypatch):
    """Run the Celery task in-process (its retries too, without waiting)."""
    monkeypatch.setattr(services, "_enqueue", lambda pk: deliver.apply(args=[pk]))


def prefs(user, hook=None, email="ops@example.com", threshold=300):
    return Preference.objects.create(
        user=user,
        email_enabled=bool(email),
        email_address=email or "",
        webhook_enabled=hook is not None,
        webhook_url=hook.url if hook else "",
        long_threshold_seconds=threshold,
    )


def test_failed_activity_sends_email_and_webhook(
    clc_settings, hook, eager, mailoutbox, django_capture_on_commit_callbacks
):
    page, demo = signed_in_user("demo")
    prefs(demo, hook)
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_services.record_failed(
            demo, "powerOff", ["WA1DEMOWEB01"], "The server is locked."
        )

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ops@example.com"] and "powerOff of WA1DEMOWEB01 failed" in mail.subject
    assert "The server is locked." in mail.body and f"/activities/?activity={activity.pk}" in mail.body

    assert len(hook.requests) == 1
    body = json.loads(hook.requests[0]["body"])
    assert body["event"] == "activity.failed"
    assert body["activity"]["id"] == activity.pk and body["activity"]["status"] == "failed"
    assert body["activity"]["resource_ids"] == ["WA1DEMOWEB01"]
    assert body["activity"]["error_message"] == "The server is locked."
    assert hook.requests[0]["headers"]["Content-Type"] == "application/json"
    token = decrypt_token(CloudToken.objects.get(user=demo).ciphertext)
    raw = hook.requests[0]["body"].decode() + mail.body
    assert token not in raw and "token" not in json.dumps(body).lower()

    rows = list(Delivery.objects.filter(user=demo).values_list("channel", "status", "attempts"))
    assert sorted(rows) == [("email", "delivered", 1), ("webhook", "delivered", 1)]
    listing = page.get("/notifications/").content.decode()
    assert "activity.failed" in listing and "Delivered" in listing

    # A second terminal call for the same activity never notifies twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_finished(Activity.objects.get(pk=activity.pk))
    assert len(mailoutbox) == 1 and len(hook.requests) == 1


def _finish(activity, status, took_seconds):
    Activity.objects.filter(pk=activity.pk).update(
        created_at=timezone.now() - timedelta(seconds=took_seconds)
    )
    activity = Activity.objects.get(pk=activity.pk)
    assert tracking.transition(activity, Status.RUNNING)
    activity = Activity.objects.get(pk=activity.pk)
    assert tracking.transition(activity, status, upstream_status=status)
    return Activity.objects.get(pk=activity.pk)


def test_long_success_notifies_short_success_does_not(
    hook, eager, mailoutbox, django_capture_on_commit_callbacks
):
    ann = User.objects.create(username="DEMO/ann", cloud_username="ann", account_alias="DEMO", roles=[])
    prefs(ann, hook, email="", threshold=120)
    with django_capture_on_commit_callbacks(execute=True):
        quick = activity_services.record_queued(
            ann, "powerOn", ["WA1DEMOWEB01"], "/v2/operations/DEMO/status/q1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        _finish(quick, Status.SUCCEEDED, 30)
    assert hook.requests == [] and not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        slow = activity_services.record_queued(
            ann, "createServer", ["WA1DEMONEW01"], "/v2/operations/DEMO/status/s1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        slow = _finish(slow, Status.SUCCEEDED, 600)
    assert len(hook.requests) == 1 and mailoutbox == []  # e-mail is off
    body = json.loads(hook.requests[0]["body"])
    assert body["event"] == "activity.succeeded_long" and body["activity"]["id"] == slow.pk
    assert body["activity"]["duration_seconds"] >= 600
    # The receiver's contract: these members (in jsonb's order: the payload is stored), written as the
    # activities API writes them.
    sent = body["activity"]
    assert set(sent) == {
        "id", "operation", "resource_type", "resource_ids", "status", "upstream_status", "error_message",
        "account_alias", "user", "created_at", "started_at", "finished_at", "duration_seconds", "url",
    }  # fmt: skip
    assert (
        sent["status"] == "succeeded" and sent["user"] == "ann" and sent["resource_ids"] == ["WA1DEMONEW01"]
    )
    assert sent["created_at"].endswith("+00:00") and sent["url"].endswith(f"/activities/?activity={slow.pk}")


def test_nobody_is_notified_without_preferences(hook, eager, mailoutbox, django_capture_on_commit_callbacks):
    ann = User.objects.create(username="DEMO/ann", cloud_username="ann", account_alias="DEMO", roles=[])
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.record_failed(ann, "powerOff", ["WA1DEMOWEB01"], "no")
    assert mailoutbox == [] and hook.requests == [] and not Delivery.objects.exists()


def test_failing_webhook_is_retried_with_backoff_then_visible_as_failed(
    clc_settings, settings, hook, eager, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_RETRIES = 5
    page, demo = signed_in_user("demo")
    prefs(demo, hook, email="")
    hook.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.record_failed(demo, "powerOff", ["WA1DEMOWEB01"], "locked")
    delivery = Delivery.objects.get(user=demo)
    assert len(hook.requests) == 6  # the first attempt and 5 retries
    assert delivery.status == "failed" and delivery.attempts == 6
    # Only the status code is kept and shown: never what the receiver answered.
    assert delivery.last_error == "HTTP 500"
    listing = page.get("/notifications/").content.decode()
    assert "Failed" in listing and "HTTP 500" in listing and "receiver is down" not in listing


def test_one_attempt_records_the_error_and_the_backoff(settings, hook):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    ann = User.objects.create(username="DEMO/ann", cloud_username="ann", account_alias="DEMO", roles=[])
    prefs(ann, hook, email="")
    activity = Activity.objects.create(user=ann, account_alias="DEMO", operation="powerOff", status="failed")
    [delivery] = services._activity_finished(activity)
    hook.status = 503
    waits = []
    for _ in range(3):
        outcome = services.attempt(delivery.pk)
        waits.append(outcome.retry_in)
    assert waits == [30.0, 60.0, 120.0]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 3)
    assert delivery.last_error.startswith("HTTP 503") and delivery.next_attempt_at > timezone.now()
    hook.status = 200  # the receiver is back: the next retry delivers
    assert services.attempt(delivery.pk).status == "delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 4, "")
    # An unreachable receiver is an error too (not an exception out of the task), told in words
    # that don't say why (no "Connection refused": the page is not a port scanner).
    Preference.objects.filter(user=ann).update(webhook_url="http://127.0.0.1:9/nothing")
    other = Activity.objects.create(user=ann, account_alias="DEMO", operation="powerOn", status="failed")
    [d2] = services._activity_finished(other)
    assert services.attempt(d2.pk).retry_in == 30.0
    d2.refresh_from_db()
    assert d2.last_error == "Could not connect to the receiver."


def test_a_notification_problem_never_breaks_tracking(monkeypatch, django_capture_on_commit_callbacks):
    ann = User.objects.create(username="DEMO/ann", cloud_username="ann", account_alias="DEMO", roles=[])
    Preference.objects.create(user=ann, email_enabled=True, email_address="a@example.com")

    def boom(*args, **kwargs):
        raise RuntimeError("mail system on fire")

    monkeypatch.setattr(services, "_activity_finished", boom)
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_services.record_queued(
            ann, "powerOn", ["WA1DEMOWEB01"], "/v2/operations/DEMO/status/x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        done = _finish(activity, Status.FAILED, 5)
    assert done.status == Status.FAILED
