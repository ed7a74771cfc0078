"""A page's table sorted as its query asks (``?sort=<column>&dir=asc|desc``); imports no app."""


def sorted_rows(request, rows, sorts: dict) -> tuple[list, str, str]:
    """``(rows, sort, direction)``: the rows sorted by ``sorts[sort]`` (an unknown column: as they
    come), ``direction`` "asc" unless "desc" was asked."""
    sort = request.GET.get("sort", "")
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    rows = list(rows)
    if sort in sorts:
        rows.sort(key=sorts[sort], reverse=direction == "desc")
    return rows, sort, direction
