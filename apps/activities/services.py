"""Starting operations and recording what the cloud queued (the interface pages and the API use).

    from apps.activities.services import start_server_operation, record_queued
    results = start_server_operation(user, "powerOff", ["WA1DEMOWEB01"], idempotency_key=key)
    for r in results: r.outcome in ("queued", "notice", "error"); r.activity; r.message
    activity = record_queued(user, "createServer", ["WA1DEMONEW01"], status_link)

One upstream POST per call (all ids at once). An accepted item becomes an ``Activity`` (queued,
polled by the dispatcher); an item refused with an errorMessage becomes a *failed* activity with
that message (outcome "error"); "already in that state" (isQueued false, no message) is a notice
and no activity. With an idempotency key, a second call with the same key (same person) replays
the first call's results and never reaches the cloud again.
"""

import hashlib
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.clc import errors as clc_errors
from apps.clc import operations as clc_operations
from apps.clc.entities import StatusLink

from . import tracking
from .models import TERMINAL, ActionRequest, Activity, Status

ALREADY = "Nothing to do: the server is already in that state."
NO_ANSWER = "The cloud did not answer for this server."
UNCERTAIN = (
    "The cloud did not answer in time: the operation may or may not have been queued. "
    "Check the servers before trying again."
)
POWER_ROLES = frozenset({"ServerOperator", "ServerAdmin", "AccountAdmin"})
OPERATION_ROLES = {name: POWER_ROLES for name in clc_operations.POWER_OPERATIONS}


