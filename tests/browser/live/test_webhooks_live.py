"""Webhooks end to end: the simulator delivers to the portal (uvicorn, ASGI) set up through its
webhooks page in one click, a real Celery worker does the work, ``/events/`` tells open pages.

* a server created, resized and deleted straight through the simulator's API (another client) is
  announced on the event stream, and re-reading the data center page then costs the changed
  server's call only (none for a deletion);
* the simulator's delivery faults (every delivery twice, deliveries reordered) and a rotated
  signing key change nothing a person sees wrongly;
* in a browser: the open data center page and the activity screen follow the same three changes
  without a reload (screenshots at 1280 and 375 px).

Fixtures: tests/browser/live/conftest.py (portal under uvicorn, worker, shared namespaces).
"""

import json
import threading
import time

import pytest
import requests

from apps.webhooks.models import Delivery
from tests.support.portal import key_of, signed_in, sse_messages, upstream_calls
from tests.support.simulator import wait_until

from ..conftest import screenshot, sign_in
from .conftest import mark, not_reloaded

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class EventStream(threading.Thread):
    """``/events/`` of a signed-in session read as a browser would: every event, with its arrival."""

    def __init__(self, base, cookies):
        super().__init__(daemon=True)
        self.response = requests.get(f"{base}/events/", cookies=cookies, stream=True, timeout=(5, 60))
        assert self.response.status_code == 200, self.response.status_code
        self.events: list[tuple[float, dict]] = []
        self.error: Exception | None = None  # what broke the reading before close()
        self.closed = False

    def run(self):
        try:
            for event, data in sse_messages(self.response.iter_lines(decode_unicode=True)):
                if event == "activity" and data:
                    self.events.append((time.time(), json.loads(data)))
        except Exception as exc:  # once closed, the read is expected to break
            if not self.closed:
                self.error = exc

    def external(self, operation, server_id):
        assert self.error is None, f"the event stream broke: {self.error!r}"
        return [
            d["activity"]
            for _t, d in self.events
            if (d.get("activity") or {}).get("origin") == "external"
            and d["activity"]["operation"] == operation
            and server_id in d["activity"]["resource_ids"]
        ]

    def close(self):
        self.closed = True
        self.response.close()


def shot(page, name):
    page.bring_to_front()  # a tab in the background paints no frame to take
    screenshot(page, name)


def connect(settings, simulator, portal):
    """The webhooks page's one click, as demo; the receiver trusts the simulator's key."""
    settings.PORTAL_PUBLIC_URL = portal
    settings.CLC_WEBHOOK_PUBLIC_KEYS = [
        requests.get(f"{simulator.url}/control/webhooks/public-key").json()["publicKey"]
    ]
    demo = signed_in("demo")
    page = demo.get("/webhooks/").content.decode()
    assert demo.post("/webhooks/actions/connect/", {"idempotency_key": key_of(page)}).status_code == 302
    return demo


def reread(portal, cookies, path="/datacenters/wa1/"):
    response = requests.get(f"{portal}{path}", cookies=cookies, headers={"X-Live-Reread": "1"}, timeout=20)
    assert response.status_code == 200
    return response, upstream_calls(response.headers)


def create_directly(simulator, name="HOOK"):
    session = simulator.session("demo")
    tree = session.get(f"{simulator.url}/v2/groups/demo/{_root(session, simulator)}").json()
    web = next(g for g in _walk(tree) if g["name"] == "Web")
    answer = session.post(
        f"{simulator.url}/v2/servers/demo",
        json={"name": name, "groupId": web["id"], "sourceServerId": "UBUNTU-22-64-TEMPLATE", "cpu": 1,
              "memoryGB": 1, "type": "standard"},
    ).json()  # fmt: skip
    by_uuid = next(link["href"] for link in answer["links"] if link["rel"] == "self")
    return session.get(f"{simulator.url}{by_uuid}").json()["id"].upper()


def _root(session, simulator):
    body = session.get(f"{simulator.url}/v2/datacenters/demo/wa1?groupLinks=true").json()
    return next(link["id"] for link in body["links"] if link["rel"] == "group")


