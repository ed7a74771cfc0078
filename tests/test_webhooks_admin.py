"""The webhooks page (``/webhooks/``): which events the account sends where, the one-click set-up
through the Webhooks API (the registry's ``webhooks.connect`` / ``disconnect``), who may, and what
connecting changes (the cache lasts longer, and the page says so)."""

import uuid

import pytest

from apps.audit.models import AuditEntry
from apps.inventory import cache as inventory_cache
from apps.webhooks import services
from tests.support.portal import key_of, signed_in, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

PUBLIC = "https://portal.example.com"


def sim_targets(simulator) -> dict[str, list[str]]:
    body = simulator.session("demo").get(f"{simulator.url}/v2/webhooks/demo").json()
    return {
        item["name"]: [t["targetUri"] for t in item.get("configuration", {}).get("targetUris", [])]
        for item in body["items"]
        if "configuration" in item
    }


def connect(client, path="/webhooks/actions/connect/", **extra):
    """POST the action as its button does (a fresh idempotency key; a forged one when no form)."""
    html = client.get("/webhooks/").content.decode()
    key = key_of(html) if 'name="idempotency_key"' in html else str(uuid.uuid4())
    return client.post(path, {"idempotency_key": key, **extra})


def test_one_click_connects_every_event_and_keeps_other_targets(demo, simulator, settings):
    settings.PORTAL_PUBLIC_URL = PUBLIC
    other = "https://siem.example.com/clc"
    session = simulator.session("demo")
    put = session.put(
        f"{simulator.url}/v2/webhooks/demo/Server.Created/configuration",
        json={"recursive": True, "targetUris": [{"targetUri": other}]},
    )
    assert put.status_code == 204

    page = demo.get("/webhooks/")
    text = text_of(page)
    assert page.status_code == 200 and "Not connected" in text
    assert "cached for 30 s" in text and "300 s" in text  # what connecting would change
    assert text.count("Server.") >= 3 and other in text
    assert 'data-action="connect"' in page.content.decode()

    answer = connect(demo)
    assert answer.status_code == 302
    secret = services.secret_of(services.ensure_connection("DEMO"))
    targets = sim_targets(simulator)
    assert len(targets) == 10  # every event of GET /v2/webhooks
    for event, uris in targets.items():
        assert f"{PUBLIC}/hooks/clc/{secret}/{event.lower()}/" in uris
    assert targets["Server.Created"][0] == other  # kept, and so is its "recursive"
    created = next(
        i
        for i in session.get(f"{simulator.url}/v2/webhooks/demo").json()["items"]
        if i["name"] == "Server.Created"
    )
    assert created["configuration"]["recursive"] is True

    page = demo.get("/webhooks/")
    text = text_of(page)
    assert "Connected" in text and "All 10 events are delivered to this portal" in text
    assert "cached for 300 s" in text
    assert secret not in page.content.decode()  # the receiver's secret is never shown whole
    assert inventory_cache.ttl_for("DEMO") == 300
    assert AuditEntry.objects.filter(action="webhooks.connect", result="success", target_id="DEMO").exists()

    # A new public URL: connecting again replaces this portal's old targets, nothing else.
    settings.PORTAL_PUBLIC_URL = "https://new.example.com"
    assert "old address" in text_of(demo.get("/webhooks/"))
    connect(demo)
    targets = sim_targets(simulator)
    assert all(not any(u.startswith(PUBLIC) for u in uris) for uris in targets.values())
    assert targets["Server.Created"] == [other, f"https://new.example.com/hooks/clc/{secret}/server.created/"]

    # Disconnecting asks first, then removes only this portal's targets.
    asked = connect(demo, "/webhooks/actions/disconnect/")
    assert asked.status_code == 200 and "Stop the cloud" in text_of(asked)
    assert len(sim_targets(simulator)) == 10
    gone = connect(demo, "/webhooks/actions/disconnect/", confirmed="1")
    assert gone.status_code == 302
    assert sim_targets(simulator) == {"Server.Created": [other]}
    assert inventory_cache.ttl_for("DEMO") == 30
    assert "Not connected" in text_of(demo.get("/webhooks/"))


def test_only_account_and_security_admins_may_connect(simulator, clc_settings, settings):
    settings.PORTAL_PUBLIC_URL = PUBLIC
    viewer = signed_in("viewer")
    page = viewer.get("/webhooks/")
    assert page.status_code == 200  # every role may see the account's webhooks (ROLES.md)
    assert 'data-action="connect"' not in page.content.decode()
    assert "Not for your role" in text_of(page) and "Account Administrator or Security Manager" in text_of(
        page
    )
    refused = connect(viewer)
    assert refused.status_code == 403
    assert sim_targets(simulator) == {}
    assert AuditEntry.objects.filter(action="webhooks.connect", result="denied").exists()
    # Not in the viewer's top bar; in an admin's.
    assert 'href="/webhooks/"' not in viewer.get("/activities/").content.decode()
    assert 'href="/webhooks/"' in signed_in("security").get("/activities/").content.decode()


def test_without_a_public_url_the_page_says_what_to_set(demo, simulator, settings):
    settings.PORTAL_PUBLIC_URL = ""
    page = demo.get("/webhooks/")
    assert 'data-action="connect"' not in page.content.decode()
    assert "Set PORTAL_PUBLIC_URL" in text_of(page)
    assert connect(demo).status_code == 403
    assert sim_targets(simulator) == {}


def test_scripts_connect_through_the_api(demo, simulator, settings):
    settings.PORTAL_PUBLIC_URL = PUBLIC
    answer = demo.post("/api/v1/webhooks/actions/connect/", {}, content_type="application/json")
    assert answer.status_code == 200, answer.content[:300]
    assert answer.json()["outcome"] == "done" and answer.json()["action"] == "webhooks.connect"
    assert len(sim_targets(simulator)) == 10
