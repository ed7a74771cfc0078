"""``/billing/``: a month's invoice (``?month=YYYY-MM``, default the running month), its line items
by group and server, the totals per data center, a chart of the last 12 months, and the month as
CSV (``?format=csv``). For AccountAdmin, AccountViewer and BillingAdmin — a Billing Manager sees no
inventory, so nothing here reads it."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.services import client_for_request, sees_inventory
from apps.actions.registry import role_phrase
from apps.actions.roles import BILLING_VIEW
from apps.clc import errors

from . import selectors
from .exports import csv_response
from .selectors import Month

UNAVAILABLE = "The cloud API is unavailable right now, so the invoice can't be shown. Try again in a moment."
NOT_FOR_ROLE = f"Billing is for the {role_phrase(BILLING_VIEW)} roles; yours may not see invoices."


def _wants_csv(request) -> bool:
    return request.GET.get("format", "").lower() == "csv"


def _refused(request, message: str, status: int):
    if _wants_csv(request):
        return JsonResponse({"message": message}, status=status)
    return render(request, "billing/refused.html", {"message": message, "status": status}, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def billing(request):
    if not selectors.may_see_billing(request.user):
        return _refused(request, NOT_FOR_ROLE, 403)
    current = Month.current()
    error = ""
    month = current
    if request.GET.get("month"):
        try:
            month = Month.parse(request.GET["month"], latest=current)
        except ValueError as exc:
            if _wants_csv(request):
                return JsonResponse({"message": str(exc)}, status=400)
            error = str(exc)
    fresh = request.GET.get("refresh") == "1"
    client = client_for_request(request)
    try:
        if _wants_csv(request):
            return csv_response(
                selectors.invoice(request.user, month, client=client), request.user.account_alias
            )
        page = selectors.billing_page(request.user, month, client=client, fresh=fresh)
    except errors.Forbidden:
        return _refused(request, NOT_FOR_ROLE + " (The cloud answered 403.)", 403)
    except errors.UpstreamUnavailable:
        return _refused(request, UNAVAILABLE, 503)
    context = {
        "page": page,
        "view": page.view,
        "month": month,
        "previous": month.shift(-1),
        "next": month.shift(1) if month < current else None,
        "error": error,
        "links_servers": sees_inventory(request.user),
        "chart": page.history.chart_series(),
    }
    return render(request, "billing/billing.html", context, status=400 if error else 200)
