"""Policy pages: the account's policies (alert, anti-affinity per data center, vertical autoscale)
on ``/policies/``, one page per policy, and a data center's anti-affinity policies (a tab of the data
center page). Thin: read through ``selectors``, sort, render. Every change is a registered action
(``actions.py``). A list the cloud does not answer says so in its section; the rest renders.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.reads import page_read, refresh_asked
from apps.accounts.services import client_for_request, user_datacenters
from apps.clc import errors
from portal import table_sort

from . import selectors
from .panels import sees_policies

ALERT_COLUMNS = (
    ("a-name", "Name", "text", "", lambda p: (p.name.lower(), p.id)),
    ("a-cpu", "CPU", "num", "num", lambda p: _threshold(p, "cpu")),
    ("a-memory", "Memory", "num", "num", lambda p: _threshold(p, "memory")),
    ("a-disk", "Disk", "num", "num", lambda p: _threshold(p, "disk")),
    ("a-recipients", "Recipients", "text", "", lambda p: ", ".join(p.recipients).lower()),
)
ANTI_COLUMNS = (
    ("x-name", "Name", "text", "", lambda p: (p.name.lower(), p.id)),
    ("x-dc", "Data center", "text", "", lambda p: (p.location, p.name.lower())),
    ("x-servers", "Servers", "num", "num", lambda p: len(p.servers)),
)
SCALE_COLUMNS = (
    ("s-name", "Name", "text", "", lambda p: (p.name.lower(), p.id)),
    ("s-range", "CPUs", "text", "", lambda p: (p.min_cpu, p.max_cpu)),
    ("s-up", "Scale up", "num", "num", lambda p: p.scale_up_threshold),
    ("s-down", "Scale down", "num", "num", lambda p: p.scale_down_threshold),
    ("s-window", "Scale-down window (UTC)", "text", "", lambda p: p.window_start),
)


def _threshold(policy, metric: str) -> float:
    trigger = policy.trigger(metric)
    return trigger.threshold if trigger else -1


def _table(request, items, columns):
    """(sorted rows, headers): by name, or as ``?sort=<key>&dir=asc|desc`` asks when the key is one
    of this table's (ties keep the name order)."""
    by_name = sorted(items, key=columns[0][4])
    rows, sort, direction = table_sort.sorted_rows(
        request, by_name, {key: fn for key, _l, _t, _c, fn in columns}
    )
    return rows, table_sort.headers([column[:4] for column in columns], sort, direction)


@login_required
@require_http_methods(["GET", "HEAD"])
def policies(request):
    if not sees_policies(request.user):  # nothing to ask the cloud: it shows this role no policy
        raise errors.Forbidden(
            "Your role may not read policies (Account and Server Administrators, Server Operators, "
            "Account Viewers and Security Managers may)."
        )
    page = page_read(request, selectors.policies_page)
    alerts, alert_headers = _table(request, page.alerts.items, ALERT_COLUMNS)
    anti, anti_headers = _table(request, page.anti_affinity.items, ANTI_COLUMNS)
    scale, scale_headers = _table(request, page.autoscale.items, SCALE_COLUMNS)
    try:
        datacenters = [d["id"].upper() for d in user_datacenters(request)]
    except errors.ClcError as exc:
        if isinstance(exc, errors.Unauthorized):
            raise
        datacenters = []
    context = {
        "page": page,
        "alerts": alerts,
        "alert_headers": alert_headers,
        "anti": anti,
        "anti_headers": anti_headers,
        "scale": scale,
        "scale_headers": scale_headers,
        "datacenters": datacenters,
    }
    return render(request, "policies/index.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def alert_policy(request, policy_id: str):
    policy = page_read(request, selectors.alert_policy, policy_id=policy_id)
    metrics = [("cpu", "CPU"), ("memory", "Memory"), ("disk", "Disk")]
    return render(request, "policies/alert_policy.html", {"policy": policy, "metrics": metrics})


@login_required
@require_http_methods(["GET", "HEAD"])
def anti_affinity_policy(request, policy_id: str):
    policy = page_read(request, selectors.anti_affinity_policy, policy_id=policy_id)
    return render(
        request,
        "policies/anti_affinity_policy.html",
        {"policy": policy, "current_datacenter": policy.location},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def autoscale_policy(request, policy_id: str):
    policy = page_read(request, selectors.autoscale_policy, policy_id=policy_id)
    return render(request, "policies/autoscale_policy.html", {"policy": policy})


@login_required
@require_http_methods(["GET", "HEAD"])
def datacenter_anti_affinity(request, dc: str):
    found = selectors.datacenter_anti_affinity(
        request, dc, client=client_for_request(request), fresh=refresh_asked(request)
    )
    rows, headers = _table(request, found.policies, ANTI_COLUMNS[:1] + ANTI_COLUMNS[2:])
    context = {
        "found": found,
        "dc": found.dc,
        "rows": rows,
        "headers": headers,
        "current_datacenter": found.dc,
    }
    return render(request, "policies/datacenter.html", context)
