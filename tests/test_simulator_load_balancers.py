"""Shared load balancers of the simulated CLC API v2, over HTTP: load balancers, pools and nodes;
the documented status codes and bodies, validation answers, roles and account isolation."""

import pytest

ALIAS = "DEMO"
BASE = "/v2/sharedLoadBalancers/DEMO/WA1"


def url(sim, path):
    return f"{sim.url}{path}"


def ok(response, status=200):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    return response.json() if status == 200 else response


def refused(response, status=400, fragment=""):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    body = response.json()
    assert set(body) == {"message"} and fragment.lower() in body["message"].lower(), body
    return body["message"]


def wa1_addresses(sim, session, dc="WA1", alias="DEMO"):
    """server id -> internal addresses, for the account's servers in a data center (as a client sees)."""
    root = ok(session.get(url(sim, f"/v2/datacenters/{alias}/{dc}?groupLinks=true")))
    root_id = next(link["id"] for link in root["links"] if link["rel"] == "group")
    tree = ok(session.get(url(sim, f"/v2/groups/{alias}/{root_id}?serverDetail=detailed")))
    out, stack = {}, [tree]
    while stack:
        group = stack.pop()
        stack += group["groups"]
        for server in group["servers"]:
            if "details" in server:
                out[server["id"]] = [ip["internal"] for ip in server["details"]["ipAddresses"]]
    return out


@pytest.fixture
def demo(simulator):
    return simulator.session("demo")


def new_balancer(sim, session, **body):
    payload = {"name": "Test LB", "description": "made by a test"} | body
    return ok(session.post(url(sim, BASE), json=payload))


def new_pool(sim, session, lb, **body):
    return ok(session.post(url(sim, f"{BASE}/{lb['id']}/pools"), json={"port": 80} | body))


# --- reading the seed ---------------------------------------------------------------------------
def test_demo_has_load_balancers_in_front_of_its_web_servers(simulator, demo):
    balancers = ok(demo.get(url(simulator, BASE)))
    assert [lb["name"] for lb in balancers] == ["Web Frontend", "API"]
    addresses = wa1_addresses(simulator, demo)
    web = {ip for server_id, ips in addresses.items() if "WEB" in server_id for ip in ips}
    front = balancers[0]
    assert front["status"] == "enabled" and front["ipAddress"].startswith("66.150.160.")
    assert len({lb["ipAddress"] for lb in balancers}) == 2
    assert {pool["port"] for pool in front["pools"]} == {80, 443}
    for pool in front["pools"]:
        assert pool["method"] in ("roundRobin", "leastConnection")
        assert pool["persistence"] in ("standard", "sticky")
        assert pool["nodes"] and {node["ipAddress"] for node in pool["nodes"]} == web
        for node in pool["nodes"]:
            assert node["name"] == node["ipAddress"] and node["status"] in ("enabled", "disabled")
    one = ok(demo.get(url(simulator, f"{BASE}/{front['id']}")))
    assert one == front
    pools = ok(demo.get(url(simulator, f"{BASE}/{front['id']}/pools")))
    assert pools == front["pools"]
    pool = ok(demo.get(url(simulator, f"{BASE}/{front['id']}/pools/{pools[0]['id']}")))
    assert pool == pools[0]
    nodes = ok(demo.get(url(simulator, f"{BASE}/{front['id']}/pools/{pool['id']}/nodes")))
    assert nodes == [{k: n[k] for k in ("status", "ipAddress", "privatePort")} for n in pool["nodes"]]
    # Other data centers of the account have none; paths and ids in any case.
    assert ok(demo.get(url(simulator, "/v2/sharedLoadBalancers/DEMO/VA1"))) == []
    upper = ok(demo.get(url(simulator, f"/v2/sharedloadbalancers/demo/wa1/{front['id'].upper()}")))
    assert upper["id"] == front["id"]


def test_every_advertised_link_answers(simulator, demo):
    for lb in ok(demo.get(url(simulator, BASE))):
        hrefs = [link["href"] for link in lb["links"]]
        hrefs += [link["href"] for pool in lb["pools"] for link in pool["links"]]
        for href in hrefs:
            assert href == href.lower() or lb["id"] in href  # lowercase alias and data center
            assert demo.get(url(simulator, href)).status_code == 200, href


