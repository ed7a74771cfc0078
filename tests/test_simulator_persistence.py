"""--state-file: the simulator's world survives a restart (tokens, queued operations, state)."""

import requests

from tests.support.simulator import SimulatorProcess


def test_state_file_keeps_tokens_and_settings_across_restart(tmp_path):
    state = tmp_path / "sim.pickle"
    first = SimulatorProcess(seed="demo", speed=50, extra_args=["--state-file", str(state)])
    try:
        token = first.login("demo")["bearerToken"]
        first.control("config", failureRate=0.25)
    finally:
        first.stop()
    assert state.exists()

    second = SimulatorProcess(seed="demo", speed=50, extra_args=["--state-file", str(state)])
    try:
        response = requests.get(
            f"{second.url}/v2/datacenters/DEMO", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code == 200
        assert requests.get(f"{second.url}/control", timeout=5).json()["failureRate"] == 0.25
    finally:
        second.stop()


def test_without_state_file_a_restart_forgets_tokens():
    first = SimulatorProcess(seed="demo", speed=50)
    try:
        token = first.login("demo")["bearerToken"]
    finally:
        first.stop()
    second = SimulatorProcess(seed="demo", speed=50)
    try:
        response = requests.get(
            f"{second.url}/v2/datacenters/DEMO", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code == 401
    finally:
        second.stop()
