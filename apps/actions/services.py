"""Running actions: once per key, what the cloud queued becomes activities, every attempt is audited.

``run(request, action, resource, form, key=...)`` is how every registered action
(``registry.Action``) is performed, from a page (``views``) or the API (``api``,
``api_operations``); ``deny()`` audits a refused attempt. ``perform()`` underneath runs one upstream
call:

* at most once per (person, idempotency key): a double click, a refresh or a retry with the same key
  replays the first outcome (``outcome.replayed``) and never reaches the cloud again. Every rendered
  action form carries one key (hidden field ``idempotency_key``: ``{% idempotency_field %}``); the API
  takes the ``Idempotency-Key`` header.
* the call may return ``None`` (done at once, no activity), a ``StatusLink`` / status dict / href (one
  queued activity), a ``QueuedResult`` or a list of them (one activity per queued item; an item refused
  with a message → a failed activity; not queued without a message → "already in that state").
* upstream errors are mapped, never raised: BadRequest → 400 + ``field_error`` (a form error);
  Forbidden → 403; NotFound → 404; Conflict / IdempotencyConflict → 409; UpstreamUnavailable → 503
  (the key keeps an "uncertain" outcome: never re-sent). ``Unauthorized`` propagates (the accounts
  middleware signs the person out).
* each performed (not replayed) action is audited (``<target>.<action>``, one entry per target, result
  success / failure / denied) and the inventory cache of what it touched is dropped.

``Outcome``: kind ("queued" | "done" | "notice" | "error"), message, status (for a page: 200, 400,
403, 404, 409, 503), activity_ids, items (one per resource the cloud answered for), replayed,
field_error, then (where a page goes next). A page tells the person with ``flash.flash(request,
outcome)``; ``start_operation`` runs a servers action outside a request (a worker, a benchmark).
"""

import logging
from dataclasses import dataclass, field

from django.http import HttpRequest

from apps.accounts.services import client_for_request
from apps.activities import services as activity_services
from apps.activities.models import Activity
from apps.audit.services import record
from apps.clc import errors as clc_errors
from apps.clc.entities import QueuedResult, StatusLink
from apps.inventory import cache

from . import idempotency, registry
from .idempotency import IdempotencyConflict
from .server_actions import Selection

log = logging.getLogger(__name__)

KEY_FIELD = "idempotency_key"
ALREADY = activity_services.ALREADY


@dataclass
class Outcome:
    kind: str  # "queued" | "done" | "notice" | "error"
    message: str = ""
    label: str = ""
    status: int = 200
    activity_ids: list = field(default_factory=list)
    replayed: bool = False
    field_error: bool = False
    counts: dict = field(default_factory=dict)  # bulk: {"queued": n, "notice": n, "error": n}
    errors: list = field(default_factory=list)  # bulk: one message per refused server
    # One entry per resource the cloud answered for: {"resource", "outcome", "message", "activity"}
    items: list = field(default_factory=list)
    then: str = ""  # where a page goes next (an action's ``then``), when it said

    @property
    def ok(self) -> bool:
        return self.kind != "error"

    def as_stored(self) -> dict:
        return {
            "kind": self.kind,
            "message": self.message,
            "status": self.status,
            "activity_ids": list(self.activity_ids),
            "counts": dict(self.counts),
            "errors": list(self.errors),
            "items": list(self.items),
        }

    @classmethod
    def from_stored(cls, value: dict, label: str) -> "Outcome":
        value = value or {}
        return cls(
            kind=value.get("kind", "error"),
            message=value.get("message", ""),
            label=label,
            status=value.get("status", 503 if value.get("uncertain") else 200),
            activity_ids=list(value.get("activity_ids") or ()),
            counts=dict(value.get("counts") or {}),
            errors=list(value.get("errors") or ()),
            items=list(value.get("items") or ()),
            replayed=True,
        )


def key_from(request) -> str | None:
    """The form's idempotency key (None when missing or malformed)."""
    return idempotency.valid_key(request.POST.get(KEY_FIELD))


# --- audit and cache --------------------------------------------------------------------------
def audit(request, action: str, target_type: str, target_id: str, result: str, detail) -> None:
    """One ``<target>.<action>`` entry (``apps.audit.services.record``, which never raises)."""
    record(
        request=request,
        action=f"{target_type}.{action}",
        target_type=target_type,
        target_id=str(target_id)[:200],
        result=result,
        detail=detail,
    )


def invalidate(user, target_type: str, target_id: str) -> None:
    try:
        if target_type == "server":
            cache.invalidate_server(user, target_id)
        elif target_type == "group":
            cache.invalidate_group(user, target_id)
        elif target_type == "datacenter":
            cache.invalidate_datacenter(user, target_id)
        else:
            cache.invalidate_account(user)
    except Exception:
        log.warning("inventory invalidation failed", exc_info=True)


