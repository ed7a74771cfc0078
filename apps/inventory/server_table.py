"""The server table of the data center and group pages, declared once: each column's header, cell,
sort order and whether the text filter searches it (``COLUMNS``). The headers, the rows' markup
(``render_rows``, behind the ``{% server_rows %}`` tag), the server-side sorting and filtering and
the page's JS (which reads the headers' ``data-type`` and classes) all follow it.

A server column is its field in ``apps.clc.entities.ServerSummary`` (the rows, the API's JSON and
schema follow that) and its ``Column`` here.
"""

import html
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.safestring import mark_safe

from portal import table_sort

from . import memo
from .formatting import num
from .selectors import ServerRow


def escape(value) -> str:
    """What Django's ``escape`` writes, without its lazy-string wrapper (a thousand rows, ~16 cells
    each); ``render_rows`` marks the whole markup safe once."""
    return html.escape(str(value))


@dataclass(frozen=True)
class RowContext:
    in_datacenter: bool  # group links stay on the data center page (?group=) or go to the group's
    select_form: str  # the bulk-action form's id: rows the person may act on get a checkbox; "" none
    server_url: tuple[str, str] = ("", "")  # the server page's URL around the id (``url_around``)
    group_url: tuple[str, str] = ("", "")


def url_around(name: str) -> tuple[str, str]:
    """The URL named ``name`` (one id argument) split around the id: reversed once per table, not
    once per row."""
    prefix, _, suffix = reverse(name, args=["__id__"]).partition("__id__")
    return prefix, suffix


@dataclass(frozen=True)
class Column:
    key: str  # ?sort=<key>
    label: str
    type: str  # "text" | "num" | "ip": how the page's JS compares the cells
    value: Callable[[ServerRow], Any]  # what the cell shows; the filter searches its text
    css: str = ""  # the header's and the cells' class
    cell: Callable[[ServerRow, RowContext], str] | None = None  # the cell's HTML; else value, escaped
    sort_key: Callable[[ServerRow], Any] | None = None  # else value (lower case for text)
    title: Callable[[ServerRow], str] | None = None  # the cell's tooltip
    search: bool | None = None  # the text filter searches it; default: not for numbers

    @property
    def searched(self) -> bool:
        return self.type != "num" if self.search is None else self.search

    def key_of(self, row: ServerRow):
        if self.sort_key is not None:
            return self.sort_key(row)
        value = self.value(row)
        return value.lower() if isinstance(value, str) else value

    def renderer(self, context: RowContext) -> Callable[[ServerRow], str]:
        """The cell's ``<td>`` for a row (built once per table: a thousand rows stay quick). Cells
        carry no class: the header has it, and the column's style follows its place in ``COLUMNS``
        (inventory.css ``td:nth-child``), so a thousand rows don't repeat it."""
        start = "<td"
        cell, value, title = self.cell, self.value, self.title
        if cell is None:
            inner = lambda row: escape(value(row))  # noqa: E731
        else:
            inner = lambda row: cell(row, context)  # noqa: E731
        if title is None:
            start += ">"
            return lambda row: f"{start}{inner(row)}</td>"
        return lambda row: f'{start} title="{escape(title(row))}">{inner(row)}</td>'


def _ip_key(row) -> tuple:
    ips = row.internal_ips or row.public_ips
    if not ips:
        return (1, 0)
    try:
        return (0, int(ipaddress.ip_address(ips[0])))
    except ValueError:
        return (0, 0)


def _server_link(row: ServerRow, context: RowContext) -> str:
    start, end = context.server_url
    return f'<a href="{start}{escape(row.id.lower())}{end}">{escape(row.name or row.id)}</a>'


def _name_cell(row: ServerRow, context: RowContext) -> str:
    box = ""
    if context.select_form and row.status == "active" and row.allows("self", "PATCH"):
        box = (
            f'<input type="checkbox" name="ids" value="{escape(row.id)}" form="{escape(context.select_form)}"'
            f' aria-label="Select {escape(row.name or row.id)}"> '
        )
    return box + _server_link(row, context)


def _group_cell(row: ServerRow, context: RowContext) -> str:
    href = (
        f"?group={escape(row.group_id)}"
        if context.in_datacenter
        else f"{context.group_url[0]}{escape(row.group_id.lower())}{context.group_url[1]}"
    )
    return f'<a href="{href}">{escape(row.group_name)}</a>'


def _power_cell(row: ServerRow, context: RowContext) -> str:
    return (
        f'<span class="pw pw-{escape(row.power_state or "unknown")}">{escape(row.power_state or "—")}</span>'
    )


def _ips_cell(row: ServerRow, context: RowContext) -> str:
    ips = ", ".join(escape(ip) for ip in row.internal_ips)
    if row.public_ips:
        public = ", ".join(escape(ip) for ip in row.public_ips)
        ips = f'{ips}{", " if ips else ""}<span class="pub" title="public">{public}</span>'
    return ips


