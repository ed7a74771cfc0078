"""Group actions through the pages and the API, against the simulator: create, rename, move (and the
local check against moving into a descendant), delete (with the list of what goes), archive /
restore, power on a whole subtree with ONE upstream call, roles (viewer 403, other account 404)."""

import re
import uuid

import pytest

from apps.activities import tracking
from apps.activities.models import Activity, Status
from apps.clc import groups as clc_groups
from apps.clc import operations as clc_operations
from tests.support.portal import named_group, sign_in, sim_tree, text_of, walk
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


def sim_group(simulator, group_id):
    return simulator.session("demo").get(f"{simulator.url}/v2/groups/demo/{group_id}")


def server_ids(group):
    return [link["id"].upper() for g in walk(group) for link in g["links"] if link["rel"] == "server"]


def key():
    return str(uuid.uuid4())


def finish(activity_id, timeout=15):
    def done():
        tracking.dispatch()
        activity = Activity.objects.get(pk=activity_id)
        return activity if activity.is_terminal else None

    return wait_until(done, timeout=timeout, interval=0.05, message="activity finished")


# --- create / rename / move -------------------------------------------------------------------
def test_group_page_links_to_group_actions(demo, simulator):
    web = named_group(simulator, "Web")
    html = demo.get(f"/groups/{web['id']}/").content.decode()
    for action in (
        "createServer",
        "createGroup",
        "editGroup",
        "moveGroup",
        "archiveGroup",
        "deleteGroup",
        "shutDown",
    ):
        assert f'data-action="{action}"' in html, action
    page = demo.get("/datacenters/wa1/")
    assert 'data-action="createServer"' in page.content.decode()


def test_create_sub_group_reaches_the_simulator(demo, simulator):
    web = named_group(simulator, "Web")
    form = demo.get(f"/groups/{web['id']}/actions/createGroup/")
    assert form.status_code == 200
    assert f'<option value="{web["id"]}" selected' in form.content.decode()  # parent defaults to here
    response = demo.post(
        f"/groups/{web['id']}/actions/createGroup/",
        {"idempotency_key": key(), "parent": web["id"], "name": "Staging", "description": "pre-prod"},
    )
    assert response.status_code == 302
    staging = named_group(simulator, "Staging")
    assert staging["description"] == "pre-prod"
    parent = next(link["id"] for link in staging["links"] if link["rel"] == "parentGroup")
    assert parent == web["id"]
    assert response["Location"] == f"/groups/{staging['id'].lower()}/"
    # the cloud's refusal (duplicate sibling name) comes back as a form error, 400
    again = demo.post(
        f"/groups/{web['id']}/actions/createGroup/",
        {"idempotency_key": key(), "parent": web["id"], "name": "Staging"},
    )
    assert again.status_code == 400 and "already exists" in text_of(again)


def test_rename_and_describe(demo, simulator):
    ops = named_group(simulator, "Ops")
    response = demo.post(
        f"/groups/{ops['id']}/actions/editGroup/",
        {"idempotency_key": key(), "name": "Operations", "description": "SRE"},
    )
    assert response.status_code == 302
    body = sim_group(simulator, ops["id"]).json()
    assert body["name"] == "Operations" and body["description"] == "SRE"
    empty = demo.post(f"/groups/{ops['id']}/actions/editGroup/", {"idempotency_key": key(), "name": ""})
    assert empty.status_code == 400


def test_move_to_another_parent(demo, simulator):
    monitoring, data = named_group(simulator, "Monitoring"), named_group(simulator, "Data")
    page = demo.get(f"/groups/{monitoring['id']}/actions/moveGroup/").content.decode()
    assert f'value="{monitoring["id"]}"' not in page  # not offered: itself
    response = demo.post(
        f"/groups/{monitoring['id']}/actions/moveGroup/", {"idempotency_key": key(), "parent": data["id"]}
    )
    assert response.status_code == 302
    body = sim_group(simulator, monitoring["id"]).json()
    assert next(link["id"] for link in body["links"] if link["rel"] == "parentGroup") == data["id"]


def test_move_into_own_descendant_is_refused_without_an_upstream_call(demo, simulator, monkeypatch):
    web, canary = named_group(simulator, "Web"), named_group(simulator, "Canary")
    calls = []
    monkeypatch.setattr(clc_groups, "update_group", lambda *a, **k: calls.append(a))
    for target in (canary["id"], web["id"]):
        response = demo.post(
            f"/groups/{web['id']}/actions/moveGroup/", {"idempotency_key": key(), "parent": target}
        )
        assert response.status_code == 400
        assert "under itself or one of its own sub-groups" in text_of(response)
    assert calls == []
    body = sim_group(simulator, web["id"]).json()
    assert (
        next(link["id"] for link in body["links"] if link["rel"] == "parentGroup")
        == sim_tree(simulator.session("demo"))["id"]
    )


