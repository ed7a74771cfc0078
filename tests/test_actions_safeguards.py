"""What surrounds every action on the pages, through the real path (Django client against the real
simulator over HTTP): "already in that state" is a notice (not an error, no activity), CSRF is
checked on every action, and the inventory cache is dropped when an activity ends (the next view is
true). (Another account through the API: test_actions_refusals.py; the tracking's Celery messages:
test_activities_service.py.)"""

import re
import uuid

import pytest
from django.test import Client

from apps.activities import tracking
from apps.activities.models import Activity, Status
from tests.support.portal import key_of, sign_in, sim_operations, sim_servers
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def servers_in(simulator, power: str, n: int = 1) -> list[str]:
    found = [
        s["id"].upper()
        for s in sim_servers(simulator.session("demo"))
        if s["status"] == "active" and s["details"]["powerState"] == power
    ]
    assert len(found) >= n, f"not enough {power} servers in WA1"
    return found[:n]


def messages_of(html: str) -> list[tuple[str, str]]:
    """``[(level, text)]`` of the page's flash messages."""
    found = re.findall(r'<li class="message ([a-z ]+)">(.*?)</li>', html, re.S)
    return [(level.strip(), re.sub(r"<[^>]+>", "", text).strip()) for level, text in found]


def upstream_power_state(simulator, server_id: str) -> str:
    body = simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()
    return body["details"]["powerState"]


# --- "already in that state" is a notice ------------------------------------------------------
def test_bulk_power_on_of_started_servers_is_a_notice_not_an_error(demo, simulator):
    ids = servers_in(simulator, "started", 2)
    page = demo.get("/datacenters/wa1/").content.decode()
    key = key_of(re.search(r'<form id="bulk-servers".*?</form>', page, re.S).group(0))
    before = Activity.objects.count()
    response = demo.post(
        "/servers/bulk/actions/powerOn/",
        {"idempotency_key": key, "ids": ids, "next": "/datacenters/wa1/", "confirmed": "1"},
    )
    assert response.status_code == 302
    shown = messages_of(demo.get(response["Location"]).content.decode())
    assert shown == [("info", "Nothing to do: the server is already in that state.")], shown
    assert Activity.objects.count() == before  # a notice is no activity, and no failed one


def test_mixed_selection_queues_some_and_notes_the_rest(demo, simulator):
    [stopped] = servers_in(simulator, "stopped")
    [started] = servers_in(simulator, "started")
    key = str(uuid.uuid4())
    response = demo.post(
        "/servers/bulk/actions/powerOn/",
        {"idempotency_key": key, "ids": [stopped, started], "next": "/datacenters/wa1/", "confirmed": "1"},
    )
    shown = messages_of(demo.get(response["Location"]).content.decode())
    levels = dict((level, text) for level, text in shown)
    assert "Power on queued for 1 server" in levels["success"]
    assert levels["info"] == "1 already in that state (nothing to do)."
    assert "error" not in levels
    [activity] = Activity.objects.filter(operation="powerOn")
    assert activity.resource_ids == [stopped] and activity.status == Status.QUEUED


def test_group_power_on_with_every_server_started_is_a_notice(demo, simulator):
    session = simulator.session("demo")
    body = session.get(f"{simulator.url}/v2/datacenters/demo/wa1?groupLinks=true").json()
    root = next(link["id"] for link in body["links"] if link["rel"] == "group")
    tree = session.get(f"{simulator.url}/v2/groups/demo/{root}").json()

    def walk(g):
        yield g
        for child in g.get("groups") or ():
            yield from walk(child)

    def all_started(group):
        ids = [link["id"] for g in walk(group) for link in g["links"] if link["rel"] == "server"]
        bodies = [session.get(f"{simulator.url}/v2/servers/demo/{i}").json() for i in ids]
        active = [b for b in bodies if b["status"] == "active"]
        return bool(active) and all(b["details"]["powerState"] == "started" for b in active)

    group = next((g for g in walk(tree) if g.get("type") == "default" and all_started(g)), None)
    if group is None:
        pytest.skip("the demo seed has no group whose servers are all started")
    before = sim_operations(simulator)
    page = demo.get(f"/groups/{group['id']}/actions/powerOn/")
    assert page.status_code == 200
    response = demo.post(
        f"/groups/{group['id']}/actions/powerOn/",
        {"idempotency_key": key_of(page.content.decode()), "confirmed": "1"},
    )
    assert response.status_code == 302
    shown = messages_of(demo.get(response["Location"]).content.decode())
    assert [level for level, _ in shown] == ["info"], shown
    assert "already in that state" in shown[0][1]
    assert sim_operations(simulator) == before and not Activity.objects.exists()


