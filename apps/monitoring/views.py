"""A group's schedules and autoscale page (``/groups/<id>/schedules/``): every scheduled activity
with its recurrence, expiry, runs and next run, and the horizontal autoscale policy; the group
page shows the same in a panel. Thin: read through ``selectors``, render. Every change is a
registered action (``actions.py``). Upstream errors are the accounts middleware's pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.reads import page_read

from . import selectors


@login_required
@require_http_methods(["GET", "HEAD"])
def group_schedules(request, group_id: str):
    view = page_read(request, selectors.group_automation, group_id=group_id)
    return render(request, "monitoring/schedules.html", {"automation": view, "group": view.group})
