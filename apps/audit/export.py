"""The audit entries as CSV (the /audit/ page's ``?format=csv`` and the API's ``format=csv``)."""

from django.http import StreamingHttpResponse

from portal.csv_cells import column, copy_rows, copy_supported, safe_cell, sql_iso, sql_safe, written

from .models import AuditEntry, detail_text

# the CSV's columns and the entry's field each shows; then the detail (a message or JSON)
COLUMNS = {
    "at": "at",
    "person": "username",
    "account": "account_alias",
    "action": "action",
    "target_type": "target_type",
    "target_id": "target_id",
    "result": "result",
    "address": "address",
    "channel": "channel",
}
CSV_COLUMNS = (*COLUMNS, "detail")
FIELDS = tuple(COLUMNS.values())
CHUNK = 5000  # rows a database round trip (a server-side cursor on PostgreSQL) and a write


_DETAIL = column(AuditEntry, "detail")
CSV_SQL = [
    sql_iso(column(AuditEntry, "at")),
    *(sql_safe(column(AuditEntry, name)) for name in FIELDS[1:7]),
    sql_safe(f"host({column(AuditEntry, 'address')})"),
    sql_safe(column(AuditEntry, "channel")),
    # a message as it is, a dict as JSON (PostgreSQL's key order: shorter keys first)
    sql_safe(
        f"CASE WHEN jsonb_typeof({_DETAIL}) = 'string' THEN {_DETAIL} #>> '{{}}' ELSE {_DETAIL}::text END"
    ),
]


def csv_rows(entries):
    """On PostgreSQL written by the database (COPY); elsewhere plain tuples from the cursor, one
    yield per ``CHUNK`` rows."""
    if copy_supported(entries):
        yield from copy_rows(entries, CSV_COLUMNS, CSV_SQL)
        return
    values = entries.values_list(*FIELDS, "detail").iterator(chunk_size=CHUNK)
    rows = (
        [at.isoformat(), *map(safe_cell, cells), safe_cell(detail_text(detail))]
        for at, *cells, detail in values
    )
    yield from written(CSV_COLUMNS, rows, CHUNK)


def csv_response(entries, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
