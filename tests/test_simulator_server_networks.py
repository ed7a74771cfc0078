"""A server's networks over HTTP: create-server's ``networkId``/``ipAddress`` and secondary networks
(add/remove, queued, ``{"operationId", "uri"}``); validation, roles, isolation.

Queued work is finished by moving the simulator's clock (``POST /control/clock``), never by waiting.
"""

import ipaddress

import pytest

from tests.support.networks import (
    DEMO_SEED,
    HEX32,
    NETS,
    api,
    claimed,
    create_body,
    finish_queue,
    inside,
    named,
    networks,
    pick,
    server_ips,
    spare,
)


# --- create-server: networkId and ipAddress -----------------------------------------------------
def _created_ips(sim, session, response) -> tuple[list[str], str]:
    assert response.status_code == 202, response.text
    href = next(link["href"] for link in response.json()["links"] if link["rel"] == "self")
    created = api(sim, session, "GET", href).json()
    finish_queue(sim)
    return server_ips(sim, session, created["id"]), created["id"]


def test_create_server_takes_its_address_from_the_chosen_network(slow):
    session = slow.session("demo")
    backend = named(slow, session, "Backend")
    taken = {e["address"] for e in claimed(slow, session, backend)}
    lowest = next(
        str(a)
        for a in ipaddress.IPv4Network(backend["cidr"])
        if int(str(a).rsplit(".", 1)[1]) >= 12 and str(a) not in taken
    )
    ips, server_id = _created_ips(
        slow,
        session,
        api(slow, session, "POST", "/v2/servers/DEMO", json=create_body(networkId=backend["id"])),
    )
    assert ips == [lowest]
    assert {"address": lowest, "claimed": True, "server": server_id, "type": "private"} in claimed(
        slow, session, backend
    )

    wanted = backend["cidr"].replace("0/24", "200")
    ips, _ = _created_ips(
        slow,
        session,
        api(
            slow,
            session,
            "POST",
            "/v2/servers/DEMO",
            json=create_body(networkId=backend["id"], ipAddress=wanted),
        ),
    )
    assert ips == [wanted]
    wanted = backend["cidr"].replace("0/24", "201")  # ipAddress alone: the network holding it
    ips, _ = _created_ips(
        slow, session, api(slow, session, "POST", "/v2/servers/DEMO", json=create_body(ipAddress=wanted))
    )
    assert ips == [wanted]
    ips, _ = _created_ips(slow, session, api(slow, session, "POST", "/v2/servers/DEMO", json=create_body()))
    assert inside(networks(slow, session)[0], ips[0])  # the group's default: the first network

    # Deleting the server frees its address.
    assert api(slow, session, "DELETE", f"/v2/servers/DEMO/{server_id}").status_code == 202
    finish_queue(slow)
    assert lowest not in {e["address"] for e in claimed(slow, session, backend)}


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ({"networkId": "0" * 32}, "does not exist in WA1"),
        ({"networkId": 42}, "does not exist in WA1"),
        ({"ipAddress": "10.16.0.12"}, "already claimed"),
        ({"ipAddress": "10.16.0.5"}, "reserved"),
        ({"ipAddress": "10.16.0.999"}, "not a valid IPv4 address"),
        ({"ipAddress": "192.168.1.20"}, "not in any network"),
        ({"networkId": "BACKEND", "ipAddress": "10.16.0.40"}, "not in the network"),
    ],
)
def test_create_server_refuses_a_bad_network_or_address(simulator, extra, fragment):
    session = simulator.session("demo")
    if extra.get("networkId") == "BACKEND":
        extra = dict(extra, networkId=named(simulator, session, "Backend")["id"])
    response = api(simulator, session, "POST", "/v2/servers/DEMO", json=create_body(**extra))
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_create_server_refuses_another_accounts_network(simulator):
    other_network = networks(simulator, simulator.session("other"), "VA1", alias="OTHR")[0]
    group = next(
        g
        for g in DEMO_SEED.groups.values()
        if g.alias == "DEMO" and g.location == "VA1" and g.name == "Default Group"
    )
    response = api(
        simulator,
        simulator.session("demo"),
        "POST",
        "/v2/servers/DEMO",
        json=create_body(groupId=group.id, networkId=other_network["id"]),
    )
    assert response.status_code == 400 and "does not exist in VA1" in response.json()["message"]


