"""``GET /v2/groups/{alias}/{id}?serverDetail=detailed`` over HTTP: the group tree with each group's
servers as the full objects ``GET /v2/servers`` answers the same caller."""

import copy

import pytest

from tests.support.portal import sim_root_id, walk

ALIAS = "DEMO"


def url(sim, path):
    return f"{sim.url}{path}"


def get(session, sim, path, **params):
    response = session.get(url(sim, path), params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def without_servers(tree):
    plain = copy.deepcopy(tree)
    for group in walk(plain):
        group.pop("servers")
    return plain


@pytest.mark.parametrize("user", ["demo", "viewer", "operator"])
def test_each_group_carries_its_servers_as_get_server_answers_them(simulator, user):
    session = simulator.session(user)
    root = sim_root_id(session, "WA1", ALIAS)
    plain = get(session, simulator, f"/v2/groups/{ALIAS}/{root}")
    detailed = get(session, simulator, f"/v2/groups/{ALIAS}/{root}", serverDetail="detailed")
    assert without_servers(detailed) == plain  # otherwise today's answer, links included
    seen = 0
    for group in walk(detailed):
        linked = [link["id"] for link in group["links"] if link["rel"] == "server"]
        assert [server["id"] for server in group["servers"]] == linked
        for server in group["servers"]:
            assert server == get(session, simulator, f"/v2/servers/{ALIAS}/{server['id']}")
            seen += 1
    assert seen == detailed["serversCount"] > 0
    states = {s.get("status") for g in walk(detailed) for s in g["servers"]}
    assert "archived" in states and "active" in states


def test_the_parameter_in_any_case_and_any_group(simulator):
    session = simulator.session("demo")
    root = sim_root_id(session, "VA1", ALIAS)
    tree = get(session, simulator, f"/v2/groups/{ALIAS}/{root}")
    web = next(g for g in walk(tree) if g["name"] == "Web")
    path = f"/v2/groups/{ALIAS}/{web['id'].upper()}?SERVERDETAIL=Detailed"
    detailed = get(session, simulator, path)
    assert detailed["id"] == web["id"] and all("servers" in g for g in walk(detailed))
    assert sum(len(g["servers"]) for g in walk(detailed)) == web["serversCount"]
    for other in ("none", "", "summary"):
        body = get(session, simulator, f"/v2/groups/{ALIAS}/{web['id']}", serverDetail=other)
        assert all("servers" not in g for g in walk(body)), other


def test_a_server_being_built_shows_as_get_server_shows_it(simulator):
    session = simulator.session("demo")
    root = sim_root_id(session, "WA1", ALIAS)
    default = next(
        g for g in walk(get(session, simulator, f"/v2/groups/{ALIAS}/{root}")) if g["name"] == "Default Group"
    )
    body = {
        "name": "new",
        "groupId": default["id"],
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 1,
        "memoryGB": 2,
        "type": "standard",
    }
    simulator.control("config", durationSeconds=3600)  # stays under construction during the test
    created = session.post(url(simulator, f"/v2/servers/{ALIAS}"), json=body, timeout=10)
    assert created.status_code == 202, created.text
    detailed = get(session, simulator, f"/v2/groups/{ALIAS}/{default['id']}", serverDetail="detailed")
    building = [s for s in detailed["servers"] if s["status"] == "underConstruction"]
    assert len(building) == 1 and "details" not in building[0]
    assert building[0] == get(session, simulator, f"/v2/servers/{ALIAS}/{building[0]['id']}")


def test_other_accounts_and_billing_managers_get_nothing(simulator):
    root = sim_root_id(simulator.session("demo"), "WA1", ALIAS)
    path = url(simulator, f"/v2/groups/{ALIAS}/{root}?serverDetail=detailed")
    assert simulator.session("other").get(path).status_code == 404
    assert simulator.session("billing").get(path).status_code == 403
