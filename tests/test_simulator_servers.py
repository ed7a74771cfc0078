"""The servers resource of the simulated CLC API v2, through HTTP: get, create, delete, PATCH,
credentials, public IPs, restore from the archive, snapshot delete/revert; roles and isolation.
"""

import re

import pytest

from apps.simulator.addressing import seeded_network_id
from apps.simulator.seed import build_demo
from tests.support.contract import DROP, doc_entry, fill, shape_mismatches
from tests.support.portal import wait_operation

_DEMO = build_demo()  # the same deterministic seed the simulator runs
STATUS_HREF = re.compile(r"^/v2/operations/demo/status/(wa1-\d+)$")
ARCHIVED = "WA1DEMOOLD01"


def pick(*, public_ip=None, snapshots=None, linux=None, skip=()):
    """An active WA1 DEMO server of the demo seed with the given traits."""
    for server in _DEMO.servers.values():
        if server.alias != "DEMO" or server.location != "WA1" or server.status != "active":
            continue
        if server.id in skip:
            continue
        if public_ip is not None and bool(server.public_ips) != public_ip:
            continue
        if snapshots is not None and bool(server.snapshots) != snapshots:
            continue
        if linux is not None and server.os.startswith("windows") == linux:
            continue
        return server
    raise LookupError("no such server in the demo seed")


def group_named(name, dc="WA1"):
    for group in _DEMO.groups.values():
        if group.alias == "DEMO" and group.location == dc and group.name == name:
            return group.id
    raise LookupError(name)


# --- helpers ------------------------------------------------------------------------------------
def url(sim, path):
    return f"{sim.url}{path}"


def get_server(sim, session, server_id, **params):
    return session.get(url(sim, f"/v2/servers/DEMO/{server_id}"), params=params, timeout=10)


def server_body(sim, session, server_id):
    response = get_server(sim, session, server_id)
    assert response.status_code == 200, response.text
    return response.json()


def status_id(link):
    assert link["rel"] == "status"
    match = STATUS_HREF.match(link["href"])
    assert match and match.group(1) == link["id"], link
    return link["id"]


def patch(sim, session, server_id, *ops):
    body = [{"op": "set", "member": m, "value": v} for m, v in ops]
    return session.patch(url(sim, f"/v2/servers/DEMO/{server_id}"), json=body, timeout=10)


def links_by_rel(body):
    return {link["rel"]: link for link in body["links"]}


# --- GET ----------------------------------------------------------------------------------------
def test_get_server_matches_the_documented_shape(simulator):
    server = pick(public_ip=True)
    body = server_body(simulator, simulator.session("demo"), server.id.lower())
    doc = doc_entry("GET", "/v2/servers/{accountAlias}/{serverId}")["ResExample"]
    # The demo seed maps no alert policies to servers, so that list is empty (nothing to compare).
    assert shape_mismatches(doc, body) == []
    assert body["id"] == server.id
    details = body["details"]
    assert details["cpu"] == server.cpu and details["memoryMB"] == server.memory_mb
    assert details["diskCount"] == len(details["disks"]) == len(server.disks)
    assert details["storageGB"] == sum(d["sizeGB"] for d in details["disks"])
    public = server.public_ips[0]
    assert {"public": public.address, "internal": public.internal} in details["ipAddresses"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body["changeInfo"]["createdDate"])
    rels = links_by_rel(body)
    assert rels["self"]["href"] == f"/v2/servers/demo/{server.id.lower()}"
    assert rels["self"]["verbs"] == ["GET", "PATCH", "DELETE"]
    assert rels["publicIPAddress"]["id"] == public.address
    assert rels["publicIPAddress"]["verbs"] == ["GET", "PUT", "DELETE"]
    assert "credentials" in rels


def test_snapshot_links_and_case_insensitive_ids(simulator):
    server = pick(snapshots=True)
    session = simulator.session("demo")
    body = server_body(simulator, session, server.id.swapcase())
    (snapshot,) = body["details"]["snapshots"]
    href = f"/v2/servers/demo/{server.id.lower()}/snapshots/{server.snapshots[0].id}"
    assert snapshot["links"] == [
        {"rel": "self", "href": href},
        {"rel": "delete", "href": href},
        {"rel": "restore", "href": f"{href}/restore"},
    ]