# --- delete / archive / restore ---------------------------------------------------------------
def test_delete_confirmation_lists_what_goes_then_deletes(demo, simulator):
    data = named_group(simulator, "Data")
    subgroups = [g["name"] for g in walk(data)][1:]
    servers = server_ids(data)
    assert subgroups and servers
    confirm = demo.get(f"/groups/{data['id']}/actions/deleteGroup/")
    assert confirm.status_code == 200
    text = text_of(confirm)
    for name in subgroups:
        assert name in text
    assert f"{len(servers)} servers in all" in text
    unconfirmed = demo.post(f"/groups/{data['id']}/actions/deleteGroup/", {"idempotency_key": key()})
    assert unconfirmed.status_code == 200 and "and everything in it?" in text_of(unconfirmed)  # asked again
    assert sim_group(simulator, data["id"]).status_code == 200
    form_key = key()
    response = demo.post(
        f"/groups/{data['id']}/actions/deleteGroup/", {"idempotency_key": form_key, "confirmed": "1"}
    )
    assert response.status_code == 302
    again = demo.post(
        f"/groups/{data['id']}/actions/deleteGroup/", {"idempotency_key": form_key, "confirmed": "1"}
    )
    assert again.status_code in (302, 404)  # replayed (or the group is already gone): never sent twice
    activities = Activity.objects.filter(operation="deleteGroup")
    assert activities.count() == 1
    assert finish(activities[0].pk).status == Status.SUCCEEDED
    assert sim_group(simulator, data["id"]).status_code == 404
    session = simulator.session("demo")
    assert session.get(f"{simulator.url}/v2/servers/demo/{servers[0]}").status_code == 404


def test_archive_then_restore(demo, simulator):
    ops, web = named_group(simulator, "Ops"), named_group(simulator, "Web")
    confirm = demo.get(f"/groups/{ops['id']}/actions/archiveGroup/")
    assert confirm.status_code == 200 and "Monitoring" in text_of(confirm)
    response = demo.post(
        f"/groups/{ops['id']}/actions/archiveGroup/", {"idempotency_key": key(), "confirmed": "1"}
    )
    assert response.status_code == 302
    archived = Activity.objects.get(operation="archiveGroup")
    assert finish(archived.pk).status == Status.SUCCEEDED
    assert sim_group(simulator, ops["id"]).json()["status"] == "archived"
    page = demo.get(f"/groups/{ops['id']}/").content.decode()
    assert 'data-action="restoreGroup"' in page
    response = demo.post(
        f"/groups/{ops['id']}/actions/restoreGroup/", {"idempotency_key": key(), "target": web["id"]}
    )
    assert response.status_code == 302
    restored = Activity.objects.get(operation="restoreGroup")
    assert finish(restored.pk).status == Status.SUCCEEDED
    body = sim_group(simulator, ops["id"]).json()
    assert body["status"] == "active"
    assert next(link["id"] for link in body["links"] if link["rel"] == "parentGroup") == web["id"]


# --- power on a whole group -------------------------------------------------------------------
def _count_power_calls(monkeypatch):
    calls = []
    real = clc_operations.server_operation

    def counting(client, operation, ids):
        calls.append((operation, list(ids)))
        return real(client, operation, ids)

    monkeypatch.setattr(clc_operations, "server_operation", counting)
    return calls


def test_group_power_off_is_one_upstream_call_for_every_server(demo, simulator, monkeypatch):
    web = named_group(simulator, "Web")
    session = simulator.session("demo")
    active = [
        sid
        for sid in server_ids(web)
        if session.get(f"{simulator.url}/v2/servers/demo/{sid}").json()["status"] == "active"
    ]
    assert len(active) >= 2
    calls = _count_power_calls(monkeypatch)
    confirm = demo.get(f"/groups/{web['id']}/actions/powerOff/")
    assert confirm.status_code == 200 and f'data-affects="{len(active)}"' in confirm.content.decode()
    assert calls == []  # the confirmation first
    unconfirmed = demo.post(f"/groups/{web['id']}/actions/powerOff/", {"idempotency_key": key()})
    assert unconfirmed.status_code == 200 and calls == []  # asked again, nothing sent
    form_key = key()
    response = demo.post(
        f"/groups/{web['id']}/actions/powerOff/", {"idempotency_key": form_key, "confirmed": "1"}
    )
    assert response.status_code == 302
    demo.post(f"/groups/{web['id']}/actions/powerOff/", {"idempotency_key": form_key, "confirmed": "1"})
    assert len(calls) == 1 and calls[0][0] == "powerOff"
    assert sorted(calls[0][1]) == sorted(active)
    for activity in Activity.objects.filter(operation="powerOff"):
        finish(activity.pk)

    def all_stopped():
        states = [session.get(f"{simulator.url}/v2/servers/demo/{sid}").json()["details"] for sid in active]
        return all(s["powerState"] == "stopped" for s in states)

    wait_until(all_stopped, timeout=15, message="servers stopped")