# --- secondary networks -------------------------------------------------------------------------
def _add(sim, session, server_id, **body):
    return api(sim, session, "POST", f"/v2/servers/DEMO/{server_id}/networks", json=body)


def test_add_and_remove_a_secondary_network(slow):
    session = slow.session("demo")
    backend = named(slow, session, "Backend")
    server = pick(
        lambda s: s.power_state == "started"
        and len(s.internal_ips) == 1
        and not s.public_ips
        and not inside(backend, s.internal_ips[0])
    )
    response = _add(slow, session, server.id, networkId=backend["id"])
    assert response.status_code == 202, response.text
    body = response.json()
    assert HEX32.match(body["operationId"])
    assert body["uri"] == f"{slow.url}/v2-experimental/operations/DEMO/status/{body['operationId']}"
    busy = _add(slow, session, server.id, networkId=spare(slow, session)["id"])
    assert busy.status_code == 400 and "in progress" in busy.json()["message"]
    assert server_ips(slow, session, server.id) == server.internal_ips  # not until it completes
    finish_queue(slow)
    status = api(slow, session, "GET", body["uri"].removeprefix(slow.url)).json()
    assert status["status"] == "succeeded"
    assert {link["rel"]: link["id"] for link in status["summary"]["links"]} == {
        "server": server.id,
        "network": backend["id"],
    }
    ips = server_ips(slow, session, server.id)
    assert ips[0] == server.internal_ips[0] and len(ips) == 2 and inside(backend, ips[1])
    assert {"address": ips[1], "claimed": True, "server": server.id, "type": "private"} in claimed(
        slow, session, backend
    )

    again = _add(slow, session, server.id, networkId=backend["id"])
    assert again.status_code == 400 and "already has an address" in again.json()["message"]
    response = api(slow, session, "DELETE", f"/v2/servers/DEMO/{server.id}/networks/{backend['id']}")
    assert response.status_code == 202 and response.json()["uri"].endswith(response.json()["operationId"])
    finish_queue(slow)
    assert server_ips(slow, session, server.id) == server.internal_ips
    assert ips[1] not in {e["address"] for e in claimed(slow, session, backend)}