def test_links_follow_roles(simulator):
    server = pick(public_ip=True, snapshots=True)
    viewer = server_body(simulator, simulator.session("viewer"), server.id)
    rels = links_by_rel(viewer)
    assert rels["self"]["verbs"] == ["GET"]
    assert rels["publicIPAddress"]["verbs"] == ["GET"]
    assert not {"credentials", "publicIPAddresses", "alertPolicyMappings"} & set(rels)
    assert [link["rel"] for link in viewer["details"]["snapshots"][0]["links"]] == ["self"]

    operator = links_by_rel(server_body(simulator, simulator.session("operator"), server.id))
    assert operator["self"]["verbs"] == ["GET", "PATCH", "DELETE"]
    assert "credentials" not in operator and "publicIPAddresses" not in operator
    assert operator["publicIPAddress"]["verbs"] == ["GET"]


def test_archived_server_offers_only_self_and_restore(simulator):
    body = server_body(simulator, simulator.session("demo"), ARCHIVED)
    assert body["status"] == "archived"
    assert [link["rel"] for link in body["links"]] == ["self", "group", "account", "restore"]
    assert links_by_rel(body)["restore"]["verbs"] == ["POST"]


def test_unknown_and_other_accounts_servers_are_404(simulator):
    demo = simulator.session("demo")
    assert get_server(simulator, demo, "WA1DEMONOPE01").status_code == 404
    other_server = next(s for s in _DEMO.servers.values() if s.alias == "OTHR")
    response = demo.get(url(simulator, f"/v2/servers/DEMO/{other_server.id}"), timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "The requested resource does not exist."}
    other = simulator.session("other")
    server = pick()
    assert other.get(url(simulator, f"/v2/servers/DEMO/{server.id}"), timeout=10).status_code == 404
    assert other.get(url(simulator, f"/v2/servers/OTHR/{server.id}"), timeout=10).status_code == 404


# --- credentials --------------------------------------------------------------------------------
def test_credentials_for_admin_only(simulator):
    linux, windows = pick(linux=True), pick(linux=False)
    demo = simulator.session("demo")
    body = demo.get(url(simulator, f"/v2/servers/DEMO/{linux.id}/credentials"), timeout=10).json()
    assert body == {"userName": "root", "password": linux.password}
    body = demo.get(url(simulator, f"/v2/servers/DEMO/{windows.id}/credentials"), timeout=10).json()
    assert body["userName"] == "Administrator"
    for user in ("operator", "viewer"):
        session = simulator.session(user)
        response = session.get(url(simulator, f"/v2/servers/DEMO/{linux.id}/credentials"), timeout=10)
        assert response.status_code == 403, user


# --- create -------------------------------------------------------------------------------------
def create_body(**overrides):
    example = doc_entry("POST", "/v2/servers/{accountAlias}")["ContentExample"]
    values = {
        "name": "web",
        "groupId": group_named("Default Group"),
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "customFields": [{"id": "22f002123e3b46d9a8b38ecd4c6df7f9", "value": "CC-NEW"}],
        "additionalDisks": [{"path": "data", "sizeGB": 10, "type": "partitioned"}],
        # The documented networkId is another account's and its ipAddress (10.123.456.12) no address.
        "networkId": seeded_network_id("DEMO", "WA1", 0),
        "ipAddress": DROP,
        # The documented ttl (2014) lies in the past, which the simulator refuses (tests of the ttl
        # itself: tests/test_simulator_create_options.py).
        "ttl": DROP,
    }
    values.update(overrides)
    body = fill(example, **values)
    body.update(
        {k: v for k, v in values.items() if k not in body and v is not DROP}
    )  # keys the example lacks
    return body