def _walk(group):
    yield group
    for child in group.get("groups") or ():
        yield from _walk(child)


def resize_directly(simulator, server_id, cpu):
    session = simulator.session("demo")
    answer = session.patch(
        f"{simulator.url}/v2/servers/demo/{server_id}", json=[{"op": "set", "member": "cpu", "value": cpu}]
    )
    assert answer.status_code in (200, 202, 204), answer.text


def delete_directly(simulator, server_id):
    assert simulator.session("demo").delete(f"{simulator.url}/v2/servers/demo/{server_id}").status_code == 202


def test_changes_made_elsewhere_are_announced_and_cost_only_the_changed_server(
    asgi_portal, simulator, settings
):
    simulator.control("config", durationSeconds=1)
    demo = connect(settings, simulator, asgi_portal)
    cookies = {"sessionid": demo.cookies["sessionid"].value}
    stream = EventStream(asgi_portal, cookies)
    stream.start()
    try:
        assert reread(asgi_portal, cookies)[1] >= 1  # cold: the data center in one detailed group read

        server_id = create_directly(simulator)
        created = wait_until(
            lambda: stream.external("Server.Created", server_id), timeout=20, message="Server.Created"
        )
        assert created[0]["summary"].startswith("created")
        page, calls = reread(asgi_portal, cookies)
        assert calls == 1 and server_id in page.text

        resize_directly(simulator, server_id, 3)
        wait_until(lambda: stream.external("Server.Updated", server_id), timeout=20, message="Server.Updated")
        page, calls = reread(asgi_portal, cookies)
        assert calls == 1
        assert "CPU 1 → 3" in stream.external("Server.Updated", server_id)[-1]["summary"]

        delete_directly(simulator, server_id)
        wait_until(lambda: stream.external("Server.Deleted", server_id), timeout=20, message="Server.Deleted")
        page, calls = reread(asgi_portal, cookies)
        assert calls == 0 and server_id not in page.text

        rows = requests.get(
            f"{asgi_portal}/activities/?scope=team&origin=external&fragment=rows", cookies=cookies
        ).text
        assert rows.count(server_id) >= 3
    finally:
        stream.close()


def test_duplicated_reordered_and_wrongly_signed_deliveries_change_nothing_wrongly(
    asgi_portal, simulator, settings
):
    simulator.control("config", durationSeconds=1)
    demo = connect(settings, simulator, asgi_portal)
    cookies = {"sessionid": demo.cookies["sessionid"].value}
    session = simulator.session("demo")
    rows = demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
    victim = next(r["id"] for r in rows if r["power_state"] == "started" and r["status"] == "active")

    # Every delivery twice; each held back until the next one to its target has gone.
    simulator.control("webhooks/faults", duplicate=1.0, reorder=True)
    for operation in ("powerOff", "powerOn"):
        answer = session.post(f"{simulator.url}/v2/operations/demo/servers/{operation}", json=[victim])
        status = next(link["href"] for link in answer.json()[0]["links"] if link["rel"] == "status")
        wait_until(
            lambda status=status: session.get(f"{simulator.url}{status}").json()["status"] == "succeeded",
            timeout=20,
        )
    simulator.control("webhooks/faults", reorder=False)  # sends what it still holds

    def all_delivered():
        sent = requests.get(f"{simulator.url}/control/webhooks/deliveries?event=Server.Updated").json()[
            "deliveries"
        ]
        return len(sent) == 2 and all(d["status"] == "delivered" for d in sent) and sent

    sent = wait_until(all_delivered, timeout=20, message="the simulator's deliveries")
    assert all(d["duplicates"] == 1 for d in sent)
    wait_until(lambda: Delivery.objects.filter(status__in=["applied", "stale"]).count() == 2, timeout=20)
    # The power on (newer) came first, the power off (older) after it: recorded, not applied.
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["applied", "stale"]
    assert sum(Delivery.objects.values_list("duplicates", flat=True)) == 2
    truth = session.get(f"{simulator.url}/v2/servers/demo/{victim}").json()["details"]["powerState"]
    shown = next(
        r for r in demo.get("/api/v1/datacenters/WA1/servers/").json()["results"] if r["id"] == victim
    )
    assert shown["power_state"] == truth == "started"

    # A key the portal does not know (the simulator's key rotated): refused, nothing changes.
    simulator.control("webhooks/faults", duplicate=0, maxAttempts=1)
    simulator.control("webhooks/rotate-key")
    answer = session.post(f"{simulator.url}/v2/operations/demo/servers/powerOff", json=[victim])
    status = next(link["href"] for link in answer.json()[0]["links"] if link["rel"] == "status")
    wait_until(lambda: session.get(f"{simulator.url}{status}").json()["status"] == "succeeded", timeout=20)
    wait_until(lambda: Delivery.objects.filter(status="refused").exists(), timeout=20, message="the refusal")
    refused = wait_until(
        lambda: requests.get(f"{simulator.url}/control/webhooks/deliveries?status=failed").json()[
            "deliveries"
        ],
        timeout=10,
        message="the simulator to give the delivery up",
    )
    assert refused[-1]["lastStatus"] == 401
    shown = next(
        r for r in demo.get("/api/v1/datacenters/WA1/servers/").json()["results"] if r["id"] == victim
    )
    assert shown["power_state"] == "started"  # still what was verified (the cache keeps it)
    assert reread(asgi_portal, cookies, "/webhooks/")[0].text.count("bad signature") >= 1


