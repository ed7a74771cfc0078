"""``POST /control/config {"durationRange": [low, high]}``: each queued operation draws its own
duration (seconds before ``--speed`` scaling) — what ``bench/activities.py`` uses for 5..30 s."""

import requests

from apps.simulator.seed import build_world


def _power_off(simulator, server_ids):
    session = simulator.session("demo")
    answer = session.post(f"{simulator.url}/v2/operations/DEMO/servers/powerOff", json=server_ids, timeout=10)
    assert answer.status_code == 200, answer.text
    return [item["links"][0]["id"] for item in answer.json() if item.get("isQueued")]


def _duration(simulator, op_id) -> float:
    op = requests.get(f"{simulator.url}/control/operations/{op_id}", timeout=5).json()
    return op["completesAt"] - op["startedAt"]


def test_duration_range_draws_each_operation_within_it(simulator):
    simulator.reset(seed="scale:40")
    settings = simulator.control("config", durationRange=[100, 500])  # 2..10 s at speed 50
    assert settings["durationRange"] == [100, 500] and settings["durationSeconds"] is None
    servers = requests.get(f"{simulator.url}/control", timeout=5).json()["servers"]
    assert servers >= 20
    world = build_world("scale:40")
    started = sorted(s.id for s in world.servers.values() if s.alias == "DEMO" and s.power_state == "started")
    op_ids = _power_off(simulator, started[:12])
    assert len(op_ids) == 12
    durations = [_duration(simulator, op_id) for op_id in op_ids]
    assert all(2 - 1e-6 <= d <= 10 + 1e-6 for d in durations), durations
    assert len({round(d, 3) for d in durations}) > 1, "each operation draws its own duration"


def test_duration_seconds_and_range_replace_each_other_and_bad_input_is_400(simulator):
    assert simulator.control("config", durationRange=[1, 2])["durationRange"] == [1, 2]
    fixed = simulator.control("config", durationSeconds=5)
    assert fixed["durationSeconds"] == 5 and fixed["durationRange"] is None
    ranged = simulator.control("config", durationRange=[3, 4])
    assert ranged["durationSeconds"] is None and ranged["durationRange"] == [3, 4]
    for bad in ([5, 1], [1], "3-4", [0, 1], ["a", 2]):
        answer = requests.post(f"{simulator.url}/control/config", json={"durationRange": bad}, timeout=5)
        assert answer.status_code == 400 and answer.json()["message"], bad
    assert simulator.control("config", durationRange=None)["durationRange"] is None
    simulator.control("reset", seed="demo")
    assert requests.get(f"{simulator.url}/control", timeout=5).json()["durationRange"] is None
