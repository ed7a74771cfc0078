"""Networks of the simulated CLC API v2 over HTTP: list, get (``ipAddresses=``), IP address list,
claim and release (queued), rename, log forwarding; roles, account isolation, and the seed invariant
(every server's internal addresses belong to its data center's networks). Secondary networks and
create-server's network choice are in ``test_simulator_server_networks.py``.

Queued work is finished by moving the simulator's clock (``POST /control/clock``), never by waiting.
"""

import ipaddress

import pytest

from tests.support.contract import walk_seed
from tests.support.networks import (
    DEMO_SEED,
    HEX32,
    NETS,
    api,
    claimed,
    create_body,
    finish_queue,
    inside,
    networks,
    rels,
    spare,
)

USABLE_IN_A_24 = 239  # .12 to .250


# --- list, get, addresses -----------------------------------------------------------------------
def test_network_list_fields_and_links_follow_roles(simulator):
    demo = simulator.session("demo")
    listed = networks(simulator, demo)
    assert [n["name"] for n in listed] == ["vlan_700_10.16.0", "Backend", "vlan_702_10.16.2"]
    first = listed[0]
    assert first["cidr"] == "10.16.0.0/24" and first["gateway"] == "10.16.0.1"
    assert first["netmask"] == "255.255.255.0" and first["type"] == "private" and first["vlan"] == 700
    assert first["description"] == first["name"] and HEX32.match(first["id"])
    href = f"{NETS}/DEMO/WA1/{first['id']}"
    assert rels(first) == {
        "self": {"rel": "self", "href": href, "verbs": ["GET", "PUT"]},
        "ipAddresses": {"rel": "ipAddresses", "href": f"{href}/ipAddresses", "verbs": ["GET"]},
        "release": {"rel": "release", "href": f"{href}/release", "verbs": ["POST"]},
    }
    assert rels(networks(simulator, simulator.session("netadmin"))[0]) == rels(first)
    for user in ("viewer", "operator", "security"):
        session = simulator.session(user)
        seen = networks(simulator, session)[0]
        assert rels(seen)["self"]["verbs"] == ["GET"] and "release" not in rels(seen), user
        for link in seen["links"]:  # every advertised link answers
            assert api(simulator, session, "GET", link["href"]).status_code == 200, (user, link)
    capabilities = api(simulator, demo, "GET", "/v2/datacenters/DEMO/WA1/deploymentCapabilities").json()
    assert [(n["networkId"], n["name"]) for n in capabilities["deployableNetworks"]] == [
        (n["id"], n["name"]) for n in listed
    ]


def test_another_accounts_networks_do_not_exist(simulator):
    demo, other = simulator.session("demo"), simulator.session("other")
    network = networks(simulator, demo)[0]
    assert api(simulator, other, "GET", f"{NETS}/DEMO/WA1").status_code == 404
    assert api(simulator, other, "GET", f"{NETS}/OTHR/WA1").status_code == 404  # not one of its DCs
    assert api(simulator, other, "GET", f"{NETS}/OTHR/WA1/{network['id']}").status_code == 404
    assert api(simulator, other, "GET", f"{NETS}/OTHR/VA1/{network['id']}").status_code == 404
    assert api(simulator, other, "POST", f"{NETS}/DEMO/WA1/claim").status_code == 404
    assert (
        api(simulator, other, "PUT", f"{NETS}/DEMO/WA1/{network['id']}", json={"name": "x"}).status_code
        == 404
    )
    own = networks(simulator, other, "VA1", alias="OTHR")
    assert len(own) == 3 and not {n["cidr"] for n in own} & {
        n["cidr"] for n in networks(simulator, demo, "VA1")
    }
    missing = api(simulator, demo, "GET", f"{NETS}/DEMO/WA1/{'0' * 32}")
    assert missing.status_code == 404 and missing.json() == {
        "message": "The requested resource does not exist."
    }