COLUMNS = (
    Column(
        "name", "Name", "text", lambda r: r.name, cell=_name_cell, sort_key=lambda r: (r.name.lower(), r.id)
    ),
    Column("description", "Description", "text", lambda r: r.description, "col-desc"),
    Column("group", "Group", "text", lambda r: r.group_name, "col-group", cell=_group_cell),
    Column("status", "Status", "text", lambda r: r.status, "col-status"),
    Column("power", "Power", "text", lambda r: r.power_state, cell=_power_cell),
    Column(
        "maintenance",
        "Maint.",
        "text",
        lambda r: "Yes" if r.in_maintenance_mode else "",
        "col-maint",
        sort_key=lambda r: (not r.in_maintenance_mode,),
        search=False,
    ),
    Column("cpu", "CPU", "num", lambda r: r.cpu, "num", cell=lambda r, c: str(r.cpu)),
    Column(
        "memory",
        "Mem GB",
        "num",
        lambda r: r.memory_gb,
        "num",
        cell=lambda r, c: num(r.memory_gb),
        sort_key=lambda r: r.memory_mb,
    ),
    Column("storage", "Disk GB", "num", lambda r: r.storage_gb, "num", cell=lambda r, c: num(r.storage_gb)),
    Column(
        "ip",
        "IP addresses",
        "ip",
        lambda r: " ".join((*r.internal_ips, *r.public_ips)),
        "col-ip",
        cell=_ips_cell,
        sort_key=_ip_key,
    ),
    Column("os", "OS", "text", lambda r: r.os, "col-os", title=lambda r: r.os_type),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
POWER_FILTERS = (
    ("started", "Started"),
    ("stopped", "Stopped"),
    ("paused", "Paused"),
    ("maintenance", "In maintenance"),
)


# --- the rows' markup: built in Python, so thousands of rows stay fast -----------------------------
def render_rows(rows, in_datacenter=True, visible=None, select_form=""):
    """``<tr>`` markup for each server: small, no handlers; filter keys as data attributes.

    ``visible``: the ids the filters keep (None: all); the others are rendered ``hidden``.
    ``select_form``: the id of the bulk-action form; rows the person may act on get a checkbox
    (``name="ids"``, ``form=<select_form>``) in the name cell.

    Rendered once per ``rows`` object (``memo.derived``): a warm data center page hands the same
    sorted rows of the same cached entry, so its markup is reused until the entry changes.
    """
    shown = None if visible is None else frozenset(visible)
    return memo.derived(
        rows,
        ("rows", in_datacenter, select_form, shown),
        lambda: _render_rows(rows, in_datacenter, shown, select_form),
    )


def _render_rows(rows, in_datacenter, visible, select_form):
    context = RowContext(in_datacenter, select_form, url_around("server"), url_around("group"))
    cells_of = [column.renderer(context) for column in COLUMNS]
    out = []
    append = out.append
    for r in rows:
        maint = ' data-m="1"' if r.in_maintenance_mode else ""
        if visible is not None and r.id not in visible:
            maint += " hidden"
        if r.error:
            append(
                f'<tr class="row-error" data-p="" data-s=""{maint}><td>{_server_link(r, context)}</td>'
                f'<td colspan="{len(COLUMNS) - 1}">Details unavailable: {escape(r.error)}</td></tr>'
            )
            continue
        cells = "".join([cell(r) for cell in cells_of])
        append(f'<tr data-p="{escape(r.power_state)}" data-s="{escape(r.status)}"{maint}>{cells}</tr>')
    return mark_safe("\n".join(out))


# --- sorting and filtering (server side; the page's JS does the same) ------------------------------
@dataclass(frozen=True)
class TableState:
    q: str = ""
    power: str = ""
    status: str = ""
    sort: str = ""
    dir: str = "asc"

    @classmethod
    def from_request(cls, request) -> "TableState":
        params = request.GET
        sort = params.get("sort", "").strip().lower()
        power = params.get("power", "").strip().lower()
        return cls(
            q=params.get("q", "").strip()[:200],
            power=power if power in dict(POWER_FILTERS) else "",
            status=params.get("status", "").strip()[:40],
            sort=sort if sort in COLUMN_BY_KEY else "",
            dir="desc" if params.get("dir", "").lower() == "desc" else "asc",
        )

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.power or self.status)


def row_text(row) -> str:
    """What the text filter searches: the text of the row's searched columns."""
    return " ".join(str(column.value(row)) for column in COLUMNS if column.searched).lower()


def filter_rows(rows, state: TableState):
    needles = state.q.lower().split()
    out = []
    for row in rows:
        if state.power == "maintenance":
            if not row.in_maintenance_mode:
                continue
        elif state.power and row.power_state != state.power:
            continue
        if state.status and row.status.lower() != state.status.lower():
            continue
        if needles:
            text = row_text(row)
            if not all(n in text for n in needles):
                continue
        out.append(row)
    return out


def sort_rows(rows, state: TableState):
    if not state.sort:
        return list(rows)
    column = COLUMN_BY_KEY[state.sort]
    return sorted(rows, key=column.key_of, reverse=state.dir == "desc")


def table_context(request, rows, state: TableState) -> dict:
    """The table's context for ``rows`` and the request's query (``state`` is read from it), once
    per ``rows`` object (``memo.derived``): a warm page (the data center's, a group's) hands the
    rows of the same cached entry, so it reuses the sorted rows and with them their rendered
    markup (``render_rows``)."""
    return memo.derived(
        rows, ("table", request.GET.urlencode()), lambda: _table_context(request, rows, state)
    )


def _table_context(request, rows, state: TableState) -> dict:
    # Every row is sent; those the filters leave out carry ``hidden`` (so the page's JS can show
    # them again when a filter is cleared, and the page reads right without JS).
    matching = filter_rows(rows, state) if state.filtered else rows
    visible = {r.id for r in matching}
    keep = request.GET.copy()
    keep.pop("page", None)
    statuses = sorted({r.status for r in rows if r.status})
    return {
        "rows": sort_rows(rows, state),
        "visible": visible if state.filtered else None,
        "shown": len(matching),
        "total": len(rows),
        "headers": table_sort.headers(
            [(c.key, c.label, c.type, c.css) for c in COLUMNS], state.sort, state.dir, keep
        ),
        "state": state,
        "power_filters": POWER_FILTERS,
        "statuses": statuses,
    }
