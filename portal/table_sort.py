"""A page's table sorted as its query asks (``?sort=<column>&dir=asc|desc``), and its sortable
header cells (``templates/_sort_th.html`` renders one); imports no app."""

from django.http import QueryDict


def sorted_rows(request, rows, sorts: dict) -> tuple[list, str, str]:
    """``(rows, sort, direction)``: the rows sorted by ``sorts[sort]`` (an unknown column: as they
    come), ``direction`` "asc" unless "desc" was asked."""
    sort = request.GET.get("sort", "")
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    rows = list(rows)
    if sort in sorts:
        rows.sort(key=sorts[sort], reverse=direction == "desc")
    return rows, sort, direction


def headers(columns, sort: str, direction: str, keep: QueryDict | None = None) -> list[dict]:
    """The header cells of a table sorted by ``sort`` in ``direction``, one per column ``(key, label,
    type, css)``: its ``label``, ``type`` (how the page's JS compares the cells), ``css``, ``href``
    (sort by it: ascending, or descending when it is the ascending sort now) and ``aria_sort``.
    ``keep``: the page's other parameters the links carry (its filters); else only sort and dir."""
    out = []
    for key, label, kind, css in columns:
        current = key == sort
        params = keep.copy() if keep is not None else QueryDict(mutable=True)
        params["sort"] = key
        params["dir"] = "desc" if current and direction == "asc" else "asc"
        out.append(
            {
                "key": key,
                "label": label,
                "type": kind,
                "css": css,
                "href": "?" + params.urlencode(),
                "aria_sort": ("ascending" if direction == "asc" else "descending") if current else "none",
            }
        )
    return out