# --- load balancers: create, update, delete -----------------------------------------------------
def test_create_update_delete_a_load_balancer(simulator, demo):
    created = new_balancer(simulator, demo, name="Shop", description="Shop front")
    assert created["name"] == "Shop" and created["description"] == "Shop front"
    assert created["status"] == "enabled" and created["pools"] == []
    assert created["ipAddress"].startswith("66.150.160.")
    assert [link["rel"] for link in created["links"]] == ["self", "pools"]
    assert ok(demo.get(url(simulator, f"{BASE}/{created['id']}"))) == created

    changed = demo.put(
        url(simulator, f"{BASE}/{created['id']}"),
        json={"name": "Shop 2", "description": "", "status": "disabled"},
    )
    ok(changed, 204)
    assert changed.content == b""
    again = ok(demo.get(url(simulator, f"{BASE}/{created['id']}")))
    assert (again["name"], again["description"], again["status"]) == ("Shop 2", "", "disabled")
    assert created["id"] in [lb["id"] for lb in ok(demo.get(url(simulator, BASE)))]

    gone = demo.delete(url(simulator, f"{BASE}/{created['id']}"))
    ok(gone, 204)
    assert gone.content == b""
    refused(demo.get(url(simulator, f"{BASE}/{created['id']}")), 404)
    assert created["id"] not in [lb["id"] for lb in ok(demo.get(url(simulator, BASE)))]


def test_create_accepts_what_published_clients_send(simulator, demo):
    # The Go CLI sends its field names capitalised; curl sends forms.
    body = {"Name": "Go", "Description": "from clc-go-cli", "Status": "disabled"}
    go = ok(demo.post(url(simulator, BASE), json=body))
    assert (go["name"], go["description"], go["status"]) == ("Go", "from clc-go-cli", "disabled")
    form = demo.post(url(simulator, BASE), data={"name": "Form", "description": "a form"})
    assert ok(form)["name"] == "Form"
    # Status kept when an update leaves it out.
    ok(demo.put(url(simulator, f"{BASE}/{go['id']}"), json={"Name": "Go 2", "Description": "x"}), 204)
    assert ok(demo.get(url(simulator, f"{BASE}/{go['id']}")))["status"] == "disabled"


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"description": "no name"}, "name"),
        ({"name": "   ", "description": "blank"}, "name"),
        ({"name": 5, "description": "x"}, "name"),
        ({"name": "x", "description": "x", "status": "deleted"}, "status"),
        ({"name": "x" * 300, "description": "x"}, "name"),
    ],
)
def test_create_refuses_bad_input(simulator, demo, body, fragment):
    refused(demo.post(url(simulator, BASE), json=body), 400, fragment)


def test_update_needs_name_and_description(simulator, demo):
    lb = new_balancer(simulator, demo)
    refused(demo.put(url(simulator, f"{BASE}/{lb['id']}"), json={"name": "only a name"}), 400, "description")
    refused(demo.put(url(simulator, f"{BASE}/{lb['id']}"), json={"description": "x"}), 400, "name")
    body = {"name": "n", "description": "d", "status": "broken"}
    refused(demo.put(url(simulator, f"{BASE}/{lb['id']}"), json=body), 400, "status")


def test_a_data_center_without_shared_load_balancers_refuses_them(simulator, demo):
    caps = ok(demo.get(url(simulator, "/v2/datacenters/DEMO/CA3/deploymentCapabilities")))
    assert caps["supportsSharedLoadBalancer"] is False
    supported = [
        dc
        for dc in ("WA1", "VA1", "UC1", "IL1", "GB3")
        if ok(demo.get(url(simulator, f"/v2/datacenters/DEMO/{dc}/deploymentCapabilities")))[
            "supportsSharedLoadBalancer"
        ]
    ]
    assert supported == ["WA1", "VA1", "UC1", "IL1", "GB3"]
    body = {"name": "Nope", "description": "x"}
    refused(demo.post(url(simulator, "/v2/sharedLoadBalancers/DEMO/CA3"), json=body), 400, "CA3")
    assert ok(demo.get(url(simulator, "/v2/sharedLoadBalancers/DEMO/CA3"))) == []
    assert ok(demo.post(url(simulator, "/v2/sharedLoadBalancers/DEMO/GB3"), json=body))["name"] == "Nope"