def test_get_network_with_each_ip_address_filter(simulator):
    session = simulator.session("viewer")
    network = networks(simulator, session)[0]
    path = f"{NETS}/DEMO/WA1/{network['id']}"
    plain = api(simulator, session, "GET", path).json()
    assert (
        "ipAddresses" not in plain
        and plain == api(simulator, session, "GET", path, params={"ipAddresses": "none"}).json()
    )
    by_kind = {
        kind: api(simulator, session, "GET", path, params={"ipAddresses": kind}).json()["ipAddresses"]
        for kind in ("claimed", "free", "all")
    }
    assert by_kind["claimed"] and all(e["claimed"] and e["server"] for e in by_kind["claimed"])
    assert {e["type"] for e in by_kind["claimed"]} == {"private", "publicMapped"}
    assert by_kind["free"] and all(not e["claimed"] and "server" not in e for e in by_kind["free"])
    assert {e["type"] for e in by_kind["free"]} == {"private"}
    private = [e for e in by_kind["all"] if e["type"] == "private"]
    assert (
        len(private)
        == USABLE_IN_A_24
        == len(by_kind["free"]) + sum(e["type"] == "private" for e in by_kind["claimed"])
    )
    assert private[0]["address"] == "10.16.0.12" and private[-1]["address"] == "10.16.0.250"
    order = [ipaddress.IPv4Address(e["address"]) for e in private]
    assert order == sorted(order) and by_kind["all"][len(private) :] == [
        e for e in by_kind["claimed"] if e["type"] == "publicMapped"
    ]  # private addresses in order, then the public ones mapped to them
    bad = api(simulator, session, "GET", path, params={"ipAddresses": "some"})
    assert bad.status_code == 400 and "none, claimed, free, all" in bad.json()["message"]
    bad = api(simulator, session, "GET", f"{path}/ipAddresses", params={"type": "none"})
    assert bad.status_code == 400 and "claimed, free, all" in bad.json()["message"]


def test_ip_address_list_matches_what_servers_show(simulator):
    session = simulator.session("demo")
    owners: dict[str, str] = {}
    public: dict[str, str] = {}
    for network in networks(simulator, session):
        listed = api(simulator, session, "GET", f"{NETS}/DEMO/WA1/{network['id']}/ipAddresses").json()
        assert listed == claimed(simulator, session, network)  # the default is claimed
        for entry in listed:
            assert entry["claimed"] is True
            (public if entry["type"] == "publicMapped" else owners)[entry["address"]] = entry["server"]
    expected, expected_public = {}, {}
    for server_id in (s.id for s in DEMO_SEED.servers.values() if s.alias == "DEMO" and s.location == "WA1"):
        body = api(simulator, session, "GET", f"/v2/servers/DEMO/{server_id}").json()
        for ip in body["details"]["ipAddresses"]:
            expected[ip["internal"]] = server_id
            if "public" in ip:
                expected_public[ip["public"]] = server_id
    assert owners == expected and public == expected_public and expected_public


@pytest.mark.parametrize("seed", ["demo", "scale:200"])
def test_every_server_address_belongs_to_a_network_of_its_data_center(simulator, seed):
    simulator.reset(seed)
    session = simulator.session("demo")
    for dc in ("WA1", "VA1", "UC1", "IL1", "GB3", "CA3"):
        nets = networks(simulator, session, dc)
        owners = {e["address"]: e["server"] for n in nets for e in claimed(simulator, session, n, dc)}
        walked = walk_seed(session, simulator.url, "DEMO", dc)
        addresses = [
            (server["id"], ip["internal"])
            for server in walked.servers.values()
            for ip in server.get("details", {}).get("ipAddresses", [])
        ]
        assert addresses or seed != "demo", dc
        for server_id, address in addresses:
            assert any(inside(n, address) for n in nets), (dc, server_id, address)
            assert owners.get(address) == server_id, (dc, server_id, address)
    if seed == "scale:200":
        assert len(claimed(simulator, session, networks(simulator, session)[0])) >= 100  # half are in WA1


