"""What create-server's optional fields do (issue #17): ttl, DNS, managed OS/backup, packages, clones
(the source's password), bare metal; and execute-package, VM import, the data center list's links."""

from datetime import UTC, datetime

import pytest
import requests

from tests.support.contract import doc_entry, fill
from tests.support.simulator import wait_until

ALIAS = "DEMO"


@pytest.fixture
def sim(fast):
    """Builds take ~0.1 s (``fast``, tests/support/fixtures.py): durations are not what these tests are about."""
    return fast


@pytest.fixture
def demo(sim):
    return sim.session("demo")


def _root(session, base, dc="WA1") -> dict:
    dc_body = session.get(f"{base}/v2/datacenters/{ALIAS}/{dc}?groupLinks=true", timeout=10).json()
    root = next(lk for lk in dc_body["links"] if lk["rel"] == "group")
    return session.get(f"{base}/v2/groups/{ALIAS}/{root['id']}", timeout=10).json()


def default_group(session, base, dc="WA1") -> str:
    return next(g["id"] for g in _root(session, base, dc)["groups"] if g["name"] == "Default Group")


def body(session, base, **extra) -> dict:
    return {
        "name": "opt",
        "groupId": default_group(session, base),
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 1,
        "memoryGB": 2,
        "type": "standard",
        **extra,
    }


def create(sim, session, **extra) -> requests.Response:
    return session.post(f"{sim.url}/v2/servers/{ALIAS}", json=body(session, sim.url, **extra), timeout=10)


def built(sim, session, response) -> dict:
    """Wait for the build the create answer queued; the server as GET shows it then."""
    assert response.status_code == 202, response.text
    status, self_link = response.json()["links"]
    wait_until(
        lambda: session.get(f"{sim.url}{status['href']}", timeout=10).json()["status"]
        in ("succeeded", "failed"),
        timeout=15,
        message="the build",
    )
    return session.get(f"{sim.url}{self_link['href']}", timeout=10).json()


def clock(sim) -> float:
    return requests.get(f"{sim.url}/control/clock", timeout=10).json()["epoch"]