def _audit_outcome(
    request, action, target_type, target_ids, outcome: Outcome, resources=None, changes=None
) -> None:
    if outcome.replayed:
        return
    result = {"error": "failure"}.get(outcome.kind, "success")
    if outcome.status == 403:
        result = "denied"
    detail = {"outcome": outcome.kind}
    if changes is not None:
        try:
            described = changes()
        except Exception:
            log.warning("describing %s.%s for the audit failed", target_type, action, exc_info=True)
            described = None
        if described:
            detail["changes"] = described
    if outcome.message:
        detail["message"] = outcome.message
    if outcome.activity_ids:
        detail["activities"] = list(outcome.activity_ids)
    if resources and [str(r).upper() for r in resources] != [str(t).upper() for t in target_ids]:
        detail["resources"] = list(resources)  # e.g. the servers a group operation acted on
    for target in target_ids or [""]:
        audit(request, action, target_type, target, result, detail)


# --- turning the cloud's answer into activities ----------------------------------------------
def _as_items(value):
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def record_answer(user, action, target_type, resource_ids, answer, label="") -> Outcome:
    """Activities for an accepted answer (see the module docstring for the shapes)."""
    items = _as_items(answer)
    if not items:
        return Outcome("done", f"{label or action}: done.", label)
    activity_ids, errors, notices, per_item = [], [], 0, []
    for item in items:
        if isinstance(item, QueuedResult):
            ids = [item.server.upper()] if item.server else list(resource_ids)
            resource = ",".join(ids)
            if item.is_queued and item.operation is not None:
                activity = activity_services.record_queued(
                    user, action, ids, item.operation, resource_type=target_type
                )
                activity_ids.append(activity.pk)
                per_item.append(
                    {"resource": resource, "outcome": "queued", "message": "", "activity": activity.pk}
                )
            elif item.error_message:
                activity = activity_services.record_failed(
                    user, action, ids, item.error_message, resource_type=target_type
                )
                activity_ids.append(activity.pk)
                prefix = f"{resource}: " if len(items) > 1 else ""
                errors.append(prefix + item.error_message)
                per_item.append(
                    {
                        "resource": resource,
                        "outcome": "error",
                        "message": item.error_message,
                        "activity": activity.pk,
                    }
                )
            else:
                notices += 1
                per_item.append(
                    {"resource": resource, "outcome": "notice", "message": ALREADY, "activity": None}
                )
        elif isinstance(item, StatusLink | dict | str):
            activity = activity_services.record_queued(
                user, action, list(resource_ids), item, resource_type=target_type
            )
            activity_ids.append(activity.pk)
            per_item.append(
                {
                    "resource": ",".join(resource_ids),
                    "outcome": "queued",
                    "message": "",
                    "activity": activity.pk,
                }
            )
        else:
            raise TypeError(f"cannot record {type(item).__name__}")
    counts = {"queued": len(activity_ids) - len(errors), "notice": notices, "error": len(errors)}
    if errors and not counts["queued"]:
        return Outcome(
            "error", "; ".join(errors), label, 400, activity_ids, counts=counts, errors=errors, items=per_item
        )
    if counts["queued"]:
        return Outcome(
            "queued",
            f"{label or action} queued",
            label,
            200,
            activity_ids,
            counts=counts,
            errors=errors,
            items=per_item,
        )
    return Outcome("notice", ALREADY, label, 200, counts=counts, items=per_item)


def _refusal(exc: Exception, label: str) -> Outcome:
    if isinstance(exc, IdempotencyConflict):
        return Outcome("error", exc.message, label, 409)
    if isinstance(exc, clc_errors.BadRequest):
        return Outcome(
            "error", exc.message or "The cloud refused this request.", label, 400, field_error=True
        )
    if isinstance(exc, clc_errors.Forbidden):
        return Outcome("error", "Your role may not do this (the cloud answered 403 Forbidden).", label, 403)
    if isinstance(exc, clc_errors.NotFound):
        return Outcome("error", "The cloud does not know this resource (404): it may be gone.", label, 404)
    if isinstance(exc, clc_errors.UpstreamUnavailable):
        return Outcome("error", activity_services.uncertain_message(exc), label, 503)
    if isinstance(exc, clc_errors.ClcError):
        return Outcome("error", exc.message or "The cloud refused this request.", label, exc.status or 409)
    raise exc


