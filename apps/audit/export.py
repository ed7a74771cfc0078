"""The audit entries as CSV (the /audit/ page's ``?format=csv`` and the API's ``format=csv``)."""

from django.http import StreamingHttpResponse

from portal.csv_cells import row_writer, safe_cell

from .models import detail_text

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


FIELDS = (
    "at",
    "username",
    "account_alias",
    "action",
    "target_type",
    "target_id",
    "result",
    "address",
    "channel",
)
CHUNK = 5000  # rows a database round trip (a server-side cursor on PostgreSQL) and a write


def csv_rows(entries):
    """Plain tuples from a server-side cursor, one yield per ``CHUNK`` rows."""
    writer = row_writer()
    yield writer.writerow(CSV_COLUMNS)
    chunk = []
    for at, *cells, detail in entries.values_list(*FIELDS, "detail").iterator(chunk_size=CHUNK):
        chunk.append(
            writer.writerow([at.isoformat(), *map(safe_cell, cells), safe_cell(detail_text(detail))])
        )
        if len(chunk) >= CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(entries, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
