"""Webhook delivery: every emitted event becomes one signed POST per configured target URI.

Flow
----
1. ``world.emit`` calls ``_on_event`` (a ``state.listener``, under the world lock). It finds the
   targets: the account's own configuration for that event, plus each ancestor account's whose
   configuration is ``recursive`` (the simulator has no sub-accounts, so in practice only the
   account's own). It builds the body once (the payload plus ``event``, ``eventId``,
   ``eventTime``; compact JSON, UTF-8), records one delivery per target in the world's delivery log
   and decides the faults (``webhook_store.WebhookFaults``) for it.
2. A delivery that is ready is handed to a sender thread (``Dispatcher``: ``WORKERS`` threads, each
   target always on the same one, so one target sees its deliveries in order unless a fault says
   otherwise). The thread takes the world lock only to read and update the record: the POST itself
   (``requests``, short timeouts, no redirects) runs without it.
3. A 2xx answer delivers it. Anything else (another status, a timeout, a refused connection) is
   retried after ``retry_base * 2**(attempt-1)`` seconds (1, 2, 4, 8 s by default) on the
   simulator's clock (a ``webhook.attempt`` timer, so ``POST /control/clock`` fast-forwards
   retries), at most ``max_attempts`` (5) attempts in all; then the delivery is given up
   (``failed``) and stays in the log.

Each POST carries ``Content-Type: application/json; charset=utf-8``, ``Accept: application/json``
and the ``Tier3-RsaSha1`` signature of the exact body bytes (``webhook_signing``).

Delivery statuses: ``scheduled`` (delay fault), ``held`` (reorder fault), ``queued``, ``sending``,
``retrying``, ``delivered``, ``failed`` (attempts used up), ``dropped`` (drop fault: never sent).

Faults (``POST /control/webhooks/faults``), decided per delivery when the event happens:
``drop`` (share never sent), ``duplicate`` (share POSTed twice: same bytes, same signature),
``delayMs`` (first attempt that much later, simulator clock), ``reorder`` (each delivery waits until
the next one for its target has been handed over, then follows it; alone, it goes after
``REORDER_HOLD_SECONDS``).
"""

import json
import logging
import queue
import random
import threading
import uuid
from datetime import UTC, datetime

import requests

from .state import listener, timer
from .webhook_signing import HEADER, KEYS
from .webhook_store import store_of

log = logging.getLogger("simulator.webhooks")

WORKERS = 4
TIMEOUT = (2.0, 5.0)  # connect, read (seconds)
REORDER_HOLD_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 300.0

_RNG = random.Random()  # fault draws; used under the world lock only (never the world's own rng)


