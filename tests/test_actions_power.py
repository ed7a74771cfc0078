"""Power, maintenance and snapshot actions from the server page through the real path (Django client
against the real simulator over HTTP): pause, shut down, reset, power on, maintenance on / off and
deleting a snapshot; a bulk operation the cloud refuses for one server (an error on the page and a
failed activity). (One dispatch polling many status links: test_activities_service.py.)"""

import re
import uuid

import pytest
from django.test import TestCase

from apps.activities import tracking
from apps.activities.models import Activity, Status
from tests.support.portal import key_of, sim_operations, sim_servers, text_of
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def servers_in(simulator, power: str, n: int = 1, maintenance: bool = False) -> list[dict]:
    found = [
        s
        for s in sim_servers(simulator.session("demo"))
        if s["status"] == "active"
        and s["details"]["powerState"] == power
        and bool(s["details"].get("inMaintenanceMode")) == maintenance
    ]
    assert len(found) >= n, f"not enough {power} servers in WA1"
    return found[:n]


def upstream(simulator, server_id: str) -> dict:
    return simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()


def messages_of(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'<li class="message ([a-z ]+)">(.*?)</li>', html, re.S)
    return [(level.strip(), re.sub(r"<[^>]+>", "", text).strip()) for level, text in found]


def finish(activity_id: int, timeout: float = 20) -> Activity:
    """Run the dispatcher (what the worker's beat runs) until the activity ended; its after-commit
    work (drop the cached inventory, publish) runs as in the worker's autocommit."""

    def done():
        with TestCase.captureOnCommitCallbacks(execute=True):
            tracking.dispatch()
        activity = Activity.objects.get(pk=activity_id)
        return activity if activity.is_terminal else None

    return wait_until(done, timeout=timeout, interval=0.05, message=f"activity {activity_id} to end")


# --- power and maintenance from the server page ---------------------------------------------------
@pytest.mark.parametrize(
    "operation, power, label, confirmed, after",  # confirmed: must ask first (others may)
    [
        ("pause", "started", "Pause", False, "paused"),
        ("powerOn", "stopped", "Power on", False, "started"),
        ("shutDown", "started", "Shut down", True, "stopped"),
        ("reset", "started", "Reset", True, "started"),
    ],
)
def test_power_operation_from_the_server_page(demo, simulator, operation, power, label, confirmed, after):
    [server] = servers_in(simulator, power)
    sid = server["id"]
    page = demo.get(f"/servers/{sid.lower()}/").content.decode()
    url = f"/servers/{sid.lower()}/actions/{operation}/"
    before = sim_operations(simulator)
    asks = bool(re.search(rf'<form method="get" action="{url}"[^>]*data-confirm=', page))
    assert asks or not confirmed, f"{label} must be confirmed first"
    if asks:
        # a GET form to the confirmation (and a <dialog> with JS): nothing is sent before "yes"
        confirm = demo.get(url)
        assert confirm.status_code == 200 and f"{label} {server['name']}?" in text_of(confirm)
        key = key_of(confirm.content.decode())
        assert sim_operations(simulator) == before
    else:
        form = re.search(rf'<form method="post" action="{url}".*?</form>', page, re.S)
        assert form, f"an inline {label} button"
        key = key_of(form.group(0))
    form = {"idempotency_key": key, **({"confirmed": "1"} if asks else {})}
    response = demo.post(url, form)
    assert response.status_code == 302
    shown = messages_of(demo.get(response["Location"]).content.decode())
    assert shown and shown[0][0] == "success" and f"{label} queued" in shown[0][1], shown
    again = demo.post(url, form)  # a double submit: replayed, not sent
    assert again.status_code == 302 and sim_operations(simulator) == before + 1
    [activity] = Activity.objects.filter(operation=operation)
    assert activity.resource_ids == [sid.upper()]
    assert finish(activity.pk).status == Status.SUCCEEDED
    assert upstream(simulator, sid)["details"]["powerState"] == after


def submit_from_page(demo, page: str, sid: str, action: str, says: str) -> Activity:
    """Submit the server page's form of ``action`` (its own key); the page after says ``says``;
    -> the activity, ended."""
    form = re.search(rf'<form method="post" action="/servers/{sid}/actions/{action}/".*?</form>', page, re.S)
    response = demo.post(f"/servers/{sid}/actions/{action}/", {"idempotency_key": key_of(form.group(0))})
    assert says in text_of(demo.get(response["Location"]))
    return finish(Activity.objects.get(operation=action).pk)


