"""Billing: a group's cost summary, a server's cost estimate and the account's monthly invoice."""

from urllib.parse import quote

from .client import ClcClient
from .entities import GroupBilling, Invoice, Server, ServerCostEstimate
from .links import find_link


def group_billing(client: ClcClient, group_id: str) -> GroupBilling:
    return GroupBilling.from_api(
        client.get(f"/v2/groups/{{alias}}/{quote(group_id.lower(), safe='')}/billing") or {}
    )


def server_cost_estimate(client: ClcClient, server: Server) -> ServerCostEstimate | None:
    """The estimate behind the server's ``billing`` link, or None when the cloud offers none."""
    link = find_link(server.links, "billing")
    if link is None:
        return None
    return ServerCostEstimate.from_api(client.get(link.href) or {})


def invoice(client: ClcClient, year: int, month: int) -> Invoice:
    return Invoice.from_api(client.get(f"/v2/invoice/{{alias}}/{int(year)}/{int(month)}") or {})
