"""Helpers for holding the simulator to the published contract (``../shared/clc-api-v2/api.json``).

- ``doc_entry(method, path)`` picks the api.json entry by method and URL template.
- ``shape_mismatches(doc, ours)`` lists where our JSON lacks a documented key or has another JSON type.
- ``walk_seed(session, url)`` finds real ids by walking the API the way a client would
  (data centers -> ``groupLinks`` -> root group -> sub-groups -> servers).
"""

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# In CI the repository is cloned elsewhere with a copy of ``shared/`` beside it: always the parent dir.
API_JSON = REPO.parent / "shared" / "clc-api-v2" / "api.json"
DOC_HOST = "https://api.ctl.io"

_api_cache: list[dict] | None = None


def load_api() -> list[dict]:
    global _api_cache
    if _api_cache is None:
        if not API_JSON.is_file():
            raise FileNotFoundError(f"the published contract is missing: {API_JSON}")
        _api_cache = json.loads(API_JSON.read_text(encoding="utf-8"))
    return _api_cache


def md_examples(page: str) -> list:
    """The JSON examples of a documentation page (``Firewall/create-cross-dc-firewall-policy.md``),
    parsed, in page order: for endpoints api.json leaves out. Fenced blocks that are not JSON are
    skipped; a page without fenced JSON is read from its indented blocks."""
    text = (API_JSON.parent / page).read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"^```[a-zA-Z]*\n(.*?)^```", text, flags=re.S | re.M):
        try:
            out.append(json.loads(block))
        except ValueError:
            continue
    if not out:  # pages written with indented (four-space) code blocks
        for block in indented_blocks(text):
            try:
                out.append(json.loads(block))
            except ValueError:
                continue
    return out


def indented_blocks(text: str) -> list[str]:
    """The markdown's indented code blocks (four spaces), in order."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("    ") or (current and not line.strip()):
            current.append(line[4:])
        elif current:
            blocks.append("\n".join(current).strip())
            current = []
    blocks.append("\n".join(current).strip())
    return [b for b in blocks if b]


def doc_entry(method: str, path: str) -> dict:
    """The one api.json entry with this method and URL template (query template ignored). Entries
    repeated word for word (api.json lists some shared load balancer calls twice) count once."""
    found = {
        json.dumps(entry, sort_keys=True): entry
        for entry in load_api()
        if entry["Method"].upper() == method.upper()
        and entry["Url"].removeprefix(DOC_HOST).split("?", 1)[0].rstrip("/") == path.rstrip("/")
    }
    if len(found) != 1:
        raise LookupError(f"api.json has {len(found)} different entries for {method} {path}")
    return next(iter(found.values()))


# --- shapes ---------------------------------------------------------------------------------------
def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"  # int and float are compatible: the docs write 5 and 1.14 for one field
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_link_list(doc: list) -> bool:
    return bool(doc) and all(isinstance(x, dict) and "rel" in x and "href" in x for x in doc)


def merge_values(values: list):
    """One schema from several documented values (used for maps keyed by ids)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    if all(isinstance(v, dict) for v in values):
        keys: dict = {}
        for v in values:
            for k, item in v.items():
                keys.setdefault(k, []).append(item)
        return {k: merge_values(items) for k, items in keys.items()}
    if all(isinstance(v, list) for v in values):
        items = [x for v in values for x in v]
        return [merge_values(items)] if items else []
    return values[0]


def shape_mismatches(doc, ours, path: str = "$", *, maps=(), skip=(), ints=()) -> list[str]:
    """Where ``ours`` lacks a key of ``doc`` or carries another JSON type, as readable lines.

    Rules: every documented key must be present (extra keys are fine); strict types for
    string/bool/array/object/null, int and float are both "number". A list: each of our elements
    against the doc's first element. A list of links: each of our links against the documented
    link with the same ``rel`` (the Links Framework makes ``id``/``name``/``verbs`` optional), else
    just ``rel`` and ``href``. ``maps``: paths of objects keyed by ids (billing), whose values are
    compared with a merge of the documented values. ``skip``: paths not compared at all.
    ``ints``: key names that must be JSON integers wherever the doc shows an integer (counts and
    sizes: a typed client decoding ``1.0`` into an int field fails).
    """
    if path in skip:
        return []
    if json_type(doc) != json_type(ours):
        return [f"{path}: expected {json_type(doc)}, got {json_type(ours)} ({_short(ours)})"]
    out: list[str] = []
    if isinstance(doc, dict):
        if path in maps:
            schema = merge_values(list(doc.values()))
            if schema is not None:
                for key, value in ours.items():
                    found = shape_mismatches(schema, value, f"{path}.*", maps=maps, skip=skip, ints=ints)
                    if found:  # one failing entry of a map says enough
                        return [f"{line} (key {key!r})" for line in found]
            return out
        for key, value in doc.items():
            sub = f"{path}.{key}"
            if sub in skip:
                continue
            if key not in ours:
                out.append(f"{sub}: missing")
            elif key in ints and _is_int(value) and isinstance(ours[key], float):
                out.append(f"{sub}: expected an integer like the doc's {value}, got {ours[key]!r}")
            else:
                out += shape_mismatches(value, ours[key], sub, maps=maps, skip=skip, ints=ints)
    elif isinstance(doc, list) and doc and ours:
        if _is_link_list(doc):
            for i, link in enumerate(ours):
                sub = f"{path}[{i}]"
                if not isinstance(link, dict) or not isinstance(link.get("rel"), str):
                    out.append(f"{sub}: a link needs a string rel ({_short(link)})")
                    continue
                same = next((d for d in doc if d["rel"] == link["rel"]), {"rel": "", "href": ""})
                out += [
                    f"{m} (rel {link['rel']})"
                    for m in shape_mismatches(
                        same, link, f"{path}[rel={link['rel']}]", maps=maps, skip=skip, ints=ints
                    )
                ]
        else:
            for i, item in enumerate(ours):
                out += shape_mismatches(doc[0], item, f"{path}[{i}]", maps=maps, skip=skip, ints=ints)
    return out


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fill(example, **by_key):
    """A copy of a documented request body with values replaced by key name, at any depth.

    ``fill(body, groupId="...")``; a value of ``DROP`` removes the key.
    """
    body = copy.deepcopy(example)

    def walk(node):
        if isinstance(node, dict):
            for key in list(node):
                if key in by_key:
                    if by_key[key] is DROP:
                        del node[key]
                    else:
                        node[key] = by_key[key]
                else:
                    walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body)
    return body


