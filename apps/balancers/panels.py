"""What the load balancers add to pages they don't own (``portal.extensions``)."""

from apps.accounts.services import client_for_request
from apps.clc import errors

from . import selectors


def server_pools(request, detail) -> dict | None:
    """The server page's "Load balancer pools": every pool with a node on one of its addresses.
    Hidden for a role that may not list load balancers."""
    try:
        found = selectors.pools_of_server(request.user, detail, client=client_for_request(request))
    except errors.Forbidden:
        return None
    return {"memberships": found.memberships, "lb_server": found.server}