def test_maintenance_on_then_off_from_the_server_page(demo, simulator):
    [server] = servers_in(simulator, "started")
    sid = server["id"].lower()
    page = demo.get(f"/servers/{sid}/").content.decode()
    assert 'data-action="startMaintenance"' in page and 'data-action="stopMaintenance"' not in page
    assert re.search(r"<span[^>]*data-maint hidden>", page), "the maintenance badge starts hidden"
    assert (
        submit_from_page(demo, page, sid, "startMaintenance", "Start maintenance queued").status
        == Status.SUCCEEDED
    )
    assert upstream(simulator, sid)["details"]["inMaintenanceMode"] is True

    page = demo.get(f"/servers/{sid}/").content.decode()  # the ended activity dropped the cache
    assert 'data-action="stopMaintenance"' in page and 'data-action="startMaintenance"' not in page
    assert not re.search(r"<span[^>]*data-maint hidden>", page), "the maintenance badge shows"
    assert (
        submit_from_page(demo, page, sid, "stopMaintenance", "End maintenance queued").status
        == Status.SUCCEEDED
    )
    assert upstream(simulator, sid)["details"]["inMaintenanceMode"] is False


def test_delete_a_snapshot_is_confirmed_and_tracked(demo, simulator):
    [server] = servers_in(simulator, "started")
    sid = server["id"].lower()
    url = f"/servers/{sid}/actions/createSnapshot/"
    response = demo.post(
        url, {"idempotency_key": key_of(demo.get(url).content.decode()), "expiration_days": "2"}
    )
    assert response.status_code == 302
    assert finish(Activity.objects.get(operation="createSnapshot").pk).status == Status.SUCCEEDED
    page = demo.get(f"/servers/{sid}/").content.decode()
    snap = re.search(
        r'actions/deleteSnapshot/"[^>]*data-confirm="([^"]+)".*?name="snapshot" value="([^"]+)"', page, re.S
    )
    assert snap, "a confirmed Delete button next to the snapshot"
    assert "Delete the snapshot" in snap.group(1)
    before = sim_operations(simulator)
    confirm = demo.get(f"/servers/{sid}/actions/deleteSnapshot/?snapshot={snap.group(2)}")
    assert confirm.status_code == 200 and "Delete the snapshot" in text_of(confirm)
    assert sim_operations(simulator) == before
    done = demo.post(
        f"/servers/{sid}/actions/deleteSnapshot/",
        {"idempotency_key": key_of(confirm.content.decode()), "snapshot": snap.group(2), "confirmed": "1"},
    )
    assert done.status_code == 302
    shown = messages_of(demo.get(done["Location"]).content.decode())
    assert shown and shown[0][0] == "success", shown
    activities = Activity.objects.filter(operation="deleteSnapshot")
    if activities.exists():  # queued: wait for it
        assert finish(activities[0].pk).status == Status.SUCCEEDED
    wait_until(
        lambda: not upstream(simulator, sid)["details"]["snapshots"], timeout=20, message="snapshot gone"
    )


# --- a refusal inside a bulk answer ----------------------------------------------------------------
def test_bulk_refusal_for_one_server_is_an_error_on_the_page_and_a_failed_activity(demo, simulator):
    [good] = servers_in(simulator, "started")
    archived = next(s for s in sim_servers(simulator.session("demo")) if s["status"] == "archived")
    refused = archived["id"].upper()  # the cloud can't reboot an archived server
    ids = [good["id"].upper(), refused]
    response = demo.post(
        "/servers/bulk/actions/reboot/",
        {"idempotency_key": str(uuid.uuid4()), "ids": ids, "next": "/datacenters/wa1/", "confirmed": "1"},
    )
    assert response.status_code == 302
    shown = dict(messages_of(demo.get(response["Location"]).content.decode()))
    assert "Reboot queued for 1 server" in shown["success"]
    assert shown["error"].startswith(f"{refused}: The operation cannot be queued")
    failed = Activity.objects.get(operation="reboot", resource_ids=[refused])
    assert failed.status == Status.FAILED and "cannot be queued" in failed.error_message
    assert failed.finished_at is not None and failed.next_poll_at is None  # never polled
    detail = demo.get(f"/activities/{failed.pk}/")
    assert detail.status_code == 200 and "cannot be queued" in text_of(detail)
