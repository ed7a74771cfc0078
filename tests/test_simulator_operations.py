"""Server operations and the queue of the simulated CLC API v2, through HTTP.

Each operation's effect is checked twice: through the operations themselves (after powerOff, a
second powerOff is "already in that state") and through GET /v2/servers/{alias}/{id}.
"""

import re

import pytest

from apps.simulator.seed import build_demo
from tests.support.portal import operation_status, wait_operation
from tests.support.simulator import wait_until

NOT_QUEUED = (
    "The operation cannot be queued because the server cannot be found or it is not in a valid state."
)
STATUS_HREF = re.compile(r"^/v2/operations/demo/status/(wa1-\d+)$")
ARCHIVED = "WA1DEMOOLD01"

_DEMO = build_demo()  # the same deterministic seed the simulator runs


def pick(power=None, maintenance=None, snapshots=None, skip=()):
    """An active WA1 DEMO server of the demo seed in the given state."""
    for server in _DEMO.servers.values():
        if server.alias != "DEMO" or server.location != "WA1" or server.status != "active":
            continue
        if server.id in skip:
            continue
        if power is not None and server.power_state != power:
            continue
        if maintenance is not None and server.in_maintenance != maintenance:
            continue
        if snapshots is not None and bool(server.snapshots) != snapshots:
            continue
        return server.id
    raise LookupError("no such server in the demo seed")


# --- helpers ----------------------------------------------------------------------------------
def act(sim, session, action, body, alias="DEMO"):
    return session.post(f"{sim.url}/v2/operations/{alias}/servers/{action}", json=body, timeout=10)


def act_ok(sim, session, action, body, alias="DEMO"):
    response = act(sim, session, action, body, alias)
    assert response.status_code == 200, response.text
    return response.json()


def queued_id(entry, server_id):
    assert entry["server"] == server_id.lower()
    assert entry["isQueued"] is True, entry
    assert "errorMessage" not in entry
    (link,) = entry["links"]
    assert link["rel"] == "status"
    match = STATUS_HREF.match(link["href"])
    assert match and match.group(1) == link["id"]
    return link["id"]


def assert_already(entry, server_id):
    assert entry == {"server": server_id.lower(), "isQueued": False}


def assert_refused(entry, server_id, message=NOT_QUEUED):
    assert entry == {"server": server_id.lower(), "isQueued": False, "errorMessage": message}


