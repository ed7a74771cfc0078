"""What this app adds to pages it does not own (``portal.extensions``) and to beat."""

from portal import beat
from portal.extensions import NavLink, Panel, register_nav, register_panel

from . import alerts
from .roles import MANAGERS

ALERTS_SCANNED = 500  # the dashboard's active alerts are the triggered ones among these


def _manager(user) -> bool:
    return bool(MANAGERS & set(getattr(user, "roles", None) or ()))


def _dashboard_alerts(request, board):
    """The account's alerts now triggered (of its last ``ALERTS_SCANNED``), and the latest five;
    nothing when there never was one. One query."""
    scanned = alerts.recent_alerts(request.user.account_alias or "", ALERTS_SCANNED)
    if not scanned:
        return None
    return {"active_alerts": alerts.triggered_now(scanned), "recent_alerts": scanned[:5]}


SERVER_ALERTS_SHOWN = 10  # the server page's history: the newest of the alerts read for the page


def _server_alerts(request, detail):
    found = alerts.request_server_alerts(request, detail.server.id)[:SERVER_ALERTS_SHOWN]
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
    beat.register("webhooks-sweep", "webhooks.sweep", every=15.0, expires=12.0, queue=conf.queue())
