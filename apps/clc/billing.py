"""Billing: a group's cost summary and the account's monthly invoice."""

from urllib.parse import quote

from .client import ClcClient
from .entities import GroupBilling, Invoice


def group_billing(client: ClcClient, group_id: str) -> GroupBilling:
    return GroupBilling.from_api(
        client.get(f"/v2/groups/{{alias}}/{quote(group_id.lower(), safe='')}/billing") or {}
    )


def invoice(client: ClcClient, year: int, month: int) -> Invoice:
    return Invoice.from_api(client.get(f"/v2/invoice/{{alias}}/{int(year)}/{int(month)}") or {})
