"""A month's invoice as CSV: one row per server of a line item (a line without details is one row),
cells a spreadsheet never evaluates (``portal.csv_cells``), streamed."""

from django.http import StreamingHttpResponse

from portal.csv_cells import row_writer, safe_cell

COLUMNS = (
    "month",
    "line_item",
    "kind",
    "data_center",
    "quantity",
    "unit_cost",
    "line_total",
    "server",
    "server_cost",
)


def _money(value: float) -> str:
    return f"{value:.2f}"


def _qty(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def csv_rows(view):
    writer = row_writer()
    yield writer.writerow(COLUMNS)
    for line in view.lines:
        item = line.item
        head = [
            view.month.key,
            item.description,
            line.kind,
            item.service_location,
            _qty(item.quantity),
            _money(item.unit_cost),
            _money(item.total),
        ]
        details = item.details or [None]
        for detail in details:
            tail = ["", ""] if detail is None else [detail.description, _money(detail.cost)]
            yield writer.writerow([safe_cell(v) for v in head + tail])
    yield writer.writerow(
        [safe_cell(v) for v in (view.month.key, "Total", "", "", "", "", _money(view.total), "", "")]
    )


def csv_response(view, alias: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(view), content_type="text/csv; charset=utf-8")
    name = "".join(ch for ch in alias if ch.isalnum()) or "account"
    response["Content-Disposition"] = f'attachment; filename="invoice-{name}-{view.month.key}.csv"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
