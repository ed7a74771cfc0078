"""The load balancer REST API against the simulator: the reads (with each node's server and flag),
every change as a registry action route (create/edit/delete, pools, nodes by address or server name,
one node at a time), bad input refused with a message before anything is sent, a viewer refused, and
the schema documents it all with examples."""

import pytest

from apps.audit.models import AuditEntry
from tests.support.portal import create_token, signed_in, upstream_calls
from tests.test_balancers_pages import sim_lb, writes  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

BASE = "/api/v1/datacenters/wa1/load-balancers/"


@pytest.fixture
def api(clc_settings):
    from django.test import Client

    token = create_token(signed_in("demo"), "lb-script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def call(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_reads(api, simulator):
    listed = api.get(BASE)
    assert listed.status_code == 200
    body = listed.json()
    assert body["datacenter"] == "WA1" and body["supported"] is True and body["count"] == 2
    front = next(lb for lb in body["results"] if lb["name"] == "Web Frontend")
    assert [p["port"] for p in front["pools"]] == [80, 443]
    assert {link["rel"]: link["verbs"] for link in front["links"]}["self"] == ["GET", "PUT", "DELETE"]
    detail = api.get(f"{BASE}{front['id']}/").json()
    nodes = {n["ip_address"]: n for n in detail["pools"][1]["nodes"]}
    assert nodes["10.16.0.24"]["server"]["name"] == "WA1DEMOWEB03"
    assert nodes["10.16.0.24"]["flag"] == "server paused" and nodes["10.16.0.24"]["status"] == "disabled"
    assert nodes["10.16.0.12"]["flag"] == "" and nodes["10.16.0.12"]["server"]["power_state"] == "started"
    pool = api.get(f"{BASE}{front['id']}/pools/{front['pools'][0]['id']}/").json()
    assert pool["port"] == 80 and len(pool["nodes"]) == 3
    member = api.get("/api/v1/servers/WA1DEMOWEB03/load-balancer-pools/").json()
    assert member["count"] == 2 and {m["pool"]["port"] for m in member["results"]} == {80, 443}
    assert api.get(f"{BASE}0123456789abcdef0123456789abcdef/").json() == {
        "message": "No load balancer 0123456789abcdef0123456789abcdef in WA1."
    }
    assert api.get("/api/v1/datacenters/nope9/load-balancers/").status_code == 404


def test_reads_are_cached(api, simulator):
    assert upstream_calls(api.get(BASE)) == 2  # the list and the data center's capabilities
    assert upstream_calls(api.get(BASE)) == 0
    front = sim_lb(simulator, "Web Frontend")
    assert (
        upstream_calls(api.get(f"{BASE}{front['id']}/")) == 1 + 1
    )  # + the data center view (root group id, tree with its servers)
    assert upstream_calls(api.get(f"{BASE}{front['id']}/")) == 0


def test_a_servers_pools_are_cached_and_read_again_on_fresh(api, simulator):
    pools = "/api/v1/servers/WA1DEMOWEB03/load-balancer-pools/"
    cold = api.get(pools)
    assert upstream_calls(cold) > 0
    assert upstream_calls(api.get(pools)) == 0
    fresh = api.get(f"{pools}?fresh=1")
    assert upstream_calls(fresh) == upstream_calls(cold), (
        "the server and its data center's load balancers, again"
    )
    assert fresh.content == cold.content


def test_the_issue_walk_through_the_api(api, simulator):
    created = call(api, f"{BASE}actions/createLoadBalancer/", {"name": "Shop", "description": ""})
    assert created.status_code == 200 and created.json()["outcome"] == "done"
    shop = sim_lb(simulator, "Shop")
    pool = call(api, f"{BASE}{shop['id']}/actions/createPool/", {"port": 80})
    assert pool.status_code == 200, pool.json()
    pool_id = sim_lb(simulator, "Shop")["pools"][0]["id"]
    nodes = f"{BASE}{shop['id']}/pools/{pool_id}/actions/setNodes/"
    saved = call(
        api,
        nodes,
        {
            "nodes": [
                {"server": "WA1DEMOWEB01", "privatePort": 80},
                {"server": "wa1demoweb02", "privatePort": "80"},
                {"ipAddress": "10.16.0.24", "privatePort": 80, "status": "Enabled"},
            ]
        },
    )
    assert saved.status_code == 200, saved.json()
    disabled = call(
        api, f"{BASE}{shop['id']}/pools/{pool_id}/actions/disableNode/", {"node": "10.16.0.18:80"}
    )
    assert disabled.status_code == 200 and disabled.json()["message"] == "Node disabled."
    got = sim_lb(simulator, "Shop")["pools"][0]["nodes"]
    assert [(n["ipAddress"], n["status"]) for n in got] == [
        ("10.16.0.12", "enabled"),
        ("10.16.0.18", "disabled"),
        ("10.16.0.24", "enabled"),
    ]
    again = call(api, f"{BASE}{shop['id']}/pools/{pool_id}/actions/disableNode/", {"node": "10.16.0.18:80"})
    assert again.status_code == 400 and again.json()["message"] == "node: 10.16.0.18:80 is already disabled."
    gone = call(api, f"{BASE}{shop['id']}/pools/{pool_id}/actions/deletePool/")
    assert gone.status_code == 200 and sim_lb(simulator, "Shop")["pools"] == []
    removed = call(api, f"{BASE}{shop['id']}/actions/deleteLoadBalancer/")
    assert removed.status_code == 200
    assert "Shop" not in [
        lb["name"]
        for lb in simulator.session("demo").get(f"{simulator.url}/v2/sharedLoadBalancers/demo/wa1").json()
    ]
    channels = set(AuditEntry.objects.filter(action__startswith="pool.").values_list("channel", flat=True))
    assert channels == {"api"}


def test_bad_input_is_a_400_with_a_message_and_nothing_is_sent(api, simulator, writes):  # noqa: F811
    front = sim_lb(simulator, "Web Frontend")
    pool = f"{BASE}{front['id']}/pools/{front['pools'][0]['id']}/actions/setNodes/"
    cases = [
        ({"nodes": [{"ipAddress": "10.16.0.12", "privatePort": 65536}]}, "use a number from 1 to 65535"),
        ({"nodes": [{"ipAddress": "10.16.0.12", "privatePort": "8²"}]}, "use a number from 1 to 65535"),
        ({"nodes": [{"ipAddress": "10.16.0.12", "privatePort": 80}] * 2}, "10.16.0.12:80 is listed twice"),
        ({"nodes": [{"ipAddress": "192.0.2.7", "privatePort": 80}]}, "192.0.2.7 is not the internal address"),
        ({"nodes": [{"server": "WA1DEMONOPE", "privatePort": 80}]}, "There is no server WA1DEMONOPE"),
        ({"nodes": [{"ipAddress": "not-an-ip", "privatePort": 80}]}, "not-an-ip is not an IPv4 address"),
        ({"nodes": "10.16.0.12"}, "nodes must be a list"),
        ({}, "Send the pool's whole node list"),
        (
            {"nodes": [{"ipAddress": "10.16.0.12", "privatePort": 80, "status": "sleepy"}]},
            "enabled or disabled",
        ),
    ]
    for body, message in cases:
        response = call(api, pool, body)
        assert response.status_code == 400, body
        assert message in response.json()["message"], (body, response.json())
    for body, message in (({"port": 8443}, "80 or 443"), ({"port": 443}, "already has a pool on port 443")):
        response = call(api, f"{BASE}{front['id']}/actions/createPool/", body)
        assert response.status_code == 400 and message in response.json()["message"]
    response = call(api, f"{BASE}actions/createLoadBalancer/", {"name": "x" * 300})
    assert response.status_code == 400
    assert writes == []


def test_a_viewer_gets_403_and_nothing_is_sent(clc_settings, simulator, writes):  # noqa: F811
    viewer = signed_in("viewer")
    front = sim_lb(simulator, "Web Frontend")
    assert viewer.get(f"{BASE}{front['id']}/").status_code == 200
    for path, body in (
        (f"{BASE}actions/createLoadBalancer/", {"name": "Mine"}),
        (f"{BASE}{front['id']}/actions/deleteLoadBalancer/", {}),
        (
            f"{BASE}{front['id']}/pools/{front['pools'][0]['id']}/actions/disableNode/",
            {"node": "10.16.0.12:80"},
        ),
    ):
        response = call(viewer, path, body)
        assert response.status_code == 403
        assert (
            response.json()["reason"]
            == "needs Account Administrator, Network Manager or Server Administrator"
        )
    assert writes == []


def test_the_schema_documents_the_load_balancer_api(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/datacenters/{dc}/load-balancers/",
        "/api/v1/datacenters/{dc}/load-balancers/{lb_id}/",
        "/api/v1/datacenters/{dc}/load-balancers/{lb_id}/pools/{pool_id}/",
        "/api/v1/servers/{server_id}/load-balancer-pools/",
        "/api/v1/datacenters/{dc}/load-balancers/actions/createLoadBalancer/",
        "/api/v1/datacenters/{dc}/load-balancers/{lb_id}/pools/{pool_id}/actions/setNodes/",
        "/api/v1/billing/invoices/{year}/{month}/",
        "/api/v1/billing/history/",
    ):
        assert path in paths, path
    set_nodes = paths["/api/v1/datacenters/{dc}/load-balancers/{lb_id}/pools/{pool_id}/actions/setNodes/"][
        "post"
    ]
    ref = set_nodes["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    nodes = schema["components"]["schemas"][ref]["properties"]["nodes"]
    assert nodes["type"] == "array"
    item = schema["components"]["schemas"][nodes["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"ipAddress", "server", "privatePort", "status"} <= set(item["properties"])
    assert item["properties"]["privatePort"]["maximum"] == 65535


def test_a_retry_with_the_same_key_creates_one_load_balancer(api, simulator):
    for _ in range(2):
        response = api.post(
            f"{BASE}actions/createLoadBalancer/",
            {"name": "Once"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="create-once-1",
        )
        assert response.status_code == 200
    assert response.json()["replayed"] is True
    names = [
        lb["name"]
        for lb in simulator.session("demo").get(f"{simulator.url}/v2/sharedLoadBalancers/demo/wa1").json()
    ]
    assert names.count("Once") == 1
