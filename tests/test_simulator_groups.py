"""Simulator groups over HTTP: the tree, create, patch/move, delete, archive/restore, defaults,
custom fields, roles and account isolation."""

import pytest

from tests.support.portal import find_group, sim_root_id, walk
from tests.support.simulator import wait_until

ALIAS = "DEMO"


# --- helpers ----------------------------------------------------------------------------------
def get_group(session, base, group_id):
    response = session.get(f"{base}/v2/groups/{ALIAS}/{group_id}")
    assert response.status_code == 200, response.text
    return response.json()


def links(group, rel):
    return [link for link in group["links"] if link["rel"] == rel]


def wait_done(session, base, status_link):
    assert set(status_link) == {"rel", "href", "id"} and status_link["rel"] == "status"

    def done():
        body = session.get(f"{base}{status_link['href']}").json()
        return body["status"] if body["status"] in ("succeeded", "failed") else None

    assert wait_until(done, timeout=15, message=f"operation {status_link['id']}") == "succeeded"


@pytest.fixture
def demo(simulator):
    session = simulator.session("demo")
    base = simulator.url
    tree = get_group(session, base, sim_root_id(session, "WA1", ALIAS))
    return session, base, tree


# --- get --------------------------------------------------------------------------------------
def test_tree_nests_every_group_and_counts_sub_groups_servers(demo):
    session, base, tree = demo
    assert tree["name"] == "WA1 Hardware" and tree["locationId"] == "WA1"
    assert {"Archive", "Default Group", "Templates", "Web", "Data", "Ops"} <= {
        g["name"] for g in tree["groups"]
    }
    for group in walk(tree):
        own = len(links(group, "server"))
        assert group["serversCount"] == own + sum(child["serversCount"] for child in group["groups"])
        assert set(group["changeInfo"]) == {"createdDate", "createdBy", "modifiedDate", "modifiedBy"}
        assert (
            group["changeInfo"]["createdDate"].endswith("Z") and "." not in group["changeInfo"]["createdDate"]
        )
        assert isinstance(group["customFields"], list)
    web = find_group(tree, "Web")
    assert web["serversCount"] > len(links(web, "server"))  # Frontend, Canary and API count too
    # The nested copy is the same as a GET of that group.
    assert get_group(session, base, web["id"]) == web
    server = links(find_group(tree, "Default Group"), "server")[0]
    assert server["href"] == f"/v2/servers/demo/{server['id'].lower()}" and server["id"].isupper()
    assert web["customFields"][0]["name"] == "Cost Center"


def test_links_for_an_admin(demo):
    _session, _base, tree = demo
    web = find_group(tree, "Web")
    rels = {link["rel"] for link in web["links"]}
    assert {
        "createGroup",
        "createServer",
        "self",
        "parentGroup",
        "defaults",
        "billing",
        "archiveGroupAction",
        "statistics",
        "scheduledActivities",
        "horizontalAutoscalePolicyMapping",
    } <= rels
    assert links(web, "self")[0]["verbs"] == ["GET", "PATCH", "DELETE"]
    assert links(web, "parentGroup")[0]["id"] == tree["id"]
    assert links(web, "billing")[0]["href"] == f"/v2/groups/demo/{web['id']}/billing"
    # The root and the Archive group are the system's: no parent, no delete, no archive.
    assert not links(tree, "parentGroup") and links(tree, "self")[0]["verbs"] == ["GET"]
    archive = find_group(tree, "Archive")
    assert archive["type"] == "archive" and not links(archive, "archiveGroupAction")


def test_a_viewer_reads_but_may_not_change(simulator, demo):
    _session, base, tree = demo
    viewer = simulator.session("viewer")
    seen = get_group(viewer, base, tree["id"])
    web = find_group(seen, "Web")
    assert links(web, "self")[0]["verbs"] == ["GET"]
    rels = {link["rel"] for link in web["links"]}
    assert not rels & {"createGroup", "createServer", "archiveGroupAction"}
    assert links(web, "defaults")[0]["verbs"] == ["GET"]
    assert seen["serversCount"] == tree["serversCount"]
    group_url = f"{base}/v2/groups/{ALIAS}/{web['id']}"
    create = viewer.post(f"{base}/v2/groups/{ALIAS}", json={"name": "X", "parentGroupId": web["id"]})
    assert create.status_code == 403
    assert viewer.patch(group_url, json=[{"op": "set", "member": "name", "value": "Y"}]).status_code == 403
    assert viewer.delete(group_url).status_code == 403
    assert viewer.post(f"{group_url}/archive").status_code == 403
    assert viewer.post(f"{group_url}/defaults", json={"cpu": 2}).status_code == 403
    assert viewer.get(f"{group_url}/defaults").status_code == 200
    assert get_group(viewer, base, web["id"])["name"] == "Web"


