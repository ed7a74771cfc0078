"""What this app adds to pages it does not own (``portal.extensions``) and to beat."""

from portal import beat
from portal.extensions import NavLink, Panel, register_nav, register_panel

from . import alerts
from .roles import MANAGERS


def _manager(user) -> bool:
    return bool(MANAGERS & set(getattr(user, "roles", None) or ()))


def _dashboard_alerts(request, board):
    """The account's alerts now triggered, and the latest ones; nothing when there never was one."""
    alias = request.user.account_alias or ""
    active = alerts.active_alerts(alias)
    recent = alerts.recent_alerts(alias, 5)
    if not active and not recent:
        return None
    return {"active_alerts": active, "recent_alerts": recent}


def _server_alerts(request, detail):
    found = alerts.server_alerts(request.user.account_alias or "", detail.server.id)
    if not found:
        return None
    return {"server_alerts": found, "server_alerts_active": alerts.latest_per_metric(found)}


def register() -> None:
    register_nav(NavLink(label="Webhooks", url_name="webhooks", order=80, visible=_manager))
    register_panel(
        Panel(
            page="dashboard",
            template="webhooks/_dashboard_alerts.html",
            context=_dashboard_alerts,
            order=10,
            title="Alerts",
        )
    )
    register_panel(
        Panel(
            page="server",
            template="webhooks/_server_alerts.html",
            context=_server_alerts,
            order=10,
            title="Alerts",
        )
    )
    from apps.activities import conf  # read when the app registry is ready (its settings)

    # Hands over again what a lost message left waiting; prunes old deliveries.
    beat.register(
        "webhooks-sweep",
        {"task": "webhooks.sweep", "schedule": 15.0, "options": {"queue": conf.queue(), "expires": 12.0}},
    )
