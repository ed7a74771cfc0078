"""What this app adds to pages it does not own (``portal.extensions``, registered in ``apps.py``)."""

from apps.accounts.services import client_for_request

from . import selectors

VIEWERS = frozenset(
    {
        "AccountAdmin",
        "AccountViewer",
        "DNSManager",
        "NetworkAdmin",
        "SecurityAdmin",
        "ServerAdmin",
        "ServerOperator",
    }
)


def sees_networks(user) -> bool:
    """Every role but the Billing Manager lists networks (ROLES.md)."""
    return bool(set(getattr(user, "roles", None) or ()) & VIEWERS)


def server_panel(request, detail) -> dict | None:
    """The server page's "Networks" panel: its networks (primary first), public IPs and rules."""
    if detail is None or not sees_networks(request.user):
        return None
    nets = selectors.server_networks(request.user, detail, client=client_for_request(request))
    return {"nets": nets, "server_detail": detail}