# --- pools --------------------------------------------------------------------------------------
def test_pool_lifecycle(simulator, demo):
    lb = new_balancer(simulator, demo)
    http = new_pool(simulator, demo, lb)
    assert (http["port"], http["method"], http["persistence"], http["nodes"]) == (
        80,
        "roundRobin",
        "standard",
        [],
    )
    assert [link["rel"] for link in http["links"]] == ["self", "nodes"]
    assert http["links"][0]["verbs"] == ["GET", "PUT", "DELETE"]
    assert http["links"][1]["verbs"] == ["GET", "PUT"]
    https = new_pool(simulator, demo, lb, port="443", method="leastConnection", persistence="sticky")
    assert (https["port"], https["method"], https["persistence"]) == (443, "leastConnection", "sticky")
    pools = ok(demo.get(url(simulator, f"{BASE}/{lb['id']}/pools")))
    assert [p["id"] for p in pools] == [http["id"], https["id"]]
    assert ok(demo.get(url(simulator, f"{BASE}/{lb['id']}")))["pools"] == pools

    pool_url = url(simulator, f"{BASE}/{lb['id']}/pools/{http['id']}")
    ok(demo.put(pool_url, json={"method": "leastConnection"}), 204)
    assert ok(demo.get(pool_url))["method"] == "leastConnection"
    assert ok(demo.get(pool_url))["persistence"] == "standard"
    ok(demo.put(pool_url, json={"Method": "", "Persistence": "sticky"}), 204)  # the Go CLI's empty strings
    changed = ok(demo.get(pool_url))
    assert (changed["method"], changed["persistence"]) == ("leastConnection", "sticky")
    refused(demo.put(pool_url, json={"port": 443}), 400, "443")

    ok(demo.delete(pool_url), 204)
    refused(demo.get(pool_url), 404)
    ok(demo.put(url(simulator, f"{BASE}/{lb['id']}/pools/{https['id']}"), json={"port": 80}), 204)


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "port"),
        ({"port": 8080}, "80 or 443"),
        ({"port": "http"}, "80 or 443"),
        ({"port": True}, "80 or 443"),
        ({"port": 80, "method": "random"}, "method"),
        ({"port": 80, "persistence": "cookie"}, "persistence"),
    ],
)
def test_pool_create_refuses_bad_input(simulator, demo, body, fragment):
    lb = new_balancer(simulator, demo)
    refused(demo.post(url(simulator, f"{BASE}/{lb['id']}/pools"), json=body), 400, fragment)


def test_a_second_pool_on_the_same_port_is_refused(simulator, demo):
    front = ok(demo.get(url(simulator, BASE)))[0]
    message = refused(demo.post(url(simulator, f"{BASE}/{front['id']}/pools"), json={"port": 443}), 400)
    assert "443" in message


# --- nodes --------------------------------------------------------------------------------------
def test_nodes_are_replaced_by_a_put(simulator, demo):
    lb = new_balancer(simulator, demo)
    pool = new_pool(simulator, demo, lb)
    addresses = wa1_addresses(simulator, demo)
    first, second = sorted(ips[0] for ips in addresses.values())[:2]
    nodes_url = url(simulator, f"{BASE}/{lb['id']}/pools/{pool['id']}/nodes")
    sent = [
        {"ipAddress": first, "privatePort": 8080},
        {"IpAddress": second, "PrivatePort": "8081", "Status": "disabled"},  # the Go CLI's keys
    ]
    put = demo.put(nodes_url, json=sent)
    ok(put, 204)
    assert put.content == b""
    assert ok(demo.get(nodes_url)) == [
        {"status": "enabled", "ipAddress": first, "privatePort": 8080},
        {"status": "disabled", "ipAddress": second, "privatePort": 8081},
    ]
    in_pool = ok(demo.get(url(simulator, f"{BASE}/{lb['id']}/pools/{pool['id']}")))["nodes"]
    assert [n["name"] for n in in_pool] == [first, second]
    # A node sent as deleted leaves the pool; an empty list empties it.
    ok(
        demo.put(nodes_url, json=[sent[0], {"ipAddress": second, "privatePort": 8081, "status": "deleted"}]),
        204,
    )
    assert [n["ipAddress"] for n in ok(demo.get(nodes_url))] == [first]
    ok(demo.put(nodes_url, json=[]), 204)
    assert ok(demo.get(nodes_url)) == []


