"""The simulator's world: every entity, the fault settings, the queue, the clock, and one lock.

Every request runs ``settle()`` first, which applies, in time order, the effect of each queued
operation whose time has come (power state, new server, deletion...) and runs each *timer* that is
due (what the cloud does by itself: schedules, autoscale, alerts, ttl expiry). So an operation's
status is derived from its start time and duration when it is read; a small ticker thread
(``server.py``) also settles every half second so that effects and their events happen on time
even when nobody asks.

The clock
---------
``world.now()`` is the simulator's clock: real time plus ``clock_offset``. A control call
(``POST /control/clock {"advance": seconds}``) moves it forward, and ``settle()`` then replays
everything that fell due in between *at its own time*: while an effect or a timer runs,
``now()`` answers that moment, so an operation a timer queues at 20:00 starts at 20:00 and has
finished by 07:00 the next morning. Nothing may read ``time.time()`` directly.

Timers
------
``@timer("name") def handler(world, **args)`` registers what a timer does;
``world.schedule(due, "name", **args)`` arms one (args must be picklable: plain data, ids). A
recurring job re-arms itself from its handler. ``world.cancel_timers(name, **match)`` disarms.

Events
------
``world.emit(event, alias, payload)`` announces a change of the account's resources (the webhook
events of ``Webhooks/``: ``Server.Created``, ``Server.Updated``, ``Alert.Notification``...).
Listeners registered with ``@listener`` receive ``(world, event)``; the last events are kept in
``world.events`` (``GET /control/events``) for tests.
"""

import base64
import functools
import heapq
import json
import random
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import errors
from .ledger import UsageLedger
from .models import Account, ChangeInfo, DataCenter, Group, Operation, Server, Token, User
from .monitoring.model import Monitoring
from .webhook_store import WebhookStore

TOKEN_LIFETIME_SECONDS = 14 * 24 * 3600
EVENT_LOG_SIZE = 2000  # events kept for GET /control/events

# Base durations in seconds at --speed 1 (scaled by 1/speed), with +/-20% jitter.
BASE_DURATIONS = {
    "powerOn": 12,
    "powerOff": 8,
    "shutDown": 15,
    "reboot": 20,
    "reset": 10,
    "pause": 8,
    "startMaintenance": 5,
    "stopMaintenance": 5,
    "setMaintenance": 5,
    "archive": 45,
    "createSnapshot": 25,
    "deleteSnapshot": 10,
    "restoreSnapshot": 40,
    "createServer": 120,
    "deleteServer": 30,
    "updateServer": 30,
    "restoreServer": 45,
    "deleteGroup": 30,
    "archiveGroup": 45,
    "restoreGroup": 45,
    "addPublicIp": 15,
    "updatePublicIp": 10,
    "removePublicIp": 10,
}


@dataclass
class Faults:
    latency_ms: float = 0.0
    error_rate: float = 0.0  # share of /v2/ requests answered with 500
    failure_rate: float = 0.0  # share of queued operations that fail
    fail_next: int = 0  # the next N queued operations fail
    duration_override: float | None = None  # seconds, before speed scaling; None = defaults
    duration_range: tuple[float, float] | None = None  # uniform draw per operation (before speed)
    # Queue faults for the next operations (``POST /control/interrupt-next``), first one first:
    # {"status": "resumed", "pauseSeconds": s} or {"status": "unknown"}.
    interrupt_next: list = field(default_factory=list)
    # An upstream that ignores ``?serverDetail=detailed`` (group answers carry server links only).
    ignore_server_detail: bool = False