def zulu(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def internals(sim, server_id: str) -> dict:
    return requests.get(f"{sim.url}/control/servers/{server_id}", timeout=10).json()


def operations(sim, kind: str, server_id: str) -> list[dict]:
    params = {"kind": kind, "resource": server_id}
    return requests.get(f"{sim.url}/control/operations", params=params, timeout=10).json()["operations"]


# --- ttl ------------------------------------------------------------------------------------------
def test_a_ttl_queues_the_deletion_when_due_and_the_server_goes(sim, demo):
    due = clock(sim) + 2 * 3600
    server = built(sim, demo, create(sim, demo, ttl=zulu(due)))
    assert server["status"] == "active" and internals(sim, server["id"])["ttl"] == zulu(due)
    sim.control("config", durationSeconds=10**4)  # 200 s at speed 50: the deletion stays visible
    requests.post(f"{sim.url}/control/clock", json={"advance": 3600}, timeout=10).raise_for_status()
    assert operations(sim, "deleteServer", server["id"]) == []  # not yet due
    requests.post(f"{sim.url}/control/clock", json={"to": due + 1}, timeout=10).raise_for_status()
    (op,) = operations(sim, "deleteServer", server["id"])
    assert op["params"]["reason"] == "ttl" and op["status"] in ("notStarted", "executing")
    assert op["started"] == zulu(due)  # queued at the ttl, on the simulator clock
    status = demo.get(f"{sim.url}/v2/operations/{ALIAS}/status/{op['id']}", timeout=10)
    assert status.json() == {"status": op["status"]}  # a client can follow it like any queued job
    assert demo.get(f"{sim.url}/v2/servers/{ALIAS}/{server['id']}", timeout=10).status_code == 200
    refused = demo.post(f"{sim.url}/v2/operations/{ALIAS}/servers/powerOff", json=[server["id"]], timeout=10)
    assert refused.json()[0]["isQueued"] is False  # it is being deleted
    requests.post(f"{sim.url}/control/clock", json={"advance": 1000}, timeout=10).raise_for_status()
    assert demo.get(f"{sim.url}/v2/servers/{ALIAS}/{server['id']}", timeout=10).status_code == 404
    events = requests.get(f"{sim.url}/control/events", params={"event": "Server.Deleted"}, timeout=10).json()
    assert [e["payload"]["name"] for e in events["events"]] == [server["id"]]


def test_a_ttl_waits_for_a_running_operation(sim, demo):
    due = clock(sim) + 3700
    server = built(sim, demo, create(sim, demo, ttl=zulu(due)))
    sim.control("config", durationSeconds=10**4)  # 200 s at speed 50
    requests.post(f"{sim.url}/control/clock", json={"to": due - 10}, timeout=10).raise_for_status()
    queued = demo.post(f"{sim.url}/v2/operations/{ALIAS}/servers/reboot", json=[server["id"]], timeout=10)
    assert queued.json()[0]["isQueued"] is True
    requests.post(f"{sim.url}/control/clock", json={"advance": 30}, timeout=10).raise_for_status()
    assert operations(sim, "deleteServer", server["id"]) == []  # the reboot still runs
    sim.control("config", durationSeconds=5)
    requests.post(f"{sim.url}/control/clock", json={"advance": 1000}, timeout=10).raise_for_status()
    assert demo.get(f"{sim.url}/v2/servers/{ALIAS}/{server['id']}", timeout=10).status_code == 404


@pytest.mark.parametrize(
    "ttl, fragment",
    [
        ("2014-12-17T01:17:17Z", "at least an hour"),  # the documented example, long past
        ("tomorrow", "date and time"),
        ("2099-01-01T00:00:00", "time zone"),
        (12345, "date and time"),
    ],
)
def test_a_ttl_that_cannot_be_met_is_refused(sim, demo, ttl, fragment):
    response = create(sim, demo, ttl=ttl)
    assert response.status_code == 400 and fragment in response.json()["message"], response.text


def test_a_ttl_half_an_hour_ahead_is_refused(sim, demo):
    response = create(sim, demo, ttl=zulu(clock(sim) + 1800))
    assert response.status_code == 400 and "at least an hour" in response.json()["message"]


# --- DNS, managed OS, packages --------------------------------------------------------------------
def test_dns_servers_are_kept_or_come_from_the_group_defaults(sim, demo):
    given = built(sim, demo, create(sim, demo, primaryDNS="10.0.0.2", secondaryDns="10.0.0.3"))
    assert internals(sim, given["id"])["dns"] == ["10.0.0.2", "10.0.0.3"]
    inherited = built(sim, demo, create(sim, demo))
    assert internals(sim, inherited["id"])["dns"] == ["172.17.1.26", "172.17.1.27"]
    bad = create(sim, demo, primaryDns="10.0.0.300")
    assert bad.status_code == 400 and "primaryDns must be an IPv4 address" in bad.json()["message"]


def test_managed_os_and_backup_appear_only_when_they_apply(sim, demo):
    plain = built(sim, demo, create(sim, demo, isManagedOS=False))
    assert "isManagedOS" not in plain and "isManagedBackup" not in plain
    managed = built(sim, demo, create(sim, demo, isManagedOS=True))
    assert managed["isManagedOS"] is True and "isManagedBackup" not in managed
    both = built(sim, demo, create(sim, demo, isManagedOS="true", isManagedBackup=True))
    assert both["isManagedOS"] is True and both["isManagedBackup"] is True
    refused = create(sim, demo, isManagedBackup=True)
    assert refused.status_code == 400 and "needs isManagedOS" in refused.json()["message"]
    assert create(sim, demo, isManagedOS="maybe").status_code == 400


def test_packages_run_in_order_once_the_server_is_built(sim, demo):
    packages = [
        {"packageId": "86567681-c79c-1234-a530-850708435c23", "parameters": {"AB.HelloWorld.Variable": "a"}},
        {"packageId": "second-package", "parameters": {}},
    ]
    server = built(sim, demo, create(sim, demo, packages=packages))
    wait_until(
        lambda: len(internals(sim, server["id"])["packagesRan"]) == 2, timeout=10, message="two packages"
    )
    ran = internals(sim, server["id"])["packagesRan"]
    assert [p["packageId"] for p in ran] == [p["packageId"] for p in packages]
    assert ran[0]["parameters"] == {"AB.HelloWorld.Variable": "a"} and ran[0]["at"] <= ran[1]["at"]
    for bad in ([{"parameters": {}}], {"packageId": "x"}, [{"packageId": "x", "parameters": {"k": [1]}}]):
        assert create(sim, demo, packages=bad).status_code == 400, bad


def test_execute_package_matches_its_page(sim, demo):
    entry = doc_entry("POST", "/v2/operations/{accountAlias}/servers/executePackage")
    group = _root(demo, sim.url)["groups"]
    servers = [
        demo.get(f"{sim.url}{lk['href']}", timeout=10).json()
        for g in group
        for lk in g["links"]
        if lk["rel"] == "server"
    ]
    started = next(s for s in servers if s["status"] == "active" and s["details"]["powerState"] == "started")
    stopped = next(s for s in servers if s["status"] == "active" and s["details"]["powerState"] == "stopped")
    payload = fill(entry["ContentExample"], servers=[started["id"], stopped["id"]])
    response = demo.post(f"{sim.url}/v2/operations/{ALIAS}/servers/executePackage", json=payload, timeout=10)
    assert response.status_code == 200, response.text
    queued, refused = response.json()
    assert queued["isQueued"] is True and queued["links"][0]["rel"] == "status"
    assert refused == {
        "server": stopped["id"].lower(),
        "isQueued": False,
        "errorMessage": "The operation cannot be queued because the server cannot be found or it is not in a valid state.",
    }
    wait_until(lambda: internals(sim, started["id"])["packagesRan"], timeout=10, message="the package")
    assert internals(sim, started["id"])["packagesRan"][0]["parameters"] == {
        "AB.HelloWorld.Variable": "someValue"
    }
    viewer = sim.session("viewer")
    assert (
        viewer.post(f"{sim.url}/v2/operations/{ALIAS}/servers/executePackage", json=payload).status_code
        == 403
    )
    missing = demo.post(
        f"{sim.url}/v2/operations/{ALIAS}/servers/executePackage", json={"servers": [started["id"]]}
    )
    assert missing.status_code == 400 and "package" in missing.json()["message"]


# --- clones ---------------------------------------------------------------------------------------
def _a_started_server(sim, session, dc="WA1") -> dict:
    for group in _root(session, sim.url, dc)["groups"]:
        for lk in group["links"]:
            if lk["rel"] == "server":
                server = session.get(f"{sim.url}{lk['href']}", timeout=10).json()
                if server["status"] == "active" and server["details"]["powerState"] == "started":
                    return server
    raise LookupError(dc)


def test_a_clone_needs_the_source_password(sim, demo):
    source = _a_started_server(sim, demo)
    password = demo.get(f"{sim.url}/v2/servers/{ALIAS}/{source['id']}/credentials", timeout=10).json()[
        "password"
    ]
    missing = create(sim, demo, sourceServerId=source["id"])
    assert missing.status_code == 400 and "sourceServerPassword is required" in missing.json()["message"]
    wrong = create(sim, demo, sourceServerId=source["id"], sourceServerPassword="nope")
    assert wrong.status_code == 400 and "not the password" in wrong.json()["message"]
    clone = built(sim, demo, create(sim, demo, sourceServerId=source["id"], sourceServerPassword=password))
    assert clone["osType"] == source["osType"]
    assert [d["sizeGB"] for d in clone["details"]["disks"]] == [
        d["sizeGB"] for d in source["details"]["disks"]
    ]
    far = _a_started_server(sim, demo, "VA1")
    elsewhere = create(sim, demo, sourceServerId=far["id"], sourceServerPassword="Passw0rd!")
    assert elsewhere.status_code == 400 and "same data center" in elsewhere.json()["message"]


# --- bare metal -----------------------------------------------------------------------------------
def test_bare_metal_where_the_data_center_offers_it(sim, demo):
    caps = demo.get(f"{sim.url}/v2/datacenters/{ALIAS}/VA1/deploymentCapabilities", timeout=10).json()
    assert caps["supportsBareMetalServers"] is True
    metal = demo.get(f"{sim.url}/v2/datacenters/{ALIAS}/VA1/bareMetalCapabilities", timeout=10).json()
    sku = next(s for s in metal["skus"] if s["availability"] != "none")
    group = default_group(demo, sim.url, "VA1")
    spec = {"name": "metal", "groupId": group, "type": "bareMetal", "configurationId": sku["id"],
            "osType": metal["operatingSystems"][0]["type"]}  # fmt: skip
    server = built(sim, demo, demo.post(f"{sim.url}/v2/servers/{ALIAS}", json=spec, timeout=10))
    assert server["type"] == "bareMetal" and server["status"] == "active"
    details = server["details"]
    assert details["cpu"] == sku["processor"]["sockets"] * sku["processor"]["coresPerSocket"]
    assert details["memoryMB"] == sku["memory"][0]["capacityGB"] * 1024
    assert (
        sku["processor"]["description"] in details["processorDescription"] and details["storageDescription"]
    )
    patch = [{"op": "set", "member": "cpu", "value": 4}]
    assert demo.patch(f"{sim.url}/v2/servers/{ALIAS}/{server['id']}", json=patch).status_code == 400
    snap = demo.post(f"{sim.url}/v2/operations/{ALIAS}/servers/createSnapshot",
                     json={"serverIds": [server["id"]], "snapshotExpirationDays": 2}).json()  # fmt: skip
    assert snap[0]["isQueued"] is False and "bare metal" in snap[0]["errorMessage"]
    unavailable = next(s for s in metal["skus"] if s["availability"] == "none")
    assert (
        demo.post(
            f"{sim.url}/v2/servers/{ALIAS}", json=dict(spec, configurationId=unavailable["id"])
        ).status_code
        == 400
    )
    assert demo.post(f"{sim.url}/v2/servers/{ALIAS}", json=dict(spec, osType="beos")).status_code == 400
    wa1 = dict(spec, groupId=default_group(demo, sim.url))
    refused = demo.post(f"{sim.url}/v2/servers/{ALIAS}", json=wa1, timeout=10)
    assert refused.status_code == 400 and "not available in WA1" in refused.json()["message"]
    assert demo.get(f"{sim.url}/v2/datacenters/{ALIAS}/WA1/bareMetalCapabilities").json() == {
        "skus": [],
        "operatingSystems": [],
    }


# --- VM import ------------------------------------------------------------------------------------
def import_body(sim, session, **extra) -> dict:
    entry = doc_entry("POST", "/v2/vmImport/{accountAlias}")
    custom = session.get(f"{sim.url}/v2/accounts/{ALIAS}/customFields", timeout=10).json()[0]["id"]
    caps = session.get(f"{sim.url}/v2/datacenters/{ALIAS}/WA1/deploymentCapabilities", timeout=10).json()
    values = {
        "groupId": default_group(session, sim.url),
        "networkId": caps["deployableNetworks"][0]["networkId"],
        "ovfId": f"{ALIAS}/CUSTOM-OVF-IMPORT",
        "customFields": [{"id": custom, "value": "imported"}],
        **extra,
    }
    return fill(entry["ContentExample"], **values)


def test_import_lists_the_ovfs_and_builds_the_server(sim, demo):
    caps = demo.get(f"{sim.url}/v2/datacenters/{ALIAS}/WA1/deploymentCapabilities", timeout=10).json()
    assert caps["importVMEnabled"] is True and "redHat6_64Bit" in [
        t["type"] for t in caps["importableOSTypes"]
    ]
    listed = demo.get(f"{sim.url}/v2/vmImport/{ALIAS}/WA1/available", timeout=10).json()
    assert [o["id"] for o in listed] == [f"{ALIAS}/CUSTOM-OVF-IMPORT", f"{ALIAS}/CUSTOM-OVF-IMPORT-2"]
    response = demo.post(f"{sim.url}/v2/vmImport/{ALIAS}", json=import_body(sim, demo), timeout=10)
    server = built(sim, demo, response)
    assert response.json()["server"] == "import"
    assert server["status"] == "active" and server["osType"] == "RedHat Enterprise Linux 6 64-bit"
    assert server["details"]["cpu"] == 2 and server["details"]["storageGB"] == listed[0]["storageSizeGB"]


def test_an_import_with_the_wrong_password_fails_in_the_queue(sim, demo):
    response = demo.post(f"{sim.url}/v2/vmImport/{ALIAS}", json=import_body(sim, demo, password="other"))
    assert built(sim, demo, response)["status"] == "failed"


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ({"ovfId": "DEMO/NOPE"}, "not available for import"),
        ({"ovfOsType": "ubuntu22_64Bit"}, "importableOSTypes"),
        ({"name": "toolong"}, "between 1 and 6"),
        ({"password": None}, "password is required"),
        ({"type": "bareMetal"}, "not available in WA1"),
    ],
)
def test_an_import_that_cannot_work_is_refused(sim, demo, extra, fragment):
    response = demo.post(f"{sim.url}/v2/vmImport/{ALIAS}", json=import_body(sim, demo, **extra), timeout=10)
    assert response.status_code == 400 and fragment in response.json()["message"], response.text


