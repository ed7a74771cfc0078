"""Alerts (``Alert.Notification``): a server's alert policy threshold exceeded, or back below it.

    record_alert("DEMO", payload)        # the FAQ's payload -> one Alert per trigger, announced,
                                         # notified to the people who asked for alerts
    triggered_now(recent_alerts("DEMO", 500))  # the latest state per (server, metric) that is triggered
    server_alerts("DEMO", "WA1DEMOWEB01")         # its newest SERVER_ALERTS, newest first
    request_server_alerts(request, "WA1DEMOWEB01")  # the same, read once per request (the server page)

The one alert store: ``apps.policies`` reads it (``latest_per_metric(server_alerts(...))``) to
mark a server's alert policy as firing; it keeps no alerts of its own. On the server page both
panels take the one read of ``request_server_alerts``.
"""

import logging
from datetime import UTC, datetime

from django.db import transaction

from apps.activities import streams
from apps.clc.entities import parse_time
from apps.notifications.services import alert_raised

from .models import Alert

log = logging.getLogger(__name__)

MAX_TRIGGERS = 20  # per payload


def payload_time(value) -> datetime | None:
    """An ISO 8601 time of a payload (one without a zone is UTC); None when missing or not one."""
    moment = parse_time(value.strip() if isinstance(value, str) else value)
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def alert_json(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "account_alias": alert.account_alias,
        "server_id": alert.server_id,
        "metric": alert.metric,
        "state": alert.state,
        "triggered": alert.triggered,
        "data": alert.data,
        "duration": alert.duration,
        "started_at": alert.started_at.isoformat() if alert.started_at else None,
        "ended_at": alert.ended_at.isoformat() if alert.ended_at else None,
    }


def record_alert(account_alias: str, payload: dict, *, delivery=None) -> list[Alert]:
    """Store the payload's triggers, announce them on the account's stream and notify (after the
    commit). -> the stored alerts."""
    alias = str(account_alias or "").upper()
    server = str(payload.get("serverName") or "")[:64].upper()
    stored = []
    for trigger in (payload.get("triggers") or ())[:MAX_TRIGGERS]:
        if not isinstance(trigger, dict):
            continue
        data = trigger.get("data") if isinstance(trigger.get("data"), dict) else {}
        stored.append(
            Alert.objects.create(
                account_alias=alias,
                server_id=server,
                metric=str(trigger.get("metric") or "")[:32],
                state=str(trigger.get("state") or "")[:32],
                data={str(k)[:40]: v for k, v in list(data.items())[:10] if isinstance(v, int | float | str)},
                duration=str(trigger.get("duration") or "")[:16],
                started_at=payload_time(trigger.get("stateStartTime")),
                ended_at=payload_time(trigger.get("stateEndTime")),
                delivery=delivery,
            )
        )
    if stored:
        ids = [a.pk for a in stored]
        transaction.on_commit(lambda: _announce(alias, ids))
    return stored


def _announce(alias: str, ids: list[int]) -> None:
    """On the account's stream (the dashboard and the server page show it in place), then to the
    people who asked to be notified of alerts."""
    for alert in Alert.objects.filter(pk__in=ids):
        streams.publish_data(alias, {"type": "alert", "alert": alert_json(alert)})
        try:
            alert_raised(alert_json(alert))
        except Exception:
            log.warning("notifications for alert %s failed", alert.pk, exc_info=True)


def latest_per_metric(alerts) -> list[Alert]:
    """The newest alert of each (server, metric)."""
    seen, out = set(), []
    for alert in alerts:
        key = (alert.server_id, alert.metric)
        if key not in seen:
            seen.add(key)
            out.append(alert)
    return out


def triggered_now(recent) -> list[Alert]:
    """Of ``recent`` (newest first), the latest alert per (server, metric), where it is triggered."""
    return [a for a in latest_per_metric(recent) if a.triggered]


def recent_alerts(alias: str, limit: int = 5) -> list[Alert]:
    """The account's newest alerts, newest first."""
    return list(Alert.objects.filter(account_alias=alias.upper()).order_by("-received_at", "-id")[:limit])


SERVER_ALERTS = 50  # a server's newest alerts that its page and its policies read


def server_alerts(alias: str, server_id: str, limit: int = SERVER_ALERTS) -> list[Alert]:
    """The server's newest alerts (at most ``limit``), newest first."""
    return list(
        Alert.objects.filter(account_alias=alias.upper(), server_id=server_id.upper()).order_by(
            "-received_at", "-id"
        )[:limit]
    )


def request_server_alerts(request, server_id: str) -> list[Alert]:
    """``server_alerts`` of the signed-in person's account, read once per request: the server page's
    Alerts panel (this app) and Policies panel (``apps.policies``: which alert policy fires) show
    the same rows."""
    alias = (request.user.account_alias or "").upper()
    key = (alias, server_id.upper())
    read = getattr(request, "_server_alerts", None)
    if read is None:
        read = {}
        request._server_alerts = read
    if key not in read:
        read[key] = server_alerts(alias, server_id)
    return read[key]