# --- rename -------------------------------------------------------------------------------------
def test_update_network_name_and_description(simulator):
    demo = simulator.session("demo")
    network = networks(simulator, demo)[0]
    path = f"{NETS}/DEMO/WA1/{network['id']}"
    response = api(simulator, demo, "PUT", path, json={"name": "Web tier", "description": "Front ends"})
    assert response.status_code == 204 and response.content == b""
    shown = api(simulator, demo, "GET", path).json()
    assert (shown["name"], shown["description"], shown["cidr"]) == ("Web tier", "Front ends", network["cidr"])
    # clc-sdk sends a form body; without description the description stays.
    response = api(simulator, simulator.session("netadmin"), "PUT", path, data={"name": "Web"})
    assert response.status_code == 204
    assert api(simulator, demo, "GET", path).json()["description"] == "Front ends"
    for body, fragment in (
        ({}, "name is required"),
        ({"name": " "}, "name is required"),
        ({"name": "x" * 300}, "at most 256"),
        ({"name": "x", "description": 5}, "string"),
    ):
        bad = api(simulator, demo, "PUT", path, json=body)
        assert bad.status_code == 400 and fragment in bad.json()["message"], body
    for user in ("viewer", "security", "operator"):
        assert api(simulator, simulator.session(user), "PUT", path, json={"name": "n"}).status_code == 403


# --- claim and release --------------------------------------------------------------------------
def test_claim_network_is_queued_then_the_network_exists(slow):
    session = slow.session("netadmin")
    before = networks(slow, session)
    response = api(slow, session, "POST", f"{NETS}/DEMO/WA1/claim")
    assert response.status_code == 202, response.text
    body = response.json()
    assert HEX32.match(body["operationId"])
    assert body["uri"] == f"/v2-experimental/operations/DEMO/status/{body['operationId']}"
    running = api(slow, session, "GET", body["uri"]).json()
    assert running["status"] == "running" and running["requestType"] == "blueprintOperation"
    assert running["summary"]["locationId"] == "WA1" and "links" not in running["summary"]
    assert running["source"]["userName"] == "netadmin" and running["source"]["requestedAt"].endswith("Z")
    assert len(networks(slow, session)) == len(before)
    finish_queue(slow)
    done = api(slow, session, "GET", body["uri"]).json()
    assert done["status"] == "succeeded"
    (link,) = done["summary"]["links"]
    assert link["rel"] == "network" and link["href"] == f"{NETS}/DEMO/WA1/{link['id']}"
    new = api(slow, session, "GET", link["href"]).json()
    assert new["cidr"] == "10.16.3.0/24" and new["vlan"] == 703 and new["name"] == "vlan_703_10.16.3"
    assert [n["id"] for n in networks(slow, session)] == [n["id"] for n in before] + [new["id"]]
    for user in ("viewer", "security", "operator"):
        assert api(slow, slow.session(user), "POST", f"{NETS}/DEMO/WA1/claim").status_code == 403, user


def test_a_failed_claim_claims_nothing(slow):
    session = slow.session("demo")
    slow.control("fail-next", count=1)
    uri = api(slow, session, "POST", f"{NETS}/DEMO/WA1/claim").json()["uri"]
    finish_queue(slow)
    failed = api(slow, session, "GET", uri).json()
    assert failed["status"] == "failed" and "links" not in failed["summary"]
    assert len(networks(slow, session)) == 3


def test_claims_stop_at_the_network_limit(slow):
    session = slow.session("demo")
    for _ in range(7):  # 3 seeded + 7 queued = 10
        assert api(slow, session, "POST", f"{NETS}/DEMO/WA1/claim").status_code == 202
    refused = api(slow, session, "POST", f"{NETS}/DEMO/WA1/claim")
    assert refused.status_code == 400 and "limit of 10 networks" in refused.json()["message"]
    finish_queue(slow)
    assert len(networks(slow, session)) == 10


