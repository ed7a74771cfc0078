"""The simulator's clock, timers and events: the base of everything the cloud does by itself."""

import requests

from apps.simulator import routes, state  # noqa: F401  (routes register the effects)
from apps.simulator.seed import build_world

SEEN = []


@state.timer("test.record")
def _record(world, label):
    SEEN.append((label, world.now()))


@state.timer("test.queue_power_off")
def _queue(world, server_id):
    server = world.servers[server_id.lower()]
    world.queue(server.alias, server.location, "powerOff", [server.id])


def test_timers_run_in_time_order_at_their_own_moment():
    world = build_world("demo", speed=1.0)
    SEEN.clear()
    start = world.now()
    world.schedule(start + 100, "test.record", label="b")
    world.schedule(start + 50, "test.record", label="a")
    world.schedule(start + 10_000, "test.record", label="later")
    world.advance_clock(200)
    assert [label for label, _ in SEEN] == ["a", "b"]
    assert abs(SEEN[0][1] - (start + 50)) < 1 and abs(SEEN[1][1] - (start + 100)) < 1
    assert [t[1] for t in world.timers()] == ["test.record"]
    assert world.cancel_timers("test.record", label="later") == 1
    assert world.timers() == []


def test_an_operation_queued_by_a_timer_completes_within_the_same_fast_forward():
    world = build_world("demo", speed=1.0)
    server = next(s for s in world.servers.values() if s.power_state == "started" and s.status == "active")
    world.schedule(world.now() + 3600, "test.queue_power_off", server_id=server.id)
    world.advance_clock(2 * 3600)
    assert server.power_state == "stopped"
    op = next(o for o in world.operations.values() if o.resource_ids == [server.id])
    # It started at the timer's moment, not at the end of the fast-forward.
    assert op.completed_at < world.now() - 3000


def test_emit_reaches_listeners_and_the_event_log():
    world = build_world("demo", speed=1.0)
    heard = []
    state.LISTENERS.append(lambda w, e: heard.append(e["event"]))
    try:
        world.emit("Server.Updated", "demo", {"id": "X"})
    finally:
        state.LISTENERS.pop()
    assert heard == ["Server.Updated"]
    assert world.events[-1]["alias"] == "DEMO"


def test_control_clock_moves_forward_and_operations_finish(simulator):
    url = simulator.url
    before = requests.get(f"{url}/control/clock", timeout=5).json()
    after = simulator.control("clock", advance=3600)
    assert after["epoch"] - before["epoch"] >= 3600
    assert requests.post(f"{url}/control/clock", json={"advance": -5}, timeout=5).status_code == 400
    assert requests.post(f"{url}/control/clock", json={}, timeout=5).status_code == 400
    assert simulator.control("reset")["seed"] == "demo"
    assert requests.get(f"{url}/control/clock", timeout=5).json()["offset"] == 0
