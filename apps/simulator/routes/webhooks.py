"""The Webhooks API (``Webhooks/*.md``): per account, one configuration per event.

GET    /v2/webhooks/{alias}                                    every event, configured or not
PUT    /v2/webhooks/{alias}/{event}/configuration              {recursive, targetUris: [{targetUri}]}
DELETE /v2/webhooks/{alias}/{event}/configuration              the event's whole configuration
POST   /v2/webhooks/{alias}/{event}/configuration/targetUris   {targetUri}: add one target
DELETE /v2/webhooks/{alias}/{event}/configuration/targetUris?targetUri=...   remove one target

Rules (the simulator's choices where the pages are silent; see docs/simulator.md "Webhooks"):
- Every role may read (ROLES.md "Webhooks: view"); AccountAdmin and SecurityAdmin may change (403
  otherwise). Readers get no ``configuration`` link: it offers only PUT and DELETE.
- Event names match in any case; an unknown one is 400. Another account's alias is 404 (app.py).
- ``GET`` lists all ten events in the documented order; ``configuration`` appears only for an event
  that has one (set by PUT or by adding a target), as in the documented example. Hrefs carry the
  alias in upper case, as that example does.
- PUT replaces the configuration: ``recursive`` is required (true/false), ``targetUris`` may be left
  out (no targets). A target is an absolute http(s) URL (the real service demanded https; the
  simulator also takes http so tests can listen locally), at most 2,048 characters, at most 10 per
  event; the same URI twice is kept once. Adding a target that is already there changes nothing;
  removing one that is not there is 404.
- Every change answers 204 with no body.
"""

from urllib.parse import urlsplit

from .. import errors
from ..fields import boolean
from ..roles import ADMIN, SECURITY
from ..router import route
from ..webhook_store import EVENTS, MAX_TARGETS, MAX_URI_LENGTH, canonical_event, store_of

MANAGERS = {ADMIN, SECURITY}  # ROLES.md: "Webhooks: add, edit, delete"; every role may view


def _event(name: str) -> str:
    event = canonical_event(name)
    if event is None:
        raise errors.bad_request(f"The event '{name}' is not a webhook event. Events: {', '.join(EVENTS)}.")
    return event


def _require_manager(req) -> None:
    if not MANAGERS.intersection(req.user.roles):
        raise errors.forbidden()


def target_uri(value) -> str:
    """An absolute http(s) URL, or 400."""
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request("The request is invalid: targetUri is required.")
    uri = value.strip()
    if len(uri) > MAX_URI_LENGTH:
        raise errors.bad_request(f"The targetUri must be at most {MAX_URI_LENGTH} characters.")
    try:
        parts = urlsplit(uri)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if (
        parts is None
        or not port_ok
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() for ch in uri)
    ):
        raise errors.bad_request(f"The targetUri '{uri}' is not an absolute http or https URL.")
    return uri


def _target_list(req, value) -> list[str]:
    """``[{targetUri}]`` (documented); bare strings and a single string are taken too."""
    if value is None:
        return []
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list):
        raise errors.bad_request("The request is invalid: targetUris must be a list of {targetUri}.")
    uris = []
    for item in value:
        uris.append(target_uri(req.field(item, "targetUri") if isinstance(item, dict) else item))
    uris = list(dict.fromkeys(uris))
    if len(uris) > MAX_TARGETS:
        raise errors.bad_request(f"An event can have at most {MAX_TARGETS} target URIs.")
    return uris


# --- GET -------------------------------------------------------------------------------------
def webhooks_json(store, alias: str, can_change: bool) -> dict:
    code = alias.upper()
    items = []
    for event in EVENTS:
        item: dict = {"name": event}
        config = store.config(code, event)
        if config is not None:
            item["configuration"] = {
                "recursive": config["recursive"],
                "targetUris": [{"targetUri": uri} for uri in config["targetUris"]],
            }
        if can_change:
            item["links"] = [
                {
                    "rel": "configuration",
                    "href": f"/v2/webhooks/{code}/{event}/configuration",
                    "verbs": ["DELETE", "PUT"],
                }
            ]
        else:
            item["links"] = []
        items.append(item)
    return {"items": items, "links": [{"rel": "self", "href": f"/v2/webhooks/{code}"}]}


@route("GET", "/v2/webhooks/{alias}")
def get_webhooks(req, alias):
    can_change = bool(MANAGERS.intersection(req.user.roles))
    return webhooks_json(store_of(req.world), alias, can_change)


# --- configuration ---------------------------------------------------------------------------
@route("PUT", "/v2/webhooks/{alias}/{event}/configuration")
def set_webhook(req, alias, event):
    _require_manager(req)
    name = _event(event)
    body = req.json_object()
    sentinel = object()
    recursive = req.field(body, "recursive", sentinel)
    if recursive is sentinel or recursive is None:
        raise errors.bad_request("The request is invalid: recursive is required.")
    recursive = boolean(recursive, "recursive")
    uris = _target_list(req, req.field(body, "targetUris"))
    store_of(req.world).set_config(alias, name, recursive, uris)
    return 204, None


@route("DELETE", "/v2/webhooks/{alias}/{event}/configuration")
def delete_webhook(req, alias, event):
    _require_manager(req)
    store_of(req.world).delete_config(alias, _event(event))
    return 204, None


# --- target URIs -----------------------------------------------------------------------------
@route("POST", "/v2/webhooks/{alias}/{event}/configuration/targetUris")
def add_target_uri(req, alias, event):
    _require_manager(req)
    name = _event(event)
    uri = target_uri(req.field(req.json_object(), "targetUri"))
    store = store_of(req.world)
    config = store.config(alias, name)
    if config is not None and uri not in config["targetUris"] and len(config["targetUris"]) >= MAX_TARGETS:
        raise errors.bad_request(f"An event can have at most {MAX_TARGETS} target URIs.")
    store.add_target(alias, name, uri)
    return 204, None


@route("DELETE", "/v2/webhooks/{alias}/{event}/configuration/targetUris")
def delete_target_uri(req, alias, event):
    _require_manager(req)
    name = _event(event)
    value = req.param("targetUri")
    if value is None and req.body is not None:  # liberal: {"targetUri": ...} in the body
        value = req.field(req.json_object(), "targetUri")
    uri = target_uri(value)
    if not store_of(req.world).remove_target(alias, name, uri):
        raise errors.not_found()
    return 204, None
