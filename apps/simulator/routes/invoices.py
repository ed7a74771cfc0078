"""Invoice data: GET /v2/invoice/{alias}/{year}/{month} (``Billing/get-invoice-for-account-alias.md``),
and the simulator's own figures for tests: GET /control/invoice/{alias}/{year}/{month}.

- Readers: AccountAdmin, AccountViewer and BillingAdmin ("View billing details and usage history",
  ROLES.md); other roles 403; another account 404.
- ``year`` is four digits, ``month`` 1-12 (``7`` or ``07``); anything else is 400.
- ``pricingAccountAlias`` (or ``pricingAccount``, as the doc's example writes it) may name the
  account itself; another alias is 400 (the demo accounts have no parent that prices them).
- Past months are final; the running month answers the usage so far; later months have no line
  items (``invoices.py``).
"""

import re

from .. import errors
from ..invoices import compute, invoice_json
from ..roles import require
from ..router import route
from ..state import iso
from .server_extras import BUSINESS_NAMES

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{1,2}$")


def _period(year: str, month: str) -> tuple[int, int]:
    if not _YEAR.match(year.strip()) or int(year) < 1970:
        raise errors.bad_request(f"The value '{year}' is not valid for year: use four digits, e.g. 2015.")
    if not _MONTH.match(month.strip()) or not 1 <= int(month) <= 12:
        raise errors.bad_request(f"The value '{month}' is not valid for month: use 1 to 12.")
    return int(year), int(month)


def _company(alias: str) -> dict:
    # The same business and address as GET /v2/accounts/{alias} (routes/server_extras.py).
    return {
        "companyName": BUSINESS_NAMES.get(alias, f"{alias} Company"),
        "address1": "1100 Olive Way",
        "address2": "",
        "city": "Seattle",
        "stateProvince": "WA",
        "postalCode": "98101",
    }


@route("GET", "/v2/invoice/{alias}/{year}/{month}")
def invoice(req, alias, year, month):
    require(req, "view_billing_details")
    account = req.world.account(alias)
    year_n, month_n = _period(year, month)
    pricing = req.param("pricingAccountAlias") or req.param("pricingAccount") or account.alias
    if pricing.strip().upper() != account.alias.upper():
        raise errors.bad_request(f"The account '{pricing}' is not the pricing account of {account.alias}.")
    figures = compute(req.world, account.alias, year_n, month_n)
    return invoice_json(figures, _company(account.alias), account.alias)


@route("GET", "/control/invoice/{alias}/{year}/{month}", auth=False)
def control_invoice(req, alias, year, month):
    """What the simulator billed, to compare with what a client shows: totals per line, per data
    center, per server (cost, compute hours, deleted or not), per load balancer, public IPs."""
    account = req.world.account(alias)
    year_n, month_n = _period(year, month)
    figures = compute(req.world, account.alias, year_n, month_n)
    per_dc: dict[str, float] = {}
    for item in figures.line_items:
        location = item["serviceLocation"]
        per_dc[location] = round(per_dc.get(location, 0.0) + item["itemTotal"], 2)
    return {
        "accountAlias": account.alias,
        "year": year_n,
        "month": month_n,
        "from": iso(figures.start),
        "until": iso(figures.until),
        "complete": figures.until >= figures.end,
        "totalAmount": figures.total,
        "lines": [
            {k: item[k] for k in ("description", "serviceLocation", "quantity", "itemTotal")}
            for item in figures.line_items
        ],
        "dataCenters": per_dc,
        "servers": figures.servers,
        "loadBalancers": figures.balancers,
        "publicIps": figures.public_ips,
    }