def test_create_server_builds_then_becomes_active(simulator):
    session = simulator.session("demo")
    response = session.post(url(simulator, "/v2/servers/DEMO"), json=create_body(), timeout=10)
    assert response.status_code == 202, response.text
    body = response.json()
    doc = doc_entry("POST", "/v2/servers/{accountAlias}")["ResExample"]
    assert shape_mismatches(doc, body) == []
    assert body["server"] == "web" and body["isQueued"] is True
    status, self_link = body["links"]
    op_id = status_id(status)
    assert self_link["rel"] == "self" and self_link["verbs"] == ["GET"]
    assert self_link["href"].endswith(f"/{self_link['id']}?uuid=True")

    building = session.get(url(simulator, self_link["href"]), timeout=10)
    assert building.status_code == 200, building.text
    server = building.json()
    assert server["status"] == "underConstruction"
    assert "details" not in server
    assert server["id"].startswith("WA1DEMOWEB")
    assert [link["rel"] for link in server["links"]] == ["self", "group", "account"]

    assert wait_operation(simulator, session, op_id) == "succeeded"
    built = server_body(simulator, session, server["id"])
    assert built["status"] == "active"
    assert built["details"]["powerState"] == "started"
    assert built["details"]["cpu"] == 2 and built["details"]["memoryMB"] == 4096
    assert built["details"]["disks"][-1] == {"id": "0:3", "sizeGB": 10, "partitionPaths": ["/data"]}
    assert built["details"]["customFields"][0]["value"] == "CC-NEW"
    assert built["description"] == "My web server"
    group = session.get(url(simulator, f"/v2/groups/DEMO/{group_named('Default Group')}"), timeout=10)
    if group.status_code == 200:  # the groups resource may be built elsewhere
        server_links = [lk["id"] for lk in group.json()["links"] if lk["rel"] == "server"]
        assert built["id"] in server_links


def test_failed_build_leaves_a_failed_server(fast):
    session = fast.session("demo")
    fast.control("fail-next", count=1)
    body = session.post(url(fast, "/v2/servers/DEMO"), json=create_body(), timeout=10).json()
    assert wait_operation(fast, session, status_id(body["links"][0])) == "failed"
    server = session.get(url(fast, body["links"][1]["href"]), timeout=10).json()
    assert server["status"] == "failed"
    assert links_by_rel(server)["self"]["verbs"] == ["GET", "DELETE"]


def test_clone_an_existing_server(fast):
    session = fast.session("demo")
    source = pick(linux=False)
    # clone-server.md: the source's password is required (the Python SDK reads it from credentials).
    credentials = session.get(url(fast, f"/v2/servers/DEMO/{source.id}/credentials"), timeout=10).json()
    body = create_body(
        sourceServerId=source.id.lower(), additionalDisks=[], sourceServerPassword=credentials["password"]
    )
    response = session.post(url(fast, "/v2/servers/DEMO"), json=body, timeout=10)
    assert response.status_code == 202, response.text
    wait_operation(fast, session, status_id(response.json()["links"][0]))
    clone = session.get(url(fast, response.json()["links"][1]["href"]), timeout=10).json()
    assert clone["osType"] == source.os_type
    assert len(clone["details"]["disks"]) == len(source.disks)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"name": "bad_name!"}, "letters, digits and dashes"),
        ({"name": "toolongname"}, "between 1 and"),
        ({"groupId": "0" * 32}, "does not exist"),
        ({"sourceServerId": "NO-SUCH-TEMPLATE"}, "does not exist"),
        ({"cpu": 17}, "cpu must be between 1 and 16"),
        ({"cpu": "two"}, "cpu must be a whole number"),
        ({"memoryGB": 0}, "memoryGB must be between 1 and 128"),
        ({"type": "huge"}, "type must be one of"),
        ({"storageType": "gold"}, "storageType must be one of"),
        ({"customFields": [{"id": "nope", "value": "x"}]}, "custom field 'nope' is not defined"),
        ({"additionalDisks": [{"path": "etc", "sizeGB": 10, "type": "partitioned"}]}, "reserved"),
        ({"additionalDisks": [{"sizeGB": 5000, "type": "raw"}]}, "sizeGB must be between"),
    ],
)
def test_create_rejects_bad_input(simulator, overrides, fragment):
    session = simulator.session("demo")
    response = session.post(url(simulator, "/v2/servers/DEMO"), json=create_body(**overrides), timeout=10)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_create_into_the_archive_group_or_as_viewer_is_refused(simulator):
    demo = simulator.session("demo")
    body = create_body(groupId=group_named("Archive"))
    assert demo.post(url(simulator, "/v2/servers/DEMO"), json=body, timeout=10).status_code == 400
    viewer = simulator.session("viewer")
    assert viewer.post(url(simulator, "/v2/servers/DEMO"), json=create_body(), timeout=10).status_code == 403
    other = simulator.session("other")
    # Another account's group is unknown to the caller.
    response = other.post(url(simulator, "/v2/servers/OTHR"), json=create_body(), timeout=10)
    assert response.status_code == 400
    assert "does not exist" in response.json()["message"]