def test_nodes_must_be_servers_of_the_data_center(simulator, demo):
    lb = new_balancer(simulator, demo)
    pool = new_pool(simulator, demo, lb)
    nodes_url = url(simulator, f"{BASE}/{lb['id']}/pools/{pool['id']}/nodes")
    wa1 = sorted(ip for ips in wa1_addresses(simulator, demo).values() for ip in ips)[0]
    va1 = sorted(ip for ips in wa1_addresses(simulator, demo, "VA1").values() for ip in ips)[0]
    other = simulator.session("other")
    othr = sorted(ip for ips in wa1_addresses(simulator, other, "VA1", "OTHR").values() for ip in ips)[0]
    cases = [
        ([{"ipAddress": va1, "privatePort": 80}], va1),  # a server of another data center
        ([{"ipAddress": othr, "privatePort": 80}], othr),  # another account's server
        ([{"ipAddress": "10.254.254.254", "privatePort": 80}], "10.254.254.254"),
        ([{"ipAddress": "not an ip", "privatePort": 80}], "not an ip"),
        ([{"privatePort": 80}], "ipAddress"),
        ([{"ipAddress": wa1, "privatePort": 0}], "privatePort"),
        ([{"ipAddress": wa1, "privatePort": 65536}], "privatePort"),
        ([{"ipAddress": wa1, "privatePort": "eighty"}], "privatePort"),
        ([{"ipAddress": wa1, "privatePort": "8²"}], "privatePort"),  # a digit to isdigit(), not to int()
        ([{"ipAddress": wa1}], "privatePort"),
        ([{"ipAddress": wa1, "privatePort": 80, "status": "sleeping"}], "status"),
        ({"ipAddress": wa1, "privatePort": 80}, "array"),
        (["10.0.0.1"], "object"),
    ]
    for body, fragment in cases:
        refused(demo.put(nodes_url, json=body), 400, fragment)
    assert ok(demo.get(nodes_url)) == []  # nothing changed


# --- roles and accounts -------------------------------------------------------------------------
def test_viewers_read_without_change_links_and_changes_are_403(simulator):
    front_id = ok(simulator.session("demo").get(url(simulator, BASE)))[0]["id"]
    for user in ("viewer", "operator"):
        session = simulator.session(user)
        balancers = ok(session.get(url(simulator, BASE)))
        front = next(lb for lb in balancers if lb["id"] == front_id)
        assert {link["rel"]: link["verbs"] for link in front["links"]} == {"self": ["GET"], "pools": ["GET"]}
        pool = front["pools"][0]
        assert {link["rel"]: link["verbs"] for link in pool["links"]} == {"self": ["GET"], "nodes": ["GET"]}
        lb_url = url(simulator, f"{BASE}/{front_id}")
        pool_url = f"{lb_url}/pools/{pool['id']}"
        refused(session.post(url(simulator, BASE), json={"name": "x", "description": "x"}), 403)
        refused(session.put(lb_url, json={"name": "x", "description": "x"}), 403)
        refused(session.delete(lb_url), 403)
        refused(session.post(f"{lb_url}/pools", json={"port": 80}), 403)
        refused(session.put(pool_url, json={"method": "roundRobin"}), 403)
        refused(session.delete(pool_url), 403)
        refused(session.put(f"{pool_url}/nodes", json=[]), 403)
        assert ok(session.get(f"{pool_url}/nodes"))
    # What was refused did not happen.
    assert ok(simulator.session("demo").get(url(simulator, f"{BASE}/{front_id}")))["pools"][0]["nodes"]


def test_billing_managers_and_other_accounts_see_nothing(simulator):
    demo = simulator.session("demo")
    front_id = ok(demo.get(url(simulator, BASE)))[0]["id"]
    refused(simulator.session("billing").get(url(simulator, BASE)), 403)
    other = simulator.session("other")
    refused(other.get(url(simulator, BASE)), 404)
    refused(other.get(url(simulator, f"/v2/sharedLoadBalancers/OTHR/WA1/{front_id}")), 404)
    othr_lb = ok(other.get(url(simulator, "/v2/sharedLoadBalancers/OTHR/VA1")))[0]
    assert othr_lb["name"] == "Payments"
    refused(demo.get(url(simulator, f"/v2/sharedLoadBalancers/DEMO/VA1/{othr_lb['id']}")), 404)
    refused(demo.delete(url(simulator, f"/v2/sharedLoadBalancers/DEMO/VA1/{othr_lb['id']}")), 404)
    # The right account but the wrong data center in the path: not found either.
    refused(demo.get(url(simulator, f"/v2/sharedLoadBalancers/DEMO/VA1/{front_id}")), 404)
    refused(demo.get(url(simulator, "/v2/sharedLoadBalancers/DEMO/XX9")), 404)
