"""The create-server wizard: ``/create-server/?dc=WA1&group=<id>``.

One page in sections. The data center is picked first (``?dc=``; a GET form switches it); the
group list, templates, networks and storage types come from that data center (its group tree from
the inventory cache, its deployment capabilities: one GET); CPU, memory, template and network start
from the chosen group's defaults (``GET /v2/groups/{alias}/{id}/defaults``). The form checks the
documented rules before anything is sent (see ``forms_create``); a refusal by the cloud shows the
form again with its message (400). Success: a ``createServer`` activity (status link of the 202)
and a redirect to the group page with a message linking to it. One idempotency key per rendered
form: a double submit creates one server.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.services import client_for_request, user_datacenters
from apps.clc import datacenters as clc_datacenters
from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.clc import servers as clc_servers
from apps.inventory import selectors

from . import idempotency
from .forms_create import CreateServerForm, name_limit
from .services import flash, key_from, perform

log = logging.getLogger(__name__)

TEMPLATE = "actions/create_server.html"


def _clean_id(value: str, limit: int = 64) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit or not all(ch.isalnum() or ch in "-_" for ch in value):
        return ""
    return value


_server_id_of = clc_servers.with_server_id  # the created server's real id (one GET)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create_server(request):
    data = request.POST if request.method == "POST" else request.GET
    client = client_for_request(request)
    alias = (request.user.account_alias or "").upper()
    try:
        datacenters = user_datacenters(request)
    except errors.UpstreamUnavailable:
        return _unavailable(request)
    known = {d["id"].upper(): d for d in datacenters}
    dc = _clean_id(data.get("datacenter") or data.get("dc") or "", 16).upper()
    group_id = _clean_id(data.get("group") or "")
    try:
        if not dc and group_id:  # ?group= alone: its data center
            try:
                dc = clc_groups.get_group(client, group_id).location_id.upper()
            except errors.NotFound:
                return _not_found(request, f"No group {group_id} in your account.")
        if not dc or dc not in known:
            if dc:
                return _not_found(request, f"No data center {dc} in your account.", "data center")
            return render(request, TEMPLATE, {"step": "datacenter", "datacenters": datacenters})
        view = selectors.datacenter_view(request.user, dc, client=client)
        groups = [g for g in view.groups if g.status == "active" and g.allows("createServer", "POST")]
        if not groups:
            return render(
                request,
                TEMPLATE,
                {"step": "forbidden", "datacenter": dc, "datacenters": datacenters},
                status=403,
            )
        chosen = next((g for g in groups if g.id.lower() == group_id.lower()), None) if group_id else None
        if group_id and chosen is None:
            if view.tree.find(group_id) is None:
                return _not_found(request, f"No group {group_id} in {dc}.")
            if request.method != "POST":  # e.g. an archived group: say so, offer the others
                return render(
                    request,
                    TEMPLATE,
                    {"step": "forbidden", "datacenter": dc, "datacenters": datacenters, "group_id": group_id},
                    status=403,
                )
        if chosen is None:
            chosen = next((g for g in groups if g.depth > 0), groups[0])
        capabilities = clc_datacenters.deployment_capabilities(client, dc)
        try:
            defaults = clc_groups.get_group_defaults(client, chosen.id)
        except errors.ClcError as exc:
            if isinstance(exc, errors.Unauthorized):
                raise
            defaults = {}
    except errors.UpstreamUnavailable:
        return _unavailable(request)

    kwargs = {
        "alias": alias,
        "datacenters": [known[dc]] + [d for d in datacenters if d["id"].upper() != dc],
        "groups": groups,
        "capabilities": capabilities,
        "defaults": defaults,
    }
    if request.method == "POST":
        form = CreateServerForm(request.POST, **kwargs)
    else:
        form = CreateServerForm(initial={"datacenter": dc, "group": chosen.id}, **kwargs)
    context = {
        "step": "form",
        "form": form,
        "datacenter": dc,
        "datacenters": datacenters,
        "group": chosen,
        "defaults": defaults,
        "capabilities": capabilities,
        "name_limit": name_limit(alias),
        "alias": alias,
        "idempotency_key": key_from(request) or idempotency.new_key(),
    }
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    spec = form.spec()
    group_id = spec["groupId"]

    def call():
        return _server_id_of(client, clc_servers.create_server(client, spec))

    outcome = perform(
        request,
        "createServer",
        "server",
        f"{dc}:{spec['name']}",
        call,
        key=key_from(request),
        label=f"Create server {spec['name'].upper()}",
        resource_ids=[spec["name"].upper()],
    )
    if outcome.kind == "error" and not outcome.replayed:
        if outcome.field_error:
            form.add_error(None, outcome.message)
        else:
            context["error"] = outcome.message
        return render(request, TEMPLATE, context, status=outcome.status)
    flash(request, outcome)
    return redirect(f"/groups/{group_id.lower()}/")


def _not_found(request, message, what="group"):
    return render(request, "inventory/not_found.html", {"message": message, "what": what}, status=404)


def _unavailable(request):
    return render(
        request,
        "inventory/unavailable.html",
        {
            "title": "Create server",
            "message": "The cloud API is unavailable right now. Try again in a moment.",
        },
        status=503,
    )
