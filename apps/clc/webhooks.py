"""Webhooks (``Webhooks/*.md``): which events an account sends where, and setting them up.

    events = get_webhooks(client)                      # one WebhookEvent per event, documented order
    set_webhook(client, "Server.Updated", ["https://portal.example.com/hooks/clc/<secret>/server.updated/"])
    delete_webhook(client, "Server.Updated")

Every role may read; AccountAdmin and SecurityAdmin may change (ROLES.md). An event's
``configuration`` link offers ``PUT`` and ``DELETE`` to those who may change it, nothing to others.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from .client import ClcClient
from .links import HasLinks, Link, parse_links

# The ten events of GET /v2/webhooks/{alias}, in the documented order.
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


@dataclass(frozen=True)
class WebhookEvent(HasLinks):
    name: str
    configured: bool = False  # the event has a configuration (possibly with no targets)
    recursive: bool = False
    target_uris: tuple[str, ...] = ()
    links: tuple[Link, ...] = field(default=())

    @classmethod
    def from_api(cls, raw: dict) -> "WebhookEvent":
        config = raw.get("configuration")
        targets: list[str] = []
        if isinstance(config, dict):
            for item in config.get("targetUris") or ():
                uri = item.get("targetUri") if isinstance(item, dict) else item
                if isinstance(uri, str) and uri:
                    targets.append(uri)
        return cls(
            name=str(raw.get("name", "")),
            configured=isinstance(config, dict),
            recursive=bool(config.get("recursive")) if isinstance(config, dict) else False,
            target_uris=tuple(targets),
            links=parse_links(raw.get("links")),
        )

    @property
    def can_change(self) -> bool:
        return self.allows("configuration", "PUT")


def _event(name: str) -> str:
    return quote(name, safe=".")


def get_webhooks(client: ClcClient) -> list[WebhookEvent]:
    body = client.get("/v2/webhooks/{alias}") or {}
    return [WebhookEvent.from_api(item) for item in body.get("items") or () if isinstance(item, dict)]


def set_webhook(client: ClcClient, event: str, target_uris, *, recursive: bool = False) -> None:
    """PUT: replaces the event's whole configuration (204)."""
    client.put(
        f"/v2/webhooks/{{alias}}/{_event(event)}/configuration",
        json={"recursive": bool(recursive), "targetUris": [{"targetUri": uri} for uri in target_uris]},
    )


def delete_webhook(client: ClcClient, event: str) -> None:
    """DELETE: the event's configuration and every target (204)."""
    client.delete(f"/v2/webhooks/{{alias}}/{_event(event)}/configuration")


def add_target_uri(client: ClcClient, event: str, uri: str) -> None:
    client.post(f"/v2/webhooks/{{alias}}/{_event(event)}/configuration/targetUris", json={"targetUri": uri})


def remove_target_uri(client: ClcClient, event: str, uri: str) -> None:
    client.request(
        "DELETE",
        f"/v2/webhooks/{{alias}}/{_event(event)}/configuration/targetUris",
        params={"targetUri": uri},
    )
