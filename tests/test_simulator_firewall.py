"""Firewall of the simulated CLC API v2 over HTTP: intra and cross data center firewall policies
(list with filters, create pending -> active, get, update, delete, validation), public IP addresses
(ports, ranges, source restrictions, queued update, consistency with the server and the network's
address list), and who may do what (ROLES.md).

Queued work is finished by moving the simulator's clock (``POST /control/clock``).
"""

import ipaddress
import re

import pytest

from tests.support.networks import DEMO_SEED, HEX32, NETS, api, finish_queue

INTRA = "/v2-experimental/firewallPolicies"
CROSS = "/v2-experimental/crossDcFirewallPolicies"
STATUS_HREF = re.compile(r"^/v2/operations/demo/status/(wa1-\d+)$")


def intra_body(**extra):
    body = {"destinationAccount": "DEMO", "source": ["10.16.0.0/24"], "destination": ["10.16.1.10/32"]}
    body.update(extra)
    return body


def cross_body(**extra):
    body = {
        "destinationAccountId": "demo",
        "destinationLocationId": "VA1",
        "destinationCidr": "10.32.0.0/24",
        "enabled": True,
        "sourceCidr": "10.16.0.0/24",
    }
    body.update(extra)
    return body


# --- intra data center --------------------------------------------------------------------------
def test_intra_list_shows_the_seeded_policies_and_filters_by_destination(simulator):
    session = simulator.session("viewer")
    listed = api(simulator, session, "GET", f"{INTRA}/DEMO/WA1").json()
    assert [(p["ports"], p["enabled"], p["status"]) for p in listed] == [
        (["tcp/3306", "tcp/6379"], True, "active"),
        (["icmp"], False, "active"),
    ]
    first = listed[0]
    assert first["source"] == ["10.16.0.0/24"] and first["destination"] == ["10.16.1.0/24"]
    assert first["destinationAccount"] == "DEMO" and HEX32.match(first["id"])
    assert first["links"] == [{"rel": "self", "href": f"{INTRA}/DEMO/WA1/{first['id']}", "verbs": ["GET"]}]

    def by(account):
        return api(simulator, session, "GET", f"{INTRA}/DEMO/WA1", params={"destinationAccount": account})

    assert len(by("demo").json()) == 2 and by("OTHR").json() == []
    assert api(simulator, session, "GET", f"{INTRA}/DEMO/VA1").json() == []
    demo_links = api(simulator, simulator.session("demo"), "GET", f"{INTRA}/DEMO/WA1").json()[0]["links"]
    assert demo_links[0]["verbs"] == ["GET", "PUT", "DELETE"]


def test_intra_create_is_pending_then_active(slow):
    session = slow.session("security")
    response = api(slow, session, "POST", f"{INTRA}/DEMO/WA1", json=intra_body(ports=["TCP/1-600", "icmp"]))
    assert response.status_code == 201, response.text
    (link,) = response.json()["links"]
    policy_id = link["href"].rsplit("/", 1)[1]
    assert link == {"rel": "self", "href": f"{INTRA}/DEMO/WA1/{policy_id}", "verbs": ["GET", "PUT", "DELETE"]}
    assert HEX32.match(policy_id) and link["href"].split("/")[5] == policy_id  # what scripts cut out
    pending = api(slow, session, "GET", link["href"]).json()
    assert pending["status"] == "pending" and pending["enabled"] is True
    assert pending["ports"] == ["tcp/1-600", "icmp"] and pending["destination"] == ["10.16.1.10/32"]
    finish_queue(slow)
    assert api(slow, session, "GET", link["href"]).json()["status"] == "active"
    # ports left out: any; one CIDR sent as a string is a list of one.
    response = api(slow, session, "POST", f"{INTRA}/DEMO/WA1", json=intra_body(source="10.16.0.5/32"))
    shown = api(slow, session, "GET", response.json()["links"][0]["href"]).json()
    assert shown["ports"] == ["any"] and shown["source"] == ["10.16.0.5/32"]


def test_intra_create_that_fails_leaves_an_error_policy(slow):
    session = slow.session("demo")
    slow.control("fail-next", count=1)
    href = api(slow, session, "POST", f"{INTRA}/DEMO/WA1", json=intra_body()).json()["links"][0]["href"]
    finish_queue(slow)
    assert api(slow, session, "GET", href).json()["status"] == "error"


