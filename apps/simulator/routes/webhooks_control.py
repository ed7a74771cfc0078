"""Webhook controls for tests, outside /v2/ and without authentication.

GET  /control/webhooks/public-key    {"publicKey": PEM, "fingerprint", "header", "algorithm"}: the key
                                     that verifies the ``Tier3-RsaSha1`` header of every delivery
POST /control/webhooks/rotate-key    a new key pair (same answer, new key); later attempts use it
GET  /control/webhooks/faults        the delivery faults and retry policy
POST /control/webhooks/faults        {"drop": share, "duplicate": share, "delayMs": n, "reorder": bool,
                                      "maxAttempts": n, "retryBaseMs": n}; any subset. Faults apply
                                     to deliveries of events that happen afterwards; turning reorder
                                     off sends what it held. /control/reset restores the defaults
                                     (no faults, 5 attempts, 1000 ms).
GET  /control/webhooks/deliveries    the last deliveries, oldest first: ?limit=N (100, at most 1000),
                                     ?event=, ?target=, ?status=, ?body=true (include the body sent)
POST /control/webhooks/emit          {"event", "alias", "serverId"? , "userName"?, "payload"?}: emit
                                     an event as if it had happened (Account.* and User.* have no
                                     other source in the simulator). Without "payload" it is built:
                                     Server.* from serverId, Account.* from the alias, User.* from
                                     userName; Alert.Notification needs "payload".

Every delivery in the list: id, eventId, event, alias (the changed account), account (whose
configuration sent it), target, status, attempts, maxAttempts, lastStatus (HTTP status or null),
lastError, faults (drop/duplicate/delay/reorder applied), duplicates, eventTime, createdAt,
lastAttemptAt, nextAttemptAt, deliveredAt (simulator clock, ISO 8601 with milliseconds) and history
(one entry per attempt: at, status, error, backoffSeconds armed after it).
"""

from .. import errors
from ..router import route
from ..webhook_delivery import iso_ms, release_held
from ..webhook_events import account_payload, deleted_server_payload, server_payload, user_payload
from ..webhook_signing import KEYS
from ..webhook_store import EVENTS, canonical_event, store_of
from .control import _number

TIMES = ("eventTime", "createdAt", "lastAttemptAt", "nextAttemptAt", "deliveredAt")


@route("GET", "/control/webhooks/public-key", auth=False)
def public_key(req):
    return KEYS.describe()


@route("POST", "/control/webhooks/rotate-key", auth=False)
def rotate_key(req):
    return KEYS.rotate()


def _faults_json(faults) -> dict:
    return {
        "drop": faults.drop,
        "duplicate": faults.duplicate,
        "delayMs": faults.delay_ms,
        "reorder": faults.reorder,
        "maxAttempts": faults.max_attempts,
        "retryBaseMs": faults.retry_base_ms,
    }


@route("GET", "/control/webhooks/faults", auth=False)
def get_faults(req):
    return _faults_json(store_of(req.world).faults)


@route("POST", "/control/webhooks/faults", auth=False)
def set_faults(req):
    body = req.json_object()
    known = {"drop", "duplicate", "delayms", "reorder", "maxattempts", "retrybasems"}
    unknown = [k for k in body if not (isinstance(k, str) and k.lower() in known)]
    if unknown:
        raise errors.bad_request(f"Unknown setting '{unknown[0]}'. Settings: {', '.join(sorted(known))}.")
    faults = store_of(req.world).faults
    sentinel = object()

    def value(name):
        return req.field(body, name, sentinel)

    updates = {}
    for name, attr in (("drop", "drop"), ("duplicate", "duplicate")):
        if value(name) is not sentinel:
            updates[attr] = _number(value(name), name, 0, 1)
    if value("delayMs") is not sentinel:
        updates["delay_ms"] = _number(value("delayMs"), "delayMs", 0, 86_400_000)
    if value("maxAttempts") is not sentinel:
        attempts = _number(value("maxAttempts"), "maxAttempts", 1, 20)
        if attempts != int(attempts):
            raise errors.bad_request("maxAttempts must be a whole number.")
        updates["max_attempts"] = int(attempts)
    if value("retryBaseMs") is not sentinel:
        updates["retry_base_ms"] = _number(value("retryBaseMs"), "retryBaseMs", 10, 600_000)
    if value("reorder") is not sentinel:
        reorder = value("reorder")
        if not isinstance(reorder, bool):
            raise errors.bad_request("reorder must be true or false.")
        updates["reorder"] = reorder
    for attr, new in updates.items():  # all checked: apply together
        setattr(faults, attr, new)
    if not faults.reorder:
        release_held(req.world)
    return _faults_json(faults)


def delivery_json(delivery: dict, with_body: bool = False) -> dict:
    out = {k: v for k, v in delivery.items() if k not in ("body", "history", "retryBaseSeconds")}
    for key in TIMES:
        out[key] = iso_ms(delivery[key])
    out["faults"] = list(delivery["faults"])
    out["history"] = [{**attempt, "at": iso_ms(attempt["at"])} for attempt in delivery["history"]]
    if with_body:
        out["body"] = delivery["body"]
    return out


@route("GET", "/control/webhooks/deliveries", auth=False)
def deliveries(req):
    limit = int(_number(req.param("limit") or 100, "limit", 1, 1000))
    event = (req.param("event") or "").lower()
    target = req.param("target") or ""
    status = (req.param("status") or "").lower()
    with_body = req.flag("body")
    found = [
        d
        for d in store_of(req.world).deliveries.values()
        if (not event or d["event"].lower() == event)
        and (not target or d["target"] == target)
        and (not status or d["status"] == status)
    ]
    return {"deliveries": [delivery_json(d, with_body) for d in found[-limit:]]}


@route("POST", "/control/webhooks/emit", auth=False)
def emit(req):
    world = req.world
    body = req.json_object()
    event = canonical_event(req.field(body, "event"))
    if event is None:
        raise errors.bad_request(f"event must be one of {', '.join(EVENTS)}.")
    alias = req.field(body, "alias")
    if not isinstance(alias, str) or alias.upper() not in world.accounts:
        raise errors.bad_request("alias must be an account of the simulator.")
    payload = req.field(body, "payload")
    if payload is None:
        payload = _built_payload(req, world, event, alias, body)
    elif not isinstance(payload, dict):
        raise errors.bad_request("payload must be a JSON object.")
    record = world.emit(event, alias, payload)
    return {"seq": record["seq"], "event": event, "alias": record["alias"]}


def _built_payload(req, world, event: str, alias: str, body: dict) -> dict:
    family = event.split(".", 1)[0]
    if family == "Account":
        return account_payload(world, alias, status="Deleted" if event == "Account.Deleted" else "Active")
    if family == "User":
        name = req.field(body, "userName")
        user = world.users.get(name.lower()) if isinstance(name, str) else None
        if user is None or user.alias.upper() != alias.upper():
            raise errors.bad_request("userName must be a user of that account.")
        return user_payload(user, status="Deleted" if event == "User.Deleted" else "Active")
    if family == "Server":
        server_id = req.field(body, "serverId")
        try:
            server = world.server(alias, server_id if isinstance(server_id, str) else "")
        except errors.ApiError:
            raise errors.bad_request("serverId must be a server of that account.") from None
        return deleted_server_payload(server) if event == "Server.Deleted" else server_payload(world, server)
    raise errors.bad_request(f"{event} needs a payload.")