def perform(
    request,
    action: str,
    target_type: str,
    target_id: str,
    fn,
    *,
    key: str | None,
    label: str = "",
    resource_ids=None,
    invalidate_ids=None,
    audit_targets=None,
    changes=None,
) -> Outcome:
    """Run ``fn`` once under ``key``, record activities, audit, invalidate; never raises ClcError
    (except ``Unauthorized``). ``changes()`` (optional) says what the action changed, for the
    audit entry (called after ``fn``)."""
    user = request.user
    audit_targets = list(audit_targets or [target_id])
    ids = list(resource_ids) if resource_ids is not None else [str(target_id).upper()]
    label = label or registry.label(action)

    def run():
        answer = fn()
        return record_answer(user, action, target_type, ids, answer, label).as_stored()

    try:
        result = idempotency.once(user, key, f"{target_type}.{action}", run, target=str(target_id))
    except clc_errors.Unauthorized:
        raise
    except (clc_errors.ClcError, IdempotencyConflict) as exc:
        outcome = _refusal(exc, label)
        if isinstance(exc, clc_errors.UpstreamUnavailable):
            for rid in invalidate_ids or audit_targets:
                invalidate(user, target_type, rid)
        _audit_outcome(request, action, target_type, audit_targets, outcome, ids, changes)
        return outcome
    outcome = Outcome.from_stored(result.value, label)
    outcome.replayed = result.replayed
    if result.value and result.value.get("uncertain"):
        outcome.status = 503
    if not outcome.replayed:
        for rid in invalidate_ids or audit_targets:
            invalidate(user, target_type, rid)
    _audit_outcome(request, action, target_type, audit_targets, outcome, ids, changes)
    return outcome


def run(request, action, resource, form=None, *, key: str | None) -> Outcome:
    """Run a registered ``action`` (``registry.Action``) on a loaded ``resource`` with a valid
    ``form`` (or None): once per ``key``, activities for what the cloud queued, an audit entry per
    target, the cache dropped. The caller has checked ``action.allowed()``."""
    kind = registry.target(action.target)
    data = form.payload() if form is not None else {}
    call = registry.Run(client_for_request(request), resource, data, request.user, form)
    ident = kind.ident(resource)
    targets = list(resource.ids) if kind.many else [ident]
    outcome = perform(
        request,
        action.name,
        kind.audit_name,
        ident,
        lambda: action.call(call),
        key=key,
        label=action.label,
        resource_ids=action.resource_ids(call) if action.resource_ids else targets,
        audit_targets=targets,
        changes=(lambda: action.audit(call)) if action.audit is not None else None,
    )
    if action.done and outcome.kind == "done" and not outcome.replayed:
        outcome.message = action.done
    outcome.then = (
        action.then(call) if action.then is not None and outcome.ok and not outcome.replayed else ""
    )
    return outcome


def replay(request, action, key: str | None) -> Outcome | None:
    """The first outcome of a form (or API call) already performed with ``key``: a double submit
    is answered with it whatever the resource's state is now, and nothing is sent again."""
    kind = registry.target(action.target)
    found = idempotency.stored(request.user, key, f"{kind.audit_name}.{action.name}")
    if found is None:
        return None
    outcome = Outcome.from_stored(found.value, action.label)
    if found.value and found.value.get("uncertain"):
        outcome.status = 503
    return outcome


def deny(request, action, resource, reason: str) -> None:
    """Audit a refused attempt (a POST the person's role or the resource's state does not allow)."""
    kind = registry.target(action.target)
    targets = list(resource.ids) if kind.many else [kind.ident(resource)]
    for target in targets:
        audit(request, action.name, kind.audit_name, target, "denied", {"message": reason})


@dataclass
class OperationResult:
    """One server's result of ``start_operation``."""

    resource_id: str
    outcome: str  # "queued" | "notice" | "error"
    message: str = ""
    activity: Activity | None = None
    replayed: bool = False


def start_operation(user, operation: str, server_ids, *, key: str | None = None) -> list[OperationResult]:
    """The ``servers`` action ``operation`` on behalf of ``user`` outside a page or an API call (a
    worker, a benchmark): one upstream call, activities, audit, replay by ``key`` — as ``run``.
    Raises ``ValueError`` for an unknown operation, no ids, or a person whose role can't."""
    action = registry.get("servers", operation)
    if action is None:
        raise ValueError(f"Unknown operation {operation!r}.")
    ids = [str(s).strip().upper() for s in server_ids if str(s).strip()]
    if not ids:
        raise ValueError("Give at least one server id.")
    verdict = action.allowed(user, None)
    if not verdict:
        raise ValueError(verdict.reason)
    request = HttpRequest()
    request.method = "POST"
    request.user = user
    outcome = run(request, action, Selection(tuple(dict.fromkeys(ids))), None, key=key)
    if outcome.kind == "error" and not outcome.items:
        raise _ERRORS.get(outcome.status, clc_errors.ClcError)(outcome.message)
    activities = Activity.objects.select_related("user").in_bulk(
        [i["activity"] for i in outcome.items if i["activity"]]
    )
    return [
        OperationResult(
            i["resource"], i["outcome"], i["message"], activities.get(i["activity"]), outcome.replayed
        )
        for i in outcome.items
    ]


_ERRORS = {
    400: clc_errors.BadRequest,
    403: clc_errors.Forbidden,
    404: clc_errors.NotFound,
    409: IdempotencyConflict,
    503: clc_errors.UpstreamUnavailable,
}
