"""Each world's webhook state: the accounts' configurations, the delivery faults, the delivery log.

Plain data only (it is pickled with the world and rebuilt by ``/control/reset``):

- ``configs``: alias -> event name -> ``{"recursive": bool, "targetUris": [uri, ...]}``. An event
  with no entry is "not configured" (``GET /v2/webhooks/{alias}`` then shows no ``configuration``).
- ``faults``: what ``POST /control/webhooks/faults`` set (drop, duplicate, delay, reorder, and the
  retry policy: attempts and backoff base).
- ``deliveries``: delivery id -> record (see ``webhook_delivery``), oldest first, at most
  ``MAX_DELIVERIES``.
- ``held``: target URI -> the delivery the ``reorder`` fault is holding back for it.

This module imports nothing from the simulator, so ``state.World`` can hold a ``WebhookStore``.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

# The events of GET /v2/webhooks/{alias}, in the documented order.
EVENTS = (
    "Account.Created",
    "Account.Deleted",
    "Account.Updated",
    "Alert.Notification",
    "Server.Created",
    "Server.Deleted",
    "Server.Updated",
    "User.Created",
    "User.Deleted",
    "User.Updated",
)
_CANONICAL = {name.lower(): name for name in EVENTS}

MAX_TARGETS = 10  # target URIs per event and account (our limit: the docs give none)
MAX_URI_LENGTH = 2048
MAX_DELIVERIES = 1000  # records kept in the delivery log


def canonical_event(name) -> str | None:
    """``server.updated`` -> ``Server.Updated``; None for a name that is no webhook event."""
    if not isinstance(name, str):
        return None
    return _CANONICAL.get(name.strip().lower())


@dataclass
class WebhookFaults:
    drop: float = 0.0  # share of deliveries lost (never sent, never retried)
    duplicate: float = 0.0  # share of deliveries sent twice (same bytes, same signature)
    delay_ms: float = 0.0  # first attempt this long after the event (simulator clock)
    reorder: bool = False  # each delivery is held back until the next one to its target has gone
    max_attempts: int = 5  # attempts per delivery before it is given up ("failed")
    retry_base_ms: float = 1000.0  # backoff after attempt n: base * 2**(n-1) (simulator clock)


@dataclass
class WebhookStore:
    configs: dict[str, dict[str, dict]] = field(default_factory=dict)
    faults: WebhookFaults = field(default_factory=WebhookFaults)
    deliveries: OrderedDict = field(default_factory=OrderedDict)
    held: dict[str, str] = field(default_factory=dict)

    # --- configurations ---------------------------------------------------------------------
    def config(self, alias: str, event: str) -> dict | None:
        return self.configs.get(alias.upper(), {}).get(event)

    def set_config(self, alias: str, event: str, recursive: bool, uris: list[str]) -> None:
        unique = list(dict.fromkeys(uris))
        self.configs.setdefault(alias.upper(), {})[event] = {"recursive": recursive, "targetUris": unique}

    def add_target(self, alias: str, event: str, uri: str) -> bool:
        """Add a target (creating a non-recursive configuration); False when it was already there."""
        config = self.configs.setdefault(alias.upper(), {}).setdefault(
            event, {"recursive": False, "targetUris": []}
        )
        if uri in config["targetUris"]:
            return False
        config["targetUris"].append(uri)
        return True

    def remove_target(self, alias: str, event: str, uri: str) -> bool:
        config = self.config(alias, event)
        if config is None or uri not in config["targetUris"]:
            return False
        config["targetUris"].remove(uri)
        return True

    def delete_config(self, alias: str, event: str) -> None:
        self.configs.get(alias.upper(), {}).pop(event, None)

    # --- the delivery log -------------------------------------------------------------------
    def record(self, delivery: dict) -> None:
        self.deliveries[delivery["id"]] = delivery
        while len(self.deliveries) > MAX_DELIVERIES:
            self.deliveries.popitem(last=False)


def store_of(world) -> WebhookStore:
    """The world's store (a world loaded from an older state file gets an empty one)."""
    store = getattr(world, "webhooks", None)
    if store is None:
        store = world.webhooks = WebhookStore()
    return store
