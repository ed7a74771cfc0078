"""The action core: run an action once per form, record what it queued, say what happened.

Shared by the server actions (``views_server``), group actions and the create-server wizard.

Mechanism (use it for every action that calls the cloud)
--------------------------------------------------------
1. Every rendered action form carries ONE idempotency key: a hidden field ``idempotency_key``
   (uuid4) generated when the form renders — ``{% load actions %}{% idempotency_field %}`` in a
   template, or ``idempotency.new_key()`` in Python. Read it back with ``key_from(request)``.
2. In the view (POST only, after validating the form)::

       from apps.actions.services import perform, perform_power, flash
       outcome = perform(request, "setCpuMemory", "server", server_id,
                         lambda: clc_servers.update_server(client, server_id, ops),
                         key=key_from(request), label="Change CPU and memory")
       if outcome.field_error:           # the cloud said 400: re-render the form, status 400
           form.add_error(None, outcome.message)
       else:
           flash(request, outcome)       # success / notice / error message with an Activities link
           return redirect(...)          # PRG

   ``fn`` runs at most once per (person, key): a double click, a refresh or a retry with the same
   key replays the first outcome (``outcome.replayed``) and never reaches the cloud again.
   ``fn`` may return: ``None`` (immediate 204: done, no activity), a ``StatusLink`` / bare status
   dict / href (one queued activity), a ``QueuedResult`` or a list of them (one activity per queued
   item; a refused item → a failed activity; not queued without message → "already in that state"
   notice). ``resource_ids`` (default ``[target_id]``) are the activity's resources;
   ``invalidate`` (default: by ``target_type``) drops the inventory cache.
3. Power operations (powerOn … archive) use ``perform_power(request, operation, ids, key=...)``:
   one upstream call for all ids (``apps.activities.services.start_server_operation``, which has
   its own replay on the same ``ActionRequest`` table).

``perform`` / ``perform_power`` return an ``Outcome``:
    kind      "queued" | "done" | "notice" | "error"
    message   text for the person (the cloud's own message for a 400)
    status    the HTTP status a re-rendered page should use: 200, 400, 403, 404, 409, 503
    activity_ids, replayed, field_error (True only for a 400 from the cloud: a form error)
Upstream errors are mapped, never raised: BadRequest → 400 + ``field_error``; Forbidden → 403;
NotFound → 404; Conflict / IdempotencyConflict → 409; UpstreamUnavailable → 503 (the key keeps an
"uncertain" outcome: never re-sent). ``Unauthorized`` propagates (the accounts middleware signs
the person out). Each performed (not replayed) action is audited through
``apps.audit.services.record(request=, action="<target_type>.<action>", target_type=, target_id=,
result="success"|"failure"|"denied", detail={...})``, and the inventory cache is invalidated.
"""

import logging
from dataclasses import dataclass, field

from django.contrib import messages
from django.utils.html import format_html

from apps.activities import services as activity_services
from apps.activities.models import Activity
from apps.clc import errors as clc_errors
from apps.clc.entities import QueuedResult, StatusLink

from . import idempotency
from .idempotency import IdempotencyConflict

log = logging.getLogger(__name__)

KEY_FIELD = "idempotency_key"
ALREADY = activity_services.ALREADY

LABELS = {
    "powerOn": "Power on",
    "powerOff": "Power off",
    "shutDown": "Shut down",
    "reboot": "Reboot",
    "reset": "Reset",
    "pause": "Pause",
    "startMaintenance": "Start maintenance",
    "stopMaintenance": "End maintenance",
    "archive": "Archive",
}


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
            replayed=True,
        )


def key_from(request) -> str | None:
    """The form's idempotency key (None when missing or malformed)."""
    return idempotency.valid_key(request.POST.get(KEY_FIELD))


# --- audit and cache --------------------------------------------------------------------------
def audit(request, action: str, target_type: str, target_id: str, result: str, detail) -> None:
    """``apps.audit.services.record`` when the audit app is there; never breaks the action."""
    try:
        from apps.audit.services import record
    except Exception:  # pragma: no cover - the audit app is optional
        return
    try:
        record(
            request=request,
            action=f"{target_type}.{action}",
            target_type=target_type,
            target_id=str(target_id)[:200],
            result=result,
            detail=detail,
        )
    except Exception:
        log.warning("audit record failed for %s.%s", target_type, action, exc_info=True)


def invalidate(user, target_type: str, target_id: str) -> None:
    try:
        from apps.inventory import cache
    except Exception:  # pragma: no cover
        return
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


