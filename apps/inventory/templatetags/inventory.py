"""Formatting filters and the inline SVG charts of the inventory pages (no charting library).

``{% line_chart series title="CPU" unit="%" y_max=100 %}`` draws one polyline per server with
axes, grid lines and a legend; ``series`` is a list of ``(label, timestamps, values)``.
"""

from datetime import datetime

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .. import memo
from ..formatting import num
from ..server_table import render_rows

register = template.Library()
register.filter("num", num)

# A palette readable on white, distinguishable for the common colour-vision deficiencies.
PALETTE = ("#0b6e4f", "#1f5fa8", "#c0392b", "#8e44ad", "#d68910", "#17807e", "#6d4c41", "#555555")


@register.filter
def money(value):
    """``1234.5`` -> ``$1,234.50``; ``None`` -> an em dash."""
    if value is None or value == "":
        return "—"
    try:
        return f"${float(value):,.2f}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def when(value):
    """A datetime as ``2026-11-20 10:15 UTC`` (the API speaks UTC)."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


@register.filter
def lower_id(value):
    return str(value or "").lower()


def _nice_max(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 2.5, 5 or 10 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _label(ts: str) -> str:
    """``2026-11-20T10:00:00Z`` -> ``10:00``; anything else as is (shortened)."""
    if "T" in ts:
        return ts.split("T", 1)[1][:5]
    return ts[:16]


def svg_line_chart(
    series,
    *,
    title: str,
    unit: str = "",
    y_max: float | None = None,
    width: int = 480,
    height: int = 200,
    limit: int = 10,
) -> str:
    """An accessible inline SVG line chart of ``series`` = [(label, timestamps, values), ...]."""
    series = [(str(label), list(ts), [float(v) for v in values]) for label, ts, values in series if values]
    if not series:
        return format_html('<p class="muted">No samples for {} yet.</p>', title)
    note = ""
    if len(series) > limit:  # a legend of hundreds helps no one: the busiest, and say so
        note = f" — the {limit} highest of {len(series)} servers"
        series = sorted(series, key=lambda item: max(item[2]), reverse=True)[:limit]
    left, right, top, bottom = 48, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(values) for _, _, values in series)
    top_value = y_max if y_max is not None else _nice_max(peak)
    samples = max(len(values) for _, _, values in series)
    timestamps = max((ts for _, ts, _ in series), key=len)

    def x(i: int) -> float:
        return left + (plot_w * i / (samples - 1) if samples > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (plot_h * min(max(v, 0.0), top_value) / top_value if top_value else 0)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):  # grid lines and y labels at 0, 25, 50, 75, 100 % of the axis
        value = top_value * step / 4
        ypos = y(value)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{ypos:.1f}" y2="{ypos:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{ypos + 4:.1f}" text-anchor="end">'
            f"{escape(num(round(value, 1)))}{escape(unit)}</text>"
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"/>'
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>'
    )
    if timestamps:
        marks = sorted({0, len(timestamps) // 2, len(timestamps) - 1})
        for i in marks:
            anchor = "start" if i == 0 else ("end" if i == len(timestamps) - 1 else "middle")
            parts.append(
                f'<text class="tick" x="{x(i):.1f}" y="{height - 8}" text-anchor="{anchor}">'
                f"{escape(_label(timestamps[i]))}</text>"
            )
    for index, (label, _ts, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{points}">'
            f"<title>{escape(label)}: last {escape(num(round(values[-1], 1)))}{escape(unit)}</title></polyline>"
        )
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg class="swatch" width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" rx="2" fill="{PALETTE[i % len(PALETTE)]}"/></svg>'
        f'{escape(label)} <span class="muted">{escape(num(round(values[-1], 1)))}{escape(unit)}</span></li>'
        for i, (label, _ts, values) in enumerate(series)
    )
    return mark_safe(
        f'<figure class="chart-figure"><figcaption>{escape(title)}<span class="muted">{escape(note)}</span></figcaption>{"".join(parts)}'
        f'<ul class="legend">{legend}</ul></figure>'
    )


@register.simple_tag
def line_chart(series, title="", unit="", y_max=None):
    return svg_line_chart(series, title=title, unit=unit, y_max=float(y_max) if y_max is not None else None)


# --- the server table's rows and the group tree, built in Python: thousands of rows stay fast ------
@register.simple_tag
def server_rows(rows, in_datacenter=True, visible=None, select_form=""):
    """``<tr>`` markup for each server (``apps.inventory.server_table.render_rows``: the columns)."""
    return render_rows(rows, in_datacenter, visible, select_form)


@register.simple_tag
def group_tree(root, selected=None, open_ids=(), link_prefix="?group="):
    """The nested group list: a toggle button (``aria-expanded``) per group with sub-groups.

    Without JavaScript every group is shown and the toggles are hidden; with it, groups below the
    first level start collapsed except those on the way to the selected group (``open_ids``).
    """
    selected_id = selected.id if selected is not None else None
    params = ("tree", selected_id, frozenset(open_ids or ()), link_prefix)
    return memo.derived(root, params, lambda: _group_tree(root, selected_id, open_ids, link_prefix))


def _group_tree(root, selected_id, open_ids, link_prefix):
    out = ['<ul class="tree">']

    def node(g):
        sub_id = f"t-{escape(g.id)}"
        is_open = g.depth == 0 or g.id in open_ids
        current = ' aria-current="page"' if g.id == selected_id else ""
        archive = " tree-archive" if g.type == "archive" else ""
        out.append(f'<li class="depth-{min(g.depth, 6)}{archive}"><div class="node">')
        if g.children:
            out.append(
                f'<button type="button" class="tog" aria-expanded="{"true" if is_open else "false"}" '
                f'aria-controls="{sub_id}" aria-label="Sub-groups of {escape(g.name)}"></button>'
            )
        else:
            out.append('<span class="tog-space"></span>')
        href = f"{link_prefix}{escape(g.id)}" if g.depth or link_prefix != "?group=" else "?"
        out.append(
            f'<a href="{href}"{current}>{escape(g.name)}</a>'
            f' <span class="count" title="{g.server_count} servers in this group and its sub-groups">'
            f"{g.server_count}</span></div>"
        )
        if g.children:
            collapsed = "" if is_open else " data-c"
            out.append(f'<ul class="sub" id="{sub_id}"{collapsed}>')
            for child in g.children:
                node(child)
            out.append("</ul>")
        out.append("</li>")

    node(root)
    out.append("</ul>")
    return mark_safe("".join(out))
