"""/audit/ (filterable; ?format=csv streams the same selection as CSV). Pages by cursor (the pager's
``?cursor=``, see ``portal.keyset``) or by number (``?page=N``, as before); no total is counted."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal import keyset, row_cache

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
        page, number = keyset.asked(qs, "at", request.GET, PAGE_SIZE)
    except keyset.CursorError as exc:
        return render(request, "audit/log.html", _context(request, None, error=str(exc)), status=400)
    page.rows = row_cache.rendered(
        "audit/_entry.html", "e", page.rows, key=lambda e: f"{e.pk}.{e.at.timestamp()}", prepare=_decorate
    )
    return render(request, "audit/log.html", _context(request, page, number=number))


def _decorate(entry):
    entry.target_href = display.target_href(entry)
    entry.parts = display.detail_parts(entry)


def _context(request, page, error=None, number=None) -> dict:
    params = request.GET.copy()
    for key in ("page", "format", "cursor"):
        params.pop(key, None)
    return {
        "page": page,
        "number": number,
        "entries": page.rows if page is not None else [],
        "error": error,
        "filters": {k: request.GET.get(k, "") for k in services.FILTERS},
        "results": Result.values,
        "query": params.urlencode(),
        "team_scope": services.is_account_admin(request.user),
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    }