def test_an_operator_manages_groups(simulator, demo):
    _session, base, tree = demo
    operator = simulator.session("operator")
    response = operator.post(
        f"{base}/v2/groups/{ALIAS}", json={"name": "Ops Night", "parentGroupId": tree["id"]}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["changeInfo"]["createdBy"] == "operator"
    patch = operator.patch(
        f"{base}/v2/groups/{ALIAS}/{created['id']}",
        json=[{"op": "set", "member": "name", "value": "Ops Day"}],
    )
    assert patch.status_code == 204 and patch.content == b""


def test_another_account_sees_nothing(simulator, demo):
    _session, base, tree = demo
    other = simulator.session("other")
    web = find_group(tree, "Web")
    assert other.get(f"{base}/v2/groups/{ALIAS}/{web['id']}").status_code == 404
    # Its own alias with a DEMO group id: still not found.
    response = other.get(f"{base}/v2/groups/OTHR/{web['id']}")
    assert response.status_code == 404
    assert response.json() == {"message": "The requested resource does not exist."}
    assert other.delete(f"{base}/v2/groups/OTHR/{web['id']}").status_code == 404
    assert other.get(f"{base}/v2/groups/OTHR/{web['id']}/billing").status_code == 404
    create = other.post(f"{base}/v2/groups/OTHR", json={"name": "Sneaky", "parentGroupId": web["id"]})
    assert create.status_code == 400


# --- create -----------------------------------------------------------------------------------
def test_create_group_answers_201_with_the_group(demo):
    session, base, tree = demo
    web = find_group(tree, "Web")
    response = session.post(
        f"{base}/v2/groups/{ALIAS}",
        json={
            "name": "Payments",
            "description": "card processing",
            "parentGroupId": web["id"].upper(),
            "customFields": [
                {"id": "58f83af6123846769ee6cb091ce3561e", "value": "1100003"},
                {"id": "a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c", "value": "Production"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    group = response.json()
    assert (
        len(group["id"]) == 32 and group["name"] == "Payments" and group["description"] == "card processing"
    )
    assert group["locationId"] == "WA1" and group["type"] == "default" and group["status"] == "active"
    assert group["serversCount"] == 0 and group["groups"] == []
    assert links(group, "parentGroup")[0]["id"] == web["id"]
    assert {(f["name"], f["value"], f["displayValue"]) for f in group["customFields"]} == {
        ("CMDB ID", "1100003", "1100003"),
        ("Environment", "prod", "Production"),
    }
    assert "Payments" in [g["name"] for g in get_group(session, base, web["id"])["groups"]]
    assert get_group(session, base, group["id"]) == group


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 257}, "256"),
        ({"name": 12}, "name"),
        ({"name": "Fine"}, "parentGroupId"),
        ({"name": "Fine", "parentGroupId": "0" * 32}, "does not exist"),
        ({"name": "frontend", "parentGroupId": "WEB"}, "already exists"),
        (
            {"name": "Fine", "parentGroupId": "WEB", "customFields": [{"id": "nope", "value": "1"}]},
            "not defined",
        ),
        (
            {
                "name": "Fine",
                "parentGroupId": "WEB",
                "customFields": [{"id": "a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c", "value": "qa"}],
            },
            "one of",
        ),
        ({"name": "Fine", "parentGroupId": "WEB", "customFields": "x"}, "customFields"),
    ],
)
def test_create_group_rejects_bad_input(demo, body, message):
    session, base, tree = demo
    if body.get("parentGroupId") == "WEB":
        body = {**body, "parentGroupId": find_group(tree, "Web")["id"]}
    response = session.post(f"{base}/v2/groups/{ALIAS}", json=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["message"]


def test_create_group_rejects_a_non_object_body(demo):
    session, base, _tree = demo
    assert session.post(f"{base}/v2/groups/{ALIAS}", json=["a"]).status_code == 400
    bad = session.post(
        f"{base}/v2/groups/{ALIAS}", data="{oops", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400


def test_create_group_from_a_form(demo):
    session, base, tree = demo
    response = session.post(
        f"{base}/v2/groups/{ALIAS}", data={"Name": "Form Made", "ParentGroupId": tree["id"]}
    )
    assert response.status_code == 201, response.text


# --- patch ------------------------------------------------------------------------------------
def test_patch_name_description_and_custom_fields(demo):
    session, base, tree = demo
    ops = find_group(tree, "Ops")
    response = session.patch(
        f"{base}/v2/groups/{ALIAS}/{ops['id']}",
        json=[
            {"op": "set", "member": "name", "value": "Operations"},
            {"op": "set", "member": "description", "value": "24/7"},
            {
                "op": "set",
                "member": "customFields",
                "value": [{"id": "22f002123e3b46d9a8b38ecd4c6df7f9", "value": "CC-9"}],
            },
        ],
    )
    assert response.status_code == 204 and response.content == b""
    group = get_group(session, base, ops["id"])
    assert (group["name"], group["description"]) == ("Operations", "24/7")
    assert group["customFields"] == [
        {
            "id": "22f002123e3b46d9a8b38ecd4c6df7f9",
            "name": "Cost Center",
            "value": "CC-9",
            "displayValue": "CC-9",
        }
    ]
    assert group["changeInfo"]["modifiedBy"] == "demo"
    # The complete list replaces the old one: leaving a field out unsets it.
    session.patch(
        f"{base}/v2/groups/{ALIAS}/{ops['id']}", json=[{"op": "set", "member": "customFields", "value": []}]
    )
    assert get_group(session, base, ops["id"])["customFields"] == []


def test_move_a_group_and_its_servers(demo):
    session, base, tree = demo
    data, web = find_group(tree, "Data"), find_group(tree, "Web")
    analytics = find_group(data, "Analytics")
    response = session.patch(
        f"{base}/v2/groups/{ALIAS}/{analytics['id']}",
        json=[{"op": "set", "member": "parentGroupId", "value": web["id"]}],
    )
    assert response.status_code == 204, response.text
    after = get_group(session, base, tree["id"])
    assert "Analytics" in [g["name"] for g in find_group(after, "Web")["groups"]]
    assert "Analytics" not in [g["name"] for g in find_group(after, "Data")["groups"]]
    assert find_group(after, "Web")["serversCount"] == web["serversCount"] + analytics["serversCount"]
    assert find_group(after, "Data")["serversCount"] == data["serversCount"] - analytics["serversCount"]
    assert after["serversCount"] == tree["serversCount"]
    assert links(find_group(after, "Analytics"), "parentGroup")[0]["id"] == web["id"]


def test_patch_refusals(demo):
    session, base, tree = demo
    web, canary = find_group(tree, "Web"), find_group(tree, "Canary")
    url = f"{base}/v2/groups/{ALIAS}/{web['id']}"

    def patch(target_url, body):
        response = session.patch(target_url, json=body)
        assert response.status_code == 400, response.text
        return response.json()["message"]

    assert "under itself" in patch(url, [{"op": "set", "member": "parentGroupId", "value": canary["id"]}])
    assert "under itself" in patch(url, [{"op": "set", "member": "parentGroupId", "value": web["id"]}])
    other_dc = sim_root_id(session, "VA1", ALIAS)
    assert "data center" in patch(url, [{"op": "set", "member": "parentGroupId", "value": other_dc}])
    assert "system group" in patch(
        f"{base}/v2/groups/{ALIAS}/{tree['id']}", [{"op": "set", "member": "name", "value": "Mine"}]
    )
    assert "already exists" in patch(url, [{"op": "set", "member": "name", "value": "DATA"}])
    assert "can't be changed" in patch(url, [{"op": "set", "member": "locationId", "value": "VA1"}])
    assert "not supported" in patch(url, [{"op": "add", "member": "name", "value": "x"}])
    patch(url, [])
    patch(url, "name")
    # Nothing applies when one operation is refused.
    patch(
        url, [{"op": "set", "member": "name", "value": "Webby"}, {"op": "set", "member": "bogus", "value": 1}]
    )
    assert get_group(session, base, web["id"])["name"] == "Web"


# --- delete -----------------------------------------------------------------------------------
def test_delete_group_removes_its_sub_groups_and_servers(demo):
    session, base, tree = demo
    web = find_group(tree, "Web")
    server_ids = [link["id"] for g in walk(web) for link in links(g, "server")]
    assert server_ids and len(server_ids) == web["serversCount"]
    response = session.delete(f"{base}/v2/groups/{ALIAS}/{web['id']}")
    assert response.status_code == 202, response.text
    status = response.json()
    assert status["href"] == f"/v2/operations/demo/status/{status['id']}"
    # A second delete while the first runs is refused.
    assert session.delete(f"{base}/v2/groups/{ALIAS}/{web['id']}").status_code == 400
    wait_done(session, base, status)
    assert session.get(f"{base}/v2/groups/{ALIAS}/{web['id']}").status_code == 404
    assert session.get(f"{base}/v2/groups/{ALIAS}/{find_group(tree, 'Canary')['id']}").status_code == 404
    for server_id in server_ids:
        assert session.get(f"{base}/v2/servers/{ALIAS}/{server_id}").status_code == 404
    after = get_group(session, base, tree["id"])
    assert "Web" not in [g["name"] for g in after["groups"]]
    assert after["serversCount"] == tree["serversCount"] - web["serversCount"]


def test_system_groups_cannot_be_deleted_or_archived(demo):
    session, base, tree = demo
    for group in (tree, find_group(tree, "Archive")):
        assert session.delete(f"{base}/v2/groups/{ALIAS}/{group['id']}").status_code == 400
        assert session.post(f"{base}/v2/groups/{ALIAS}/{group['id']}/archive").status_code == 400
    assert session.delete(f"{base}/v2/groups/{ALIAS}/{'f' * 32}").status_code == 404


# --- archive / restore ------------------------------------------------------------------------
def test_archive_then_restore_a_group(demo):
    session, base, tree = demo
    data, default = find_group(tree, "Data"), find_group(tree, "Default Group")
    archive_id = find_group(tree, "Archive")["id"]
    url = f"{base}/v2/groups/{ALIAS}/{data['id']}"
    # Not archived yet: nothing to restore.
    assert session.post(f"{url}/restore", json={"targetGroupId": default["id"]}).status_code == 400

    response = session.post(f"{url}/archive")
    assert response.status_code == 200, response.text
    wait_done(session, base, response.json())
    archived = get_group(session, base, data["id"])
    assert archived["status"] == "archived"
    assert links(archived, "parentGroup")[0]["id"] == archive_id
    assert all(g["status"] == "archived" for g in walk(archived))
    assert links(archived, "restoreGroupAction") and not links(archived, "archiveGroupAction")
    assert not links(archived, "createServer") and not links(archived, "createGroup")
    assert archived["serversCount"] == data["serversCount"]
    server_id = next(link["id"] for g in walk(archived) for link in links(g, "server"))
    server = session.get(f"{base}/v2/servers/{ALIAS}/{server_id}").json()
    assert server["status"] == "archived" and server["details"]["powerState"] == "stopped"
    assert session.post(f"{url}/archive").status_code == 400  # already archived

    assert session.post(f"{url}/restore", json={}).status_code == 400
    assert session.post(f"{url}/restore", json={"targetGroupId": "0" * 32}).status_code == 400
    assert session.post(f"{url}/restore", json={"targetGroupId": archive_id}).status_code == 400
    response = session.post(f"{url}/restore", json={"targetGroupId": default["id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["isQueued"] is True
    status = next(link for link in body["links"] if link["rel"] == "status")
    wait_done(session, base, status)
    restored = get_group(session, base, data["id"])
    assert all(g["status"] == "active" for g in walk(restored))
    assert links(restored, "parentGroup")[0]["id"] == default["id"]
    assert links(restored, "archiveGroupAction")
    server = session.get(f"{base}/v2/servers/{ALIAS}/{server_id}").json()
    assert server["status"] == "active"


# --- defaults ---------------------------------------------------------------------------------
def test_defaults_are_inherited_down_the_tree(demo):
    session, base, tree = demo
    web, frontend, canary = find_group(tree, "Web"), find_group(tree, "Frontend"), find_group(tree, "Canary")

    def defaults(group):
        response = session.get(f"{base}/v2/groups/{ALIAS}/{group['id']}/defaults")
        assert response.status_code == 200, response.text
        return response.json()

    body = defaults(web)
    assert set(body) == {"cpu", "memoryGB", "networkId", "primaryDns", "secondaryDns", "templateName"}
    assert body["cpu"] == {"value": 2, "inherited": False}
    assert body["networkId"]["inherited"] is True and body["networkId"]["value"]
    assert defaults(frontend)["cpu"] == {"value": 2, "inherited": True}

    response = session.post(
        f"{base}/v2/groups/{ALIAS}/{frontend['id']}/defaults",
        json={"cpu": "8", "memoryGB": 16, "primaryDns": "8.8.8.8", "templateName": "rhel-8-64-template"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cpu"] == {"value": 8, "inherited": False}
    assert body["templateName"] == {"value": "RHEL-8-64-TEMPLATE", "inherited": False}
    assert body["secondaryDns"]["inherited"] is True
    assert defaults(canary)["cpu"] == {"value": 8, "inherited": True}
    assert defaults(canary)["primaryDns"] == {"value": "8.8.8.8", "inherited": True}
    assert defaults(web)["cpu"] == {"value": 2, "inherited": False}

    # null clears the group's own value: it inherits again.
    session.post(f"{base}/v2/groups/{ALIAS}/{frontend['id']}/defaults", json={"cpu": None})
    assert defaults(canary)["cpu"] == {"value": 2, "inherited": True}
    assert defaults(frontend)["memoryGB"] == {"value": 16, "inherited": False}


@pytest.mark.parametrize(
    "body",
    [
        {"cpu": 0},
        {"cpu": 17},
        {"cpu": "two"},
        {"cpu": True},
        {"memoryGB": 129},
        {"primaryDns": "8.8.8"},
        {"secondaryDns": "dns.example"},
        {"templateName": "NOT-A-TEMPLATE"},
        {"networkId": 42},
        {"colour": "blue"},
    ],
)
def test_defaults_reject_bad_values(demo, body):
    session, base, tree = demo
    response = session.post(f"{base}/v2/groups/{ALIAS}/{find_group(tree, 'Web')['id']}/defaults", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["message"]


# --- custom fields ----------------------------------------------------------------------------
def test_account_custom_fields(simulator):
    session = simulator.session("viewer")
    response = session.get(f"{simulator.url}/v2/accounts/demo/customFields")
    assert response.status_code == 200
    fields = response.json()
    assert [f["name"] for f in fields] == ["Cost Center", "CMDB ID", "Environment"]
    for field in fields:
        assert set(field) == {"id", "name", "isRequired", "type", "options"}
    environment = fields[2]
    assert (
        environment["type"] == "option" and {"name": "Production", "value": "prod"} in environment["options"]
    )
    assert simulator.session("other").get(f"{simulator.url}/v2/accounts/DEMO/customFields").status_code == 404


def test_scheduled_activities_read_empty(simulator, demo):
    session, base, tree = demo
    web = find_group(tree, "Web")
    for rel in ("scheduledActivities", "upcomingScheduledActivities"):
        response = session.get(f"{base}{links(web, rel)[0]['href']}")
        assert response.status_code == 200 and response.json() == []
    assert (
        simulator.session("other").get(f"{base}{links(web, 'scheduledActivities')[0]['href']}").status_code
        == 404
    )


def test_a_billing_admin_sees_no_groups():
    """No demo sign-in is a BillingAdmin: drive the WSGI app in-process with one added."""
    from werkzeug.test import Client

    from apps.simulator.app import SimulatorApp
    from apps.simulator.models import User
    from apps.simulator.seed import build_world

    world = build_world("demo")
    world.users["billing"] = User("billing", "billing", "DEMO", "WA1", ["BillingAdmin"])
    client = Client(SimulatorApp(world))
    token = client.post("/v2/authentication/login", json={"username": "billing", "password": "billing"}).json[
        "bearerToken"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    root = world.root_group("DEMO", "WA1")
    for path in ("", "/billing", "/statistics", "/defaults"):
        assert client.get(f"/v2/groups/DEMO/{root.id}{path}", headers=headers).status_code == 403, path
    create = client.post("/v2/groups/DEMO", json={"name": "B", "parentGroupId": root.id}, headers=headers)
    assert create.status_code == 403
    assert client.get("/v2/accounts/DEMO/customFields", headers=headers).status_code == 200
