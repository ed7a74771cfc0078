"""The webhooks' actions (the registry): connect this portal to the account's webhooks, or not.

``/webhooks/actions/connect/`` (and ``/api/v1/webhooks/actions/connect/``): every event of the
account is PUT with this portal's receiver added to its targets (other targets kept). Done at once
(no activity). ``disconnect`` asks first and removes only this portal's targets.
"""

from django.urls import reverse

from apps.accounts.services import client_for_request
from apps.actions.registry import Action, Target, register, register_target

from . import selectors, services
from .roles import MANAGERS


def _load(request, **kwargs):
    return selectors.setup_for(request.user, client_for_request(request))


WEBHOOKS = register_target(
    Target(
        name="webhooks",
        route="webhooks/",
        load=_load,
        ident=lambda setup: setup.alias,
        title=lambda setup: f"the webhooks of {setup.alias}",
        url=lambda setup: reverse("webhooks"),
        crumbs=lambda setup: [("Webhooks", reverse("webhooks"))],
    )
)


def _cannot_connect(setup) -> str | None:
    if not setup.base:
        return "the portal's public URL is not set (PORTAL_PUBLIC_URL)"
    if not setup.events:
        return "the cloud lists no webhook events for this account"
    if setup.fully_connected:
        return "every event already delivers to this portal"
    return None


register(
    Action(
        name="connect",
        target="webhooks",
        label="Connect this portal",
        call=lambda run: services.connect(run.client, run.user, run.resource),
        roles=MANAGERS,
        link=("configuration", "PUT"),
        state=_cannot_connect,
        queues=False,
        order=10,
        done="Connected: the cloud now tells this portal about every change of the account.",
        description="Set every webhook event of the account up to deliver to this portal's receiver "
        "(targets of others are kept; this portal's old addresses are replaced). Done at once.",
    )
)

register(
    Action(
        name="disconnect",
        target="webhooks",
        label="Disconnect",
        call=lambda run: services.disconnect(run.client, run.resource),
        roles=MANAGERS,
        link=("configuration", "PUT"),
        state=lambda setup: None if setup.any_ours else "this portal is not connected",
        confirm=True,
        danger=True,
        question="Stop the cloud's deliveries to this portal? Changes made elsewhere then show only "
        "once the cache expires.",
        queues=False,
        order=20,
        done="Disconnected: the cloud no longer delivers to this portal.",
        description="Remove this portal's receiver from every webhook event of the account (other "
        "targets are kept; an event left without targets loses its configuration).",
    )
)