@functools.lru_cache(maxsize=1 << 16)  # a big tree formats the same few thousand dates on every GET
def iso(ts: float) -> str:
    """``2015-06-18T09:19:36Z``: the API's date format, no fractions."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class World:
    speed: float = 1.0
    seed_name: str = "demo"
    faults: Faults = field(default_factory=Faults)
    accounts: dict[str, Account] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # key: username lowercased
    tokens: dict[str, Token] = field(default_factory=dict)
    datacenters: dict[str, DataCenter] = field(default_factory=dict)  # key: id lowercased
    # Which data centers each account uses, and its root hardware group there.
    account_datacenters: dict[str, dict[str, str]] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)  # key: id lowercased
    servers: dict[str, Server] = field(default_factory=dict)  # key: id lowercased
    operations: dict[str, Operation] = field(default_factory=dict)  # key: id lowercased
    # Networks and firewall (routes/networks.py, routes/firewall_*.py; addressing.py allocates):
    # id lowercased -> models.Network / FirewallPolicy / CrossDcFirewallPolicy.
    networks: dict = field(default_factory=dict)
    firewall_policies: dict = field(default_factory=dict)
    cross_dc_policies: dict = field(default_factory=dict)
    log_forwarding: dict = field(default_factory=dict)  # "ALIAS:DC" -> {remoteAddress, protocol}
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    lock: threading.RLock = field(default_factory=threading.RLock)
    _pending: list = field(default_factory=list)  # heap of (ends_at, seq, op id)
    _seq: int = 0
    _op_counter: int = 100000
    clock_offset: float = 0.0  # seconds the clock was moved forward (control endpoint)
    _frozen_now: float | None = None  # the moment being replayed inside settle()
    _timers: list = field(default_factory=list)  # heap of (due, seq, name, args)
    events: deque = field(default_factory=lambda: deque(maxlen=EVENT_LOG_SIZE))
    _event_counter: int = 0
    webhooks: WebhookStore = field(default_factory=WebhookStore)  # configs, faults, deliveries
    load_balancers: dict = field(default_factory=dict)  # key: id -> balancers.LoadBalancer
    usage: UsageLedger = field(default_factory=UsageLedger)  # billing history (ledger.py)
    monitoring: Monitoring = field(default_factory=Monitoring)  # policies, schedules, alerts

    # --- clock ------------------------------------------------------------------------------
    def now(self) -> float:
        if self._frozen_now is not None:
            return self._frozen_now
        return time.time() + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the clock forward and replay what fell due meanwhile (caller holds the lock)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.clock_offset += seconds
        self.settle()

    # --- timers -----------------------------------------------------------------------------
    def schedule(self, due: float, name: str, **args) -> None:
        if name not in TIMERS:
            raise KeyError(f"no timer handler {name!r}")
        self._seq += 1
        heapq.heappush(self._timers, (due, self._seq, name, args))

    def cancel_timers(self, name: str, **match) -> int:
        """Disarm every timer ``name`` whose args contain ``match``; returns how many."""
        before = len(self._timers)
        self._timers = [
            t for t in self._timers if not (t[2] == name and all(t[3].get(k) == v for k, v in match.items()))
        ]
        heapq.heapify(self._timers)
        return before - len(self._timers)

    def timers(self, name: str | None = None) -> list[tuple[float, str, dict]]:
        """Armed timers (due, name, args), soonest first."""
        return [(t[0], t[2], dict(t[3])) for t in sorted(self._timers) if name is None or t[2] == name]

    # --- events -----------------------------------------------------------------------------
    def emit(self, event: str, alias: str, payload: dict) -> dict:
        """Announce a change (see the module docstring); returns the event as listeners saw it."""
        self._event_counter += 1
        record = {
            "seq": self._event_counter,
            "event": event,
            "alias": alias.upper(),
            "at": self.now(),
            "payload": payload,
        }
        self.events.append(record)
        for fn in LISTENERS:
            fn(self, record)
        return record

    # --- ids --------------------------------------------------------------------------------
    def new_group_id(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128)).hex

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # --- authentication ---------------------------------------------------------------------
    def issue_token(self, user: User) -> Token:
        header = _b64({"alg": "HS256", "typ": "JWT"})
        payload = _b64({"sub": user.username, "alias": user.alias, "jti": secrets.token_hex(8)})
        value = f"{header}.{payload}.{secrets.token_urlsafe(32)}"
        token = Token(value, user.username, user.alias, self.now() + TOKEN_LIFETIME_SECONDS)
        self.tokens[value] = token
        return token

    def user_for_token(self, value: str | None) -> User:
        token = self.tokens.get(value or "")
        if token is None or token.expires_at <= self.now():
            raise errors.unauthorized()
        user = self.users.get(token.username.lower())
        if user is None:
            raise errors.unauthorized()
        return user

    def expire_all_tokens(self) -> int:
        count = len(self.tokens)
        self.tokens.clear()
        return count

    # --- lookups with account isolation -----------------------------------------------------
    def account(self, alias: str) -> Account:
        account = self.accounts.get(alias.upper())
        if account is None:
            raise errors.not_found()
        return account

    def group(self, alias: str, group_id: str) -> Group:
        group = self.groups.get(group_id.lower())
        if group is None or group.alias.upper() != alias.upper():
            raise errors.not_found()
        return group

    def server(self, alias: str, server_id: str) -> Server:
        server = self.servers.get(server_id.lower())
        if server is None or server.alias.upper() != alias.upper():
            raise errors.not_found()
        return server

    def datacenter(self, alias: str, dc_id: str) -> DataCenter:
        dc = self.datacenters.get(dc_id.lower())
        if dc is None or dc.id.lower() not in self.account_datacenters.get(alias.upper(), {}):
            raise errors.not_found()
        return dc

    def root_group(self, alias: str, dc_id: str) -> Group:
        root_id = self.account_datacenters.get(alias.upper(), {}).get(dc_id.lower())
        if root_id is None:
            raise errors.not_found()
        return self.groups[root_id]

    def subtree_groups(self, group: Group) -> list[Group]:
        out, stack = [], [group]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(self.groups[c] for c in reversed(current.children) if c in self.groups)
        return out

    def servers_count(self, group: Group) -> int:
        return sum(len(g.servers) for g in self.subtree_groups(group))

    def members(self, group: Group) -> list[Server]:
        """The servers directly in ``group`` (not its sub-groups) that still exist."""
        return [self.servers[key] for key in group.servers if key in self.servers]

    def subtree_servers(self, group: Group) -> list[Server]:
        """The servers of ``group`` and of its sub-groups that still exist."""
        return [server for member in self.subtree_groups(group) for server in self.members(member)]

    def op_server(self, op: Operation) -> Server | None:
        """The server an operation was queued on (its first resource), if it still exists."""
        return self.servers.get(op.resource_ids[0].lower()) if op.resource_ids else None

    def archive_group(self, alias: str, location: str) -> Group | None:
        """The ``Archive`` group of an account's data center (a child of its root group), or None."""
        root_id = self.account_datacenters.get(alias.upper(), {}).get(location.lower())
        root = self.groups.get(root_id) if root_id else None
        for child_id in root.children if root is not None else ():
            child = self.groups.get(child_id)
            if child is not None and child.type == "archive":
                return child
        return None

    def change(self, username: str) -> ChangeInfo:
        now = self.now()
        return ChangeInfo(username, now, username, now)

    # --- the queue --------------------------------------------------------------------------
    def queue(
        self,
        alias: str,
        location: str,
        kind: str,
        resource_ids: list[str],
        params: dict | None = None,
    ) -> Operation:
        """Queue an operation; its effect (``EFFECTS[kind]``) is applied when it completes."""
        self._op_counter += 1
        op_id = f"{location.lower()}-{self._op_counter}"
        base = self.faults.duration_override
        if base is None and self.faults.duration_range is not None:
            base = self.rng.uniform(*self.faults.duration_range)
        if base is None:
            base = BASE_DURATIONS.get(kind, 10) * self.rng.uniform(0.8, 1.2)
        duration = max(base / max(self.speed, 1e-6), 0.05)
        interruption = None
        if self.faults.interrupt_next:
            wanted = self.faults.interrupt_next.pop(0)
            interruption = {"status": wanted["status"], "at": self.now() + duration / 2}
            if wanted["status"] == "resumed":
                interruption["resumeAt"] = interruption["at"] + wanted.get("pauseSeconds", 0.0)
                duration += wanted.get("pauseSeconds", 0.0)
        will_fail = False
        if self.faults.fail_next > 0:
            self.faults.fail_next -= 1
            will_fail = True
        elif self.faults.failure_rate and self.rng.random() < self.faults.failure_rate:
            will_fail = True
        op = Operation(
            id=op_id,
            alias=alias.upper(),
            kind=kind,
            resource_ids=list(resource_ids),
            started_at=self.now(),
            duration=duration,
            will_fail=will_fail,
            failure_message="The operation failed (simulated failure)." if will_fail else "",
            params=dict(params or {}),
            interruption=interruption,
        )
        self.operations[op_id] = op
        self._seq += 1
        heapq.heappush(self._pending, (op.ends_at, self._seq, op_id))
        return op

    def settle(self) -> None:
        """Apply, in time order, every operation end and every timer that is due by now. Each runs
        with the clock frozen at its own moment (a timer may queue operations or arm timers that
        also fall due before now: they are replayed too)."""
        if self._frozen_now is not None:  # re-entered from an effect: the outer loop goes on
            return
        now = self.now()
        try:
            while True:
                op_due = self._pending[0][0] if self._pending else None
                timer_due = self._timers[0][0] if self._timers else None
                if op_due is not None and op_due <= now and (timer_due is None or op_due <= timer_due):
                    _, _, op_id = heapq.heappop(self._pending)
                    self._frozen_now = op_due
                    self._complete(op_id)
                elif timer_due is not None and timer_due <= now:
                    due, _, name, args = heapq.heappop(self._timers)
                    self._frozen_now = due
                    TIMERS[name](self, **args)
                else:
                    break
        finally:
            self._frozen_now = None

    def _complete(self, op_id: str) -> None:
        op = self.operations.get(op_id)
        if op is None or op.applied:
            return
        op.applied = True
        op.completed_at = op.ends_at
        if not op.will_fail:
            effect = EFFECTS.get(op.kind)
            if effect is not None:
                effect(self, op)
        else:
            failure = FAILURE_EFFECTS.get(op.kind)
            if failure is not None:
                failure(self, op)
        for hook in AFTER_OPERATION:
            hook(self, op)

    def status_of(self, op: Operation) -> str:
        """notStarted, executing, succeeded or failed from the clock; an interrupted operation
        (``Faults.interrupt_next``) reads ``resumed`` from the moment it was resumed until it ends,
        or ``unknown`` from the moment the queue lost track of it, for good (its work still
        completes at its planned end)."""
        now = self.now()
        interruption = op.interruption
        if interruption is not None and now >= interruption["at"]:
            if interruption["status"] == "unknown":
                return "unknown"
            if interruption["status"] == "resumed" and interruption["resumeAt"] <= now < op.ends_at:
                return "resumed"
        if now < op.started_at + op.duration * 0.1:
            return "notStarted"
        if now < op.ends_at:
            return "executing"
        return "failed" if op.will_fail else "succeeded"

    def pending_kinds_for(self, resource_id: str) -> set[str]:
        """Kinds of operations still running on a resource (used to refuse conflicting work)."""
        key = resource_id.lower()
        return {
            op.kind
            for op in self.operations.values()
            if not op.applied and key in (r.lower() for r in op.resource_ids)
        }