def test_create_accepts_a_form_body(fast):
    session = fast.session("demo")
    form = {
        "name": "form",
        "groupId": group_named("Default Group"),
        "sourceServerId": "rhel-8-64-template",
        "cpu": "1",
        "memoryGB": "2",
    }
    response = session.post(url(fast, "/v2/servers/DEMO"), data=form, timeout=10)
    assert response.status_code == 202, response.text


# --- delete -------------------------------------------------------------------------------------
def test_delete_server(fast):
    server = pick()
    session = fast.session("demo")
    response = session.delete(url(fast, f"/v2/servers/DEMO/{server.id}"), timeout=10)
    assert response.status_code == 202, response.text
    body = response.json()
    doc = doc_entry("DELETE", "/v2/servers/{accountAlias}/{serverId}")["ResExample"]
    assert shape_mismatches(doc, body) == []
    assert body["server"] == server.id.lower() and body["isQueued"] is True
    again = session.delete(url(fast, f"/v2/servers/DEMO/{server.id}"), timeout=10)
    assert again.status_code in (400, 404)  # being deleted, or already gone
    assert wait_operation(fast, session, status_id(body["links"][0])) == "succeeded"
    assert get_server(fast, session, server.id).status_code == 404


def test_delete_needs_the_role_and_the_account(simulator):
    server = pick()
    viewer = simulator.session("viewer")
    assert viewer.delete(url(simulator, f"/v2/servers/DEMO/{server.id}"), timeout=10).status_code == 403
    other = simulator.session("other")
    assert other.delete(url(simulator, f"/v2/servers/DEMO/{server.id}"), timeout=10).status_code == 404


def test_a_server_under_construction_cannot_be_deleted(simulator):
    simulator.control("config", durationSeconds=3000)  # the build stays in progress
    session = simulator.session("demo")
    body = session.post(url(simulator, "/v2/servers/DEMO"), json=create_body(), timeout=10).json()
    server_id = session.get(url(simulator, body["links"][1]["href"]), timeout=10).json()["id"]
    response = session.delete(url(simulator, f"/v2/servers/DEMO/{server_id}"), timeout=10)
    assert response.status_code == 400
    assert "being built" in response.json()["message"]


# --- PATCH --------------------------------------------------------------------------------------
def test_cpu_memory_and_disks_change_when_the_operation_completes(fast):
    server = pick(linux=True)
    session = fast.session("operator")
    disks = [{"diskId": d.id, "sizeGB": d.size_gb + (5 if i == 0 else 0)} for i, d in enumerate(server.disks)]
    disks.append({"path": "/extra", "sizeGB": "20", "type": "partitioned"})
    response = patch(fast, session, server.id, ("cpu", "4"), ("memory", 8), ("disks", disks))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body.keys() == {"rel", "href", "id"}
    op_id = status_id(body)
    assert wait_operation(fast, session, op_id) == "succeeded"
    details = server_body(fast, session, server.id)["details"]
    assert details["cpu"] == 4 and details["memoryMB"] == 8192
    assert details["disks"][0]["sizeGB"] == server.disks[0].size_gb + 5
    assert details["disks"][-1]["partitionPaths"] == ["/extra"]
    assert details["diskCount"] == len(server.disks) + 1
    assert {"path": "/extra", "sizeGB": pytest.approx(20 * 0.9943, abs=0.01)} in details["partitions"]