def server_view(sim, session, server_id):
    """GET /v2/servers/DEMO/{id} (routes/servers.py)."""
    response = session.get(f"{sim.url}/v2/servers/DEMO/{server_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def slow_queue(sim, seconds=25.0):
    """Operations take ``seconds`` at speed 1, i.e. seconds/50 in the test simulator."""
    sim.control("config", durationSeconds=seconds)


# --- one state-machine test per operation ------------------------------------------------------
# (action, the server to act on, body builder, follow-up checks: [(action, expectation)])
# An expectation is "already" (isQueued false, no errorMessage) or "refused" (errorMessage).
STARTED = pick(power="started", maintenance=False, snapshots=False)
STOPPED = pick(power="stopped", maintenance=False)
PAUSED = pick(power="paused", maintenance=False)
IN_MAINTENANCE = pick(maintenance=True, snapshots=False)


def ids(server_id):
    return [server_id]


CASES = [
    ("powerOn", STOPPED, [("powerOn", "already")], {"powerState": "started"}),
    ("powerOn", PAUSED, [("powerOn", "already")], {"powerState": "started"}),
    ("powerOff", STARTED, [("powerOff", "already"), ("pause", "refused")], {"powerState": "stopped"}),
    ("powerOff", PAUSED, [("powerOff", "already")], {"powerState": "stopped"}),
    ("shutDown", STARTED, [("shutDown", "already"), ("reboot", "refused")], {"powerState": "stopped"}),
    ("pause", STARTED, [("pause", "already"), ("shutDown", "refused")], {"powerState": "paused"}),
    ("reboot", STARTED, [("powerOn", "already")], {"powerState": "started"}),
    ("reset", STARTED, [("powerOn", "already")], {"powerState": "started"}),
    ("startMaintenance", STARTED, [("startMaintenance", "already")], {"inMaintenanceMode": True}),
    ("stopMaintenance", IN_MAINTENANCE, [("stopMaintenance", "already")], {"inMaintenanceMode": False}),
]


@pytest.mark.parametrize(("action", "server_id", "follow_ups", "details"), CASES)
def test_operation_runs_then_applies_its_effect(simulator, action, server_id, follow_ups, details):
    session = simulator.session("demo")
    before = server_view(simulator, session, server_id)
    slow_queue(simulator)
    (entry,) = act_ok(simulator, session, action, [server_id.lower()])
    op_id = queued_id(entry, server_id)
    assert operation_status(simulator, session, op_id) in ("notStarted", "executing")
    assert wait_operation(simulator, session, op_id) == "succeeded"
    for follow_up, expectation in follow_ups:
        (after,) = act_ok(simulator, session, follow_up, [server_id])
        if expectation == "already":
            assert_already(after, server_id)
        else:
            assert_refused(after, server_id)
    view = server_view(simulator, session, server_id)
    for key, value in details.items():
        assert view["details"][key] == value
    assert view["status"] == before["status"] == "active"


def test_status_goes_not_started_executing_succeeded(simulator):
    session = simulator.session("demo")
    simulator.control("config", durationSeconds=150)  # 3 s at speed 50; notStarted for the first 10%
    op_id = queued_id(act_ok(simulator, session, "reboot", [STARTED])[0], STARTED)
    assert operation_status(simulator, session, op_id) == "notStarted"
    wait_until(
        lambda: operation_status(simulator, session, op_id) == "executing", timeout=5, message="executing"
    )
    assert wait_operation(simulator, session, op_id) == "succeeded"


def test_server_keeps_its_state_while_the_operation_runs(simulator):
    session = simulator.session("demo")
    simulator.control("config", durationSeconds=500)  # 10 s at speed 50
    op_id = queued_id(act_ok(simulator, session, "powerOff", [STARTED])[0], STARTED)
    assert operation_status(simulator, session, op_id) in ("notStarted", "executing")
    view = server_view(simulator, session, STARTED)
    assert view["details"]["powerState"] == "started"
    # One operation at a time: everything else on that server is refused until it completes.
    for action in ("powerOff", "powerOn", "pause", "startMaintenance", "archive"):
        assert_refused(act_ok(simulator, session, action, [STARTED])[0], STARTED)


def test_set_maintenance_turns_each_server_on_or_off(simulator):
    session = simulator.session("demo")
    slow_queue(simulator)
    body = {
        "servers": [
            {"id": STARTED.lower(), "inMaintenanceMode": "true"},
            {"id": IN_MAINTENANCE, "inMaintenanceMode": False},
        ]
    }
    on, off = act_ok(simulator, session, "setMaintenance", body)
    op_ids = [queued_id(on, STARTED), queued_id(off, IN_MAINTENANCE)]
    assert op_ids[0] != op_ids[1]
    for op_id in op_ids:
        assert wait_operation(simulator, session, op_id) == "succeeded"
    assert_already(act_ok(simulator, session, "startMaintenance", [STARTED])[0], STARTED)
    assert_already(act_ok(simulator, session, "stopMaintenance", [IN_MAINTENANCE])[0], IN_MAINTENANCE)
    again = act_ok(
        simulator,
        session,
        "setMaintenance",
        {
            "servers": [
                {"id": STARTED, "inMaintenanceMode": True},
                {"id": "WA1DEMONOPE01", "inMaintenanceMode": True},
            ]
        },
    )
    assert_already(again[0], STARTED)
    assert_refused(again[1], "WA1DEMONOPE01")
    for server_id, wanted in ((STARTED, True), (IN_MAINTENANCE, False)):
        view = server_view(simulator, session, server_id)
        assert view["details"]["inMaintenanceMode"] is wanted


def test_archive_stops_the_server_and_moves_it_to_the_archive_group(simulator):
    session = simulator.session("demo")
    slow_queue(simulator)
    (entry,) = act_ok(simulator, session, "archive", [STARTED])
    assert wait_operation(simulator, session, queued_id(entry, STARTED)) == "succeeded"
    for action in ("powerOn", "powerOff", "archive", "startMaintenance"):
        assert_refused(act_ok(simulator, session, action, [STARTED])[0], STARTED)
    snapshot = act_ok(
        simulator, session, "createSnapshot", {"snapshotExpirationDays": 2, "serverIds": [STARTED]}
    )
    assert_refused(snapshot[0], STARTED)
    view = server_view(simulator, session, STARTED)
    archive_group = _DEMO.groups[_DEMO.servers[ARCHIVED.lower()].group_id]
    assert view["status"] == "archived"
    assert view["details"]["powerState"] == "stopped"
    assert view["groupId"] == archive_group.id


def test_create_snapshot_adds_one_snapshot_and_refuses_a_second(simulator):
    session = simulator.session("demo")
    slow_queue(simulator)
    (entry,) = act_ok(
        simulator, session, "createSnapshot", {"snapshotExpirationDays": "7", "serverIds": [STARTED.lower()]}
    )
    assert wait_operation(simulator, session, queued_id(entry, STARTED)) == "succeeded"
    (second,) = act_ok(
        simulator, session, "createSnapshot", {"snapshotExpirationDays": 7, "serverIds": [STARTED]}
    )
    assert second["isQueued"] is False
    assert "already has a snapshot" in second["errorMessage"]
    with_snapshot = pick(snapshots=True)
    (seeded,) = act_ok(
        simulator, session, "createSnapshot", {"snapshotExpirationDays": 1, "serverIds": [with_snapshot]}
    )
    assert seeded["isQueued"] is False and "already has a snapshot" in seeded["errorMessage"]
    view = server_view(simulator, session, STARTED)
    (snap,) = view["details"]["snapshots"]
    assert re.match(r"^\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d$", snap["name"])


# --- already in the state, invalid states, unknown servers ---------------------------------------
@pytest.mark.parametrize(
    ("action", "server_id"),
    [
        ("powerOn", STARTED),
        ("powerOff", STOPPED),
        ("shutDown", STOPPED),
        ("pause", PAUSED),
        ("startMaintenance", IN_MAINTENANCE),
        ("stopMaintenance", STARTED),
    ],
)
def test_already_in_the_requested_state_is_not_queued_without_error(simulator, action, server_id):
    session = simulator.session("demo")
    (entry,) = act_ok(simulator, session, action, [server_id])
    assert_already(entry, server_id)


@pytest.mark.parametrize(
    ("action", "server_id"),
    [
        ("pause", STOPPED),
        ("reboot", STOPPED),
        ("reset", PAUSED),
        ("shutDown", PAUSED),
        ("powerOn", ARCHIVED),
        ("startMaintenance", ARCHIVED),
        ("archive", ARCHIVED),
    ],
)
def test_invalid_state_is_refused_with_the_documented_message(simulator, action, server_id):
    session = simulator.session("demo")
    (entry,) = act_ok(simulator, session, action, [server_id])
    assert_refused(entry, server_id)


def test_mixed_list_answers_per_server_in_order(simulator):
    session = simulator.session("demo")
    slow_queue(simulator)
    body = [STOPPED, "wa1demonope01", STARTED, STOPPED.lower(), ARCHIVED]
    answer = act_ok(simulator, session, "powerOn", body)
    assert [e["server"] for e in answer] == [
        STOPPED.lower(),
        "wa1demonope01",
        STARTED.lower(),
        ARCHIVED.lower(),
    ]
    op_id = queued_id(answer[0], STOPPED)
    assert_refused(answer[1], "wa1demonope01")
    assert_already(answer[2], STARTED)
    assert_refused(answer[3], ARCHIVED)
    assert wait_operation(simulator, session, op_id) == "succeeded"


def test_server_ids_object_is_accepted(simulator):
    session = simulator.session("operator")
    (entry,) = act_ok(simulator, session, "POWEROFF", {"serverIds": [STARTED.lower()]}, alias="demo")
    assert wait_operation(simulator, session, queued_id(entry, STARTED)) == "succeeded"


# --- failures ---------------------------------------------------------------------------------
def test_failed_operation_has_no_effect(simulator):
    session = simulator.session("demo")
    slow_queue(simulator)
    simulator.control("fail-next", count=1)
    (entry,) = act_ok(simulator, session, "powerOff", [STARTED])
    assert wait_operation(simulator, session, queued_id(entry, STARTED)) == "failed"
    assert_already(act_ok(simulator, session, "powerOn", [STARTED])[0], STARTED)
    simulator.control("fail-next", count=1)
    (snap,) = act_ok(
        simulator, session, "createSnapshot", {"snapshotExpirationDays": 3, "serverIds": [STARTED]}
    )
    assert wait_operation(simulator, session, queued_id(snap, STARTED)) == "failed"
    # No snapshot was left behind, so a new one can be taken.
    (retry,) = act_ok(
        simulator, session, "createSnapshot", {"snapshotExpirationDays": 3, "serverIds": [STARTED]}
    )
    assert wait_operation(simulator, session, queued_id(retry, STARTED)) == "succeeded"
    view = server_view(simulator, session, STARTED)
    assert view["details"]["powerState"] == "started"
    assert len(view["details"]["snapshots"]) == 1


# --- roles and accounts -----------------------------------------------------------------------
ALL_ACTIONS = [
    ("powerOn", [STOPPED]),
    ("powerOff", [STARTED]),
    ("shutDown", [STARTED]),
    ("reboot", [STARTED]),
    ("reset", [STARTED]),
    ("pause", [STARTED]),
    ("startMaintenance", [STARTED]),
    ("stopMaintenance", [IN_MAINTENANCE]),
    ("archive", [STARTED]),
    ("setMaintenance", {"servers": [{"id": STARTED, "inMaintenanceMode": True}]}),
    ("createSnapshot", {"snapshotExpirationDays": 5, "serverIds": [STARTED]}),
]


@pytest.mark.parametrize(("action", "body"), ALL_ACTIONS)
def test_viewer_gets_403_for_the_whole_call(simulator, action, body):
    viewer = simulator.session("viewer")
    response = act(simulator, viewer, action, body)
    assert response.status_code == 403
    assert set(response.json()) == {"message"}


def test_viewer_and_operator_can_read_the_queue(simulator):
    operator = simulator.session("operator")
    (entry,) = act_ok(simulator, operator, "startMaintenance", [STARTED])
    op_id = queued_id(entry, STARTED)
    viewer = simulator.session("viewer")
    assert wait_operation(simulator, viewer, op_id) == "succeeded"
    assert operation_status(simulator, viewer, op_id.upper(), alias="demo") == "succeeded"


def test_other_account_cannot_act_on_or_see_demo_operations(simulator):
    demo = simulator.session("demo")
    slow_queue(simulator)
    op_id = queued_id(act_ok(simulator, demo, "powerOff", [STARTED])[0], STARTED)
    other = simulator.session("other")
    # Through DEMO's alias: the whole call is 404.
    assert act(simulator, other, "powerOn", [STOPPED]).status_code == 404
    assert other.get(f"{simulator.url}/v2/operations/DEMO/status/{op_id}", timeout=10).status_code == 404
    # Through its own alias: DEMO's servers and queue items do not exist.
    (entry,) = act_ok(simulator, other, "powerOn", [STOPPED], alias="OTHR")
    assert_refused(entry, STOPPED)
    response = other.get(f"{simulator.url}/v2/operations/OTHR/status/{op_id}", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "The requested resource does not exist."}
    assert wait_operation(simulator, demo, op_id) == "succeeded"


def test_unknown_status_id_is_404(simulator):
    session = simulator.session("demo")
    for op_id in ("wa1-999999", "nonsense"):
        response = session.get(f"{simulator.url}/v2/operations/DEMO/status/{op_id}", timeout=10)
        assert response.status_code == 404
        assert response.json() == {"message": "The requested resource does not exist."}


# --- bad bodies -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("powerOff", []),
        ("powerOff", {"nothing": 1}),
        ("powerOff", [1, 2]),
        ("powerOff", [STARTED, None]),
        ("powerOff", [""]),
        ("powerOff", 42),
        ("powerOff", {"serverIds": []}),
        ("archive", [["nested"]]),
        ("setMaintenance", [STARTED]),
        ("setMaintenance", {"servers": []}),
        ("setMaintenance", {"servers": [{"id": STARTED}]}),
        ("setMaintenance", {"servers": [{"id": STARTED, "inMaintenanceMode": "maybe"}]}),
        ("setMaintenance", {"servers": [{"inMaintenanceMode": True}]}),
        ("createSnapshot", [STARTED]),
        ("createSnapshot", {"serverIds": [STARTED]}),
        ("createSnapshot", {"snapshotExpirationDays": 0, "serverIds": [STARTED]}),
        ("createSnapshot", {"snapshotExpirationDays": 11, "serverIds": [STARTED]}),
        ("createSnapshot", {"snapshotExpirationDays": "soon", "serverIds": [STARTED]}),
        ("createSnapshot", {"snapshotExpirationDays": 5, "serverIds": []}),
    ],
)
def test_bad_bodies_are_400(simulator, action, body):
    session = simulator.session("demo")
    response = act(simulator, session, action, body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"message"}


def test_missing_and_malformed_bodies_are_400(simulator):
    session = simulator.session("demo")
    url = f"{simulator.url}/v2/operations/DEMO/servers/powerOn"
    assert session.post(url, timeout=10).status_code == 400
    broken = session.post(url, data="[not json", headers={"Content-Type": "application/json"}, timeout=10)
    assert broken.status_code == 400
    assert "message" in broken.json()