DROP = object()


# --- walking the seed -----------------------------------------------------------------------------
@dataclass
class Seed:
    """What a client can see of one account in one data center."""

    alias: str
    dc: str
    root_id: str
    groups: dict[str, dict] = field(default_factory=dict)  # id -> GET group body
    servers: dict[str, dict] = field(default_factory=dict)  # id -> GET server body

    def group_named(self, name: str) -> dict:
        for group in self.groups.values():
            if group["name"] == name:
                return group
        raise LookupError(f"no group named {name!r} in {self.dc}")

    def server_where(self, predicate, what: str) -> dict:
        for server in self.servers.values():
            if predicate(server):
                return server
        raise LookupError(f"the demo seed has no server in {self.dc} that is {what}")


def _get(session, url: str, what: str):
    response = session.get(url, timeout=10)
    if response.status_code != 200:
        raise AssertionError(
            f"walking the seed: {what} GET {url} answered {response.status_code}: {response.text[:300]}"
        )
    return response.json()


def walk_seed(session, base: str, alias: str = "DEMO", dc: str = "WA1") -> Seed:
    listed = _get(session, f"{base}/v2/datacenters/{alias}", "data center list")
    if not any(str(d.get("id", "")).upper() == dc for d in listed):
        raise AssertionError(f"walking the seed: {dc} is not in the data center list {listed}")
    datacenter = _get(session, f"{base}/v2/datacenters/{alias}/{dc}?groupLinks=true", "data center")
    root = next((lk for lk in datacenter.get("links", []) if lk.get("rel") == "group"), None)
    if root is None:
        raise AssertionError(f"walking the seed: no group link in {datacenter}")
    seed = Seed(alias, dc, root["id"])
    pending = [root["id"]]
    while pending:
        group_id = pending.pop(0)
        if group_id in seed.groups:
            continue
        group = _get(session, f"{base}/v2/groups/{alias}/{group_id}", "group")
        seed.groups[group["id"]] = group
        pending += [child["id"] for child in group.get("groups", [])]
        for link in group.get("links", []):
            if link.get("rel") == "server":
                server = _get(session, f"{base}/v2/servers/{alias}/{link['id']}", "server")
                seed.servers[server["id"]] = server
    return seed


# --- the docs' field tables -----------------------------------------------------------------------
# A page's "Response" section defines its entities as markdown tables (``### Entity Definition`` then
# ``### Details Definition``, ``### IPAddresses Definition``...). ``table_mismatches`` holds an answer
# to them: every field of the entity is there with a JSON type that fits the table's type, and each
# field of type complex/array whose name has a table of its own is checked against that table (an
# array's elements, an object itself). Fields the page says appear only sometimes are optional.
DOCS = API_JSON.parent
_OPTIONAL_WORDS = (
    "only appears",
    "only present",
    "bare metal servers only",
    "if something goes wrong",
    "not returned",
    "if applicable",
    "optional",
)
_TABLE_TYPES = {
    "string": ("string",),
    "datetime": ("string",),
    "date": ("string",),
    "boolean": ("bool",),
    "bool": ("bool",),
    "integer": ("number",),
    "int": ("number",),
    "number": ("number",),
    "decimal": ("number",),
    "float": ("number",),
    "double": ("number",),
    "array": ("array",),
    "complex": ("object", "array"),
    "object": ("object",),
}
_page_index: dict | None = None


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def page_index() -> dict[tuple[str, str], list[str]]:
    """(METHOD, normalised path template) -> the pages whose "Structure" names that call."""
    global _page_index
    if _page_index is None:
        _page_index = {}
        for page in sorted(DOCS.rglob("*.md")):
            found = re.search(
                r"### Structure\s*\n\s*\n?\s*(GET|POST|PUT|PATCH|DELETE)\s+(\S+)",
                page.read_text(encoding="utf-8"),
            )
            if found:
                key = (found.group(1), template_key(found.group(2)))
                _page_index.setdefault(key, []).append(str(page.relative_to(DOCS)))
    return _page_index