def test_description_group_and_custom_fields_change_at_once(simulator):
    server = pick()
    target = group_named("Ops")
    session = simulator.session("demo")
    response = patch(
        simulator,
        session,
        server.id,
        ("description", "New Description"),
        ("groupId", target),
        ("customFields", [{"id": "a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c", "value": "prod"}]),
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    body = server_body(simulator, session, server.id)
    assert body["description"] == "New Description"
    assert body["groupId"] == target
    assert body["details"]["customFields"] == [
        {
            "id": "a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c",
            "name": "Environment",
            "value": "prod",
            "displayValue": "Production",
        }
    ]
    assert body["changeInfo"]["modifiedBy"] == "demo"
    group = session.get(url(simulator, f"/v2/groups/DEMO/{target}"), timeout=10)
    if group.status_code == 200:  # the groups resource may be built elsewhere
        assert server.id in [lk["id"] for lk in group.json()["links"] if lk["rel"] == "server"]


def test_mixed_patch_applies_description_now_and_queues_cpu(fast):
    server = pick()
    session = fast.session("demo")
    response = patch(fast, session, server.id, ("description", "mixed"), ("cpu", 3))
    assert response.status_code == 202
    assert server_body(fast, session, server.id)["description"] == "mixed"
    wait_operation(fast, session, status_id(response.json()))
    assert server_body(fast, session, server.id)["details"]["cpu"] == 3


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"op": "set", "member": "cpu", "value": 2}, "non-empty list"),
        ([], "non-empty list"),
        ([{"op": "add", "member": "cpu", "value": 2}], "use 'set'"),
        ([{"op": "set", "member": "name", "value": "x"}], "cannot be set"),
        ([{"op": "set", "member": "cpu", "value": 0}], "cpu must be between 1 and 16"),
        ([{"op": "set", "member": "memory", "value": 129}], "memory must be between 1 and 128"),
        ([{"op": "set", "member": "memory", "value": 2.5}], "whole number"),
        ([{"op": "set", "member": "groupId", "value": "nope"}], "does not exist"),
        ([{"op": "set", "member": "disks", "value": [{"diskId": "0:0", "sizeGB": 1}]}], "cannot be removed"),
        ([{"op": "set", "member": "disks", "value": [{"diskId": "9:9", "sizeGB": 1}]}], "does not exist"),
        ([{"op": "set", "member": "description", "value": 5}], "must be a string"),
    ],
)
def test_patch_rejects_bad_input(simulator, body, fragment):
    server = pick(linux=True)
    session = simulator.session("demo")
    response = session.patch(url(simulator, f"/v2/servers/DEMO/{server.id}"), json=body, timeout=10)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_disks_cannot_shrink_and_groups_stay_in_their_data_center(simulator):
    server = pick(linux=True)
    session = simulator.session("demo")
    disks = [{"diskId": d.id, "sizeGB": d.size_gb} for d in server.disks]
    disks[-1]["sizeGB"] -= 1
    response = patch(simulator, session, server.id, ("disks", disks))
    assert response.status_code == 400 and "cannot shrink" in response.json()["message"]
    response = patch(simulator, session, server.id, ("groupId", group_named("Default Group", "VA1")))
    assert response.status_code == 400 and "VA1" in response.json()["message"]


def test_patch_roles_and_archived_servers(simulator):
    server = pick()
    viewer = simulator.session("viewer")
    assert patch(simulator, viewer, server.id, ("description", "x")).status_code == 403
    demo = simulator.session("demo")
    assert patch(simulator, demo, ARCHIVED, ("description", "still archived")).status_code == 204
    response = patch(simulator, demo, ARCHIVED, ("cpu", 4))
    assert response.status_code == 400 and "archived" in response.json()["message"]


def test_a_second_queued_change_waits_for_the_first(simulator):
    simulator.control("config", durationSeconds=3000)  # the first one stays in progress
    server = pick()
    session = simulator.session("demo")
    assert patch(simulator, session, server.id, ("cpu", 4)).status_code == 202
    response = patch(simulator, session, server.id, ("memory", 16))
    assert response.status_code == 400
    assert "in progress" in response.json()["message"]


# --- public IPs ---------------------------------------------------------------------------------
def test_get_public_ip(simulator):
    server = pick(public_ip=True)
    ip = server.public_ips[0]
    session = simulator.session("viewer")
    response = session.get(url(simulator, f"/v2/servers/DEMO/{server.id}/publicIPAddresses/{ip.address}"))
    assert response.status_code == 200, response.text
    body = response.json()
    path = "/v2/servers/{accountAlias}/{serverId}/publicIPAddresses/{publicIP}"
    assert shape_mismatches(doc_entry("GET", path)["ResExample"], body) == []
    assert body["internalIPAddress"] == ip.internal
    assert body["ports"][0] == {"protocol": "ICMP", "port": 0}
    missing = session.get(url(simulator, f"/v2/servers/DEMO/{server.id}/publicIPAddresses/1.2.3.4"))
    assert missing.status_code == 404


