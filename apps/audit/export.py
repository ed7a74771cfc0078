"""The audit entries as CSV (the /audit/ page's ``?format=csv`` and the API's ``format=csv``)."""

from django.http import StreamingHttpResponse

from portal.csv_cells import row_writer, safe_cell

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
