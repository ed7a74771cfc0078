"""``/billing/``: a month's invoice (``?month=YYYY-MM``, default the running month), its line items
by group and server, the totals per data center, a chart of the last 12 months, and the month as
CSV (``?format=csv``). For AccountAdmin, AccountViewer and BillingAdmin — a Billing Manager sees no
inventory, so nothing here reads it. Other roles: a 403 before anything is asked upstream; upstream
errors are the accounts middleware's pages."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.reads import refresh_asked
from apps.accounts.services import client_for_request, sees_inventory

from . import selectors
from .exports import csv_response
from .selectors import NOT_FOR_ROLE, Month


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
    fresh = refresh_asked(request)
    client = client_for_request(request)
    if _wants_csv(request):
        return csv_response(selectors.invoice(request.user, month, client=client), request.user.account_alias)
    page = selectors.billing_page(request.user, month, client=client, fresh=fresh)
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
