"""/audit/ (filterable; ?format=csv streams the same selection as CSV)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.csv_cells import row_writer, safe_cell

from . import services
from .models import Result

PAGE_SIZE = 100
CSV_COLUMNS = (
    "at",
    "person",
    "account",
    "action",
    "target_type",
    "target_id",
    "result",
    "address",
    "channel",
    "detail",
)


def csv_rows(entries):
    writer = row_writer()
    yield writer.writerow(CSV_COLUMNS)
    for e in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                safe_cell(v)
                for v in (
                    e.at.isoformat(),
                    e.username,
                    e.account_alias,
                    e.action,
                    e.target_type,
                    e.target_id,
                    e.result,
                    e.address or "",
                    e.channel,
                    e.detail_text,
                )
            ]
        )


def csv_response(entries, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