def template_key(url: str) -> str:
    """``https://api.ctl.io/v2/servers/{accountAlias}/{serverId}?x`` -> ``/v2/servers/{}/{}``."""
    path = url.removeprefix(DOC_HOST).split("?", 1)[0].rstrip("/")
    return re.sub(r"\{[^}]+\}", "{}", path).lower()


def page_for(method: str, path: str) -> str | None:
    """The one documentation page of a call (None when there is none or several)."""
    pages = page_index().get((method.upper(), template_key(path)), [])
    return pages[0] if len(pages) == 1 else None


def field_tables(page: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The tables of a page's Response section, in order: (title, [(name, type, description)])."""
    text = (DOCS / page).read_text(encoding="utf-8")
    if "## Response" not in text:
        return []
    tables: list = []
    title = ""
    for line in text.split("## Response", 1)[1].splitlines():
        heading = re.match(r"#+\s*(.+)", line)
        if heading:
            title = heading.group(1).strip()
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0].lower() == "name" or set(cells[0]) <= set("-: "):
            continue
        if not tables or tables[-1][0] != title:
            tables.append((title, []))
        tables[-1][1].append(
            (cells[0].strip("`"), cells[1].strip("`").lower(), cells[2] if len(cells) > 2 else "")
        )
    return tables


def sometimes_missing(example) -> set[str]:
    """Key names (lower case) the documented example shows in some objects of a list and not in
    others (``public`` of ``ipAddresses``): the docs' own example says they are optional."""
    out: set[str] = set()
    stack = [example]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            items = [x for x in node if isinstance(x, dict)]
            if len(items) > 1:
                every = set.intersection(*(set(k.lower() for k in x) for x in items))
                some = set.union(*(set(k.lower() for k in x) for x in items))
                out |= some - every
            stack.extend(node)
    return out


def _root_table(tables):
    title, rows = tables[0]
    return rows if not title or "entity" in title.lower() or "response" in title.lower() else None


def table_mismatches(page: str, ours, *, maps=(), skip=(), optional=()) -> list[str]:
    """Where an answer lacks a field of the page's tables or has another type (see above).
    ``maps``: paths of objects keyed by ids where the table says array (billing); ``skip``: paths
    not checked (``$.a.*.b``: any element); ``optional``: field names (any case) or paths that may
    be missing."""
    tables = field_tables(page)
    if not tables or _root_table(tables) is None:
        return []
    words = r"(entity|entities|definition)"
    by_title = {_norm(re.sub(words, "", t, flags=re.I)): rows for t, rows in tables}
    root = _root_table(tables)
    optional = {name.lower() for name in optional}
    out: list[str] = []

    def pattern(path: str) -> str:
        return re.sub(r"\[\d+\]", ".*", path)

    def check(rows, node, path, seen):
        if isinstance(node, list):
            for i, item in enumerate(node[:50]):
                check(rows, item, f"{path}[{i}]", seen)
            return
        if not isinstance(node, dict):
            out.append(f"{path}: expected an object with the fields of the table, got {json_type(node)}")
            return
        keys = {k.lower(): k for k in node}
        names = {name.lower() for name, _, _ in rows}
        if "items" in keys and "items" not in names and isinstance(node[keys["items"]], list):
            check(rows, node[keys["items"]], f"{path}.items", seen)  # a list wrapped in {items, links}
            return
        for name, kind, description in rows:
            sub = f"{path}.{name}"
            if pattern(sub) in skip:
                continue
            key = keys.get(name.lower())
            if key is None and "entity links" in description and "links" in keys:
                key = "links"  # "array | complex | Collection of entity links" (a typo for links)
            if key is None:
                documented_optional = any(w in description.lower() for w in _OPTIONAL_WORDS)
                if (
                    name.lower() not in optional
                    and pattern(sub).lower() not in optional
                    and not documented_optional
                ):
                    out.append(f"{sub}: missing (documented {kind})")
                continue
            value = node[key]
            allowed = _TABLE_TYPES.get(kind.split()[0] if kind else "", None)
            if pattern(sub) in maps and isinstance(value, dict):
                value = list(value.values())
            elif allowed and json_type(value) not in allowed and value is not None:
                out.append(f"{sub}: documented {kind}, got {json_type(value)} ({_short(value)})")
                continue
            child = by_title.get(_norm(name))
            if child is not None and child is not rows and _norm(name) not in seen and value:
                check(child, value, sub, seen | {_norm(name)})

    check(root, ours, "$", frozenset())
    return out