def iso_ms(ts: float | None) -> str | None:
    """``2024-05-01T10:00:00.123Z`` (milliseconds, so deliveries can be ordered by change time)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- routing ---------------------------------------------------------------------------------
def _parent_alias(world, alias: str) -> str | None:
    account = world.accounts.get(alias.upper())
    parent = getattr(account, "parent_alias", None)  # no sub-accounts in the simulator (yet)
    return parent.upper() if isinstance(parent, str) and parent else None


def targets_for(world, event: str, alias: str) -> list[tuple[str, str]]:
    """``[(configuring account, target URI)]``: the account's own targets, then every ancestor's
    whose configuration for the event is recursive ("include sub-accounts")."""
    store = store_of(world)
    out: list[tuple[str, str]] = []
    own = store.config(alias, event)
    if own:
        out += [(alias.upper(), uri) for uri in own["targetUris"]]
    seen, current = {alias.upper()}, _parent_alias(world, alias)
    while current and current not in seen:
        seen.add(current)
        config = store.config(current, event)
        if config and config["recursive"]:
            out += [(current, uri) for uri in config["targetUris"]]
        current = _parent_alias(world, current)
    return out


def body_for(record: dict, event_id: str) -> str:
    payload = dict(record["payload"])
    payload.update(event=record["event"], eventId=event_id, eventTime=iso_ms(record["at"]))
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


# --- from event to ready delivery (under the world lock) ---------------------------------------
@listener
def _on_event(world, record: dict) -> None:
    targets = targets_for(world, record["event"], record["alias"])
    if not targets:
        return
    store = store_of(world)
    faults = store.faults
    event_id = uuid.uuid4().hex
    body = body_for(record, event_id)
    now = world.now()
    for account, target in targets:
        applied = [
            name
            for name, share in (("drop", faults.drop), ("duplicate", faults.duplicate))
            if share and _RNG.random() < share
        ]
        delivery = {
            "id": uuid.uuid4().hex[:16],
            "eventId": event_id,
            "event": record["event"],
            "alias": record["alias"],
            "account": account,
            "target": target,
            "body": body,
            "status": "queued",
            "attempts": 0,
            "maxAttempts": faults.max_attempts,
            "retryBaseSeconds": faults.retry_base_ms / 1000.0,
            "faults": applied,
            "duplicates": 0,
            "eventTime": record["at"],
            "createdAt": now,
            "lastAttemptAt": None,
            "nextAttemptAt": None,
            "deliveredAt": None,
            "lastStatus": None,
            "lastError": None,
            "history": [],
        }
        store.record(delivery)
        if "drop" in applied:
            delivery["status"] = "dropped"
            delivery["lastError"] = "dropped by the drop fault (never sent)"
        elif faults.delay_ms > 0:
            applied.append("delay")
            delivery["status"] = "scheduled"
            delivery["nextAttemptAt"] = now + faults.delay_ms / 1000.0
            world.schedule(delivery["nextAttemptAt"], "webhook.attempt", delivery_id=delivery["id"])
        else:
            _ready(world, delivery)


def _ready(world, delivery: dict) -> None:
    """The first attempt may go: through the reorder fault, then to a sender."""
    store = store_of(world)
    if not store.faults.reorder:
        _submit(delivery)
        return
    held = store.deliveries.get(store.held.pop(delivery["target"], ""))
    if held is None or held["status"] != "held":
        store.held[delivery["target"]] = delivery["id"]
        delivery["status"] = "held"
        delivery["faults"].append("reorder")
        world.schedule(world.now() + REORDER_HOLD_SECONDS, "webhook.release", delivery_id=delivery["id"])
        return
    world.cancel_timers("webhook.release", delivery_id=held["id"])
    _submit(delivery)  # the newer one first,
    _submit(held)  # then the one held back: same sender thread, so in this order


def _submit(delivery: dict) -> None:
    delivery["status"] = "queued"
    delivery["nextAttemptAt"] = None
    DISPATCHER.submit(delivery)


def release_held(world) -> None:
    """Send every delivery the reorder fault holds (when the fault is turned off)."""
    store = store_of(world)
    for target in list(store.held):
        held = store.deliveries.get(store.held.pop(target))
        if held is not None and held["status"] == "held":
            world.cancel_timers("webhook.release", delivery_id=held["id"])
            _submit(held)


@timer("webhook.attempt")
def _attempt_due(world, delivery_id: str) -> None:
    delivery = store_of(world).deliveries.get(delivery_id)
    if delivery is None:
        return
    if delivery["status"] == "scheduled":
        _ready(world, delivery)
    elif delivery["status"] == "retrying":
        _submit(delivery)


@timer("webhook.release")
def _release(world, delivery_id: str) -> None:
    store = store_of(world)
    delivery = store.deliveries.get(delivery_id)
    if delivery is None or store.held.get(delivery["target"]) != delivery_id:
        return
    store.held.pop(delivery["target"])
    if delivery["status"] == "held":
        _submit(delivery)


# --- the senders (no world lock while sending) ------------------------------------------------
class Dispatcher:
    def __init__(self, workers: int = WORKERS):
        self.world = None
        self._queues = [queue.SimpleQueue() for _ in range(workers)]
        self._start_lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.world is not None

    def start(self, world) -> None:
        with self._start_lock:
            if self.world is not None:
                return
            self.world = world
            for index, work in enumerate(self._queues):
                threading.Thread(
                    target=self._work, args=(work,), name=f"webhook-sender-{index}", daemon=True
                ).start()
        with world.lock:  # what a state file left on its way
            for delivery in store_of(world).deliveries.values():
                if delivery["status"] in ("queued", "sending"):
                    _submit(delivery)

    def submit(self, delivery: dict) -> None:
        if self.world is not None:
            self._queues[hash(delivery["target"]) % len(self._queues)].put(delivery["id"])

    def _work(self, work: queue.SimpleQueue) -> None:
        session = requests.Session()
        while True:
            delivery_id = work.get()
            try:
                self._attempt(session, delivery_id)
            except Exception:  # never let a sender die
                log.exception("webhook delivery %s failed unexpectedly", delivery_id)

    def _attempt(self, session, delivery_id: str) -> None:
        world = self.world
        with world.lock:
            delivery = store_of(world).deliveries.get(delivery_id)
            if delivery is None or delivery["status"] != "queued":
                return
            delivery["status"] = "sending"
            delivery["attempts"] += 1
            started = world.now()
            body = delivery["body"].encode("utf-8")
            target = delivery["target"]
            twice = "duplicate" in delivery["faults"] and not delivery["duplicates"]
        status, error = post(session, target, body)
        if error is None and twice:
            post(session, target, body)
        with world.lock:
            _finish(world, delivery, started, status, error, twice)


def post(session, target: str, body: bytes) -> tuple[int | None, str | None]:
    """One signed POST -> (HTTP status or None, error or None when 2xx)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        HEADER: KEYS.sign(body),
    }
    try:
        with session.post(
            target, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        ) as answer:
            if 200 <= answer.status_code < 300:
                return answer.status_code, None
            return answer.status_code, f"HTTP {answer.status_code}"
    except Exception as exc:  # any target, any failure: recorded, then retried
        return None, f"{type(exc).__name__}: {exc}"[:300]


def _finish(world, delivery: dict, started: float, status, error, twice: bool) -> None:
    now = world.now()
    attempt = {"at": started, "status": status, "error": error, "backoffSeconds": None}
    delivery["history"].append(attempt)
    delivery.update(lastAttemptAt=started, lastStatus=status, lastError=error)
    if error is None:
        delivery.update(status="delivered", deliveredAt=now)
        if twice:
            delivery["duplicates"] += 1
        return
    if delivery["attempts"] >= delivery["maxAttempts"]:
        delivery["status"] = "failed"
        return
    backoff = min(delivery["retryBaseSeconds"] * 2 ** (delivery["attempts"] - 1), MAX_BACKOFF_SECONDS)
    attempt["backoffSeconds"] = backoff
    delivery.update(status="retrying", nextAttemptAt=now + backoff)
    if store_of(world).deliveries.get(delivery["id"]) is delivery:  # not from before a reset
        world.schedule(now + backoff, "webhook.attempt", delivery_id=delivery["id"])


DISPATCHER = Dispatcher()


def start(world) -> None:
    """Start the sender threads (``server.serve`` does, once per process)."""
    DISPATCHER.start(world)