class IdempotencyConflict(Exception):
    """The key was used for a different request, or the first request is still in flight."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class OperationResult:
    resource_id: str
    outcome: str  # "queued" | "notice" | "error"
    message: str = ""
    activity: Activity | None = None
    replayed: bool = False

    def as_stored(self) -> dict:
        return {
            "resource_id": self.resource_id,
            "outcome": self.outcome,
            "message": self.message,
            "activity_id": self.activity.pk if self.activity else None,
        }


def allowed(user, operation: str) -> bool:
    """The local role check (the cloud checks again and may answer 403 anyway)."""
    needed = OPERATION_ROLES.get(operation, POWER_ROLES)
    return bool(set(getattr(user, "roles", None) or ()) & needed)


def _activity_key(user, key: str | None, resource: str) -> str | None:
    if not key:
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{user.pk}:{digest}:{resource.lower()}"[:300]


def _normalise_ids(ids) -> list[str]:
    out, seen = [], set()
    for raw in ids or ():
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("Every server id must be a non-empty string.")
        value = raw.strip().upper()
        if value not in seen:
            seen.add(value)
            out.append(value)
    if not out:
        raise ValueError("Give at least one server id.")
    return out


def _replay(request: ActionRequest) -> list[OperationResult]:
    ids = [r.get("activity_id") for r in request.results or () if r.get("activity_id")]
    activities = Activity.objects.select_related("user").in_bulk(ids)
    return [
        OperationResult(
            resource_id=r.get("resource_id", ""),
            outcome=r.get("outcome", "error"),
            message=r.get("message", ""),
            activity=activities.get(r.get("activity_id")),
            replayed=True,
        )
        for r in request.results or ()
    ]


def _claim_key(user, key: str, operation: str, ids: list[str], wait: float = 10.0):
    """(request, None) when this call owns the key; (request, replayed results) when it was used."""
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
        if existing is None:  # the first call failed before reaching the cloud and gave the key back
            return _claim_key(user, key, operation, ids, wait=max(0.0, deadline - time.monotonic()))
        if existing.operation != operation or sorted(existing.resource_ids) != sorted(ids):
            raise IdempotencyConflict("This Idempotency-Key was already used for a different request.")
        if existing.results is not None:
            return existing, _replay(existing)
        if time.monotonic() > deadline:
            raise IdempotencyConflict("A request with this Idempotency-Key is still in progress.")
        time.sleep(0.05)


def _new_activity(
    user, operation, resource_ids, *, resource_type="server", link=None, key=None, request=None, error=None
) -> Activity:
    now = timezone.now()
    activity = Activity.objects.create(
        user=user,
        account_alias=(user.account_alias or "").upper(),
        operation=operation,
        resource_type=resource_type,
        resource_ids=list(resource_ids),
        status_href=link.href if link else "",
        status_id=link.id if link else "",
        status=Status.FAILED if error else Status.QUEUED,
        error_message=error or "",
        next_poll_at=None if error else now,
        finished_at=now if error else None,
        idempotency_key=key,
        request=request,
    )
    tracking.announce_created(activity)
    return activity


def start_server_operation(user, operation: str, server_ids, idempotency_key: str | None = None):
    """Queue ``operation`` on the servers with one upstream call; one ``OperationResult`` per server.

    Raises ``ValueError`` (unknown operation, bad ids), ``IdempotencyConflict``, and the client's
    errors for the call as a whole (``BadRequest``, ``Forbidden``, ``Unauthorized`` /
    ``CloudSessionExpired``, ``UpstreamUnavailable``).
    """
    from apps.accounts.services import cloud_client_for

    if operation not in clc_operations.POWER_OPERATIONS:
        raise ValueError(f"Unknown operation {operation!r}.")
    ids = _normalise_ids(server_ids)
    key = (idempotency_key or "").strip()[:200] or None
    request = None
    if key:
        request, replayed = _claim_key(user, key, operation, ids)
        if replayed is not None:
            return replayed
    try:
        client = cloud_client_for(user)
        answers = clc_operations.server_operation(client, operation, ids)
    except clc_errors.UpstreamUnavailable:
        if request is not None:  # the POST may have reached the cloud: never send it again
            results = [OperationResult(i, "error", UNCERTAIN) for i in ids]
            ActionRequest.objects.filter(pk=request.pk).update(results=[r.as_stored() for r in results])
        raise
    except Exception:
        if request is not None:  # refused as a whole (400/401/403): nothing was queued
            ActionRequest.objects.filter(pk=request.pk).delete()
        raise
    by_server = {a.server.upper(): a for a in answers if a.server}
    results = []
    with transaction.atomic():
        for server_id in ids:
            answer = by_server.get(server_id)
            akey = _activity_key(user, key, server_id)
            if answer is None:
                results.append(OperationResult(server_id, "error", NO_ANSWER))
            elif answer.is_queued and answer.operation is not None:
                activity = _new_activity(
                    user, operation, [server_id], link=answer.operation, key=akey, request=request
                )
                results.append(OperationResult(server_id, "queued", "", activity))
            elif answer.error_message:
                activity = _new_activity(
                    user, operation, [server_id], key=akey, request=request, error=answer.error_message
                )
                results.append(OperationResult(server_id, "error", answer.error_message, activity))
            else:
                results.append(OperationResult(server_id, "notice", ALREADY))
        if request is not None:
            ActionRequest.objects.filter(pk=request.pk).update(results=[r.as_stored() for r in results])
    tracking_invalidate(user, ids)
    return results


def tracking_invalidate(user, server_ids) -> None:
    """An accepted action changes what the server pages show (e.g. its links): refetch them."""
    probe = Activity(
        account_alias=(user.account_alias or "").upper(),
        resource_type="server",
        resource_ids=list(server_ids),
    )
    tracking.invalidate_inventory(probe)


def _as_link(status_link) -> StatusLink:
    if isinstance(status_link, StatusLink):
        return status_link
    if isinstance(status_link, dict):
        href = str(status_link.get("href") or "")
        op_id = str(status_link.get("id") or href.rstrip("/").rsplit("/", 1)[-1])
        return StatusLink(id=op_id, href=href)
    if isinstance(status_link, str) and status_link.strip():
        href = status_link.strip()
        return StatusLink(id=href.rstrip("/").rsplit("/", 1)[-1], href=href)
    raise ValueError("A status link (StatusLink, {'id', 'href'} or an href) is required.")


def record_queued(
    user,
    operation: str,
    resource_ids,
    status_link,
    *,
    resource_type: str = "server",
    idempotency_key: str | None = None,
) -> Activity:
    """Track an operation another call queued (create server, PATCH cpu, delete group, ...).

    With an ``idempotency_key`` already recorded for this person, the existing activity is returned.
    """
    link = _as_link(status_link)
    key = None
    if idempotency_key:
        key = _activity_key(user, idempotency_key, f"{operation}:{link.id}")
        existing = Activity.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    ids = [str(r) for r in (resource_ids if isinstance(resource_ids, (list, tuple)) else [resource_ids])]
    try:
        with transaction.atomic():
            return _new_activity(user, operation, ids, resource_type=resource_type, link=link, key=key)
    except IntegrityError:
        return Activity.objects.get(idempotency_key=key)


def record_failed(
    user, operation: str, resource_ids, message: str, *, resource_type: str = "server"
) -> Activity:
    """An operation the cloud refused with a message: a failed activity (its history shows why)."""
    ids = [str(r) for r in (resource_ids if isinstance(resource_ids, (list, tuple)) else [resource_ids])]
    with transaction.atomic():
        return _new_activity(user, operation, ids, resource_type=resource_type, error=message)


def visible_activities(user):
    """The activities a person may see: every activity of their account (the team's)."""
    return Activity.objects.filter(account_alias=(user.account_alias or "").upper()).select_related("user")


def is_terminal(status: str) -> bool:
    return status in TERMINAL
