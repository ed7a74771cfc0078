"""What monitoring adds to the server and group pages (``portal.extensions``, registered in
``apps.py``): the charts with their range picker, the group's schedules and autoscale, and the
operations the cloud started by itself (external activities)."""

from django.urls import reverse

from apps.accounts.reads import page_read
from apps.accounts.services import client_for_request
from apps.clc import errors

from . import selectors

REPORTED = {"active"}  # archived servers, templates and failed builds have no statistics


def _picker(request, rng) -> list[dict]:
    """The range links (a GET: no JavaScript needed), the current one marked."""
    return [
        {"key": r.key, "label": r.label, "href": f"?range={r.key}#monitoring-h", "current": r.key == rng.key}
        for r in selectors.RANGES.values()
    ]


def server_charts(request, detail) -> dict | None:
    """The server page's CPU, memory, disk and network charts (its ``statistics`` link)."""
    server = detail.server
    if server.link("statistics") is None or server.status not in REPORTED:
        return None
    rng = selectors.range_of(request.GET.get("range"))
    context = {"range": rng, "picker": _picker(request, rng), "single": True, "charts": None, "error": ""}
    try:
        charts = page_read(request, selectors.server_charts, server_id=server.id, rng=rng)
    except errors.Unauthorized:
        raise
    except errors.ClcError as exc:
        return {**context, "error": _unreadable(exc)}
    return {**context, "charts": charts.inputs(single=True)}


def _unreadable(exc) -> str:
    if isinstance(exc, errors.BadRequest):
        return f"The cloud refused this range: {exc.message}"
    return "Monitoring statistics could not be read from the cloud right now."


def group_charts(request, detail) -> dict | None:
    """The group page's charts: the last day is the page's own statistics; other ranges 1 call."""
    group = detail.group
    rng = selectors.range_of(request.GET.get("range"))
    context = {
        "range": rng,
        "picker": _picker(request, rng),
        "single": False,
        "group_charts": True,
        "charts": None,
        "error": "",
    }
    if rng.key == selectors.DEFAULT_RANGE and detail.statistics.error is not None:
        return {**context, "error": detail.statistics.error.message}
    try:
        charts = page_read(
            request, selectors.group_charts, group_id=group.id, rng=rng, day=detail.statistics.data
        )
    except errors.Unauthorized:
        raise
    except errors.ClcError as exc:
        return {**context, "error": _unreadable(exc)}
    return {**context, "charts": charts.inputs(single=False), "server_count": group.server_count}


def group_automation(request, detail) -> dict | None:
    """Schedules (the next run first) and horizontal autoscale of the group."""
    group = detail.group
    if group.link("scheduledActivities") is None and group.link("horizontalAutoscalePolicyMapping") is None:
        return None
    view = page_read(request, selectors.group_automation, group_id=group.id, group=group)
    return {"automation": view, "schedules_url": reverse("group-schedules", args=[group.id.lower()])}


def server_external(request, detail) -> dict | None:
    found = selectors.external_operations(request.user, [detail.server.id])
    return {"external": selectors.attributed(found, ()), "on_group": False}


def group_external(request, detail) -> dict | None:
    """The group's servers' external changes; a change that fits a run of one of the group's
    scheduled activities (read for the schedules panel: cached, no call more) names it."""
    found = selectors.external_operations(request.user, [s.id for s in detail.servers])
    schedules = ()
    if found and detail.group.link("scheduledActivities") is not None:
        schedules = selectors.group_automation(
            request.user, detail.group.id, client=client_for_request(request), group=detail.group
        ).schedules
    return {"external": selectors.attributed(found, schedules), "on_group": True}