def test_add_update_and_remove_a_public_ip(fast):
    server = pick(public_ip=False)
    session = fast.session("demo")
    base = url(fast, f"/v2/servers/DEMO/{server.id}/publicIPAddresses")
    example = doc_entry("POST", "/v2/servers/{accountAlias}/{serverId}/publicIPAddresses")["ContentExample"]
    response = session.post(base, json=example, timeout=10)
    assert response.status_code == 202, response.text
    assert wait_operation(fast, session, status_id(response.json())) == "succeeded"
    body = server_body(fast, session, server.id)
    (address,) = [lk["id"] for lk in body["links"] if lk["rel"] == "publicIPAddress"]
    assert len(body["details"]["ipAddresses"]) == 2  # a new internal address came with it
    shown = session.get(f"{base}/{address}", timeout=10).json()
    assert shown["ports"][1:] == example["ports"]
    assert shown["sourceRestrictions"] == example["sourceRestrictions"]

    update = {"ports": [{"protocol": "tcp", "port": 22}], "sourceRestrictions": []}
    response = session.put(f"{base}/{address}", json=update, timeout=10)
    assert response.status_code == 202, response.text
    wait_operation(fast, session, status_id(response.json()))
    shown = session.get(f"{base}/{address}", timeout=10).json()
    assert shown["ports"] == [{"protocol": "ICMP", "port": 0}, {"protocol": "TCP", "port": 22}]
    assert shown["sourceRestrictions"] == []

    response = session.delete(f"{base}/{address}", timeout=10)
    assert response.status_code == 202, response.text
    wait_operation(fast, session, status_id(response.json()))
    assert session.get(f"{base}/{address}", timeout=10).status_code == 404


