"""A group's schedules and autoscale page (``/groups/<id>/schedules/``): every scheduled activity
with its recurrence, expiry, runs and next run, and the horizontal autoscale policy; the group
page shows the same in a panel. Thin: read through ``selectors``, render. Every change is a
registered action (``actions.py``). Upstream errors are the accounts middleware's pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.services import client_for_request

from . import selectors


@login_required
@require_http_methods(["GET", "HEAD"])
def group_schedules(request, group_id: str):
    view = selectors.group_automation(
        request.user, group_id, client=client_for_request(request), fresh=request.GET.get("refresh") == "1"
    )
    return render(request, "monitoring/schedules.html", {"automation": view, "group": view.group})
