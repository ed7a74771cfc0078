"""Billing: a group's cost summary, a server's cost estimate and the account's monthly invoice
(``Billing/``).

    invoice(client, 2026, 7) -> AccountInvoice   (totals, line items, each with its details)

The invoice answer is the page's entity; a line item's ``itemDetails`` name the servers of a
``Server Group: <name> - <DC>`` line (``{"description": <server id>, "cost"}``); other lines
(public IPs, shared load balancers) have none.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from .client import ClcClient
from .entities import GroupBilling, Server, ServerCostEstimate, as_float, each, parse_time
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


@dataclass(frozen=True)
class InvoiceDetail:
    """One part of a line item: for a server group, one server (its id) and what it cost."""

    description: str
    cost: float


@dataclass(frozen=True)
class InvoiceLineItem:
    description: str
    quantity: float
    unit_cost: float
    total: float
    service_location: str = ""
    details: tuple[InvoiceDetail, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "InvoiceLineItem":
        return cls(
            description=str(raw.get("description") or ""),
            quantity=as_float(raw.get("quantity")),
            unit_cost=as_float(raw.get("unitCost")),
            total=as_float(raw.get("itemTotal")),
            service_location=str(raw.get("serviceLocation") or "").upper(),
            details=each(
                lambda d: InvoiceDetail(
                    description=str(d.get("description") or ""), cost=as_float(d.get("cost"))
                ),
                raw.get("itemDetails"),
            ),
        )


@dataclass(frozen=True)
class AccountInvoice:
    """``GET /v2/invoice/{alias}/{year}/{month}``: what the account was (or is being) billed."""

    year: int
    month: int
    id: str = ""
    account_alias: str = ""
    pricing_account_alias: str = ""
    company_name: str = ""
    terms: str = ""
    invoice_date: datetime | None = None
    total_amount: float = 0
    line_items: tuple[InvoiceLineItem, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: dict, year: int, month: int) -> "AccountInvoice":
        return cls(
            year=year,
            month=month,
            id=str(raw.get("id") or ""),
            account_alias=str(raw.get("accountAlias") or "").upper(),
            pricing_account_alias=str(raw.get("pricingAccountAlias") or "").upper(),
            company_name=str(raw.get("companyName") or ""),
            terms=str(raw.get("terms") or ""),
            invoice_date=parse_time(raw.get("invoiceDate")),
            total_amount=as_float(raw.get("totalAmount")),
            line_items=each(InvoiceLineItem.from_api, raw.get("lineItems")),
            raw=raw,
        )


def invoice(client: ClcClient, year: int, month: int) -> AccountInvoice:
    """The invoice data of the person's account for one month (``month`` 1-12)."""
    year, month = int(year), int(month)
    body = client.get(f"/v2/invoice/{{alias}}/{year}/{month}")
    return AccountInvoice.from_api(body if isinstance(body, dict) else {}, year, month)
