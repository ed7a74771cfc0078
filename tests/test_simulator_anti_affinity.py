"""Anti-affinity policies over HTTP: the account's policies, hyperscale servers joining them (at
create-server time or later), validation, roles, and the published Python SDK's calls."""

import pytest

from apps.simulator.seed import build_demo
from tests.test_simulator_sdk import sdk  # noqa: F401  (the clc-sdk fixture)

ALIAS = "DEMO"
_DEMO = build_demo()
SEEDED = "ca8b07035cf844f3b4f953074c2630eb"  # "Hyperscale Spread", WA1


def default_group(location="WA1"):
    root = next(
        g
        for g in _DEMO.groups.values()
        if g.alias == ALIAS and g.location == location and g.parent_id is None
    )
    return next(_DEMO.groups[c] for c in root.children if _DEMO.groups[c].name == "Default Group")


def standard_server():
    return next(
        s for s in _DEMO.servers.values() if s.alias == ALIAS and s.location == "WA1" and s.status == "active"
    )


def rels(body) -> dict:
    return {link["rel"]: link for link in body["links"]}


def create_server(api, name="HS", type_="hyperscale", location="WA1", **extra):
    body = {
        "name": name,
        "groupId": default_group(location).id,
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 2,
        "memoryGB": 4,
        "type": type_,
        **extra,
    }
    return api("POST", f"/v2/servers/{ALIAS}", json=body)


def server_id_of(api, created) -> str:
    self_link = next(link for link in created.json()["links"] if link["rel"] == "self")
    return api("GET", self_link["href"]).json()["id"]


def test_list_create_rename_delete(api):
    listed = api("GET", f"/v2/antiAffinityPolicies/{ALIAS}").json()
    assert [p["id"] for p in listed["items"]] == [SEEDED]
    assert rels(listed)["self"] == {
        "rel": "self",
        "href": "/v2/antiAffinityPolicies/demo",
        "verbs": ["GET", "POST"],
    }

    created = api(
        "POST", f"/v2/antiAffinityPolicies/{ALIAS}", json={"name": "Cassandra ring", "location": "va1"}
    )
    assert created.status_code == 200, created.text
    policy = created.json()
    assert policy["name"] == "Cassandra ring" and policy["location"] == "VA1"
    assert rels(policy)["self"]["href"] == f"/v2/antiAffinityPolicies/demo/{policy['id']}"
    assert rels(policy)["self"]["verbs"] == ["GET", "DELETE", "PUT"]
    href = rels(policy)["self"]["href"]
    assert api("GET", href).json() == policy

    renamed = api("PUT", href, json={"name": "Cassandra"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Cassandra"
    assert api("GET", href).json()["name"] == "Cassandra"
    deleted = api("DELETE", href)
    assert deleted.status_code == 200 and deleted.content == b""
    assert api("GET", href).status_code == 404


@pytest.mark.parametrize(
    "body, message",
    [
        ({"location": "WA1"}, "name is required"),
        ({"name": "X"}, "location is required"),
        ({"name": "X", "location": "ZZ9"}, "not available to this account"),
        ({"name": "Hyperscale Spread", "location": "VA1"}, "already exists"),
        ({"name": "   ", "location": "WA1"}, "name is required"),
    ],
)
def test_invalid_policies_are_400(api, body, message):
    response = api("POST", f"/v2/antiAffinityPolicies/{ALIAS}", json=body)
    assert response.status_code == 400 and message in response.json()["message"], response.text


def test_a_server_created_with_the_policy_is_in_it(simulator, api):
    created = create_server(api, antiAffinityPolicyId=SEEDED)
    assert created.status_code == 202, created.text
    server_id = server_id_of(api, created)
    simulator.control("clock", advance=600)  # the build completes
    assert api("GET", f"/v2/servers/{ALIAS}/{server_id}").json()["status"] == "active"
    policy = api("GET", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED}").json()
    servers = [link for link in policy["links"] if link["rel"] == "server"]
    assert servers == [
        {
            "rel": "server",
            "href": f"/v2/servers/demo/{server_id.lower()}",
            "id": server_id.lower(),
            "name": server_id,
        }
    ]
    mine = api("GET", f"/v2/servers/{ALIAS}/{server_id}/antiAffinityPolicy").json()
    assert mine["id"] == SEEDED and rels(mine)["self"]["href"].endswith("/antiAffinityPolicy")
    # Deleting the server takes it out of the policy.
    assert api("DELETE", f"/v2/servers/{ALIAS}/{server_id}").status_code == 202
    simulator.control("clock", advance=600)
    policy = api("GET", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED}").json()
    assert [link for link in policy["links"] if link["rel"] == "server"] == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"type_": "standard", "antiAffinityPolicyId": SEEDED}, "only valid for hyperscale"),
        ({"antiAffinityPolicyId": "0" * 32}, "does not exist"),
        ({"location": "VA1", "antiAffinityPolicyId": SEEDED}, "is in WA1"),
    ],
)
def test_create_server_validates_the_policy(api, kwargs, message):
    response = create_server(api, **kwargs)
    assert response.status_code == 400 and message in response.json()["message"], response.text