def test_secondary_network_with_a_chosen_address_and_the_adapter_limit(slow):
    session = slow.session("netadmin")  # NetworkAdmin may add adapters (it cannot read the server)
    demo = slow.session("demo")
    for _ in range(2):
        assert api(slow, demo, "POST", f"{NETS}/DEMO/WA1/claim").status_code == 202
    finish_queue(slow)
    nets = networks(slow, demo)
    server = pick(
        lambda s: s.power_state == "started"
        and len(s.internal_ips) == 1
        and inside(nets[0], s.internal_ips[0])
    )
    wanted = nets[1]["cidr"].replace("0/24", "77")
    taken = _add(
        slow,
        session,
        server.id,
        networkId=nets[1]["id"],
        ipAddress=next(e["address"] for e in claimed(slow, demo, nets[1])),
    )
    assert taken.status_code == 400 and "already claimed" in taken.json()["message"]
    assert _add(slow, session, server.id, networkId=nets[1]["id"], ipAddress=wanted).status_code == 202
    finish_queue(slow)
    assert server_ips(slow, demo, server.id)[1] == wanted
    for network in nets[2:4]:
        assert _add(slow, session, server.id, networkId=network["id"]).status_code == 202
        finish_queue(slow)
    assert len(server_ips(slow, demo, server.id)) == 4
    full = _add(slow, session, server.id, networkId=nets[4]["id"])
    assert full.status_code == 400 and "already has 3 secondary networks" in full.json()["message"]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "networkId is required"),
        ({"networkId": "0" * 32}, "does not exist in WA1"),
        ({"networkId": "PRIMARY"}, "is the primary network"),
        ({"networkId": "BACKEND", "ipAddress": "10.16.0.20"}, "not in the network"),
        ({"networkId": "BACKEND", "ipAddress": "not-an-ip"}, "not a valid IPv4 address"),
    ],
)
def test_add_secondary_network_refuses_bad_input(simulator, body, fragment):
    session = simulator.session("demo")
    nets = networks(simulator, session)
    server = pick(lambda s: inside(nets[0], s.internal_ips[0]) and len(s.internal_ips) == 1)
    ids = {"PRIMARY": nets[0]["id"], "BACKEND": nets[1]["id"]}
    body = {k: ids.get(v, v) for k, v in body.items()}
    response = _add(simulator, session, server.id, **body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_remove_secondary_network_refusals_roles_and_isolation(simulator):
    session = simulator.session("demo")
    nets = networks(simulator, session)
    with_secondary = pick(
        lambda s: inside(nets[0], s.internal_ips[0]) and any(inside(nets[1], a) for a in s.internal_ips)
    )
    plain = pick(lambda s: inside(nets[0], s.internal_ips[0]) and len(s.internal_ips) == 1)
    base = "/v2/servers/DEMO/{}/networks/{}"
    cases = [
        (base.format(with_secondary.id, nets[0]["id"]), 400, "primary network"),
        (base.format(plain.id, nets[1]["id"]), 400, "has no address in Backend"),
        (base.format(plain.id, "0" * 32), 404, "does not exist"),
    ]
    for path, status, fragment in cases:
        response = api(simulator, session, "DELETE", path)
        assert response.status_code == status and fragment in response.json()["message"], path
    path = base.format(with_secondary.id, nets[1]["id"])
    for user in ("viewer", "operator", "security"):
        assert api(simulator, simulator.session(user), "DELETE", path).status_code == 403, user
        assert (
            _add(simulator, simulator.session(user), plain.id, networkId=nets[1]["id"]).status_code == 403
        ), user
    other = simulator.session("other")
    assert api(simulator, other, "DELETE", path).status_code == 404
    assert (
        api(
            simulator,
            other,
            "POST",
            f"/v2/servers/DEMO/{plain.id}/networks",
            json={"networkId": nets[1]["id"]},
        ).status_code
        == 404
    )
    archived = next(
        s
        for s in DEMO_SEED.servers.values()
        if s.alias == "DEMO" and s.location == "WA1" and s.status == "archived"
    )
    response = _add(simulator, session, archived.id, networkId=nets[1]["id"])
    assert response.status_code == 400 and "archived" in response.json()["message"]


def test_an_address_with_a_public_ip_is_removed_after_its_public_ip(slow):
    session = slow.session("demo")
    nets = networks(slow, session)
    server = pick(
        lambda s: inside(nets[0], s.internal_ips[0]) and any(inside(nets[1], a) for a in s.internal_ips)
    )
    secondary = next(a for a in server.internal_ips if inside(nets[1], a))
    body = {"internalIPAddress": secondary, "ports": [{"protocol": "TCP", "port": 5432}]}
    assert (
        api(slow, session, "POST", f"/v2/servers/DEMO/{server.id}/publicIPAddresses", json=body).status_code
        == 202
    )
    finish_queue(slow)
    response = api(slow, session, "DELETE", f"/v2/servers/DEMO/{server.id}/networks/{nets[1]['id']}")
    assert response.status_code == 400 and "Remove the public IP address" in response.json()["message"]
    mapped = [e for e in claimed(slow, session, nets[1]) if e["type"] == "publicMapped"]
    assert server.id in [e["server"] for e in mapped]
