"""Rows of a history table rendered once. A finished activity or an audit entry never changes, so
its ``<tr>`` is rendered the first time a page shows it and read back from the cache after that
(one ``get_many`` a page instead of a template render a row):

    rows = row_cache.rendered("activities/_row.html", "a", activities,
                              key=lambda a: f"{a.pk}.{a.version}" if finished(a) else None,
                              prepare=decorate)

``key(item)`` names what the row shows — the id *and* the row's creation time, so a database
rebuilt from scratch (ids start again) or another database on the same Redis never meets an old
row (None: render it fresh every time, e.g. a running
activity whose elapsed time moves); the template's source and the time zone are part of every
key, so changing the template or the zone never serves an old row. ``prepare(item)`` runs only for
rows rendered now. A cache that does not answer costs a render, never an error.
"""

import hashlib
import logging

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

log = logging.getLogger(__name__)
TIMEOUT = 24 * 3600
_generations: dict[str, str] = {}


def _generation(name: str, template) -> str:
    if name not in _generations:
        source = getattr(getattr(template, "template", None), "source", "") or name
        _generations[name] = hashlib.sha1(source.encode()).hexdigest()[:10]
    return _generations[name]


def rendered(template_name: str, name: str, items, *, key, prepare=None) -> list[str]:
    """The rendered rows of ``items`` (``{name: item}`` each), in order, as safe HTML strings."""
    template = get_template(template_name)
    prefix = f"row:{_generation(template_name, template)}:{timezone.get_current_timezone_name()}:"
    keys = [(prefix + str(k)) if (k := key(item)) is not None else None for item in items]
    try:
        found = cache.get_many([k for k in keys if k]) if any(keys) else {}
    except Exception:  # the cache is a shortcut, never a failure
        log.warning("row cache unavailable", exc_info=True)
        found = {}
    rows, fresh = [], {}
    for item, k in zip(items, keys, strict=True):
        html = found.get(k) if k else None
        if html is None:
            if prepare is not None:
                prepare(item)
            html = template.render({name: item})
            if k:
                fresh[k] = html
        rows.append(mark_safe(html))
    if fresh:
        try:
            cache.set_many(fresh, TIMEOUT)
        except Exception:
            log.warning("row cache unavailable", exc_info=True)
    return rows