@pytest.mark.browser
def test_an_open_data_center_page_and_the_activity_screen_follow_changes_made_elsewhere(
    asgi_portal, simulator, settings, open_page
):
    simulator.control("config", durationSeconds=1)
    connect(settings, simulator, asgi_portal)
    page = open_page(1280)
    sign_in(page, asgi_portal, next_path="/datacenters/wa1/")
    page.wait_for_function("document.documentElement.dataset.live === 'sse'")
    mark(page)
    activities = page.context.new_page()
    activities.goto(f"{asgi_portal}/activities/?scope=team")
    activities.wait_for_function("document.documentElement.dataset.live === 'sse'")
    mark(activities)
    web_count = "(() => { const a = [...document.querySelectorAll('.tree .node a')].find(a => a.textContent === 'Web'); return a && a.parentNode.querySelector('.count').textContent; })()"
    before = int(page.evaluate(web_count))

    server_id = create_directly(simulator)
    row = f"document.querySelector('table.servers a[href=\"/servers/{server_id.lower()}/\"]')"
    page.wait_for_function(f"!!{row}", timeout=15000)
    page.wait_for_function(f"{web_count} === '{before + 1}'", timeout=5000)  # the tree's count follows
    activities.locator("tr[data-origin=external]", has_text=server_id).first.wait_for(timeout=10000)
    shot(page, "webhooks-datacenter-created-1280")

    resize_directly(simulator, server_id, 3)
    page.wait_for_function(
        f"(() => {{ const r = {row}; return r && r.closest('tr').cells[6].textContent === '3'; }})()",
        timeout=15000,
    )
    activities.locator("tr[data-origin=external]", has_text="CPU 1 → 3").first.wait_for(timeout=10000)

    delete_directly(simulator, server_id)
    page.wait_for_function(
        f"(() => {{ const r = {row}; return r && r.closest('tr').dataset.gone === 'delete'; }})()",
        timeout=15000,
    )
    page.wait_for_function(f"{web_count} === '{before}'", timeout=5000)
    activities.locator("tr[data-origin=external]", has_text="Server.Deleted").first.wait_for(timeout=10000)
    assert not_reloaded(page) and not_reloaded(activities)
    shot(page, "webhooks-datacenter-deleted-1280")
    shot(activities, "webhooks-activities-external-1280")
    activities.set_viewport_size({"width": 375, "height": 800})
    shot(activities, "webhooks-activities-external-375")

    hooks = page.context.new_page()
    hooks.goto(f"{asgi_portal}/webhooks/")
    shot(hooks, "webhooks-page-1280")
    hooks.set_viewport_size({"width": 375, "height": 800})
    shot(hooks, "webhooks-page-375")
