"""Billing figures, derived from each server's size, state and the clock.

GET /v2/groups/{alias}/{id}/billing            per-server figures for the group and every sub-group
GET /v2/billing/{alias}/estimate-server/{id}    one server's figures (the server's ``billing`` link)
GET /v2/billing/{alias}/serverPricing/{id}      hourly unit prices (what the official Python SDK calls)
GET /v2/invoice/{alias}/{year}/{month}          a completed month's invoice: one line per group with
                                                servers, per data center, each server a detail

Monitoring statistics (``.../statistics``) live in ``routes/statistics.py``.
"""

import hashlib

from .. import errors
from ..pricing import estimate, month_bounds, period_cost, unit_prices
from ..roles import can
from ..router import route
from ..state import iso


def _require(req, capability: str) -> None:
    if not can(req.user.roles, capability):
        raise errors.forbidden()


# --- billing ----------------------------------------------------------------------------------
@route("GET", "/v2/groups/{alias}/{group_id}/billing")
def group_billing(req, alias, group_id):
    _require(req, "view_billing_summary")
    world = req.world
    group = world.group(alias, group_id)
    now = world.now()
    groups = {}
    for member in world.subtree_groups(group):  # the queried group first, then depth-first
        servers = {}
        for key in member.servers:
            server = world.servers.get(key)
            if server is not None:
                servers[key] = estimate(server, now)
        groups[member.id] = {"name": member.name, "servers": servers}
    return {"date": iso(now), "groups": groups}


@route("GET", "/v2/billing/{alias}/estimate-server/{server_id}")
def server_estimate(req, alias, server_id):
    _require(req, "view_billing_summary")
    world = req.world
    server = world.server(alias, server_id)
    now = world.now()
    return {"id": server.id, "date": iso(now), **estimate(server, now)}


@route("GET", "/v2/billing/{alias}/serverPricing/{server_id}")
def server_pricing(req, alias, server_id):
    _require(req, "view_billing_summary")
    server = req.world.server(alias, server_id)
    return unit_prices(server)


# --- invoice ----------------------------------------------------------------------------------
def _month(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise errors.bad_request(f"The value '{value}' is not valid for {name}.")
    return number


@route("GET", "/v2/invoice/{alias}/{year}/{month}")
def invoice(req, alias, year, month):
    _require(req, "view_billing_details")
    world = req.world
    account = world.account(alias)
    year_n = _month(year, "year", 2000, 9999)
    month_n = _month(month, "month", 1, 12)
    start, end = month_bounds(year_n, month_n)
    if end > world.now():
        raise errors.bad_request(
            f"The invoice for {year_n}/{month_n} is not available until the month has ended."
        )
    lines = []
    for dc_key, root_id in world.account_datacenters.get(account.alias, {}).items():
        root = world.groups.get(root_id)
        if root is None:
            continue
        for group in world.subtree_groups(root):
            details = []
            for key in group.servers:
                server = world.servers.get(key)
                if server is None or server.change.created_date >= end:
                    continue
                cost = round(period_cost(server, start, end), 2)
                if cost > 0:
                    details.append({"cost": cost, "description": server.id})
            if details:
                total = round(sum(d["cost"] for d in details), 2)
                lines.append(
                    {
                        "description": f"Server Group: {group.name} - {dc_key.upper()}",
                        "itemDetails": details,
                        "itemTotal": total,
                        "quantity": 1,
                        "serviceLocation": dc_key.upper(),
                        "unitCost": total,
                    }
                )
    digest = hashlib.blake2b(f"{account.alias}:{year_n}:{month_n}".encode(), digest_size=4).hexdigest()
    return {
        "id": f"{account.alias}{digest.upper()}",
        "terms": "Net 15",
        "companyName": f"{account.alias.title()} Company",
        "accountAlias": account.alias,
        "pricingAccountAlias": (req.param("pricingAccount") or account.alias).upper(),
        "parentAccountAlias": "",
        "address1": "1100 112th Ave NE",
        "address2": "Suite 400",
        "city": "Bellevue",
        "stateProvince": "WA",
        "postalCode": "98004",
        "billingContactEmail": f"billing@{account.alias.lower()}.example",
        "invoiceCCEmail": "",
        "totalAmount": round(sum(line["itemTotal"] for line in lines), 2),
        "invoiceDate": iso(end),
        "poNumber": "",
        "lineItems": lines,
    }
