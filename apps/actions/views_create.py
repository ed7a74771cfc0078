"""``/create-server/``: the page people bookmark to create a server (``?dc=WA1``, ``?group=<id>``).

Creating a server is the ``group`` action ``createServer`` (``lifecycle_actions``): this view only
finds the group and hands the request to the one action page (``views.action_page``), so the
form, the checks, the idempotency key, the audit and the activity are the registry's. It picks:

* ``?group=<id>`` (or a POST's ``group``): that group;
* ``?dc=<id>`` alone: the data center's first group (below the root) where the person may create
  servers; none → a 403 page saying so;
* neither: the data center picker.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.inventory import selectors as inventory

from . import selectors
from .views import action_page

TEMPLATE = "actions/create_server.html"


def _clean_id(value: str, limit: int = 64) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit or not all(ch.isalnum() or ch in "-_" for ch in value):
        return ""
    return value


def _page(request, step: str, status: int = 200, **context):
    return render(
        request,
        TEMPLATE,
        {"step": step, "datacenters": selectors.datacenters(request), **context},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create_server(request):
    data = request.POST if request.method == "POST" else request.GET
    group_id = _clean_id(data.get("group") or "")
    if group_id:
        return action_page(request, target="group", action="createServer", group_id=group_id)
    if request.method == "POST":
        return _page(request, "datacenter", 400, error="Pick a data center and a group first.")
    dc = _clean_id(data.get("dc") or data.get("datacenter") or "", 16).upper()
    if not dc:
        return _page(request, "datacenter")
    if dc not in {d["id"].upper() for d in selectors.datacenters(request)}:
        return render(
            request,
            "inventory/not_found.html",
            {"message": f"No data center {dc} in your account.", "what": "data center"},
            status=404,
        )
    view = inventory.datacenter_view(request.user, dc)
    groups = [
        g
        for g in view.groups
        if g.status == "active" and g.type != "archive" and g.allows("createServer", "POST")
    ]
    if not groups:
        return _page(request, "forbidden", 403, datacenter=dc)
    chosen = next((g for g in groups if g.depth > 0), groups[0])
    return action_page(request, target="group", action="createServer", group_id=chosen.id)
