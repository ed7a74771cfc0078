"""Server extras through HTTP: set the server's password (PATCH member ``password``), the server's
``capabilities`` and ``account`` links, and the demo seed's alert policies."""

import re

from apps.simulator.seed import build_demo
from tests.support.simulator import wait_until

_DEMO = build_demo()
STATUS_HREF = re.compile(r"^/v2/operations/demo/status/(wa1-\d+)$")


def pick(*, linux=None, power="started", alerts=None):
    for server in _DEMO.servers.values():
        if server.alias != "DEMO" or server.location != "WA1" or server.status != "active":
            continue
        if server.power_state != power or server.in_maintenance:
            continue
        if linux is not None and server.os.startswith("windows") == linux:
            continue
        if alerts is not None and bool(server.alert_policies) != alerts:
            continue
        return server
    raise LookupError("no such server in the demo seed")


def url(simulator, path):
    return f"{simulator.url}{path}"


def password_patch(current, new):
    return [{"op": "set", "member": "password", "value": {"current": current, "password": new}}]


def credentials(session, simulator, server_id):
    return session.get(url(simulator, f"/v2/servers/DEMO/{server_id}/credentials"), timeout=10).json()


# --- set password ---------------------------------------------------------------------------------
def test_set_password_queues_and_changes_the_credentials(simulator):
    server = pick()
    demo = simulator.session("demo")
    path = url(simulator, f"/v2/servers/DEMO/{server.id}")
    response = demo.patch(path, json=password_patch(server.password, "NewP@ssw0rd2"), timeout=10)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["rel"] == "status" and STATUS_HREF.match(body["href"]) and body["href"].endswith(body["id"])

    def done():
        status = demo.get(url(simulator, body["href"]), timeout=10).json()["status"]
        return status if status in ("succeeded", "failed") else None

    assert wait_until(done, timeout=15, message="password change") == "succeeded"
    assert credentials(demo, simulator, server.id)["password"] == "NewP@ssw0rd2"
    # The old password no longer works as "current".
    again = demo.patch(path, json=password_patch(server.password, "Another1!"), timeout=10)
    assert again.status_code == 400 and "current password" in again.json()["message"]


def test_wrong_current_password_is_refused(simulator):
    server = pick()
    demo = simulator.session("demo")
    path = url(simulator, f"/v2/servers/DEMO/{server.id}")
    response = demo.patch(path, json=password_patch("not-it", "NewP@ssw0rd2"), timeout=10)
    assert response.status_code == 400
    assert response.json()["message"] == "The current password is not correct."
    assert credentials(demo, simulator, server.id)["password"] == server.password


def test_set_password_bad_input_is_400(simulator):
    server = pick()
    demo = simulator.session("demo")
    path = url(simulator, f"/v2/servers/DEMO/{server.id}")
    bad = [
        [{"op": "set", "member": "password", "value": "x"}],
        [{"op": "set", "member": "password", "value": {"current": server.password}}],
        [{"op": "set", "member": "password", "value": {"current": server.password, "password": ""}}],
        [{"op": "add", "member": "password", "value": {"current": server.password, "password": "a"}}],
        password_patch(server.password, "a") + [{"op": "set", "member": "description", "value": "d"}],
    ]
    for body in bad:
        response = demo.patch(path, json=body, timeout=10)
        assert response.status_code == 400, body
        assert response.json()["message"], body
    assert credentials(demo, simulator, server.id)["password"] == server.password


def test_set_password_needs_a_started_server(simulator):
    server = pick(power="stopped")
    demo = simulator.session("demo")
    path = url(simulator, f"/v2/servers/DEMO/{server.id}")
    response = demo.patch(path, json=password_patch(server.password, "NewP@ssw0rd2"), timeout=10)
    assert response.status_code == 400 and "power it on" in response.json()["message"]


def test_set_password_roles(simulator):
    server = pick()
    path = f"/v2/servers/DEMO/{server.id}"
    for user in ("operator", "viewer"):
        session = simulator.session(user)
        response = session.patch(
            url(simulator, path), json=password_patch(server.password, "x1!"), timeout=10
        )
        assert response.status_code == 403, user
    other = simulator.session("other")
    response = other.patch(url(simulator, path), json=password_patch(server.password, "x1!"), timeout=10)
    assert response.status_code == 404


# --- capabilities ---------------------------------------------------------------------------------
def test_capabilities_link_answers(simulator):
    demo = simulator.session("demo")
    for server in (pick(linux=True), pick(linux=False)):
        detail = demo.get(url(simulator, f"/v2/servers/DEMO/{server.id}"), timeout=10).json()
        href = next(x["href"] for x in detail["links"] if x["rel"] == "capabilities")
        body = demo.get(url(simulator, href), timeout=10).json()
        assert isinstance(body["addingCpuRequiresReboot"], bool)
        assert isinstance(body["addingMemoryRequiresReboot"], bool)
        assert body["supportedNetworkTypes"]
        if server.os.startswith("windows"):
            assert "C:\\" in body["reservedDrivePaths"]
        else:
            assert "boot" in body["reservedDrivePaths"]
    viewer = simulator.session("viewer")
    assert viewer.get(url(simulator, href), timeout=10).status_code == 200
    other = simulator.session("other")
    assert other.get(url(simulator, href), timeout=10).status_code == 404
    missing = demo.get(url(simulator, "/v2/servers/DEMO/WA1DEMONOPE01/capabilities"), timeout=10)
    assert missing.status_code == 404


# --- account --------------------------------------------------------------------------------------
def test_account_link_answers(simulator):
    demo = simulator.session("demo")
    server = pick()
    detail = demo.get(url(simulator, f"/v2/servers/DEMO/{server.id}"), timeout=10).json()
    href = next(x["href"] for x in detail["links"] if x["rel"] == "account")
    body = demo.get(url(simulator, href), timeout=10).json()
    assert body["accountAlias"] == "DEMO"
    assert body["status"] == "Active"
    assert body["primaryDataCenter"] == "WA1"
    assert body["businessName"]
    assert "parentAlias" in body
    assert any(x["rel"] == "self" for x in body["links"])
    other = simulator.session("other")
    assert other.get(url(simulator, href), timeout=10).status_code == 404
    assert other.get(url(simulator, "/v2/accounts/OTHR"), timeout=10).json()["primaryDataCenter"] == "VA1"


# --- alert policies in the demo seed --------------------------------------------------------------
def test_demo_servers_carry_alert_policies(simulator):
    server = pick(alerts=True)
    demo = simulator.session("demo")
    detail = demo.get(url(simulator, f"/v2/servers/DEMO/{server.id}"), timeout=10).json()
    policies = detail["details"]["alertPolicies"]
    assert [p["id"] for p in policies] == [p["id"] for p in server.alert_policies]
    for policy in policies:
        assert re.fullmatch(r"[0-9a-f]{32}", policy["id"]) and policy["name"]
        rels = {x["rel"]: x for x in policy["links"]}
        assert rels["self"]["href"] == f"/v2/alertPolicies/demo/{policy['id']}"
        assert rels["alertPolicyMap"]["verbs"] == ["DELETE"]
        assert (
            rels["alertPolicyMap"]["href"]
            .lower()
            .endswith(f"/{server.id}/alertpolicies/{policy['id']}".lower())
        )
    bare = pick(alerts=False)
    detail = demo.get(url(simulator, f"/v2/servers/DEMO/{bare.id}"), timeout=10).json()
    assert detail["details"]["alertPolicies"] == []