@pytest.mark.parametrize(
    "body, fragment",
    [
        (intra_body(destinationAccount=None), "destinationAccount is required"),
        (intra_body(destinationAccount="NOPE"), "'NOPE' does not exist"),
        (intra_body(source=[]), "source is required"),
        (intra_body(source=["10.0.0.300/32"]), "'10.0.0.300/32' is not a valid CIDR"),
        (intra_body(destination=["10.0.0.0"]), "destination: '10.0.0.0' is not a valid CIDR"),
        (intra_body(destination=["10.0.0.0/33"]), "not a valid CIDR"),
        (intra_body(ports=[]), "ports must be a non-empty list"),
        (intra_body(ports=["tcp/70000"]), "'tcp/70000' is not valid"),
        (intra_body(ports=["http/80"]), "'http/80' is not valid"),
        (intra_body(ports=["tcp/90-80"]), "'tcp/90-80' is not valid"),
        (intra_body(ports=["tcp/0"]), "'tcp/0' is not valid"),
        (intra_body(enabled="maybe"), "enabled must be true or false"),
    ],
)
def test_intra_create_refuses_bad_input(simulator, body, fragment):
    response = api(simulator, simulator.session("demo"), "POST", f"{INTRA}/DEMO/WA1", json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_intra_update_and_delete(simulator):
    session = simulator.session("netadmin")
    policy = api(simulator, session, "GET", f"{INTRA}/DEMO/WA1").json()[0]
    href = policy["links"][0]["href"]
    response = api(simulator, session, "PUT", href, json={"enabled": False, "ports": ["udp/8080"]})
    assert response.status_code == 204 and response.content == b""
    shown = api(simulator, session, "GET", href).json()
    assert (shown["enabled"], shown["ports"], shown["source"]) == (False, ["udp/8080"], policy["source"])
    # The Go CLI sends every field, keys capitalised.
    go_cli = {"Enabled": True, "Source": ["10.16.0.9/32"], "Destination": ["10.16.1.9/32"], "Ports": ["any"]}
    assert api(simulator, session, "PUT", href, json=go_cli).status_code == 204
    shown = api(simulator, session, "GET", href).json()
    assert (shown["enabled"], shown["source"], shown["destination"], shown["ports"]) == (
        True,
        ["10.16.0.9/32"],
        ["10.16.1.9/32"],
        ["any"],
    )
    for bad, fragment in (
        ({}, "Nothing to update"),
        ({"source": ["nope"]}, "not a valid CIDR"),
        ({"ports": ["tcp/1-99999"]}, "is not valid"),
        ({"enabled": "yes"}, "true or false"),
    ):
        response = api(simulator, session, "PUT", href, json=bad)
        assert response.status_code == 400 and fragment in response.json()["message"], bad
    assert api(simulator, session, "GET", href).json() == shown  # a refused update changes nothing
    response = api(simulator, session, "DELETE", href)
    assert response.status_code == 204 and response.content == b""
    assert api(simulator, session, "GET", href).status_code == 404
    assert api(simulator, session, "DELETE", href).status_code == 404
    assert len(api(simulator, session, "GET", f"{INTRA}/DEMO/WA1").json()) == 1


def test_intra_roles_and_isolation(simulator):
    demo = simulator.session("demo")
    href = api(simulator, demo, "GET", f"{INTRA}/DEMO/WA1").json()[0]["links"][0]["href"]
    for user in ("viewer", "operator"):
        session = simulator.session(user)
        assert api(simulator, session, "GET", f"{INTRA}/DEMO/WA1").status_code == 200, user
        assert api(simulator, session, "GET", href).status_code == 200, user
        assert api(simulator, session, "POST", f"{INTRA}/DEMO/WA1", json=intra_body()).status_code == 403, (
            user
        )
        assert api(simulator, session, "PUT", href, json={"enabled": False}).status_code == 403, user
        assert api(simulator, session, "DELETE", href).status_code == 403, user
    for user in ("demo", "netadmin", "security"):
        response = api(simulator, simulator.session(user), "POST", f"{INTRA}/DEMO/WA1", json=intra_body())
        assert response.status_code == 201, user
    other = simulator.session("other")
    assert api(simulator, other, "GET", f"{INTRA}/DEMO/WA1").status_code == 404
    assert api(simulator, other, "GET", href).status_code == 404
    assert api(simulator, other, "GET", href.replace("/DEMO/WA1/", "/OTHR/VA1/")).status_code == 404
    assert api(simulator, other, "GET", f"{INTRA}/OTHR/VA1").json() == []
    assert api(simulator, other, "GET", f"{INTRA}/OTHR/WA1").status_code == 404  # not one of its DCs
    # A policy towards another account is listed under the source account only.
    response = api(simulator, demo, "POST", f"{INTRA}/DEMO/WA1", json=intra_body(destinationAccount="othr"))
    shown = api(simulator, demo, "GET", response.json()["links"][0]["href"]).json()
    assert shown["destinationAccount"] == "OTHR"


# --- cross data center --------------------------------------------------------------------------
def test_cross_list_and_filter(simulator):
    session = simulator.session("viewer")
    (policy,) = api(simulator, session, "GET", f"{CROSS}/DEMO/WA1").json()
    assert {k: policy[k] for k in policy if k not in ("id", "links")} == {
        "status": "active",
        "enabled": True,
        "sourceCidr": "10.16.0.0/24",
        "sourceAccount": "demo",
        "sourceLocation": "wa1",
        "destinationCidr": "10.32.0.0/24",
        "destinationAccount": "demo",
        "destinationLocation": "va1",
    }
    assert policy["links"] == [{"rel": "self", "href": f"{CROSS}/demo/wa1/{policy['id']}", "verbs": ["GET"]}]
    for key in ("destinationAccountId", "destinationAccountAlias"):
        assert len(api(simulator, session, "GET", f"{CROSS}/DEMO/WA1", params={key: "DEMO"}).json()) == 1
        assert api(simulator, session, "GET", f"{CROSS}/DEMO/WA1", params={key: "OTHR"}).json() == []
    assert api(simulator, session, "GET", f"{CROSS}/DEMO/VA1").json() == []


def test_cross_create_pending_then_active_and_towards_another_account(slow):
    session = slow.session("demo")
    response = api(slow, session, "POST", f"{CROSS}/DEMO/WA1", json=cross_body(enabled="false"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "pending" and created["enabled"] is False
    assert (created["sourceLocation"], created["destinationLocation"]) == ("wa1", "va1")
    href = created["links"][0]["href"]
    assert href == f"{CROSS}/demo/wa1/{created['id']}" and created["links"][0]["verbs"] == [
        "GET",
        "PUT",
        "DELETE",
    ]
    finish_queue(slow)
    assert api(slow, session, "GET", href).json()["status"] == "active"
    towards_other = api(
        slow, session, "POST", f"{CROSS}/DEMO/WA1", json=cross_body(destinationAccountId="OTHR")
    )
    assert towards_other.status_code == 201 and towards_other.json()["destinationAccount"] == "othr"
    slow.control("fail-next", count=1)
    failing = api(slow, session, "POST", f"{CROSS}/DEMO/WA1", json=cross_body()).json()
    finish_queue(slow)
    assert api(slow, session, "GET", failing["links"][0]["href"]).json()["status"] == "error"


@pytest.mark.parametrize(
    "body, fragment",
    [
        (cross_body(destinationLocationId="WA1"), "must be another data center"),
        (cross_body(destinationLocationId="XX9"), "'XX9' does not exist"),
        (cross_body(destinationLocationId=None), "destinationLocationId is required"),
        (cross_body(destinationAccountId="OTHR", destinationLocationId="UC1"), "OTHR has no network in UC1"),
        (cross_body(destinationAccountId="ZZZZ"), "'ZZZZ' does not exist"),
        (cross_body(destinationCidr="10.32.0.0/40"), "destinationCidr"),
        (cross_body(sourceCidr=["10.16.0.0/24"]), "sourceCidr"),
        (cross_body(enabled=None), "enabled is required"),
        (cross_body(enabled="yes"), "enabled must be true or false"),
    ],
)
def test_cross_create_refuses_bad_input(simulator, body, fragment):
    body = {k: v for k, v in body.items() if v is not None}
    response = api(simulator, simulator.session("demo"), "POST", f"{CROSS}/DEMO/WA1", json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_cross_enable_disable_and_delete(simulator):
    session = simulator.session("security")
    href = api(simulator, session, "GET", f"{CROSS}/DEMO/WA1").json()[0]["links"][0]["href"]
    response = api(simulator, session, "PUT", href, params={"enabled": "false"})
    assert response.status_code == 204 and response.content == b""
    assert api(simulator, session, "GET", href).json()["enabled"] is False
    assert api(simulator, session, "PUT", href, params={"enabled": "True"}).status_code == 204  # PowerShell
    assert api(simulator, session, "GET", href).json()["enabled"] is True
    assert api(simulator, session, "PUT", href, json={"enabled": False}).status_code == 204
    assert api(simulator, session, "GET", href).json()["enabled"] is False
    missing = api(simulator, session, "PUT", href)
    assert missing.status_code == 400 and "enabled is required" in missing.json()["message"]
    bad = api(simulator, session, "PUT", href, params={"enabled": "off"})
    assert bad.status_code == 400 and "true or false" in bad.json()["message"]
    for user in ("viewer", "operator"):
        assert (
            api(simulator, simulator.session(user), "PUT", href, params={"enabled": "true"}).status_code
            == 403
        )
        assert api(simulator, simulator.session(user), "DELETE", href).status_code == 403
        assert (
            api(
                simulator, simulator.session(user), "POST", f"{CROSS}/DEMO/WA1", json=cross_body()
            ).status_code
            == 403
        )
    other = simulator.session("other")
    assert api(simulator, other, "GET", href).status_code == 404
    assert api(simulator, other, "DELETE", href).status_code == 404
    response = api(simulator, session, "DELETE", href)
    assert response.status_code == 204 and response.content == b""
    assert api(simulator, session, "GET", href).status_code == 404
    assert api(simulator, session, "GET", f"{CROSS}/DEMO/WA1").json() == []


# --- public IP addresses ------------------------------------------------------------------------
def _server(public_ip: bool):
    for server in DEMO_SEED.servers.values():
        if server.alias == "DEMO" and server.location == "WA1" and server.status == "active":
            if bool(server.public_ips) == public_ip and len(server.internal_ips) == 1:
                return server
    raise LookupError("no such server")


def _status_id(response) -> str:
    assert response.status_code == 202, response.text
    body = response.json()
    assert body.keys() == {"rel", "href", "id"} and STATUS_HREF.match(body["href"]).group(1) == body["id"]
    return body["id"]


def _network_entries(sim, session, address: str) -> list[dict]:
    """The address list entries of the WA1 network that holds ``address``."""
    for network in api(sim, session, "GET", f"{NETS}/DEMO/WA1").json():
        if ipaddress.IPv4Address(address) in ipaddress.IPv4Network(network["cidr"]):
            return api(sim, session, "GET", f"{NETS}/DEMO/WA1/{network['id']}/ipAddresses").json()
    raise LookupError(address)


def test_public_ip_lifecycle_matches_server_and_network(slow):
    server = _server(public_ip=False)
    session = slow.session("demo")
    base = f"/v2/servers/DEMO/{server.id}/publicIPAddresses"
    # The Go CLI sends portTo 0 when there is no range.
    ports = [{"protocol": "TCP", "port": 443, "portTo": 0}, {"protocol": "udp", "port": 5000, "portTo": 5010}]
    _status_id(api(slow, session, "POST", base, json={"ports": ports}))
    details = api(slow, session, "GET", f"/v2/servers/DEMO/{server.id}").json()["details"]
    assert details["ipAddresses"] == [{"internal": server.internal_ips[0]}]  # not before it completes
    finish_queue(slow)
    body = api(slow, session, "GET", f"/v2/servers/DEMO/{server.id}").json()
    (mapped,) = [ip for ip in body["details"]["ipAddresses"] if "public" in ip]
    assert mapped["internal"] != server.internal_ips[0]  # a new internal address of its primary network
    public = mapped["public"]
    assert {
        "rel": "publicIPAddress",
        "href": f"/v2/servers/demo/{server.id.lower()}/publicIPAddresses/{public}",
        "id": public,
        "verbs": ["GET", "PUT", "DELETE"],
    } in body["links"]
    shown = api(slow, session, "GET", f"{base}/{public}").json()
    assert shown == {
        "internalIPAddress": mapped["internal"],
        "ports": [
            {"protocol": "ICMP", "port": 0},
            {"protocol": "TCP", "port": 443},
            {"protocol": "UDP", "port": 5000, "portTo": 5010},
        ],
        "sourceRestrictions": [],
    }
    entries = _network_entries(slow, session, mapped["internal"])
    assert {"address": mapped["internal"], "claimed": True, "server": server.id, "type": "private"} in entries
    assert {"address": public, "claimed": True, "server": server.id, "type": "publicMapped"} in entries

    update = {
        "ports": [{"protocol": "TCP", "port": 22}],
        "sourceRestrictions": [{"cidr": "70.100.60.140/32"}],
    }
    _status_id(api(slow, session, "PUT", f"{base}/{public}", json=update))
    assert api(slow, session, "GET", f"{base}/{public}").json() == shown  # queued: unchanged until done
    finish_queue(slow)
    changed = api(slow, session, "GET", f"{base}/{public}").json()
    assert changed["ports"] == [{"protocol": "ICMP", "port": 0}, {"protocol": "TCP", "port": 22}]
    assert changed["sourceRestrictions"] == [{"cidr": "70.100.60.140/32"}]

    _status_id(api(slow, session, "DELETE", f"{base}/{public}"))
    finish_queue(slow)
    assert api(slow, session, "GET", f"{base}/{public}").status_code == 404
    addresses = api(slow, session, "GET", f"/v2/servers/DEMO/{server.id}").json()["details"]["ipAddresses"]
    assert all("public" not in ip for ip in addresses) and {"internal": mapped["internal"]} in addresses
    assert public not in [e["address"] for e in _network_entries(slow, session, mapped["internal"])]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"ports": "TCP/80"}, "ports is required"),
        ({"ports": [{"protocol": "TCP", "port": "eighty"}]}, "between 1 and 65535"),
        ({"ports": [{"protocol": "TCP", "port": 0}]}, "between 1 and 65535"),
        ({"ports": [{"protocol": "UDP", "port": 53, "portTo": 70000}]}, "portTo must be a number"),
        ({"ports": [{"protocol": "TCP"}]}, "port must be a number"),
        ({"ports": ["TCP/80"]}, "Each port must be an object"),
        ({"ports": [{"protocol": "TCP", "port": 80}], "sourceRestrictions": [{"cidr": "1.2.3.4"}]}, "CIDR"),
        (
            {"ports": [{"protocol": "TCP", "port": 80}], "sourceRestrictions": [{"cidr": "300.1.1.1/32"}]},
            "CIDR",
        ),
        (
            {"ports": [{"protocol": "TCP", "port": 80}], "sourceRestrictions": {"cidr": "1.2.3.0/24"}},
            "list of {cidr}",
        ),
    ],
)
def test_public_ip_answers_bad_ports_and_cidrs_with_400(simulator, body, fragment):
    server = _server(public_ip=True)
    session = simulator.session("demo")
    base = f"/v2/servers/DEMO/{server.id}/publicIPAddresses"
    for method, path in (("POST", base), ("PUT", f"{base}/{server.public_ips[0].address}")):
        response = api(simulator, session, method, path, json=body)
        assert response.status_code == 400, (method, response.text)
        assert fragment in response.json()["message"], method


def test_public_ip_roles_for_network_and_security_managers(simulator):
    server = _server(public_ip=True)
    address = server.public_ips[0].address
    base = f"/v2/servers/DEMO/{server.id}/publicIPAddresses"
    body = {"ports": [{"protocol": "TCP", "port": 80}]}
    for user in ("netadmin", "security"):
        session = simulator.session(user)
        assert api(simulator, session, "GET", f"{base}/{address}").status_code == 200, user
        assert api(simulator, session, "POST", base, json=body).status_code == 403, user
        assert api(simulator, session, "PUT", f"{base}/{address}", json=body).status_code == 403, user
        assert api(simulator, session, "DELETE", f"{base}/{address}").status_code == 403, user
