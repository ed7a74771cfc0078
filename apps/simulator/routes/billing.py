"""Billing figures, derived from each server's size, state and the clock.

GET /v2/groups/{alias}/{id}/billing            per-server figures for the group and every sub-group
GET /v2/billing/{alias}/estimate-server/{id}    one server's figures (the server's ``billing`` link)
GET /v2/billing/{alias}/serverPricing/{id}      hourly unit prices (what the official Python SDK calls)

(The invoice, ``GET /v2/invoice/{alias}/{year}/{month}``, is in ``routes/invoices.py``; monitoring
statistics are in ``routes/statistics.py`` and ``monitoring/series.py``.)
"""

from ..pricing import estimate, unit_prices
from ..roles import require
from ..router import route
from ..state import iso
from ..usage import month_to_date
from .groups import group_for


# --- billing ----------------------------------------------------------------------------------
@route("GET", "/v2/groups/{alias}/{group_id}/billing")
def group_billing(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "view_billing_summary")
    now = world.now()
    groups = {}
    for member in world.subtree_groups(group):  # the queried group first, then depth-first
        servers = {s.key: estimate(s, now, month_to_date(world, s)) for s in world.members(member)}
        groups[member.id] = {"name": member.name, "servers": servers}
    return {"date": iso(now), "groups": groups}


@route("GET", "/v2/billing/{alias}/estimate-server/{server_id}")
def server_estimate(req, alias, server_id):
    require(req, "view_billing_summary")
    world = req.world
    server = world.server(alias, server_id)
    now = world.now()
    return {"id": server.id, "date": iso(now), **estimate(server, now, month_to_date(world, server))}


@route("GET", "/v2/billing/{alias}/serverPricing/{server_id}")
def server_pricing(req, alias, server_id):
    require(req, "view_billing_summary")
    server = req.world.server(alias, server_id)
    return unit_prices(server)
