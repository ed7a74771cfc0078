"""Load balancer pages: a data center's load balancers (a tab of the data center page), one load
balancer with its pools, one pool with its nodes. Thin: read through ``selectors``, render. Every
change is a registered action (``actions.py``), reached through the action bars and item buttons.
Upstream errors (an unknown id 404, a role the cloud refuses 403, the cloud down 503) are the
accounts middleware's pages.
"""

import ipaddress

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.reads import page_read
from portal import table_sort

from . import selectors

SORTS = {
    "name": lambda b: (b.name.lower(), b.id),
    "address": lambda b: _ip(b.ip_address),
    "status": lambda b: b.status,
    "pools": lambda b: len(b.pools),
    "nodes": lambda b: b.node_count,
}
COLUMNS = (
    ("name", "Name", "text", ""),
    ("address", "Public address", "ip", ""),
    ("status", "Status", "text", ""),
    ("pools", "Pools", "text", ""),
    ("nodes", "Nodes", "num", "num"),
)


def _ip(value: str) -> int:
    try:
        return int(ipaddress.ip_address(value))
    except ValueError:
        return 1 << 33


@login_required
@require_http_methods(["GET", "HEAD"])
def balancer_list(request, dc: str):
    found = page_read(request, selectors.datacenter_balancers, dc=dc)
    rows, sort, direction = table_sort.sorted_rows(request, found.balancers, SORTS)
    context = {
        "found": found,
        "dc": found.dc,
        "rows": rows,
        "headers": table_sort.headers(COLUMNS, sort, direction),
        "current_datacenter": found.dc,
    }
    return render(request, "balancers/list.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def balancer_detail(request, dc: str, lb_id: str):
    view = page_read(request, selectors.balancer, dc=dc, lb_id=lb_id)
    context = {"view": view, "lb": view.balancer, "dc": view.dc, "current_datacenter": view.dc}
    return render(request, "balancers/balancer.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def pool_detail(request, dc: str, lb_id: str, pool_id: str):
    view = page_read(request, selectors.pool, dc=dc, lb_id=lb_id, pool_id=pool_id)
    rows = view.rows
    context = {
        "view": view,
        "lb": view.balancer,
        "pool": view.pool,
        "rows": rows,
        "flagged": sum(1 for r in rows if r.flag),
        "dc": view.dc,
        "current_datacenter": view.dc,
    }
    return render(request, "balancers/pool.html", context)
