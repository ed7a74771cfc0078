"""Pages of a history (activities, audit entries) newest first, by cursor instead of OFFSET + COUNT.

A history is ordered by (a time column, id), both descending, and every list has an index whose last
columns are exactly those two, after the columns its filters compare with ``=``. A page is then one
index range read of ``size + 1`` rows however long the history is:

    page = keyset.read(qs, "created_at", size=50, cursor=request.GET.get("cursor"))
    page.rows, page.older, page.newer       # the rows; cursors of the next older / newer page (or None)

A cursor is ``o<microseconds since the epoch>.<id>`` ("older than that row") or ``n...`` ("newer
than"): opaque to people, stable across inserts (new rows never shift a page), and rows sharing a
time are split by id, so every row is on exactly one page. A bad cursor raises ``CursorError``.

``capped_count(qs, cap)``: how many rows, counting at most ``cap + 1`` (``None`` meaning "more than
cap"): a figure for the page that never reads the whole history. ``counts({name: qs})``: several counts
(of capped querysets) in one database round trip.

``offset(qs, number, size)``: the old ``?page=N`` (OFFSET), kept for links people saved; its cost
grows with N, so the pages' own links use cursors. ``page_number(request.GET.get("page"))`` reads that
N: missing, not a number or below 1 is page 1; a huge one is ``MAX_PAGE``. ``asked(qs, field, query,
size)``: the page a list's query asks for (``?cursor=``, else ``?page=N``) and that N.
``next_query(params, page)``: an API answer's ``next``.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CURSOR = re.compile(r"^([on])(-?\d{1,19})\.(\d{1,19})$")


class CursorError(ValueError):
    pass


@dataclass
class Page:
    rows: list
    older: str | None = None  # cursor of the page after this one (older rows)
    newer: str | None = None  # cursor of the page before this one (newer rows)


def encode(direction: str, moment: dt.datetime, pk: int) -> str:
    micros = (moment - EPOCH) // dt.timedelta(microseconds=1)
    return f"{direction}{micros}.{pk}"


def decode(cursor: str) -> tuple[str, dt.datetime, int]:
    match = CURSOR.match((cursor or "").strip())
    if not match:
        raise CursorError("cursor: not a cursor of this list (use the links the page or the answer gave).")
    direction, micros, pk = match.groups()
    try:
        moment = EPOCH + dt.timedelta(microseconds=int(micros))
    except OverflowError:
        raise CursorError("cursor: out of range.") from None
    return direction, moment, int(pk)


def older_than(qs, field: str, moment, pk):
    """Rows after (moment, pk) in newest-first order. ``field <= moment`` is the index range; the OR
    only sorts out the rows sharing that moment."""
    return qs.filter(Q(**{f"{field}__lte": moment}) & (Q(**{f"{field}__lt": moment}) | Q(pk__lt=pk)))


def newer_than(qs, field: str, moment, pk):
    return qs.filter(Q(**{f"{field}__gte": moment}) & (Q(**{f"{field}__gt": moment}) | Q(pk__gt=pk)))


def read(qs, field: str, *, size: int, cursor: str | None = None) -> Page:
    """One page of ``qs`` newest first by (``field``, id), from ``cursor`` (None: the newest)."""
    if not cursor:
        return offset(qs, field, 1, size)
    direction, moment, pk = decode(cursor)
    if direction == "o":
        newest_first = older_than(qs.order_by(f"-{field}", "-pk"), field, moment, pk)
        page = _newest_first(newest_first, field, 0, size)
        page.newer = _cursor("n", page.rows[0], field) if page.rows else encode("n", moment, pk - 1)
        return page
    oldest_first = newer_than(qs.order_by(field, "pk"), field, moment, pk)
    rows = list(oldest_first[: size + 1])
    page = Page(list(reversed(rows[:size])))
    if len(rows) > size:
        page.newer = _cursor("n", page.rows[0], field)
    page.older = _cursor("o", page.rows[-1], field) if page.rows else encode("o", moment, pk + 1)
    return page


def _newest_first(ordered, field: str, start: int, size: int) -> Page:
    """``size`` rows of ``ordered`` (newest first) from ``start``, and the cursor past them if more."""
    rows = list(ordered[start : start + size + 1])
    page = Page(rows[:size])
    if len(rows) > size:
        page.older = _cursor("o", page.rows[-1], field)
    return page


def _cursor(direction: str, row, field: str) -> str:
    return encode(direction, getattr(row, field), row.pk)


def capped_count(qs, cap: int) -> int | None:
    """The number of rows of ``qs`` if at most ``cap``, else None (reads at most cap + 1 index rows)."""
    n = qs[: cap + 1].count()  # in the list's own order: the same index range as its pages
    return n if n <= cap else None


def counts(querysets: dict) -> dict:
    """``{name: qs.count()}`` read in one query (each count a scalar subquery of the same SELECT):
    figures shown on every page (the top bar's) cost one round trip, not one each. The querysets
    are sliced (``[:cap]``) to count at most that many; all use the same database."""
    names = list(querysets)
    if not names:
        return {}
    parts, params = [], []
    for qs in querysets.values():
        sql, p = qs.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(p)
    db = next(iter(querysets.values())).db
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(names, cursor.fetchone(), strict=True))


MAX_PAGE = 1_000_000  # past any history; keeps OFFSET (page x size) inside PostgreSQL's bigint


def page_number(value: str | None) -> int:
    """The ``?page=`` a history was asked for, 1-based: anything that is not a whole number, or below 1,
    is the first page (an old link is never an error); above ``MAX_PAGE`` is ``MAX_PAGE`` (an empty
    page past the end, as any page number past the end is)."""
    try:
        return min(MAX_PAGE, max(1, int(value or 1)))
    except ValueError:
        return 1


def offset(qs, field: str, number: int, size: int) -> Page:
    """``?page=N`` (1-based) as before: OFFSET; ``older`` continues by cursor from there."""
    start = (max(1, number) - 1) * size
    page = _newest_first(qs.order_by(f"-{field}", "-pk"), field, start, size)
    if start and page.rows:
        page.newer = _cursor("n", page.rows[0], field)
    return page


def asked(qs, field: str, query, size: int) -> tuple[Page, int | None]:
    """``(page, number)``: the page ``query`` asks for, by ``?cursor=`` (the pager's links; number
    None) or else by ``?page=N`` (``page_number``). A bad cursor raises ``CursorError``."""
    cursor = query.get("cursor")
    if cursor:
        return read(qs, field, size=size, cursor=cursor), None
    number = page_number(query.get("page"))
    return offset(qs, field, number, size), number


def next_query(params, page: Page, drop: tuple[str, ...] = (), **values) -> str | None:
    """An API answer's ``next``: the query of the page older than ``page`` (``params`` with its
    ``cursor``, without ``drop``, with ``values``), or None on the last page."""
    if not page.older:
        return None
    query = params.copy()
    for name in drop:
        query.pop(name, None)
    query["cursor"] = page.older
    for name, value in values.items():
        query[name] = value
    return "?" + query.urlencode()
