"""Network and firewall pages. Thin: read through ``selectors`` (cached per person), sort and filter
what is shown (the page's JS does the same in place), render. Changes are the registry's action
pages. Unknown data centers or networks (404) and a cloud that does not answer (503) are the
middleware's to say; ``?refresh=1`` reads the cloud again."""

import ipaddress

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.accounts.reads import page_read
from apps.actions import registry
from apps.clc import errors
from portal import table_sort

from . import selectors
from .panels import sees_networks
from .selectors_firewall import firewall

NETWORK_SORTS = {
    "name": lambda r: r.network.name.lower(),
    "cidr": lambda r: _ip_key(r.network.cidr),
    "vlan": lambda r: r.network.vlan,
    "use": lambda r: r.use.percent if r.use else -1,
}
NETWORK_COLUMNS = (  # the sortable ones, in the page's order (Gateway, Type and Public IPs are not)
    ("name", "Name", "text", ""),
    ("cidr", "CIDR", "ip", ""),
    ("vlan", "VLAN", "num", "num col-vlan"),
    ("use", "Address use", "num", ""),
)
ADDRESS_STATES = (("claimed", "Claimed"), ("free", "Free"), ("public", "Public, mapped"))


def _ip_key(text: str) -> int:
    try:
        return int(ipaddress.IPv4Network(text, strict=False).network_address)
    except ValueError:
        return 0


def _refusal(user, target: str, name: str, resource) -> str:
    """Why ``name`` is not offered because of the resource's state (said plainly on the page)."""
    action = registry.get(target, name)
    verdict = action.allowed(user, resource) if action else None
    return verdict.reason if verdict is not None and not verdict and verdict.kind == "state" else ""


@login_required
def networks_index(request):
    if not sees_networks(request.user):  # nothing to ask the cloud: it lists no network to this role
        raise errors.Forbidden("Your role may not list networks (every role but the Billing Manager may).")
    return render(request, "networks/index.html", {"datacenters": selectors.networks_index(request)})


@login_required
def datacenter_networks(request, dc: str):
    view = page_read(request, selectors.datacenter_networks, dc=dc)
    rows, sort, direction = table_sort.sorted_rows(request, view.rows, NETWORK_SORTS)
    context = {
        "view": view,
        "rows": rows,
        "dc": view.dc,
        "current_datacenter": view.dc,
        "heads": {h["key"]: h for h in table_sort.headers(NETWORK_COLUMNS, sort, direction)},
        "claims": selectors.pending_claims(request.user, view.dc),
    }
    return render(request, "networks/datacenter.html", context)


@login_required
def network(request, dc: str, network_id: str):
    detail = page_read(request, selectors.network_detail, dc=dc, network_id=network_id)
    q = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("status", "")
    rows = [a for a in detail.addresses if _address_state(a) == state or not state]
    if q:
        needles = q.lower().split()
        rows = [a for a in rows if all(n in f"{a.address} {a.server}".lower() for n in needles)]
    context = {
        "detail": detail,
        "network": detail.network,
        "dc": detail.dc,
        "current_datacenter": detail.dc,
        "rows": [(a, _address_state(a)) for a in rows],
        "q": q,
        "state": state,
        "states": ADDRESS_STATES,
        "server_links": selectors.can_view_servers(request.user),
        "release_refused": _refusal(request.user, "network", "releaseNetwork", detail),
    }
    return render(request, "networks/network.html", context)


def _address_state(address) -> str:
    if address.type != "private":
        return "public"
    return "claimed" if address.claimed else "free"


@login_required
def datacenter_firewall(request, dc: str):
    view = page_read(request, firewall, dc=dc)
    context = {
        "view": view,
        "dc": view.dc,
        "current_datacenter": view.dc,
        "pending": any(p.policy.status == "pending" for p in (*view.intra, *view.cross)),
    }
    return render(request, "networks/firewall.html", context)
