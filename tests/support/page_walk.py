"""Every page of the portal a person can open, for checks that must hold on all of them (axe, the
375 px width): derived, so a new page is checked without anyone adding it here.

1. **Parameter-free pages**: every GET route of the URL conf without a path parameter (``/``,
   ``/audit/``, ``/create-server/``, ...), less the machine endpoints in ``NOT_PAGES``.
2. **Detail pages**: from those, links (``a[href]``) and form targets (``form[action]``, whose GET is
   the action's own page) are followed breadth first, one example per route and action name: the
   first data center, group, server, load balancer, pool, network, action page, ... found.
3. ``EXTRA_SIGNED_IN`` and ``SIGNED_OUT``: pages no link leads to (error pages, the sign-in page).

``page_list(client)`` -> [(path, route)], ``client`` a Django test client signed in as the person;
``demo_pages(simulator)`` -> (demo's client, its pages) with something on every kind of page;
``post_forms(html)`` -> the page's POST forms as (action, field names).
``MUST_COVER`` names routes the walk has to reach, so it cannot shrink without a test noticing.
"""

from __future__ import annotations

import uuid
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from tests.support.portal import create_token, signed_in, started_servers

NOT_PAGES = {
    "healthz",
    "favicon",
    "events",
    "logout",
    "webhook-receiver",
    "api-schema",
    "dashboard-totals",  # fragments the dashboard fills itself in with (no page of their own)
    "dashboard-datacenter",
}
PAGE_PREFIXES_SKIPPED = ("api-",)  # the JSON API; its documentation page is a page:
API_PAGES = {"api-docs"}
EXTRA_SIGNED_IN = [
    ("/no-such-page/", "404"),
    ("/servers/wa1nosuchsrv01/", "404 (a server)"),
    ("/servers/wa1nosuchsrv01/actions/reboot/", "404 (an action's server)"),
]
SIGNED_OUT = [("/login/", "login"), ("/no-such-page/", "404 signed out")]
MUST_COVER = {
    "dashboard",
    "datacenter",
    "group",
    "server",
    "server-credentials",
    "activities",
    "activity",
    "recipes",
    "recipe-detail",
    "recipe-new",
    "networks",
    "datacenter-networks",
    "network",
    "datacenter-firewall",
    "datacenter-balancers",
    "balancer",
    "balancer-pool",
    "billing",
    "audit",
    "team",
    "tokens",
    "notifications",
    "webhooks",
    "api-docs",
    "create-server",
    "server-action",
    "group-action",
    "servers-action",
}
MAX_PAGES = 200


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace:  # the Django admin: not the portal's pages
                continue
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def is_page(name: str | None) -> bool:
    if not name or name in NOT_PAGES:
        return False
    return name in API_PAGES or not name.startswith(PAGE_PREFIXES_SKIPPED)


def parameter_free_pages() -> list[str]:
    seen, paths = set(), []
    for route, name in _routes(get_resolver().url_patterns):
        if "<" in route or not is_page(name) or name in seen:
            continue
        seen.add(name)
        paths.append("/" + route)
    return paths


class _Targets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag == "form" and attrs.get("action"):
            self.found.append(attrs["action"])


def _key(path: str):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not is_page(match.url_name):
        return None
    return match.url_name, match.kwargs.get("action", "")


def page_list(client, extra=()) -> list[tuple[str, str]]:
    """[(path, route name[:action])] of every page reachable for ``client``'s person, from the
    parameter-free pages and ``extra`` paths (pages that need a query: a bulk selection)."""
    queue = deque([*parameter_free_pages(), *extra])
    keys = {_key(urlsplit(p).path) for p in queue}
    pages = []
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        name, action = _key(urlsplit(path).path)
        pages.append((path, f"{name}:{action}" if action else name))
        parser = _Targets()
        parser.feed(response.content.decode())
        for href in parser.found:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            key = _key(parts.path)
            if key and key not in keys:
                keys.add(key)
                queue.append(parts.path)
    missing = MUST_COVER - {route.split(":")[0] for _, route in pages}
    assert not missing, f"the walk no longer reaches {sorted(missing)}"
    return pages + EXTRA_SIGNED_IN


def demo_pages(simulator):
    """Demo signed in, with an activity, a recipe, an API token and a bulk selection to show
    -> (its Django test client, ``page_list`` of it)."""
    # Imported here: a test module's helper (test modules import this support module).
    from tests.test_recipes_pages import make_recipe

    make_recipe(simulator)
    client = signed_in("demo")
    create_token(client, "nightly")
    first, second = started_servers(simulator, 2)
    client.post(f"/servers/{first.lower()}/actions/reboot/", {"idempotency_key": str(uuid.uuid4())})
    bulk = f"/servers/bulk/actions/pause/?ids={first}&ids={second}"
    return client, page_list(client, extra=["/create-server/?dc=WA1", bulk])  # the whole form, a selection


class _PostForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str | None, set[str]]] = []
        self.open = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.open = (attrs.get("method") or "get").lower() == "post"
            if self.open:
                self.forms.append((attrs.get("action"), set()))
        elif self.open and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            self.forms[-1][1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = False


def post_forms(html: str) -> list[tuple[str | None, list[str]]]:
    """The page's POST forms: (action or None for the page itself, sorted field names less the CSRF token)."""
    parser = _PostForms()
    parser.feed(html)
    return [(action, sorted(names - {"csrfmiddlewaretoken"})) for action, names in parser.forms]