def _audit_outcome(request, action, target_type, target_ids, outcome: Outcome) -> None:
    if outcome.replayed:
        return
    result = {"error": "failure"}.get(outcome.kind, "success")
    if outcome.status == 403:
        result = "denied"
    detail = {"outcome": outcome.kind}
    if outcome.message:
        detail["message"] = outcome.message
    if outcome.activity_ids:
        detail["activities"] = list(outcome.activity_ids)
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
    activity_ids, errors, notices = [], [], 0
    for item in items:
        if isinstance(item, QueuedResult):
            ids = [item.server.upper()] if item.server else list(resource_ids)
            if item.is_queued and item.operation is not None:
                activity = activity_services.record_queued(
                    user, action, ids, item.operation, resource_type=target_type
                )
                activity_ids.append(activity.pk)
            elif item.error_message:
                activity = activity_services.record_failed(
                    user, action, ids, item.error_message, resource_type=target_type
                )
                activity_ids.append(activity.pk)
                errors.append(item.error_message)
            else:
                notices += 1
        elif isinstance(item, StatusLink | dict | str):
            activity = activity_services.record_queued(
                user, action, list(resource_ids), item, resource_type=target_type
            )
            activity_ids.append(activity.pk)
        else:
            raise TypeError(f"cannot record {type(item).__name__}")
    counts = {"queued": len(activity_ids) - len(errors), "notice": notices, "error": len(errors)}
    if errors and not counts["queued"]:
        return Outcome("error", errors[0], label, 400, activity_ids, counts=counts)
    if counts["queued"]:
        return Outcome("queued", f"{label or action} queued", label, 200, activity_ids, counts=counts)
    return Outcome("notice", ALREADY, label, 200, counts=counts)


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
        return Outcome("error", activity_services.UNCERTAIN, label, 503)
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
) -> Outcome:
    """Run ``fn`` once under ``key``, record activities, audit, invalidate; never raises ClcError
    (except ``Unauthorized``)."""
    user = request.user
    label = label or LABELS.get(action, action)
    ids = list(resource_ids) if resource_ids is not None else [str(target_id).upper()]

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
            invalidate(user, target_type, target_id)
        _audit_outcome(request, action, target_type, [target_id], outcome)
        return outcome
    outcome = Outcome.from_stored(result.value, label)
    outcome.replayed = result.replayed
    if result.value and result.value.get("uncertain"):
        outcome.status = 503
    if not outcome.replayed:
        for rid in invalidate_ids or [target_id]:
            invalidate(user, target_type, rid)
    _audit_outcome(request, action, target_type, [target_id], outcome)
    return outcome


def perform_power(request, operation: str, server_ids, *, key: str | None) -> Outcome:
    """One upstream call for all servers (``start_server_operation``); one summary ``Outcome``."""
    label = LABELS.get(operation, operation)
    ids = [str(s).upper() for s in server_ids]
    try:
        results = activity_services.start_server_operation(request.user, operation, ids, idempotency_key=key)
    except clc_errors.Unauthorized:
        raise
    except ValueError as exc:
        return Outcome("error", str(exc), label, 400, field_error=True)
    except (clc_errors.ClcError, IdempotencyConflict) as exc:
        outcome = _refusal(exc, label)
        _audit_outcome(request, operation, "server", ids, outcome)
        return outcome
    counts = {"queued": 0, "notice": 0, "error": 0}
    activity_ids, errors = [], []
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
        if r.outcome == "queued" and r.activity is not None:
            activity_ids.append(r.activity.pk)
        if r.outcome == "error":
            errors.append(f"{r.resource_id}: {r.message}" if len(results) > 1 else r.message)
    replayed = bool(results) and all(r.replayed for r in results)
    if counts["queued"]:
        kind, message, status = "queued", f"{label} queued", 200
    elif counts["error"]:
        kind, message, status = "error", "; ".join(errors), 400
    else:
        kind, message, status = "notice", ALREADY, 200
    outcome = Outcome(
        kind, message, label, status, activity_ids, replayed=replayed, counts=counts, errors=errors
    )
    if not replayed:
        for r in results:
            result = {"queued": "success", "notice": "success"}.get(r.outcome, "failure")
            detail = {"outcome": r.outcome}
            if r.message:
                detail["message"] = r.message
            if r.activity is not None:
                detail["activity"] = r.activity.pk
            audit(request, operation, "server", r.resource_id, result, detail)
    return outcome


# --- telling the person ---------------------------------------------------------------------------
def flash(request, outcome: Outcome, *, subject: str = "") -> None:
    """A Django message for the outcome: queued → link(s) to Activities; notice; error."""
    label = outcome.label or "Action"
    counts = outcome.counts or {}
    bulk = sum(counts.values()) > 1
    if outcome.kind == "queued":
        queued = counts.get("queued", len(outcome.activity_ids))
        if len(outcome.activity_ids) == 1 and not bulk:
            text = format_html(
                '{} queued — <a href="/activities/{}/">follow it on Activities</a>',
                label,
                outcome.activity_ids[0],
            )
        else:
            text = format_html(
                '{} queued for {} server{} — <a href="/activities/">follow them on Activities</a>',
                label,
                queued,
                "" if queued == 1 else "s",
            )
        messages.success(request, text)
        if counts.get("notice"):
            messages.info(request, f"{counts['notice']} already in that state (nothing to do).")
        for error in outcome.errors:
            messages.error(request, error)
    elif outcome.kind == "done":
        messages.success(request, outcome.message or f"{label}: done.")
    elif outcome.kind == "notice":
        messages.info(request, outcome.message or ALREADY)
    else:
        messages.error(
            request, f"{label} failed: {outcome.message}" if outcome.message else f"{label} failed."
        )


def activities_of(outcome: Outcome):
    return list(Activity.objects.filter(pk__in=outcome.activity_ids))
