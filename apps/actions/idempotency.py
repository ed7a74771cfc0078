"""Run an upstream call at most once per idempotency key (one key per rendered form).

    from apps.actions.idempotency import once, new_key
    result = once(user, key, "server.setCpu", lambda: do_it_and_describe(), target="WA1DEMOWEB01")
    result.value     # what fn returned (JSON-able), or the stored value of the first call
    result.replayed  # True when this call only replayed the first one's outcome

The key is claimed in the database (``apps.activities.models.ActionRequest``, unique per person and
key, ``operation = "portal:<action>"``) *before* ``fn`` runs; ``fn``'s JSON-able return value is then
stored with it. A second call with the same key never runs ``fn``: it waits (up to ``wait`` seconds)
for the first call's value and returns it. The same key used for a different action or target raises
``IdempotencyConflict``.

When ``fn`` raises a refusal that proves nothing happened upstream (``BadRequest``, ``Forbidden``,
``NotFound``, ``Conflict``, ``Unauthorized``), the key is given back and the error propagates, so
the person can correct the form and submit it again with the same key. When ``fn`` raises
``UpstreamUnavailable`` (timeout, 5xx: the call may have reached the cloud) the key keeps an
"uncertain" outcome (``uncertain_value``: 503 and the message the first call answered) and is never
sent again. Any other exception gives the key back.
"""

import time
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from apps.activities.models import ActionRequest
from apps.activities.services import UNCERTAIN, uncertain_message
from apps.clc import errors as clc_errors

__all__ = ["once", "new_key", "valid_key", "Once", "IdempotencyConflict", "UNCERTAIN", "UncertainOutcome"]

PREFIX = "portal:"


class IdempotencyConflict(Exception):
    """The key was used for a different action, or its first use is still in flight."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


UNCERTAIN_VALUE = {"kind": "error", "message": UNCERTAIN, "uncertain": True, "status": 503}


def uncertain_value(exc) -> dict:
    """What the key keeps when the write's answer is uncertain: its replay answers exactly what the
    first call answered (503, the same message)."""
    return {**UNCERTAIN_VALUE, "message": uncertain_message(exc)}


class UncertainOutcome(Exception):
    """A replay of a call whose upstream answer never arrived (stored as ``UNCERTAIN_VALUE``)."""


@dataclass
class Once:
    value: object
    replayed: bool = False


def new_key() -> str:
    return str(uuid.uuid4())


def valid_key(raw) -> str | None:
    """The key from a form field, or None when it is missing or not a uuid."""
    if not isinstance(raw, str):
        return None
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


def _operation(action: str) -> str:
    return (PREFIX + action)[:64]


def _claim(user, key: str, operation: str, ids: list, wait: float):
    try:
        with transaction.atomic():
            return ActionRequest.objects.create(
                user=user, key=key, operation=operation, resource_ids=ids
            ), None
    except IntegrityError:
        pass
    deadline = time.monotonic() + wait
    while True:
        existing = ActionRequest.objects.filter(user=user, key=key).first()
        if existing is None:  # the first call gave the key back (refused): this one may try
            return _claim(user, key, operation, ids, max(0.0, deadline - time.monotonic()))
        if existing.operation != operation or list(existing.resource_ids or []) != ids:
            raise IdempotencyConflict("This form was already used for a different action.")
        if existing.results is not None:
            return existing, Once(existing.results, replayed=True)
        if time.monotonic() > deadline:
            raise IdempotencyConflict("This form was already submitted and is still being processed.")
        time.sleep(0.05)


def stored(user, key: str | None, action: str) -> Once | None:
    """The stored value of a finished call with this key for this action (a replay), else None."""
    if not key:
        return None
    existing = ActionRequest.objects.filter(user=user, key=key, operation=_operation(action)).first()
    if existing is None or existing.results is None:
        return None
    return Once(existing.results, replayed=True)


def once(user, key: str | None, action: str, fn, *, target: str = "", wait: float = 15.0) -> Once:
    """Call ``fn()`` once for this person and key; replay its stored value for later calls.

    Without a key (API scripts that send none) ``fn`` simply runs.
    """
    if not key:
        return Once(fn())
    operation = _operation(action)
    ids = [str(target).upper()] if target else []
    claim, replay = _claim(user, key, operation, ids, wait)
    if replay is not None:
        return replay
    try:
        value = fn()
    except clc_errors.UpstreamUnavailable as exc:
        ActionRequest.objects.filter(pk=claim.pk).update(results=uncertain_value(exc))
        raise
    except BaseException:
        ActionRequest.objects.filter(pk=claim.pk).delete()
        raise
    ActionRequest.objects.filter(pk=claim.pk).update(results=value if value is not None else {})
    return Once(value)