def test_import_is_not_offered_where_it_does_not_work_nor_to_viewers(sim, demo):
    caps = demo.get(f"{sim.url}/v2/datacenters/{ALIAS}/CA3/deploymentCapabilities", timeout=10).json()
    assert caps["importVMEnabled"] is False and caps["importableOSTypes"] == []
    assert demo.get(f"{sim.url}/v2/vmImport/{ALIAS}/CA3/available", timeout=10).json() == []
    ca3 = import_body(sim, demo, groupId=default_group(demo, sim.url, "CA3"), networkId=None)
    refused = demo.post(f"{sim.url}/v2/vmImport/{ALIAS}", json=ca3, timeout=10)
    assert refused.status_code == 400 and "not available in CA3" in refused.json()["message"]
    viewer = sim.session("viewer")
    assert viewer.get(f"{sim.url}/v2/vmImport/{ALIAS}/WA1/available", timeout=10).status_code == 403


# --- data center links ----------------------------------------------------------------------------
@pytest.mark.parametrize("user", ["demo", "operator", "viewer", "netadmin", "security", "other"])
def test_each_listed_data_center_carries_the_links_of_its_own_get(simulator, user):
    session = simulator.session(user)
    alias = "OTHR" if user == "other" else ALIAS
    listed = session.get(f"{simulator.url}/v2/datacenters/{alias}", timeout=10).json()
    assert listed
    for entry in listed:
        own = session.get(
            f"{simulator.url}/v2/datacenters/{alias}/{entry['id']}", params={"groupLinks": "true"}
        )
        if own.status_code == 403:  # a NetworkAdmin may not see groups
            assert user == "netadmin"
            own = session.get(f"{simulator.url}/v2/datacenters/{alias}/{entry['id']}")
        assert entry["links"] == own.json()["links"]
        rels = {lk["rel"]: lk for lk in entry["links"]}
        assert ("group" in rels) == (user != "netadmin")
        if "group" in rels:
            assert rels["group"]["name"] == f"{entry['id']} Hardware" and len(rels["group"]["id"]) == 32
        lb_verbs = rels["loadBalancers"]["verbs"]
        can_create = user in ("demo", "netadmin", "other") and entry["id"] != "CA3"
        assert lb_verbs == (["GET", "POST"] if can_create else ["GET"])
        assert ("availableOvfs" in rels) == (user in ("demo", "operator", "other") and entry["id"] != "CA3")


def test_a_data_center_without_group_links_still_has_its_other_links(simulator):
    session = simulator.session("demo")
    body = session.get(f"{simulator.url}/v2/datacenters/{ALIAS}/WA1", timeout=10).json()
    assert [lk["rel"] for lk in body["links"]] == [
        "self",
        "deploymentCapabilities",
        "loadBalancers",
        "availableOvfs",
    ]
