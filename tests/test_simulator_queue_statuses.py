"""The queue statuses ``resumed`` and ``unknown`` (``Queue/get-status.md`` lists them; the README's
"Queue statuses seen"), produced by ``POST /control/interrupt-next`` (issue #17)."""

import pytest
import requests

ALIAS = "DEMO"


def started_server(sim, session) -> str:
    dc = session.get(f"{sim.url}/v2/datacenters/{ALIAS}/WA1?groupLinks=true", timeout=10).json()
    root = next(lk for lk in dc["links"] if lk["rel"] == "group")
    stack = [session.get(f"{sim.url}/v2/groups/{ALIAS}/{root['id']}", timeout=10).json()]
    while stack:
        group = stack.pop()
        stack += group["groups"]
        for lk in group["links"]:
            if lk["rel"] == "server":
                server = session.get(f"{sim.url}{lk['href']}", timeout=10).json()
                details = server.get("details", {})
                if server["status"] == "active" and details["powerState"] == "started":
                    return server["id"]
    raise LookupError("no started server")


def advance(sim, seconds: float) -> None:
    requests.post(f"{sim.url}/control/clock", json={"advance": seconds}, timeout=10).raise_for_status()


def power_off(sim, session, server_id: str) -> str:
    answer = session.post(f"{sim.url}/v2/operations/{ALIAS}/servers/powerOff", json=[server_id], timeout=10)
    (entry,) = answer.json()
    assert entry["isQueued"], entry
    return entry["links"][0]["href"]


def status(sim, session, href: str) -> str:
    return session.get(f"{sim.url}{href}", timeout=10).json()["status"]


def power_state(sim, session, server_id: str) -> str:
    return session.get(f"{sim.url}/v2/servers/{ALIAS}/{server_id}", timeout=10).json()["details"][
        "powerState"
    ]


def test_an_interrupted_operation_reads_resumed_until_it_ends(simulator):
    session = simulator.session("demo")
    server = started_server(simulator, session)
    # 1,000 s / speed 50 = 20 s of work; halfway (10 s) it stops for 100 s, then resumes.
    simulator.control("config", durationSeconds=1000)
    simulator.control("interrupt-next", count=1, status="resumed", pauseSeconds=100)
    href = power_off(simulator, session, server)
    assert status(simulator, session, href) == "notStarted"
    advance(simulator, 50)
    assert status(simulator, session, href) == "executing"  # paused: still in progress
    advance(simulator, 62)
    assert status(simulator, session, href) == "resumed"
    assert power_state(simulator, session, server) == "started"
    advance(simulator, 20)
    assert status(simulator, session, href) == "succeeded"
    assert power_state(simulator, session, server) == "stopped"


def test_an_operation_the_queue_lost_reads_unknown_for_good(simulator):
    session = simulator.session("demo")
    server = started_server(simulator, session)
    simulator.control("config", durationSeconds=1000)
    simulator.control("interrupt-next", count=1, status="unknown")
    href = power_off(simulator, session, server)
    advance(simulator, 12)
    assert status(simulator, session, href) == "unknown"
    advance(simulator, 3600)
    assert status(simulator, session, href) == "unknown"
    assert power_state(simulator, session, server) == "stopped"  # the work itself was done


def test_only_the_next_operations_are_interrupted_and_reset_forgets(simulator):
    session = simulator.session("demo")
    simulator.control("config", durationSeconds=1000)
    settings = simulator.control("interrupt-next", count=2, status="unknown")
    assert settings["interruptNext"] == [{"status": "unknown"}] * 2
    simulator.control("reset", keepTokens=True)
    assert requests.get(f"{simulator.url}/control", timeout=10).json()["interruptNext"] == []
    simulator.control("config", durationSeconds=1000)
    href = power_off(simulator, session, started_server(simulator, session))
    advance(simulator, 12)
    assert status(simulator, session, href) == "executing"


@pytest.mark.parametrize(
    "body", [{"status": "paused"}, {"status": "resumed", "pauseSeconds": -1}, {"count": "x"}]
)
def test_bad_interruptions_are_refused(simulator, body):
    response = requests.post(f"{simulator.url}/control/interrupt-next", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["message"]
