"""The simulator's world: every entity, the fault settings, the queue, and one lock.

Every request runs ``settle()`` first, which applies the effect of each queued operation whose
time has come (power state, new server, deletion...). So an operation's status is derived from
its start time and duration when it is read, and no background thread is needed.
"""

import base64
import heapq
import json
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import errors
from .models import Account, ChangeInfo, DataCenter, Group, Operation, Server, Token, User

TOKEN_LIFETIME_SECONDS = 14 * 24 * 3600

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
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    lock: threading.RLock = field(default_factory=threading.RLock)
    _pending: list = field(default_factory=list)  # heap of (ends_at, seq, op id)
    _seq: int = 0
    _op_counter: int = 100000

    # --- clock ------------------------------------------------------------------------------
    @staticmethod
    def now() -> float:
        return time.time()

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
        )
        self.operations[op_id] = op
        self._seq += 1
        heapq.heappush(self._pending, (op.ends_at, self._seq, op_id))
        return op

    def settle(self) -> None:
        """Apply the effect of every operation that has completed by now."""
        now = self.now()
        while self._pending and self._pending[0][0] <= now:
            _, _, op_id = heapq.heappop(self._pending)
            op = self.operations.get(op_id)
            if op is None or op.applied:
                continue
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

    def status_of(self, op: Operation) -> str:
        now = self.now()
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


# kind -> effect(world, op), registered by the route modules that queue those kinds.
EFFECTS: dict[str, Callable[[World, Operation], None]] = {}
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


def _b64(obj: dict) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
