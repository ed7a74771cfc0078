"""The invoice data of one account for one month, computed from the billing history (usage.py).

Line items, in this order (the shapes of a recorded real invoice, clc-node-sdk's cassettes):
- ``Server Group: <group> - <DC>``: one per group holding servers billed in the month, each server a
  detail ``{description: SERVER ID, cost}``; quantity 1, unitCost = itemTotal = the details' sum.
- ``Deleted Servers - <DC>``: servers deleted before the month's end, billed for their time in it.
- ``External IP Address (<DC>)``: quantity = public IPs held in the month (each server's most),
  unitCost $2.00 a month, itemTotal = quantity x unitCost.
- ``Shared Load Balancer - <DC>``: $0.04 per load balancer-hour, quantity 1, no details.
Costs are rounded to cents per detail; a line's total is the sum of its rounded details and the
invoice's total the sum of its lines, so the figures always add up.

The current month is answered with the usage so far (the real API served "usage estimates", the
Control Portal's Usage History includes the running month); a month that has not begun has no
line items, like a month without usage.
"""

import hashlib
from dataclasses import dataclass, field

from . import usage
from .balancers import HOURLY_PRICE
from .pricing import month_bounds
from .state import World, iso

PUBLIC_IP_MONTHLY = 2.0


@dataclass
class Figures:
    """What the simulator billed for a month, before it is shaped as the API's invoice."""

    alias: str
    start: float
    end: float
    until: float  # end of the month, or now for the running month
    line_items: list[dict] = field(default_factory=list)
    servers: dict[str, dict] = field(default_factory=dict)  # server id -> cost, hours, where
    balancers: dict[str, float] = field(default_factory=dict)  # load balancer id -> cost
    public_ips: dict[str, int] = field(default_factory=dict)  # data center -> quantity

    @property
    def total(self) -> float:
        return round(sum(item["itemTotal"] for item in self.line_items), 2)


def _line(description: str, location: str, details: list[dict], *, quantity=1, unit=None) -> dict:
    total = round(sum(d["cost"] for d in details), 2) if unit is None else round(quantity * unit, 2)
    return {
        "quantity": quantity,
        "description": description,
        "unitCost": total if unit is None else unit,
        "itemTotal": total,
        "serviceLocation": location,
        "itemDetails": details,
    }


def _group_order(world: World, alias: str) -> list[str]:
    """Every group id of the account, data center by data center, parents before children."""
    order = []
    for root_id in world.account_datacenters.get(alias, {}).values():
        root = world.groups.get(root_id)
        if root is not None:
            order.extend(g.id for g in world.subtree_groups(root))
    return order


def compute(world: World, alias: str, year: int, month: int) -> Figures:
    alias = alias.upper()
    start, end = month_bounds(year, month)
    until = min(end, world.now())
    figures = Figures(alias, start, end, until)
    if until <= start:
        return figures
    usage.reconcile(world, alias)
    by_group: dict[str, tuple[str, list[dict]]] = {}  # group id -> (data center, details)
    deleted: dict[str, list[dict]] = {}
    ips: dict[str, int] = {}
    for key in sorted(world.usage.servers):
        record = world.usage.servers[key]
        if record.alias != alias:
            continue
        spans = list(usage.spans(record, start, until))
        if not spans:
            continue
        cost = round(sum(usage.hourly(p) * s / usage.HOUR for p, s in spans), 2)
        detail = {"description": record.server_id, "cost": cost}
        gone = record.deleted is not None and record.deleted < end
        if gone:
            deleted.setdefault(record.location, []).append(detail)
        else:
            by_group.setdefault(record.group_id, (record.location, []))[1].append(detail)
        held = max((p.public_ips for p, _ in spans if p.state != usage.NONE), default=0)
        if held:
            ips[record.location] = ips.get(record.location, 0) + held
        figures.servers[record.server_id] = {
            "cost": cost,
            "computeHours": round(sum(s for p, s in spans if p.state == usage.COMPUTE) / usage.HOUR, 2),
            "location": record.location,
            "groupId": None if gone else record.group_id,
            "deleted": gone,
        }
    for group_id in _group_order(world, alias) + sorted(by_group):
        if group_id in by_group:
            location, details = by_group.pop(group_id)
            group = world.groups.get(group_id)
            name = group.name if group is not None else "Unknown Group"
            figures.line_items.append(_line(f"Server Group: {name} - {location}", location, details))
    for location in sorted(deleted):
        figures.line_items.append(_line(f"Deleted Servers - {location}", location, deleted[location]))
    for location in sorted(ips):
        figures.line_items.append(
            _line(
                f"External IP Address ({location})",
                location,
                [],
                quantity=ips[location],
                unit=PUBLIC_IP_MONTHLY,
            )
        )
        figures.public_ips[location] = ips[location]
    per_dc: dict[str, float] = {}
    for lb_id in sorted(world.usage.balancers):
        record = world.usage.balancers[lb_id]
        if record.alias != alias:
            continue
        stop = until if record.deleted is None else min(until, record.deleted)
        hours = max(stop - max(start, record.created), 0.0) / usage.HOUR
        if hours > 0:
            figures.balancers[lb_id] = round(hours * HOURLY_PRICE, 2)
            per_dc[record.location] = per_dc.get(record.location, 0.0) + hours * HOURLY_PRICE
    for location in sorted(per_dc):
        amount = round(per_dc[location], 2)
        figures.line_items.append(
            {
                "quantity": 1,
                "description": f"Shared Load Balancer - {location}",
                "unitCost": amount,
                "itemTotal": amount,
                "serviceLocation": location,
                "itemDetails": [],
            }
        )
    return figures


def invoice_json(figures: Figures, company: dict, pricing_alias: str) -> dict:
    """The documented entity (``Billing/get-invoice-for-account-alias.md``)."""
    alias = figures.alias
    digest = hashlib.blake2b(f"{alias}:{iso(figures.start)}".encode(), digest_size=4).hexdigest()
    return {
        "id": f"{alias}{digest.upper()}",
        "terms": "Net 15",
        "companyName": company["companyName"],
        "accountAlias": alias,
        "pricingAccountAlias": pricing_alias,
        "parentAccountAlias": "",
        "address1": company["address1"],
        "address2": company["address2"],
        "city": company["city"],
        "stateProvince": company["stateProvince"],
        "postalCode": company["postalCode"],
        "billingContactEmail": f"billing@{alias.lower()}.example",
        "invoiceCCEmail": "",
        "totalAmount": figures.total,
        "invoiceDate": iso(figures.end),  # the day it is finalized: the first of the next month
        "poNumber": "",
        "lineItems": figures.line_items,
    }
