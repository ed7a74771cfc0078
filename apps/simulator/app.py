"""The simulator's WSGI application: parsing, authentication, fault injection, JSON answers.

Route modules (``routes/*``) register handlers with ``router.route``; a handler takes a
``SimRequest`` plus the path parameters and returns a body (200), ``(status, body)``, or raises
``ApiError``. Anything unexpected becomes a 500 ``{"message": ...}``, never a traceback. A body
may be a function: it is called once the world lock is released (long answers built from a
snapshot taken under the lock, such as statistics).
"""

import json
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from . import errors, router
from .models import User
from .state import World

log = logging.getLogger("simulator")

STATUS_TEXT = {
    200: "200 OK",
    201: "201 Created",
    202: "202 Accepted",
    204: "204 No Content",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    409: "409 Conflict",
    500: "500 Internal Server Error",
}

_NO_BODY = object()


@dataclass
class SimRequest:
    world: World
    method: str
    path: str
    query: dict[str, str]  # keys lowercased, last value wins
    headers: dict[str, str]  # keys lowercased
    raw_body: bytes
    user: User | None = None
    _body: object = field(default=_NO_BODY)

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name.lower(), default)

    def flag(self, name: str) -> bool:
        value = self.param(name)
        if value is None:
            return False
        if value.strip().lower() in ("true", "1", "yes"):
            return True
        if value.strip().lower() in ("false", "0", "no", ""):
            return False
        raise errors.bad_request(f"The value '{value}' is not valid for {name}.")

    @property
    def body(self):
        """The body as JSON, or a dict from a form-encoded body. Empty body -> None."""
        if self._body is _NO_BODY:
            self._body = self._parse_body()
        return self._body

    def _parse_body(self):
        if not self.raw_body.strip():
            return None
        content_type = self.headers.get("content-type", "").lower()
        text = self.raw_body.decode("utf-8", errors="replace")
        looks_json = text.lstrip()[:1] in ("{", "[")
        if "application/x-www-form-urlencoded" in content_type and not looks_json:
            parsed = parse_qs(text, keep_blank_values=True)
            return {k: (v[0] if len(v) == 1 else v) for k, v in parsed.items()}
        try:
            return json.loads(text)
        except ValueError:
            raise errors.bad_request("The request is invalid: the body is not valid JSON.")

    def json_object(self) -> dict:
        """The body, which must be an object; keys are kept as sent."""
        body = self.body
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise errors.bad_request("The request is invalid: a JSON object was expected.")
        return body

    def field(self, body: dict, name: str, default=None):
        """Look a body key up case-insensitively (published clients vary)."""
        if name in body:
            return body[name]
        lowered = name.lower()
        for key, value in body.items():
            if isinstance(key, str) and key.lower() == lowered:
                return value
        return default


class SimulatorApp:
    def __init__(self, world: World):
        self.world = world
        from . import routes  # noqa: F401  (registers every route module)

    def __call__(self, environ, start_response):
        status, body, extra = self.handle(environ)
        headers = [("Content-Type", "application/json; charset=utf-8")] + extra
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers.append(("Content-Length", str(len(payload))))
        start_response(STATUS_TEXT.get(status, f"{status} Unknown"), headers)
        return [payload]

    def handle(self, environ):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "/") or "/"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        query = {
            k.lower(): v[-1]
            for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()
        }
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if "CONTENT_TYPE" in environ:
            headers["content-type"] = environ["CONTENT_TYPE"]
        req = SimRequest(self.world, method, path, query, headers, raw)
        try:
            return self.dispatch(req)
        except errors.ApiError as exc:
            return exc.status, {"message": exc.message}, []
        except Exception:  # never a traceback to the client
            log.exception("simulator error on %s %s", method, path)
            return 500, {"message": "An internal error occurred."}, []

    def dispatch(self, req: SimRequest):
        world = self.world
        is_api = req.path.lower().startswith("/v2")
        if is_api:
            if world.faults.latency_ms:
                time.sleep(world.faults.latency_ms / 1000.0)
            if world.faults.error_rate and world.rng.random() < world.faults.error_rate:
                return 500, {"message": "The service is temporarily unavailable (injected)."}, []
        found, params = router.resolve(req.method, req.path)
        if found is None:
            if params:
                return (
                    405,
                    {"message": f"The requested resource does not support http method '{req.method}'."},
                    [("Allow", ", ".join(sorted(params)))],
                )
            raise errors.not_found()
        with world.lock:
            world.settle()
            if found.auth:
                req.user = world.user_for_token(_bearer(req.headers.get("authorization", "")))
                alias = params.get("alias")
                if alias is not None and alias.upper() != req.user.alias.upper():
                    # Another account's resources do not exist for this caller.
                    raise errors.not_found()
            result = found.handler(req, **params)
        if isinstance(result, tuple):
            status, body = result
        else:
            status, body = 200, result
        if callable(body):  # a long answer (statistics) computed from a snapshot, outside the lock
            body = body()
        return status, body, []


def _bearer(header: str) -> str | None:
    parts = header.strip().split(None, 1)
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1].strip()
    return None
