"""A tiny case-insensitive router: routes register with a decorator, paths match lowercased.

Path parameters are returned as the caller sent them (original case); handlers compare ids
case-insensitively through the state helpers.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Callable
    auth: bool


ROUTES: list[Route] = []


def route(method: str, template: str, *, auth: bool = True):
    """Register ``handler(req, **params)`` for ``method`` and a template like ``/v2/x/{alias}``."""

    regex = "^" + _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", template.lower().rstrip("/")) + "/?$"
    pattern = re.compile(regex, re.IGNORECASE)

    def register(handler):
        ROUTES.append(Route(method.upper(), pattern, handler, auth))
        return handler

    return register


def resolve(method: str, path: str):
    """Return ``(route, params)`` or ``(None, allowed_methods)`` when nothing matches."""
    allowed = set()
    for candidate in ROUTES:
        match = candidate.pattern.match(path)
        if match:
            if candidate.method == method:
                return candidate, match.groupdict()
            allowed.add(candidate.method)
    return None, allowed