# name -> handler(world, **args): what a due timer does (``@timer``).
TIMERS: dict[str, Callable[..., None]] = {}
# fn(world, event_record): told of every ``world.emit`` (``@listener``).
LISTENERS: list[Callable[["World", dict], None]] = []


def timer(name: str):
    def register(fn):
        TIMERS[name] = fn
        return fn

    return register


def listener(fn):
    if fn not in LISTENERS:
        LISTENERS.append(fn)
    return fn


# kind -> effect(world, op), registered by the route modules that queue those kinds.
EFFECTS: dict[str, Callable[[World, Operation], None]] = {}
# fn(world, op): told after every completed operation (its effect applied or not), e.g. to
# record what changed for billing (``@after_operation``).
AFTER_OPERATION: list[Callable[[World, Operation], None]] = []


def after_operation(fn):
    if fn not in AFTER_OPERATION:
        AFTER_OPERATION.append(fn)
    return fn


# kind -> what a failed operation leaves behind (e.g. a failed build leaves a failed server).
FAILURE_EFFECTS: dict[str, Callable[[World, Operation], None]] = {}


def effect(kind: str):
    def register(fn):
        EFFECTS[kind] = fn
        return fn

    return register


def failure_effect(kind: str):
    def register(fn):
        FAILURE_EFFECTS[kind] = fn
        return fn

    return register


def provisioning(kind: str, find: Callable, waiting: str, done: str, failed: str, then=None) -> None:
    """Register what completing or failing ``kind`` does to the thing it provisions (``find(world,
    op)``): while still ``waiting`` it becomes ``done`` (and ``then(world, thing, op)`` runs), or
    ``failed`` when the operation fails."""

    def settle(status: str, after):
        def apply(world: World, op: Operation) -> None:
            thing = find(world, op)
            if thing is not None and thing.status == waiting:
                thing.status = status
                if after is not None:
                    after(world, thing, op)

        return apply

    EFFECTS[kind] = settle(done, then)
    FAILURE_EFFECTS[kind] = settle(failed, None)


def _b64(obj: dict) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
