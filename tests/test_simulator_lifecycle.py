"""The simulator's side of a server's life the portal's lifecycle actions use, through HTTP:
removing a disk (the PATCH without it), custom field values of every type with required fields
(definitions set through ``/control/custom-fields``) on servers, groups and new servers, group
defaults naming a network of the data center, and a reset that keeps the issued tokens."""

import pytest
import requests

from apps.simulator.seed import build_demo
from tests.support.portal import CUSTOM_FIELDS, wait_operation

_DEMO = build_demo()
OWNER, BACKUP, TIER = (f["id"] for f in CUSTOM_FIELDS)


def _server(linux_with_extra_disk=False):
    for s in _DEMO.servers.values():
        if s.alias != "DEMO" or s.location != "WA1" or s.status != "active":
            continue
        if linux_with_extra_disk and not (any(d.partition_paths for d in s.disks) and "windows" not in s.os):
            continue
        return s
    raise LookupError


def _group(name):
    return next(
        g for g in _DEMO.groups.values() if g.alias == "DEMO" and g.location == "WA1" and g.name == name
    )


@pytest.fixture
def defined(simulator):
    simulator.control("custom-fields", alias="DEMO", fields=CUSTOM_FIELDS)
    return simulator


def patch(sim, session, path, member, value):
    return session.patch(
        f"{sim.url}{path}", json=[{"op": "set", "member": member, "value": value}], timeout=10
    )


# --- disks --------------------------------------------------------------------------------------
def test_removing_an_extra_disk_is_the_patch_without_it(fast):
    server = _server(linux_with_extra_disk=True)
    session = fast.session("operator")
    extra = next(d for d in server.disks if d.partition_paths)
    kept = [{"diskId": d.id, "sizeGB": d.size_gb} for d in server.disks if d.id != extra.id]
    answer = patch(fast, session, f"/v2/servers/demo/{server.id}", "disks", kept)
    assert answer.status_code == 202, answer.text
    assert wait_operation(fast, session, answer.json()["id"]) == "succeeded"
    body = session.get(f"{fast.url}/v2/servers/demo/{server.id}", timeout=10).json()["details"]
    assert [d["id"] for d in body["disks"]] == [d["diskId"] for d in kept]
    assert all(p["path"] not in extra.partition_paths for p in body["partitions"])
    # the operating system's disks stay: leaving one out is refused
    system = patch(fast, session, f"/v2/servers/demo/{server.id}", "disks", kept[1:])
    assert system.status_code == 400 and "cannot be removed" in system.json()["message"]


# --- custom fields --------------------------------------------------------------------------------
def test_control_replaces_the_definitions_and_checks_them(simulator):
    answer = simulator.session("viewer").get(f"{simulator.url}/v2/accounts/demo/customFields", timeout=10)
    assert [f["name"] for f in answer.json()] == ["Cost Center", "CMDB ID", "Environment"]
    simulator.control("custom-fields", alias="DEMO", fields=CUSTOM_FIELDS)
    answer = simulator.session("viewer").get(f"{simulator.url}/v2/accounts/demo/customFields", timeout=10)
    assert [(f["name"], f["type"], f["isRequired"]) for f in answer.json()] == [
        ("Owner", "text", True),
        ("Backed up", "checkbox", False),
        ("Tier", "option", True),
    ]
    bad = requests.post(
        f"{simulator.url}/control/custom-fields", json={"alias": "DEMO", "fields": [{"id": "x"}]}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["message"]


def test_server_values_of_every_type_and_required_ones(defined):
    server = _server()
    session = defined.session("operator")
    path = f"/v2/servers/demo/{server.id}"
    missing = patch(defined, session, path, "customFields", [{"id": OWNER, "value": "ops"}])
    assert missing.status_code == 400 and "'Tier' is required" in missing.json()["message"]
    bad = patch(defined, session, path, "customFields", [{"id": BACKUP, "value": "maybe"}])
    assert bad.status_code == 400 and "true or false" in bad.json()["message"]
    values = [{"id": OWNER, "value": "ops"}, {"id": BACKUP, "value": True}, {"id": TIER, "value": "Gold"}]
    assert patch(defined, session, path, "customFields", values).status_code == 204
    stored = session.get(f"{defined.url}{path}", timeout=10).json()["details"]["customFields"]
    assert [(f["name"], f["value"], f["displayValue"]) for f in stored] == [
        ("Owner", "ops", "ops"),
        ("Backed up", "true", "true"),
        ("Tier", "gold", "Gold"),
    ]


def test_group_values_and_new_servers_enforce_required_fields(defined):
    session = defined.session("demo")
    web = _group("Web")
    missing = patch(defined, session, f"/v2/groups/demo/{web.id}", "customFields", [])
    assert missing.status_code == 400 and "required" in missing.json()["message"]
    values = [{"id": OWNER, "value": "web team"}, {"id": TIER, "value": "silver"}]
    assert patch(defined, session, f"/v2/groups/demo/{web.id}", "customFields", values).status_code == 204
    body = {
        "name": "cf",
        "groupId": web.id,
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 1,
        "memoryGB": 1,
        "type": "standard",
    }
    refused = session.post(f"{defined.url}/v2/servers/demo", json=body, timeout=10)
    assert refused.status_code == 400 and "required" in refused.json()["message"]
    made = session.post(f"{defined.url}/v2/servers/demo", json={**body, "customFields": values}, timeout=10)
    assert made.status_code == 202, made.text


# --- group defaults -------------------------------------------------------------------------------
def test_group_defaults_take_only_a_network_of_the_data_center(simulator):
    session = simulator.session("demo")
    web = _group("Web")
    url = f"{simulator.url}/v2/groups/demo/{web.id}/defaults"
    unknown = session.post(url, json={"networkId": "0" * 32}, timeout=10)
    assert unknown.status_code == 400 and "does not exist" in unknown.json()["message"]
    caps = session.get(f"{simulator.url}/v2/datacenters/demo/wa1/deploymentCapabilities", timeout=10).json()
    network = caps["deployableNetworks"][-1]["networkId"]
    answer = session.post(url, json={"networkId": network.upper()}, timeout=10)
    assert answer.status_code == 200 and answer.json()["networkId"] == {"value": network, "inherited": False}


# --- reset ----------------------------------------------------------------------------------------
def test_a_reset_may_keep_the_issued_tokens(simulator):
    session = simulator.session("demo")
    simulator.control("reset", seed="demo", keepTokens=True)
    assert session.get(f"{simulator.url}/v2/datacenters/demo", timeout=10).status_code == 200
    simulator.control("reset", seed="demo")
    assert session.get(f"{simulator.url}/v2/datacenters/demo", timeout=10).status_code == 401