def test_release_is_queued_and_refused_while_servers_use_the_network(slow):
    session = slow.session("netadmin")
    empty = spare(slow, session)
    path = f"{NETS}/DEMO/WA1/{empty['id']}"
    assert api(slow, slow.session("viewer"), "POST", f"{path}/release").status_code == 403
    response = api(slow, session, "POST", f"{path}/release")
    assert response.status_code == 204 and response.content == b""
    releasing = api(slow, session, "GET", path).json()  # still there until the queue gets to it
    assert "release" not in rels(releasing)
    again = api(slow, session, "POST", f"{path}/release")
    assert again.status_code == 400 and "already being released" in again.json()["message"]
    demo = slow.session("demo")
    refused = api(slow, demo, "POST", "/v2/servers/DEMO", json=create_body(networkId=empty["id"]))
    assert refused.status_code == 400 and "being released" in refused.json()["message"]
    finish_queue(slow)
    assert api(slow, session, "GET", path).status_code == 404
    assert empty["id"] not in [n["id"] for n in networks(slow, session)]

    used = networks(slow, session)[0]
    count = len([e for e in claimed(slow, session, used) if e["type"] == "private"])
    refused = api(slow, session, "POST", f"{NETS}/DEMO/WA1/{used['id']}/release")
    assert refused.status_code == 400
    assert refused.json() == {
        "message": f"The network {used['name']} cannot be released: {count} IP addresses are claimed by "
        "servers. Remove them first."
    }


# --- log forwarding and the experimental queue --------------------------------------------------
def test_log_forwarding_get_and_update(slow):
    path = f"{NETS}/DEMO/WA1/logging"
    viewer, netadmin = slow.session("viewer"), slow.session("netadmin")
    assert api(slow, viewer, "GET", path).json() == {"remoteAddress": "", "protocol": "tcp"}
    assert (
        api(slow, viewer, "PUT", path, json={"remoteAddress": "1.2.3.4", "protocol": "tcp"}).status_code
        == 403
    )
    response = api(slow, netadmin, "PUT", path, json={"remoteAddress": "logs.example.com", "protocol": "UDP"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending" and HEX32.match(body["operationID"])
    assert api(slow, viewer, "GET", path).json()["remoteAddress"] == ""  # not yet
    finish_queue(slow)
    assert api(slow, viewer, "GET", path).json() == {"remoteAddress": "logs.example.com", "protocol": "udp"}
    status = api(slow, netadmin, "GET", f"/v2-experimental/operations/DEMO/status/{body['operationID']}")
    assert status.json()["status"] == "succeeded"
    assert api(slow, slow.session("security"), "PUT", path, json={"protocol": "tcp"}).status_code == 202
    finish_queue(slow)
    assert api(slow, viewer, "GET", path).json() == {"remoteAddress": "", "protocol": "tcp"}  # disabled
    assert api(slow, viewer, "GET", f"{NETS}/DEMO/VA1/logging").json()["remoteAddress"] == ""  # per DC
    for bad, fragment in (
        ({"remoteAddress": "1.2.3.4"}, "protocol is required"),
        ({"remoteAddress": "1.2.3.4", "protocol": "http"}, "tcp or udp"),
        ({"remoteAddress": "not an address!", "protocol": "tcp"}, "not an IP address"),
        ({"remoteAddress": "999.1.1.1", "protocol": "tcp"}, "not an IP address"),
    ):
        response = api(slow, netadmin, "PUT", path, json=bad)
        assert response.status_code == 400 and fragment in response.json()["message"], bad
    assert api(slow, slow.session("other"), "GET", path).status_code == 404


def test_experimental_status_of_unknown_or_another_accounts_operation(simulator):
    demo = simulator.session("demo")
    operation_id = api(simulator, demo, "POST", f"{NETS}/DEMO/WA1/claim").json()["operationId"]
    assert (
        api(simulator, demo, "GET", f"/v2-experimental/operations/DEMO/status/{'0' * 32}").status_code == 404
    )
    other = simulator.session("other")
    assert (
        api(simulator, other, "GET", f"/v2-experimental/operations/OTHR/status/{operation_id}").status_code
        == 404
    )
    assert (
        api(simulator, other, "GET", f"/v2-experimental/operations/DEMO/status/{operation_id}").status_code
        == 404
    )
    assert (
        api(
            simulator, demo, "GET", f"/v2-experimental/operations/demo/status/{operation_id.upper()}"
        ).status_code
        == 200
    )
