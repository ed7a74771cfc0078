"""What the policies add to pages they don't own (``portal.extensions``, registered in ``apps.py``):
the top bar's *Policies*, the data center page's *Anti-affinity* tab and the server page's
*Policies* panel (its alert policies with the alerts now firing, its vertical autoscale policy)."""

from apps.accounts.services import client_for_request
from apps.clc import errors
from apps.webhooks import alerts as alert_store

from . import selectors

VIEWERS = frozenset({"AccountAdmin", "AccountViewer", "SecurityAdmin", "ServerAdmin", "ServerOperator"})


def sees_policies(user) -> bool:
    """View alert/autoscale/anti-affinity policies (ROLES.md): every role that reads servers."""
    return bool(set(getattr(user, "roles", None) or ()) & VIEWERS)


def server_panel(request, detail) -> dict | None:
    if detail is None or not sees_policies(request.user) or detail.server.status != "active":
        return None
    try:
        found = selectors.server_policies(
            request.user,
            detail,
            client=client_for_request(request),
            alerts=alert_store.request_server_alerts(request, detail.server.id),  # the Alerts panel's read
        )
    except errors.Forbidden:
        return None
    return {"policies": found, "policy_detail": detail}
