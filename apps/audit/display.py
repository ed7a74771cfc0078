"""How the audit log page shows an entry: its target as a link to the thing's page, its detail as
words and links (the message first, activities and servers as links) instead of raw JSON. The API
and the CSV keep the detail as stored, for scripts.

    target_href(entry)   -> "/servers/wa1demoweb01/" | "/groups/<id>/" | "/recipes/7/" | ""
                            (each reversed from its URL name)
    detail_parts(entry)  -> [{"label": "", "text": "Queued", "href": ""},
                             {"label": "Activity", "text": "#42", "href": "/activities/42/"}, ...]
"""

import re

from django.urls import reverse

_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PAGES = {"server": "server", "group": "group", "recipe": "recipe-detail"}  # target type -> URL name
_LISTS = {"api_token": "tokens"}
_LABELS = {
    "outcome": "Outcome",
    "activities": "Activity",
    "resources": "Server",
    "server": "Server",
    "recipe": "Recipe",
    "token": "Token",
    "ttl": "Deleted by the cloud at",
    "changed": "Changed",
    "invalid": "Invalid",
}


def _page_of(kind: str, ident) -> str:
    ident = str(ident or "")
    if kind in _PAGES and _PLAIN_ID.match(ident):
        return reverse(_PAGES[kind], args=[ident.lower()])
    return reverse(_LISTS[kind]) if kind in _LISTS else ""


def target_href(entry) -> str:
    """The page of the entry's target, when it has one (a server, a group, a recipe, the tokens)."""
    return _page_of(entry.target_type, entry.target_id)


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _part(label: str, text, href: str = "") -> dict:
    return {"label": label, "text": _text(text)[:300], "href": href}


def detail_parts(entry) -> list[dict]:
    """The detail as words: the message, then each other field (activities and servers linked)."""
    detail = entry.detail
    if not detail:
        return []
    if not isinstance(detail, dict):
        return [_part("", detail)]
    parts = []
    if detail.get("message"):
        parts.append(_part("", detail["message"]))
    for key, value in detail.items():
        if key == "message" or value in (None, "", [], {}):
            continue
        if key == "outcome" and detail.get("message"):
            continue  # "Reboot queued" already says it
        label = _LABELS.get(key, key.replace("_", " ").capitalize())
        if key == "activities":
            ids = value if isinstance(value, list) else [value]
            parts += [
                _part(label, f"#{i}", reverse("activity", args=[i]))
                for i in ids
                if str(i).isascii() and str(i).isdigit()
            ]
        elif key in ("resources", "server"):
            ids = value if isinstance(value, list) else [value]
            named = entry.action.endswith("createServer")  # a new server's name, not yet its id
            parts += [_part(label, i, "" if named else _page_of("server", i)) for i in ids]
        elif key == "outcome":
            parts.append(_part(label, str(value).capitalize()))
        else:
            parts.append(_part(label, value))
    return parts
