"""Which changes emit which webhook events (read from GET /control/events, no listener needed).

Each change is made through the API, the simulator's clock is moved on so the operation completes,
and the events emitted meanwhile are compared with what the FAQ says triggers a webhook.
"""

import requests

from apps.simulator.seed import build_demo

_DEMO = build_demo()  # the same deterministic seed the simulator runs


def demo_server(*, power="started"):
    for server in _DEMO.servers.values():
        if (
            server.alias == "DEMO"
            and server.location == "WA1"
            and server.status == "active"
            and server.power_state == power
            and not server.in_maintenance
            and not server.public_ips
        ):
            return server
    raise LookupError("no such server in the demo seed")


def group(name):
    return next(
        g for g in _DEMO.groups.values() if g.alias == "DEMO" and g.location == "WA1" and g.name == name
    )


def last_seq(sim):
    events = requests.get(f"{sim.url}/control/events", timeout=10).json()["events"]
    return events[-1]["seq"] if events else 0


def events_after(sim, seq):
    response = requests.get(f"{sim.url}/control/events", params={"since": seq}, timeout=10)
    return response.json()["events"]


def change(sim, make):
    """Make a change, let every operation complete, and return the events it emitted."""
    seq = last_seq(sim)
    response = make()
    assert response.status_code in (200, 202, 204), response.text
    sim.control("clock", advance=600)
    return events_after(sim, seq)


def test_every_kind_of_server_change_emits_one_server_updated(simulator):
    session = simulator.session("demo")
    server = demo_server()
    base = f"{simulator.url}/v2"
    href = f"{base}/servers/DEMO/{server.id}"

    def operation(action, body=None):
        return lambda: session.post(
            f"{base}/operations/DEMO/servers/{action}", json=body or [server.id], timeout=10
        )

    def patch(member, value):
        return lambda: session.patch(href, json=[{"op": "set", "member": member, "value": value}], timeout=10)

    steps = [
        (operation("startMaintenance"), lambda s: s["details"]["inMaintenanceMode"] is True),
        (operation("stopMaintenance"), lambda s: s["details"]["inMaintenanceMode"] is False),
        (
            operation("setMaintenance", {"servers": [{"id": server.id, "inMaintenanceMode": True}]}),
            lambda s: s["details"]["inMaintenanceMode"] is True,
        ),
        (operation("pause"), lambda s: s["details"]["powerState"] == "paused"),
        (operation("powerOn"), lambda s: s["details"]["powerState"] == "started"),
        (operation("shutDown"), lambda s: s["details"]["powerState"] == "stopped"),
        (operation("powerOn"), lambda s: s["details"]["powerState"] == "started"),
        (patch("cpu", 4), lambda s: s["details"]["cpu"] == 4),
        (patch("memory", 8), lambda s: s["details"]["memoryMB"] == 8192),
        (patch("description", "hooked"), lambda s: s["description"] == "hooked"),
        (patch("groupId", group("Web").id), lambda s: s["groupId"] == group("Web").id),
        (
            lambda: session.post(
                f"{href}/publicIPAddresses", json={"ports": [{"protocol": "TCP", "port": 80}]}, timeout=10
            ),
            lambda s: any("public" in ip for ip in s["details"]["ipAddresses"]),
        ),
        (operation("archive"), lambda s: s["status"] == "archived"),
        (
            lambda: session.post(
                f"{href}/restore", json={"targetGroupId": group("Default Group").id}, timeout=10
            ),
            lambda s: s["status"] == "active" and s["groupId"] == group("Default Group").id,
        ),
    ]
    for index, (make, check) in enumerate(steps):
        emitted = change(simulator, make)
        assert [(e["event"], e["payload"]["id"]) for e in emitted] == [("Server.Updated", server.id)], index
        payload = emitted[0]["payload"]
        assert payload["accountAlias"] == "DEMO" and check(payload), (index, payload)


def test_public_ip_update_and_removal_emit_server_updated(simulator):
    session = simulator.session("demo")
    server = next(
        s for s in _DEMO.servers.values() if s.alias == "DEMO" and s.public_ips and s.status == "active"
    )
    address = server.public_ips[0].address
    href = f"{simulator.url}/v2/servers/DEMO/{server.id}/publicIPAddresses/{address}"
    body = {"ports": [{"protocol": "TCP", "port": 443}]}
    updated = change(simulator, lambda: session.put(href, json=body, timeout=10))
    assert [e["event"] for e in updated] == ["Server.Updated"]
    removed = change(simulator, lambda: session.delete(href, timeout=10))
    assert [e["event"] for e in removed] == ["Server.Updated"]
    assert all(ip.get("public") != address for ip in removed[0]["payload"]["details"]["ipAddresses"])


def test_snapshots_emit_nothing(simulator):
    session = simulator.session("demo")
    server = demo_server()
    body = {"snapshotExpirationDays": 2, "serverIds": [server.id]}
    url = f"{simulator.url}/v2/operations/DEMO/servers/createSnapshot"
    assert change(simulator, lambda: session.post(url, json=body, timeout=10)) == []


def test_group_archive_restore_and_delete_emit_one_event_per_server(simulator):
    session = simulator.session("demo")
    web = group("Web")
    members = {key.upper() for g in _DEMO.subtree_groups(web) for key in g.servers}
    assert len(members) >= 2, "the demo seed's Web group should hold several servers"
    href = f"{simulator.url}/v2/groups/DEMO/{web.id}"

    archived = change(simulator, lambda: session.post(f"{href}/archive", timeout=10))
    assert {e["payload"]["id"] for e in archived} == members
    assert {(e["event"], e["payload"]["status"]) for e in archived} == {("Server.Updated", "archived")}

    target = {"targetGroupId": group("Default Group").id}
    restored = change(simulator, lambda: session.post(f"{href}/restore", json=target, timeout=10))
    assert {e["payload"]["id"] for e in restored} == members
    assert {(e["event"], e["payload"]["status"]) for e in restored} == {("Server.Updated", "active")}

    deleted = change(simulator, lambda: session.delete(href, timeout=10))
    assert {e["event"] for e in deleted} == {"Server.Deleted"}
    assert sorted(e["payload"]["name"] for e in deleted) == sorted(members)
    assert all(set(e["payload"]) == {"accountAlias", "name"} for e in deleted)
