"""Inventory pages: the dashboard, a data center (group tree + servers), a group, a server.

Views are thin: they read through ``apps.inventory.selectors`` (cached per person) and decide only
what the page shows. Upstream errors are not mapped here: an unknown id (404), a role the cloud
refuses (403) or the cloud API down (503) are the accounts middleware's pages. The action bars are ``apps.actions``' template tags (``server_action_buttons``,
``group_action_buttons``): they follow the resource's ``links`` and their ``verbs``, so a role that
may not act sees none.
"""

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.accounts.reads import page_read, refresh_asked
from apps.accounts.services import client_for_request, sees_inventory
from apps.audit.services import record
from apps.clc import errors, metrics

from . import selectors, warmup
from .cache import invalidate_account
from .server_table import TableState, table_context

log = logging.getLogger(__name__)


# --- pages -------------------------------------------------------------------------------------
def not_for_role(request):
    """A person whose roles see no inventory (a Billing Manager alone): a clear 403, nothing asked
    upstream, and the pages they may use (the top bar's links)."""
    return render(request, "inventory/not_for_role.html", status=403)


def inventory_reader(view):
    """The view reads data centers, groups or servers: refused at once for a person who sees none."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sees_inventory(request.user):
            return not_for_role(request)
        return view(request, *args, **kwargs)

    return wrapped


@login_required
def dashboard(request):
    if not sees_inventory(request.user):  # a Billing Manager alone starts on the billing page
        try:
            return redirect(reverse("billing"))
        except NoReverseMatch:
            return not_for_role(request)
    fresh = refresh_asked(request)
    if fresh:
        # dashboard(fresh=True) re-reads only its own entry, not the per-data-center pieces it is
        # built from; a deliberate Refresh makes the account's next reads fresh (cheap: a counter).
        invalidate_account(request.user)
    client = client_for_request(request)
    # Read ahead (at sign-in) or now; past a short wait the page shows at once and fills each data
    # center in as it comes (apps.inventory.warmup).
    running = warmup.dashboard(request.user, client, fresh=fresh, tally=metrics.current_tally())
    try:
        board = running.result(timeout=warmup.wait_seconds())
    except FutureTimeout:
        filling = warmup.datacenters(request.user, client, running)
        return render(request, "inventory/dashboard.html", {"board": None, "filling": filling})
    return render(request, "inventory/dashboard.html", {"board": board})


@login_required
@inventory_reader
def dashboard_datacenter(request, dc: str):
    """One data center's card of the dashboard (its progressive fill)."""
    client = client_for_request(request)
    wanted = dc.strip().upper()
    ref = next(
        (r for r in selectors.dashboard_datacenters(request.user, client=client) if r.id.upper() == wanted),
        None,
    )
    if ref is None:
        raise selectors.NotFound(f"No data center {wanted} in your account.")
    summary, _problems = warmup.line(request.user, client, ref)
    return render(request, "inventory/_dc_card.html", {"dc": summary})


@login_required
@inventory_reader
def dashboard_totals(request):
    """The dashboard's totals (its progressive fill's last part: every data center's figures)."""
    client = client_for_request(request)
    board = warmup.dashboard(request.user, client, tally=metrics.current_tally()).result(timeout=120)
    return render(request, "inventory/_dashboard_totals.html", {"board": board})


@login_required
@inventory_reader
def datacenter(request, dc: str):
    group_id = request.GET.get("group", "").strip() or None
    view = page_read(request, selectors.datacenter_view, dc=dc, group_id=group_id)
    state = TableState.from_request(request)
    selected_path = set()
    if view.selected_group is not None:
        selected_path = {g.id for g in view.tree.path_to(view.selected_group.id) or ()}
    context = {
        "view": view,
        "dc": view.datacenter,
        "current_datacenter": view.datacenter.id.upper(),
        "selected": view.selected_group,
        "selected_path": selected_path,
        "table_id": "servers",
        "in_datacenter": True,
        **table_context(request, view.servers, state),
    }
    return render(request, "inventory/datacenter.html", context)


@login_required
@inventory_reader
def group_detail(request, group_id: str):
    detail = page_read(request, selectors.group_detail, group_id=group_id)
    state = TableState.from_request(request)
    context = {
        "detail": detail,
        "group": detail.group,
        "current_datacenter": detail.datacenter.id.upper() if detail.datacenter else "",
        "table_id": "group-servers",
        **table_context(request, detail.servers, state),
    }
    return render(request, "inventory/group.html", context)


@login_required
@inventory_reader
def server_detail(request, server_id: str):
    detail = page_read(request, selectors.server_detail, server_id=server_id)
    context = {
        "detail": detail,
        "server": detail.server,
        "current_datacenter": detail.datacenter.id.upper() if detail.datacenter else "",
        "can_credentials": detail.server.link("credentials") is not None,
    }
    return render(request, "inventory/server.html", context)


NO_CREDENTIALS = "Your role does not allow viewing this server's credentials."


def _audit_credentials(request, server, result: str, message: str) -> None:
    """``server.credentials``: who was shown (or refused) a server's password; never the password."""
    record(
        request=request,
        action="server.credentials",
        target_type="server",
        target_id=server.id.upper(),
        result=result,
        detail={"message": message},
    )


@never_cache
@login_required
@inventory_reader
@require_http_methods(["GET", "HEAD", "POST"])
def server_credentials(request, server_id: str):
    """GET: a confirmation; POST: the credentials, shown once (``Cache-Control: no-store``)."""
    detail = selectors.server_detail(request.user, server_id, client=client_for_request(request))
    server = detail.server
    if server.link("credentials") is None:
        if request.method == "POST":
            _audit_credentials(request, server, "denied", NO_CREDENTIALS)
        return render(
            request,
            "inventory/credentials.html",
            {"server": server, "forbidden": True},
            status=403,
        )
    credentials = None
    if request.method == "POST":
        try:
            credentials = selectors.server_credentials(
                request.user, server.id, client=client_for_request(request)
            )
        except errors.Forbidden:
            _audit_credentials(request, server, "denied", "The cloud refused (403 Forbidden).")
            raise
        _audit_credentials(request, server, "success", "The administrator credentials were shown.")
        log.info("credentials of %s shown to %s", server.id, request.user)
    response = render(request, "inventory/credentials.html", {"server": server, "credentials": credentials})
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response