def test_group_power_on_asks_first_naming_every_server(demo, simulator, monkeypatch):
    data = named_group(simulator, "Data")
    calls = _count_power_calls(monkeypatch)
    page = demo.get(f"/groups/{data['id']}/").content.decode()
    assert re.search(r'<form method="post"[^>]*actions/powerOn/', page) is None  # no one-click power on
    form_key = key()
    asked = demo.post(f"/groups/{data['id']}/actions/powerOn/", {"idempotency_key": form_key})
    assert asked.status_code == 200 and calls == []
    assert "Power on every active server in Data and its sub-groups?" in text_of(asked)
    for sid in server_ids(data)[:3]:
        assert sid in text_of(asked).upper()
    response = demo.post(
        f"/groups/{data['id']}/actions/powerOn/", {"idempotency_key": form_key, "confirmed": "1"}
    )
    assert response.status_code == 302 and len(calls) == 1


def test_group_operation_api(demo, simulator, monkeypatch):
    web = named_group(simulator, "Web")
    calls = _count_power_calls(monkeypatch)
    response = demo.post(
        f"/api/v1/groups/{web['id']}/operations/", {"operation": "reboot"}, content_type="application/json"
    )
    assert response.status_code in (200, 202), response.content
    body = response.json()
    assert len(calls) == 1 and body["group"] == web["id"]
    assert {r["server"] for r in body["results"]} == set(calls[0][1])
    assert all(r["outcome"] in ("queued", "notice", "error") for r in body["results"])
    bad = demo.post(
        f"/api/v1/groups/{web['id']}/operations/", {"operation": "explode"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "message" in bad.json()


# --- roles and accounts -----------------------------------------------------------------------
def test_viewer_gets_403_and_no_upstream_call(client, clc_settings, simulator, monkeypatch):
    sign_in(client, "viewer")
    web = named_group(simulator, "Web")
    calls = _count_power_calls(monkeypatch)
    page = client.get(f"/groups/{web['id']}/").content.decode()
    assert 'data-action="deleteGroup"' not in page and 'data-action="createGroup"' not in page
    for url in (
        "actions/deleteGroup/",
        "actions/editGroup/",
        "actions/moveGroup/",
        "actions/createGroup/",
        "actions/archiveGroup/",
        "actions/powerOff/",
    ):
        assert client.get(f"/groups/{web['id']}/{url}").status_code == 403, url
        assert (
            client.post(
                f"/groups/{web['id']}/{url}", {"idempotency_key": key(), "confirmed": "1"}
            ).status_code
            == 403
        )
    api = client.post(
        f"/api/v1/groups/{web['id']}/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert api.status_code == 403 and calls == []
    assert sim_group(simulator, web["id"]).status_code == 200
    from apps.audit.models import AuditEntry

    denied = AuditEntry.objects.filter(result="denied", target_id=web["id"], username__iexact="viewer")
    assert {
        "group.deleteGroup",
        "group.editGroup",
        "group.moveGroup",
        "group.createGroup",
        "group.archiveGroup",
        "group.powerOff",
    } <= set(denied.values_list("action", flat=True))


def test_other_account_gets_404(client, clc_settings, simulator):
    sign_in(client, "other")
    web = named_group(simulator, "Web")
    for url in (
        "actions/deleteGroup/",
        "actions/editGroup/",
        "actions/moveGroup/",
        "actions/createGroup/",
        "actions/powerOff/",
    ):
        assert client.get(f"/groups/{web['id']}/{url}").status_code == 404, url
        assert (
            client.post(
                f"/groups/{web['id']}/{url}", {"idempotency_key": key(), "confirmed": "1"}
            ).status_code
            == 404
        )
    api = client.post(
        f"/api/v1/groups/{web['id']}/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert api.status_code == 404
    assert sim_group(simulator, web["id"]).status_code == 200
