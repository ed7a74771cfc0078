"""/audit/ (filterable; ?format=csv streams the same selection as CSV)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import display, services
from .export import csv_response
from .models import Result

PAGE_SIZE = 100


def _wants_csv(request) -> bool:
    return request.GET.get("format", "").lower() == "csv"


@require_GET
@login_required
def audit_log(request):
    qs = services.visible_entries(request.user)
    try:
        qs = services.filter_entries(qs, request.GET)
    except ValueError as exc:
        if _wants_csv(request):
            return JsonResponse({"message": str(exc)}, status=400)
        return render(
            request,
            "audit/log.html",
            _context(request, None, error=str(exc)),
            status=400,
        )
    if _wants_csv(request):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return csv_response(qs, f"audit-{stamp}.csv")
    try:
        page_number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page_number = 1
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    for entry in page.object_list:
        entry.target_href = display.target_href(entry)
        entry.parts = display.detail_parts(entry)
    return render(request, "audit/log.html", _context(request, page))


def _context(request, page, error=None) -> dict:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return {
        "page": page,
        "entries": page.object_list if page is not None else [],
        "error": error,
        "filters": {k: request.GET.get(k, "") for k in services.FILTERS},
        "results": Result.values,
        "query": params.urlencode(),
        "team_scope": services.is_account_admin(request.user),
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    }
