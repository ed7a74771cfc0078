"""Helpers for the portal's network and firewall tests (``tests/test_networks_*.py``): the demo
seed's networks read from the simulator, upstream writes watched, activities finished, forms posted."""

from __future__ import annotations

import re
import uuid

from tests.support.networks import NETS, api, networks
from tests.support.portal import key_of
from tests.support.simulator import wait_until

WA1 = "/datacenters/wa1"


def key() -> str:
    return str(uuid.uuid4())


def sim_networks(simulator, dc="WA1", user="demo") -> list[dict]:
    return networks(simulator, simulator.session(user), dc)


def sim_network(simulator, network_id, dc="WA1", addresses="all"):
    session = simulator.session("demo")
    response = api(
        simulator, session, "GET", f"{NETS}/DEMO/{dc}/{network_id}", params={"ipAddresses": addresses}
    )
    return response


def by_name(simulator, name, dc="WA1") -> dict:
    return next(n for n in sim_networks(simulator, dc) if n["name"] == name)


def sim_policies(simulator, kind="intra", dc="WA1") -> list[dict]:
    base = "firewallPolicies" if kind == "intra" else "crossDcFirewallPolicies"
    response = simulator.session("demo").get(f"{simulator.url}/v2-experimental/{base}/DEMO/{dc}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def finish(activity_id, timeout=20):
    """Poll the activity (as the dispatcher does) until it ended; -> the Activity."""
    from apps.activities import tracking
    from apps.activities.models import Activity

    def done():
        tracking.dispatch()
        activity = Activity.objects.get(pk=activity_id)
        return activity if activity.is_terminal else None

    return wait_until(done, timeout=timeout, interval=0.05, message=f"activity {activity_id} to end")


def activity_of(response):
    """The one activity an action page's redirect announced (its flash links to it)."""
    from apps.activities.models import Activity

    return Activity.objects.order_by("-pk").first()


def post_form(client, url, data=None, *, confirmed=False, **extra):
    """GET the action page (it must render its form), then POST it with the page's key."""
    page = client.get(url)
    assert page.status_code == 200, page.content[:800]
    body = {"idempotency_key": key_of(page.content.decode()), **(data or {})}
    if confirmed:
        body["confirmed"] = "1"
    return client.post(url, body, **extra)


def flash(client, response) -> str:
    from tests.support.portal import text_of

    assert response.status_code == 302, response.content[:1500]
    return text_of(client.get(response["Location"]))


def audit_entries(action):
    from apps.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def network_ids(html: str) -> list[str]:
    return re.findall(r'data-network-id="([0-9a-f]+)"', html)
