"""Helpers of the policy tests: a portal action posted as a page does (its form's idempotency key),
and the simulator's webhook deliveries relayed to the portal's receiver.

    post_action(demo, "/servers/wa1demoweb01/actions/attachAlertPolicy/", {"policy": id})
    relay = Relay.connect(demo, settings, simulator)   # the webhooks page's one click, to a listener
    relay.forward(demo)                                # what the simulator delivered -> the receiver
"""

from __future__ import annotations

import requests

from tests.support.portal import key_of, text_of
from tests.support.simulator import wait_until
from tests.support.webhook import Hook


def post_action(client, url: str, data: dict):
    page = client.get(url)
    assert page.status_code == 200, text_of(page)[:800]
    return client.post(url, {**data, "idempotency_key": key_of(page.content.decode())})


class Relay:
    """The simulator delivers the account's webhooks to a listener of the test (the portal's public
    URL), signed with its own key; ``forward`` hands each delivery, bytes and signature unchanged,
    to the portal's receiver (the test client): the cloud -> portal hop without a live server."""

    def __init__(self, hook: Hook):
        self.hook = hook
        self.forwarded = 0

    @classmethod
    def connect(cls, client, settings, simulator) -> Relay:
        hook = Hook(path="")
        settings.PORTAL_PUBLIC_URL = f"http://127.0.0.1:{hook.port}"
        settings.CLC_WEBHOOK_PUBLIC_KEYS = [
            requests.get(f"{simulator.url}/control/webhooks/public-key", timeout=10).json()["publicKey"]
        ]
        answer = post_action(client, "/webhooks/actions/connect/", {})
        assert answer.status_code == 302, text_of(answer)[:800]
        return cls(hook)

    def forward(self, client, event: str = "alert.notification", *, at_least: int = 1) -> list:
        """Relay what arrived since the last call (waits for ``at_least`` new ``event`` deliveries)."""

        def arrived():
            return [r for r in self.hook.requests[self.forwarded :] if f"/{event}/" in r["path"]]

        wait_until(lambda: len(arrived()) >= at_least, timeout=15, message=f"{event} deliveries")
        new = self.hook.requests[self.forwarded :]
        self.forwarded += len(new)
        answers = []
        for r in new:
            signature = {k.lower(): v for k, v in r["headers"].items()}.get("tier3-rsasha1", "")
            answers.append(
                client.generic(
                    "POST",
                    r["path"],
                    r["body"],
                    content_type="application/json",
                    HTTP_TIER3_RSASHA1=signature,
                )
            )
        return answers

    def close(self) -> None:
        self.hook.close()
