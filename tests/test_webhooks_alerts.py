"""Alerts (``Alert.Notification``, the Webhooks FAQ's payload): shown on the dashboard and the
server page, and notified to the people who asked for alerts through the channels they set."""

import uuid

import pytest
from django.core import mail

from apps.activities.models import Activity
from apps.notifications import services as notification_services
from apps.notifications.models import Delivery as Notification
from tests.support.portal import signed_in, text_of
from tests.support.webhooks import deliver, now_iso

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

SERVER = "WA1DEMOWEB01"


def alert(state: str, cpu_percent: float, **extra) -> dict:
    return {
        "accountAlias": "DEMO",
        "serverName": SERVER,
        "triggers": [
            {
                "data": {"cpu": 2, "cpuPercent": cpu_percent},
                "duration": "00:05:00",
                "metric": "cpu",
                "stateEndTime": now_iso(),
                "stateStartTime": now_iso(-300),
                "state": state,
            }
        ],
        "eventId": uuid.uuid4().hex,
        **extra,
    }


@pytest.fixture
def notified(monkeypatch):
    """Notifications sent at once (the Celery task's attempt), by e-mail to Django's outbox."""
    monkeypatch.setattr(notification_services, "_enqueue", notification_services.attempt)


def test_an_alert_shows_on_the_dashboard_and_the_server_page_and_is_notified(
    demo, simulator, receiver, hook_key, worker, notified
):
    answer = demo.post(
        "/notifications/",
        {"email_enabled": "on", "email_address": "ops@example.com", "long_threshold_seconds": "300", "alerts_enabled": "on"},
    )  # fmt: skip
    assert answer.status_code == 302
    viewer = signed_in("viewer")  # has not asked for alerts
    assert "no alert" not in text_of(demo.get("/")).lower()  # no panel before any alert

    assert (
        deliver(demo, receiver("Alert.Notification"), alert("triggered", 92.5), hook_key).status_code == 202
    )
    board = text_of(demo.get("/"))
    assert "Alerts" in board and "1 active" in board and SERVER in board and "cpuPercent 92.5" in board
    page = text_of(demo.get(f"/servers/{SERVER.lower()}/"))
    assert "Alerts" in page and "triggered cpu" in page
    assert not Activity.objects.exists()  # an alert is not an operation
    [message] = mail.outbox
    assert message.to == ["ops@example.com"]
    assert message.subject == f"[CLC Portal] cpu alert on {SERVER} triggered"
    assert "cpuPercent 92.5" in message.body
    assert Notification.objects.get().event == "alert.triggered"
    assert "cpu alert on WA1DEMOWEB01" in text_of(demo.get("/notifications/"))

    # Back below the threshold: cleared everywhere, and said so.
    deliver(demo, receiver("Alert.Notification"), alert("notTriggered", 12.0), hook_key)
    board = text_of(viewer.get("/"))
    assert "0 active" in board and "No alert is triggered now" in board and "cleared" in board
    assert mail.outbox[-1].subject.endswith("cleared")
    assert Notification.objects.filter(user__cloud_username="viewer").count() == 0


def test_an_alert_for_another_server_is_not_on_this_server_page(demo, simulator, receiver, hook_key, worker):
    deliver(demo, receiver("Alert.Notification"), alert("triggered", 95.0), hook_key)
    other = text_of(demo.get("/servers/wa1demoapi01/"))
    assert "triggered cpu" not in other


def test_the_server_page_reads_the_servers_alerts_once(demo, simulator):
    """The Alerts panel (webhooks) and the Policies panel (which alert policy fires) show the same
    rows, the server's newest alerts: one query for both."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.webhooks.models import Alert

    for i in range(12):
        Alert.objects.create(
            account_alias="DEMO",
            server_id=SERVER,
            metric=("cpu", "memory")[i % 2],
            state="triggered" if i % 3 else "notTriggered",
        )
    with CaptureQueriesContext(connection) as queries:
        page = demo.get(f"/servers/{SERVER.lower()}/")
    assert page.status_code == 200
    table = f'"{Alert._meta.db_table}"'
    reads = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert len(reads) == 1, reads
    # Both panels are there: the Alerts panel's history (its ten newest) and the Policies panel.
    newest = list(Alert.objects.filter(server_id=SERVER).order_by("-received_at", "-id")[:10])
    assert page.context["server_alerts"] == newest
    assert [a.metric for a in page.context["server_alerts_active"]] == ["memory", "cpu"]
    assert page.context["policies"].alerts == tuple(newest[:2])