def test_public_ip_on_an_existing_internal_address(fast):
    server = pick(public_ip=False, skip=())
    session = fast.session("demo")
    base = url(fast, f"/v2/servers/DEMO/{server.id}/publicIPAddresses")
    body = {"internalIPAddress": server.internal_ips[0], "ports": [{"protocol": "TCP", "port": 443}]}
    wait_operation(fast, session, status_id(session.post(base, json=body, timeout=10).json()))
    addresses = server_body(fast, session, server.id)["details"]["ipAddresses"]
    assert len(addresses) == 1 and addresses[0]["internal"] == server.internal_ips[0]
    assert "public" in addresses[0]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "ports is required"),
        ({"ports": [{"protocol": "SCTP", "port": 1}]}, "not one of tcp, udp, icmp"),
        ({"ports": [{"protocol": "TCP", "port": 70000}]}, "between 1 and 65535"),
        ({"ports": [{"protocol": "TCP", "port": 80, "portTo": 79}]}, "must not be below"),
        ({"ports": [{"protocol": "TCP", "port": 80}], "sourceRestrictions": [{"cidr": "nope"}]}, "CIDR"),
        ({"ports": [{"protocol": "TCP", "port": 80}], "internalIPAddress": "1.1.1.1"}, "does not belong"),
    ],
)
def test_public_ip_rejects_bad_input(simulator, body, fragment):
    server = pick(public_ip=False)
    session = simulator.session("demo")
    response = session.post(url(simulator, f"/v2/servers/DEMO/{server.id}/publicIPAddresses"), json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_public_ip_roles(simulator):
    server = pick(public_ip=True)
    address = server.public_ips[0].address
    base = url(simulator, f"/v2/servers/DEMO/{server.id}/publicIPAddresses")
    body = {"ports": [{"protocol": "TCP", "port": 80}]}
    for user in ("operator", "viewer"):
        session = simulator.session(user)
        assert session.post(base, json=body, timeout=10).status_code == 403, user
        assert session.put(f"{base}/{address}", json=body, timeout=10).status_code == 403, user
        assert session.delete(f"{base}/{address}", timeout=10).status_code == 403, user
        assert session.get(f"{base}/{address}", timeout=10).status_code == 200, user
    other = simulator.session("other")
    assert other.get(f"{base}/{address}", timeout=10).status_code == 404


def test_no_public_ip_on_an_archived_server(simulator):
    session = simulator.session("demo")
    response = session.post(
        url(simulator, f"/v2/servers/DEMO/{ARCHIVED}/publicIPAddresses"),
        json={"ports": [{"protocol": "TCP", "port": 80}]},
        timeout=10,
    )
    assert response.status_code == 400 and "archived" in response.json()["message"]


# --- restore from the archive -------------------------------------------------------------------
def test_restore_an_archived_server(fast):
    session = fast.session("operator")
    target = group_named("Web")
    response = session.post(
        url(fast, f"/v2/servers/DEMO/{ARCHIVED.lower()}/restore"), json={"targetGroupId": target}, timeout=10
    )
    assert response.status_code == 202, response.text
    assert response.json().keys() == {"rel", "href", "id"}
    assert wait_operation(fast, session, status_id(response.json())) == "succeeded"
    body = server_body(fast, session, ARCHIVED)
    assert body["status"] == "active"
    assert body["groupId"] == target
    assert body["details"]["powerState"] == "stopped"
    assert "restore" not in links_by_rel(body)


def test_restore_is_refused_when_it_makes_no_sense(simulator):
    session = simulator.session("demo")
    active = pick()
    body = {"targetGroupId": group_named("Web")}
    response = session.post(url(simulator, f"/v2/servers/DEMO/{active.id}/restore"), json=body)
    assert response.status_code == 400 and "not archived" in response.json()["message"]
    response = session.post(url(simulator, f"/v2/servers/DEMO/{ARCHIVED}/restore"), json={})
    assert response.status_code == 400 and "targetGroupId is required" in response.json()["message"]
    response = session.post(
        url(simulator, f"/v2/servers/DEMO/{ARCHIVED}/restore"),
        json={"targetGroupId": group_named("Archive")},
    )
    assert response.status_code == 400
    viewer = simulator.session("viewer")
    assert viewer.post(url(simulator, f"/v2/servers/DEMO/{ARCHIVED}/restore"), json=body).status_code == 403


# --- snapshots ----------------------------------------------------------------------------------
def test_delete_a_snapshot(fast):
    server = pick(snapshots=True)
    snapshot_id = server.snapshots[0].id
    session = fast.session("operator")
    response = session.delete(url(fast, f"/v2/servers/DEMO/{server.id}/snapshots/{snapshot_id}"))
    assert response.status_code == 202, response.text
    assert wait_operation(fast, session, status_id(response.json())) == "succeeded"
    assert server_body(fast, session, server.id)["details"]["snapshots"] == []


def test_revert_to_a_snapshot_keeps_it(fast):
    server = pick(snapshots=True)
    snapshot_id = server.snapshots[0].id
    session = fast.session("demo")
    before = server_body(fast, session, server.id)["details"]
    response = session.post(url(fast, f"/v2/servers/DEMO/{server.id}/snapshots/{snapshot_id}/restore"))
    assert response.status_code == 202, response.text
    assert wait_operation(fast, session, status_id(response.json())) == "succeeded"
    after = server_body(fast, session, server.id)["details"]
    assert after["snapshots"] == before["snapshots"]
    assert after["cpu"] == before["cpu"]


def test_snapshot_errors(simulator):
    server = pick(snapshots=True)
    snapshot_id = server.snapshots[0].id
    path = f"/v2/servers/DEMO/{server.id}/snapshots"
    demo = simulator.session("demo")
    assert demo.delete(url(simulator, f"{path}/999999")).status_code == 404
    assert demo.post(url(simulator, f"{path}/999999/restore")).status_code == 404
    viewer = simulator.session("viewer")
    assert viewer.delete(url(simulator, f"{path}/{snapshot_id}")).status_code == 403
    assert viewer.post(url(simulator, f"{path}/{snapshot_id}/restore")).status_code == 403
    other = simulator.session("other")
    assert other.delete(url(simulator, f"{path}/{snapshot_id}")).status_code == 404