# --- CSRF ------------------------------------------------------------------------------------------
def test_actions_without_the_csrf_token_are_refused_and_send_nothing(clc_settings, simulator):
    browser = sign_in(Client(), "demo")
    browser.handler.enforce_csrf_checks = True  # as a browser's requests are checked
    [server] = servers_in(simulator, "started")
    group_page = browser.get("/datacenters/wa1/").content.decode()
    group_id = re.search(r'href="/groups/([0-9a-f]+)/"', group_page).group(1)
    before = sim_operations(simulator)
    posts = [
        (f"/servers/{server}/actions/reboot/", {"idempotency_key": str(uuid.uuid4())}),
        (f"/servers/{server}/actions/powerOff/", {"idempotency_key": str(uuid.uuid4())}),
        ("/servers/bulk/actions/reboot/", {"idempotency_key": str(uuid.uuid4()), "ids": [server]}),
        (f"/groups/{group_id}/actions/powerOff/", {"idempotency_key": str(uuid.uuid4()), "confirmed": "1"}),
        (
            f"/groups/{group_id}/actions/deleteGroup/",
            {"idempotency_key": str(uuid.uuid4()), "confirmed": "1"},
        ),
    ]
    for url, data in posts:
        assert browser.post(url, data).status_code == 403, url
    api = browser.post(
        f"/api/v1/servers/{server}/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert api.status_code == 403 and "CSRF" in api.json()["message"]
    assert sim_operations(simulator) == before and not Activity.objects.exists()
    # With the token the page carries, the same action goes through.
    page = browser.get(f"/servers/{server}/").content.decode()
    form = re.search(r'<form method="post" action="(/servers/[^"]+/actions/reboot/)".*?</form>', page, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    done = browser.post(
        form.group(1), {"csrfmiddlewaretoken": token, "idempotency_key": key_of(form.group(0))}
    )
    assert done.status_code == 302 and sim_operations(simulator) == before + 1


# --- the next view is true once the activity ended --------------------------------------------
def test_finished_activity_drops_the_cached_pages(demo, simulator, django_capture_on_commit_callbacks):
    simulator.control("config", durationSeconds=100)  # 2 s at speed 50
    [server] = servers_in(simulator, "started")
    url = f"/servers/{server.lower()}/"
    confirm = demo.get(f"{url}actions/powerOff/")
    response = demo.post(
        f"{url}actions/powerOff/", {"idempotency_key": key_of(confirm.content.decode()), "confirmed": "1"}
    )
    assert response.status_code == 302
    activity = Activity.objects.get(operation="powerOff")
    # The pages read right after the submission are cached with the server still started.
    assert 'data-power="started"' in demo.get(url).content.decode()
    assert 'data-p="started"' in _row_of(demo.get("/datacenters/wa1/").content.decode(), server)
    wait_until(
        lambda: upstream_power_state(simulator, server) == "stopped", timeout=20, message="the power off"
    )
    # Still cached: nothing told the portal yet.
    assert 'data-power="started"' in demo.get(url).content.decode()
    # The worker's poll (the same function the dispatcher runs) records the end; its after-commit
    # work (drop the cache, then publish) runs as it does in the worker's autocommit ...
    with django_capture_on_commit_callbacks(execute=True):
        tracking.poll_activities([activity.pk])
    activity.refresh_from_db()
    assert activity.status == Status.SUCCEEDED
    # ... and drops the cached inventory: the server page and its row are true without ?refresh=1.
    assert 'data-power="stopped"' in demo.get(url).content.decode()
    assert 'data-p="stopped"' in _row_of(demo.get("/datacenters/wa1/").content.decode(), server)


def _row_of(html: str, server_id: str) -> str:
    match = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*href="/servers/{server_id.lower()}/"', html, re.S)
    assert match, f"no row for {server_id}"
    return match.group(0)