def test_create_server_accepts_a_null_policy(simulator, api):
    # The published Python SDK sends both policy keys, null when unused.
    response = create_server(api, type_="standard", antiAffinityPolicyId=None, cpuAutoscalePolicyId=None)
    assert response.status_code == 202, response.text


def test_move_a_server_in_and_out_of_a_policy(simulator, api):
    server_id = server_id_of(api, create_server(api))
    simulator.control("clock", advance=600)
    path = f"/v2/servers/{ALIAS}/{server_id}/antiAffinityPolicy"
    assert api("GET", path).status_code == 404
    other_policy = api(
        "POST", f"/v2/antiAffinityPolicies/{ALIAS}", json={"name": "Second", "location": "WA1"}
    ).json()

    operator = simulator.session("operator")
    put = api("PUT", path, session=operator, json={"id": SEEDED})
    assert put.status_code == 200 and put.json()["id"] == SEEDED
    assert api("GET", path).json()["id"] == SEEDED
    # A server is in one policy at a time: moving it takes it out of the first.
    api("PUT", path, json={"id": other_policy["id"]})
    first = api("GET", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED}").json()
    second = api("GET", f"/v2/antiAffinityPolicies/{ALIAS}/{other_policy['id']}").json()
    assert [lk["id"] for lk in first["links"] if lk["rel"] == "server"] == []
    assert [lk["id"] for lk in second["links"] if lk["rel"] == "server"] == [server_id.lower()]

    assert api("DELETE", path, session=simulator.session("viewer")).status_code == 403
    removed = api("DELETE", path, session=operator)
    assert removed.status_code == 200 and removed.content == b""
    assert api("GET", path).status_code == 404

    standard = standard_server()
    refused = api("PUT", f"/v2/servers/{ALIAS}/{standard.id}/antiAffinityPolicy", json={"id": SEEDED})
    assert refused.status_code == 400 and "hyperscale" in refused.json()["message"]


def test_roles_and_other_accounts(simulator, api):
    viewer, operator, other = (simulator.session(u) for u in ("viewer", "operator", "other"))
    for session in (viewer, operator):
        listed = api("GET", f"/v2/antiAffinityPolicies/{ALIAS}", session=session).json()
        assert rels(listed)["self"]["verbs"] == ["GET"] and rels(listed["items"][0])["self"]["verbs"] == [
            "GET"
        ]
        body = {"name": "Nope", "location": "WA1"}
        assert api("POST", f"/v2/antiAffinityPolicies/{ALIAS}", session=session, json=body).status_code == 403
        forbidden = api(
            "PUT", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED}", session=session, json={"name": "N"}
        )
        assert forbidden.status_code == 403 and forbidden.json()["message"]
    assert api("GET", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED}", session=other).status_code == 404
    assert api("DELETE", f"/v2/antiAffinityPolicies/OTHR/{SEEDED}", session=other).status_code == 404
    assert [
        p["location"] for p in api("GET", "/v2/antiAffinityPolicies/OTHR", session=other).json()["items"]
    ] == ["VA1"]


def test_the_python_sdk_manages_policies(sdk):  # noqa: F811
    policies = sdk.v2.AntiAffinity.GetAll(alias=ALIAS)
    assert [p.id for p in policies] == [SEEDED]
    created = sdk.v2.AntiAffinity.Create("From the SDK", alias=ALIAS, location="WA1")
    assert sdk.v2.AntiAffinity(id=created.id, alias=ALIAS).name == "From the SDK"
    created.Update("Renamed by the SDK")
    assert sdk.v2.AntiAffinity(id=created.id, alias=ALIAS).name == "Renamed by the SDK"
    assert [p.name for p in sdk.v2.AntiAffinity.GetLocation("WA1", alias=ALIAS)] == [
        "Hyperscale Spread",
        "Renamed by the SDK",
    ]
    created.Delete()
    assert [p.id for p in sdk.v2.AntiAffinity.GetAll(alias=ALIAS)] == [SEEDED]
