"""Helpers for the simulator's network and firewall tests (``tests/test_simulator_*network*``,
``test_simulator_firewall.py``): HTTP calls, network look-ups, the demo seed, a slow queue."""

import ipaddress
import re

from apps.simulator.seed import build_demo

DEMO_SEED = build_demo()  # the same deterministic seed the simulator runs
NETS = "/v2-experimental/networks"
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def api(sim, session, method, path, **kwargs):
    return session.request(method, f"{sim.url}{path}", timeout=10, **kwargs)


def networks(sim, session, dc="WA1", alias="DEMO") -> list[dict]:
    response = api(sim, session, "GET", f"{NETS}/{alias}/{dc}")
    assert response.status_code == 200, response.text
    return response.json()


def named(sim, session, name, dc="WA1") -> dict:
    return next(n for n in networks(sim, session, dc) if n["name"] == name)


def claimed(sim, session, network, dc="WA1") -> list[dict]:
    response = api(
        sim, session, "GET", f"{NETS}/DEMO/{dc}/{network['id']}/ipAddresses", params={"type": "claimed"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def spare(sim, session, dc="WA1") -> dict:
    """The seed's empty network (the third)."""
    return networks(sim, session, dc)[2]


def inside(network: dict, address: str) -> bool:
    return ipaddress.IPv4Address(address) in ipaddress.IPv4Network(network["cidr"])


def finish_queue(sim):
    sim.control("clock", advance=3600)  # every queued operation has completed


def server_ips(sim, session, server_id) -> list[str]:
    response = api(sim, session, "GET", f"/v2/servers/DEMO/{server_id}")
    assert response.status_code == 200, response.text
    return [ip["internal"] for ip in response.json()["details"]["ipAddresses"]]


def pick(predicate=lambda s: True, dc="WA1"):
    for server in DEMO_SEED.servers.values():
        if (
            server.alias == "DEMO"
            and server.location == dc
            and server.status == "active"
            and predicate(server)
        ):
            return server
    raise LookupError("no such server in the demo seed")


def rels(body) -> dict:
    return {link["rel"]: link for link in body["links"]}


def slow_queue(simulator):
    """Queued operations take an hour of simulator time: they finish only when the clock moves
    (``finish_queue``). The ``slow`` fixture (tests/support/fixtures.py) is the simulator so set."""
    simulator.control("config", durationSeconds=3000 * 50)
    return simulator


def create_body(**extra) -> dict:
    """A create-server body for WA1's Default Group."""
    group = next(
        g
        for g in DEMO_SEED.groups.values()
        if g.alias == "DEMO" and g.location == "WA1" and g.name == "Default Group"
    )
    body = {
        "name": "net",
        "groupId": group.id,
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 1,
        "memoryGB": 2,
        "type": "standard",
    }
    body.update(extra)
    return body
