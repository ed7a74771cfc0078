"""Walk every link the simulator advertises and call every verb it advertises (issue #17).

The rule (BRIEF, docs/simulator.md "Links"): a link a caller is shown answers each of its verbs —
never 404 (nothing there), 405 (the verb is not served), 403 (the role may not: then the link or the
verb should not have been shown) or a 5xx. How the walk goes, for one signed-in caller:

1. **Read**: from the entry points (the data center list and the other documented list calls a
   client starts from), GET every link found in every answer (any object with ``rel`` and ``href``,
   at any depth, plus the experimental API's ``uri`` fields), breadth first, each href once.
2. **Change**: every advertised POST/PUT/PATCH is sent an empty JSON object (``{}``, ``[]`` for
   PATCH), which the simulator refuses with a 400 wherever a body is needed; calls that need no body
   (archive a group, revert a snapshot, release a network) are really made. The links their answers
   carry (status links) are read too.
3. **Delete**: every advertised DELETE, deepest path first (a pool before its load balancer, a
   server's alert policy mapping before the policy), so an earlier delete does not take a later
   link's resource away.

Queued operations are made to last for days before the walk (``durationSeconds``), so a queued
delete or archive never completes during it; the caller resets the world between walks. A verb a
link leaves out is assumed from its rel where the Link Definitions pages name one (``delete`` ->
DELETE, ``restore`` -> POST, ``archiveGroupAction`` -> POST), else GET (the Links Framework rule).
"""

from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Verbs the Link Definitions pages give rels that the documented answers show without ``verbs``.
IMPLIED_VERBS = {
    "delete": ("DELETE",),
    "restore": ("POST",),
    "archiveGroupAction": ("POST",),
    "release": ("POST",),
}
FORBIDDEN_ANSWERS = (403, 404, 405)


@dataclass(frozen=True)
class Found:
    method: str
    href: str
    via: str  # "rel <- the answer it was found in"


@dataclass
class Problem:
    method: str
    href: str
    status: int
    via: str
    body: str

    def __str__(self) -> str:
        return f"{self.method} {self.href} -> {self.status} (link {self.via}): {self.body[:160]}"


@dataclass
class WalkResult:
    calls: dict = field(default_factory=dict)  # (method, href lowercased) -> status
    problems: list[Problem] = field(default_factory=list)
    rels: set = field(default_factory=set)  # every rel seen

    def count(self, method: str | None = None) -> int:
        return sum(1 for m, _ in self.calls if method is None or m == method)


def path_of(href: str) -> str:
    """A link's path and query (the experimental API gives some absolute ``http://host/...`` uris)."""
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links_in(body, source: str):
    """(rel, href, verbs) of every link object in a JSON answer, plus ``uri`` fields."""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            rel, href = node.get("rel"), node.get("href")
            if isinstance(rel, str) and isinstance(href, str):
                verbs = node.get("verbs")
                yield rel, path_of(href), tuple(verbs) if verbs else IMPLIED_VERBS.get(rel, ("GET",))
            uri = node.get("uri")
            if isinstance(uri, str) and "/v2" in uri:
                yield "uri", path_of(uri), ("GET",)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class LinkWalk:
    def __init__(self, session, base: str, *, forbidden=FORBIDDEN_ANSWERS):
        self.session = session
        self.base = base.rstrip("/")
        self.forbidden = forbidden
        self.result = WalkResult()
        self._reads: deque[Found] = deque()
        self._changes: dict[tuple[str, str], Found] = {}

    # --- one call -----------------------------------------------------------------------------
    def _call(self, found: Found, *, advertised: bool = True):
        key = (found.method, found.href.lower())
        if key in self.result.calls:
            return None
        body = None
        if found.method in ("POST", "PUT"):
            body = {}
        elif found.method == "PATCH":
            body = []
        response = self.session.request(found.method, self.base + found.href, json=body, timeout=30)
        status = response.status_code
        self.result.calls[key] = status
        bad = status >= 500 or (status in self.forbidden if advertised else status in (404, 405))
        if bad:
            self.result.problems.append(Problem(found.method, found.href, status, found.via, response.text))
            return None
        if status < 300 and response.content and "json" in response.headers.get("Content-Type", ""):
            return response.json()
        return None

    def _collect(self, body, source: str) -> None:
        for rel, href, verbs in links_in(body, source):
            self.result.rels.add(rel)
            via = f"{rel} <- {source}"
            for verb in verbs:
                verb = verb.upper()
                found = Found(verb, href, via)
                if verb == "GET":
                    if ("GET", href.lower()) not in self.result.calls:
                        self._reads.append(found)
                else:
                    self._changes.setdefault((verb, href.lower()), found)

    def _drain_reads(self) -> None:
        while self._reads:
            found = self._reads.popleft()
            body = self._call(found)
            if body is not None:
                self._collect(body, f"GET {found.href}")

    # --- the walk -----------------------------------------------------------------------------
    def run(self, entry_points: list[str]) -> WalkResult:
        for href in entry_points:
            body = self._call(Found("GET", href, "entry point"), advertised=False)
            if body is not None:
                self._collect(body, f"GET {href}")
        self._drain_reads()
        done: set = set()
        while True:  # answers of changes may carry more links, with verbs of their own
            pending = [k for k in self._changes if k[0] != "DELETE" and k not in done]
            if not pending:
                break
            for key in sorted(pending):
                done.add(key)
                found = self._changes[key]
                body = self._call(found)
                if body is not None:
                    self._collect(body, f"{found.method} {found.href}")
                self._drain_reads()
        deletes = [f for k, f in self._changes.items() if k[0] == "DELETE"]
        deletes.sort(key=lambda f: (-urlsplit(f.href).path.strip("/").count("/"), f.href))
        for found in deletes:
            body = self._call(found)
            if body is not None:
                self._collect(body, f"DELETE {found.href}")
            self._drain_reads()
        return self.result
