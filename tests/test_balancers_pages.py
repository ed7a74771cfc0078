"""Load balancer pages through Django's test client against the simulator (issue #13): the data
center's load balancers, a load balancer, a pool and its editor; a ServerAdmin creates a load
balancer with a port-80 pool of three web servers, disables one node and deletes the pool; a
viewer sees the same and can change nothing; bad input is refused before anything is sent."""

import html as htmllib
import re
import uuid

import pytest

from apps.audit.models import AuditEntry
from tests.support.portal import key_of, sign_in, text_of, upstream_calls, upstream_writes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

WEB = {"WA1DEMOWEB01": "10.16.0.12", "WA1DEMOWEB02": "10.16.0.18", "WA1DEMOWEB03": "10.16.0.24"}


# --- helpers ------------------------------------------------------------------------------------
@pytest.fixture
def writes():
    """Every upstream call other than a GET the portal sends during the test."""
    with upstream_writes() as sent:
        yield sent


def sim_lbs(simulator, user="demo"):
    session = simulator.session(user)
    return session.get(f"{simulator.url}/v2/sharedLoadBalancers/demo/wa1").json()


def sim_lb(simulator, name):
    return next(lb for lb in sim_lbs(simulator) if lb["name"] == name)


def post(client, url, data=None, *, confirmed=False):
    form = {"idempotency_key": str(uuid.uuid4()), **(data or {})}
    if confirmed:
        form["confirmed"] = "1"
    return client.post(url, form)


def lb_url(lb, tail=""):
    return f"/datacenters/wa1/load-balancers/{lb['id']}/{tail}"


def pool_url(lb, pool, tail=""):
    return f"/datacenters/wa1/load-balancers/{lb['id']}/pools/{pool['id']}/{tail}"


# --- reading ------------------------------------------------------------------------------------
def test_the_datacenter_page_has_a_load_balancers_tab(demo):
    html = demo.get("/datacenters/wa1/").content.decode()
    assert '<a href="/datacenters/wa1/load-balancers/">Load balancers</a>' in html


def test_list_shows_each_load_balancer_with_pools_and_node_counts(demo, simulator):
    response = demo.get("/datacenters/wa1/load-balancers/")
    assert response.status_code == 200
    text = text_of(response)
    front, api = sim_lb(simulator, "Web Frontend"), sim_lb(simulator, "API")
    html = response.content.decode()
    row = re.search(rf'<tr data-lb="{front["id"]}">(.*?)</tr>', html, re.S).group(1)
    assert "Web Frontend" in row and front["ipAddress"] in row and "enabled" in row
    assert ">80</a>" in row and ">443</a>" in row
    assert re.search(r"<td class=\"num\"[^>]*>6</td>", row)  # 3 web servers on each of two pools
    api_row = re.search(rf'<tr data-lb="{api["id"]}">(.*?)</tr>', html, re.S).group(1)
    assert "disabled" in api_row and re.search(r"<td class=\"num\"[^>]*>3</td>", api_row)
    assert 'aria-current="page">Load balancers</a>' in html  # the tab is the current view
    assert 'data-action="createLoadBalancer"' in html
    assert "2 load balancers" in text


def test_a_datacenter_without_shared_load_balancers_says_so(demo):
    response = demo.get("/datacenters/ca3/load-balancers/")
    assert response.status_code == 200
    assert "No shared load balancers in CA3" in text_of(response)
    assert 'data-action="createLoadBalancer"' not in response.content.decode()


def test_unknown_datacenter_balancer_and_pool_are_404(demo, simulator):
    assert demo.get("/datacenters/zz9/load-balancers/").status_code == 404
    assert demo.get("/datacenters/wa1/load-balancers/0123456789abcdef0123456789abcdef/").status_code == 404
    front = sim_lb(simulator, "Web Frontend")
    assert demo.get(lb_url(front, "pools/0123456789abcdef0123456789abcdef/")).status_code == 404
    assert demo.get("/datacenters/wa1/load-balancers/bad%20id/").status_code == 404


def test_another_accounts_load_balancer_is_404(client, clc_settings, simulator):
    other = simulator.session("other").get(f"{simulator.url}/v2/sharedLoadBalancers/othr/va1").json()[0]
    sign_in(client, "demo")
    assert client.get(f"/datacenters/va1/load-balancers/{other['id']}/").status_code == 404


def test_balancer_page_shows_pools_with_node_servers_and_flags(demo, simulator):
    front = sim_lb(simulator, "Web Frontend")
    response = demo.get(lb_url(front))
    assert response.status_code == 200
    html = response.content.decode()
    for name in WEB:
        assert f'<a href="/servers/{name.lower()}/">{name}</a>' in html
    # WEB03 is paused in the seed: flagged on both pools
    assert html.count("⚠ server paused") == 2
    assert "Port 80" in html and "Port 443" in html and "leastConnection, sticky" in html
    for action in ("editLoadBalancer", "createPool", "deleteLoadBalancer"):
        assert f'data-action="{action}"' in html


def test_pool_page_lists_nodes_and_item_actions(demo, simulator):
    front = sim_lb(simulator, "Web Frontend")
    pool443 = next(p for p in front["pools"] if p["port"] == 443)
    response = demo.get(pool_url(front, pool443))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-flagged="1"' in html
    web03 = re.search(r'<tr data-node="10\.16\.0\.24:443".*?</tr>', html, re.S).group(0)
    assert "disabled" in web03 and "paused" in web03 and 'data-action="enableNode"' in web03
    web01 = re.search(r'<tr data-node="10\.16\.0\.12:443".*?</tr>', html, re.S).group(0)
    assert 'data-action="disableNode"' in web01 and 'data-action="removeNode"' in web01
    for action in ("setNodes", "editPool", "deletePool"):
        assert f'data-action="{action}"' in html


def test_server_page_shows_the_pools_it_is_a_node_of(demo, simulator):
    front = sim_lb(simulator, "Web Frontend")
    html = demo.get("/servers/WA1DEMOWEB01/").content.decode()
    panel = re.search(r'<section class="panel lb-pools".*?</section>', html, re.S).group(0)
    assert 'data-lb-pools="2"' in panel
    assert f"/datacenters/wa1/load-balancers/{front['id']}/pools/" in panel
    assert "Web Frontend · port 80" in panel and "Web Frontend · port 443" in panel
    other = demo.get("/servers/WA1DEMODB01/").content.decode()
    assert "Not a node of any load balancer pool in WA1." in other


# --- the walk: a ServerAdmin ------------------------------------------------------------
def test_server_admin_creates_a_balancer_with_a_port_80_pool_of_three_web_servers(demo, simulator):
    form = demo.get("/datacenters/wa1/load-balancers/actions/createLoadBalancer/")
    assert form.status_code == 200
    created = demo.post(
        "/datacenters/wa1/load-balancers/actions/createLoadBalancer/",
        {"idempotency_key": key_of(form.content.decode()), "name": "Shop", "description": "The shop"},
    )
    assert created.status_code == 302
    shop = sim_lb(simulator, "Shop")
    assert created["Location"] == lb_url(shop) and shop["status"] == "enabled"

    pool_form = demo.get(lb_url(shop, "actions/createPool/"))
    added = demo.post(
        lb_url(shop, "actions/createPool/"),
        {
            "idempotency_key": key_of(pool_form.content.decode()),
            "port": "80",
            "method": "roundRobin",
            "persistence": "standard",
        },
    )
    assert added.status_code == 302
    pool = sim_lb(simulator, "Shop")["pools"][0]
    assert pool["port"] == 80 and added["Location"] == pool_url(shop, pool)

    editor = demo.get(pool_url(shop, pool, "actions/setNodes/"))
    assert editor.status_code == 200
    html = editor.content.decode()
    for name, address in WEB.items():  # picked by name, with the private address and power state
        row = re.search(rf'<tr data-node-row>.*?value="{re.escape(address)}".*?</tr>', html, re.S).group(0)
        assert name in row
    assert "paused" in re.search(r"<tr data-node-row>.*?10\.16\.0\.24.*?</tr>", html, re.S).group(0)
    saved = demo.post(
        pool_url(shop, pool, "actions/setNodes/"),
        {
            "idempotency_key": key_of(html),
            "add": list(WEB.values()),
            "add_port": "80",
            "add_status": "enabled",
        },
    )
    assert saved.status_code == 302, text_of(saved)
    nodes = sim_lb(simulator, "Shop")["pools"][0]["nodes"]
    assert sorted((n["ipAddress"], n["privatePort"], n["status"]) for n in nodes) == [
        (a, 80, "enabled") for a in sorted(WEB.values())
    ]

    # disable one node (for maintenance): asked first, then one PUT
    url = pool_url(shop, pool, "actions/disableNode/")
    asked = post(demo, url, {"node": "10.16.0.18:80"})
    assert asked.status_code == 200 and "Disable WA1DEMOWEB02 (10.16.0.18:80)" in text_of(asked)
    done = post(demo, url, {"node": "10.16.0.18:80"}, confirmed=True)
    assert done.status_code == 302
    states = {n["ipAddress"]: n["status"] for n in sim_lb(simulator, "Shop")["pools"][0]["nodes"]}
    assert states == {"10.16.0.12": "enabled", "10.16.0.18": "disabled", "10.16.0.24": "enabled"}
    assert "Node disabled." in text_of(demo.get(done["Location"]))

    # delete the pool: the confirmation lists its nodes
    asked = post(demo, pool_url(shop, pool, "actions/deletePool/"))
    assert asked.status_code == 200 and "WA1DEMOWEB02 (10.16.0.18:80, disabled)" in text_of(asked)
    gone = post(demo, pool_url(shop, pool, "actions/deletePool/"), confirmed=True)
    assert gone.status_code == 302 and gone["Location"] == lb_url(shop)
    assert sim_lb(simulator, "Shop")["pools"] == []
    assert "No pools yet" in text_of(demo.get(lb_url(shop)))

    audited = list(AuditEntry.objects.order_by("pk").values_list("action", "target_id", "result"))
    assert audited[-5:] == [
        ("datacenter.createLoadBalancer", "WA1", "success"),
        ("loadbalancer.createPool", shop["id"], "success"),
        ("pool.setNodes", f"{shop['id']}/{pool['id']}", "success"),
        ("pool.disableNode", f"{shop['id']}/{pool['id']}", "success"),
        ("pool.deletePool", f"{shop['id']}/{pool['id']}", "success"),
    ]


def test_edit_and_delete_a_load_balancer(demo, simulator):
    api = sim_lb(simulator, "API")
    assert (
        post(
            demo,
            lb_url(api, "actions/editLoadBalancer/"),
            {"name": "API v2", "description": "", "status": "enabled"},
        ).status_code
        == 302
    )
    edited = sim_lb(simulator, "API v2")
    assert edited["status"] == "enabled" and edited["description"] == ""
    asked = post(demo, lb_url(api, "actions/deleteLoadBalancer/"))
    assert asked.status_code == 200 and "Port 80: 3 nodes" in text_of(asked)
    assert len(sim_lbs(simulator)) == 2
    done = post(demo, lb_url(api, "actions/deleteLoadBalancer/"), confirmed=True)
    assert done.status_code == 302 and done["Location"] == "/datacenters/wa1/load-balancers/"
    assert [lb["name"] for lb in sim_lbs(simulator)] == ["Web Frontend"]


def test_the_editor_keeps_changes_and_takes_nodes_out(demo, simulator):
    front = sim_lb(simulator, "Web Frontend")
    pool = next(p for p in front["pools"] if p["port"] == 80)
    url = pool_url(front, pool, "actions/setNodes/")
    html = demo.get(url).content.decode()
    # keep rows 0 and 2 (WEB01, WEB03), WEB03 on port 8080 and disabled; WEB02 goes
    saved = demo.post(
        url,
        {
            "idempotency_key": key_of(html),
            "keep": ["0", "2"],
            "address-0": "10.16.0.12",
            "port-0": "80",
            "status-0": "enabled",
            "address-1": "10.16.0.18",
            "port-1": "80",
            "status-1": "enabled",
            "address-2": "10.16.0.24",
            "port-2": "8080",
            "status-2": "disabled",
            "add_port": "80",
            "add_status": "enabled",
        },
    )
    assert saved.status_code == 302
    nodes = next(p for p in sim_lb(simulator, "Web Frontend")["pools"] if p["port"] == 80)["nodes"]
    assert [(n["ipAddress"], n["privatePort"], n["status"]) for n in nodes] == [
        ("10.16.0.12", 80, "enabled"),
        ("10.16.0.24", 8080, "disabled"),
    ]


# --- bad input: a clear message, nothing sent ----------------------------------------------------
def test_bad_nodes_are_refused_before_anything_is_sent(demo, simulator, writes):
    front = sim_lb(simulator, "Web Frontend")
    pool = next(p for p in front["pools"] if p["port"] == 80)
    url = pool_url(front, pool, "actions/setNodes/")
    key = key_of(demo.get(url).content.decode())
    cases = [
        (
            {"add": ["10.16.0.13"], "add_port": "70000"},
            "The private port '70000' of 10.16.0.13 is not possible: use a number from 1 to 65535.",
        ),
        ({"add": ["10.16.0.13"], "add_port": "0"}, "use a number from 1 to 65535"),
        (
            {
                "keep": ["0"],
                "address-0": "10.16.0.12",
                "port-0": "80",
                "status-0": "enabled",
                "add": ["10.16.0.12"],
                "add_port": "80",
            },
            "10.16.0.12:80 is listed twice",
        ),
        (
            {"keep": ["0"], "address-0": "10.99.0.1", "port-0": "80", "status-0": "enabled"},
            "10.99.0.1 is not the internal address of a server in WA1.",
        ),
    ]
    for data, message in cases:
        response = demo.post(url, {"idempotency_key": key, "add_status": "enabled", **data})
        assert response.status_code == 400, data
        assert message in htmllib.unescape(text_of(response)), data
    assert writes == []
    assert sim_lb(simulator, "Web Frontend") == front


def test_bad_pool_ports_are_refused_before_anything_is_sent(demo, simulator, writes):
    front = sim_lb(simulator, "Web Frontend")
    url = lb_url(front, "actions/createPool/")
    for port, message in (
        ("8080", "a pool listens on port 80 or 443"),
        ("80", "already has a pool on port 80"),
        ("x", "The port must be 80 or 443."),
    ):
        response = post(demo, url, {"port": port})
        assert response.status_code == 400 and message in text_of(response), port
    assert (
        post(demo, "/datacenters/wa1/load-balancers/actions/createLoadBalancer/", {"name": "  "}).status_code
        == 400
    )
    assert writes == []


# --- a viewer ------------------------------------------------------------------------------------
def test_viewer_sees_everything_and_can_change_nothing(client, clc_settings, simulator, writes):
    sign_in(client, "viewer")
    front = sim_lb(simulator, "Web Frontend")
    pool = next(p for p in front["pools"] if p["port"] == 80)
    pages = ["/datacenters/wa1/load-balancers/", lb_url(front), pool_url(front, pool)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "data-action=" not in html, page
        assert "Not for your role" in html and "Network Manager or Server Administrator" in html
    assert "Web Frontend" in text_of(client.get(pages[0]))
    assert "WA1DEMOWEB01" in text_of(client.get(pages[2]))
    attempts = [
        ("/datacenters/wa1/load-balancers/actions/createLoadBalancer/", {"name": "Mine"}),
        (lb_url(front, "actions/editLoadBalancer/"), {"name": "Mine"}),
        (lb_url(front, "actions/createPool/"), {"port": "443"}),
        (lb_url(front, "actions/deleteLoadBalancer/"), {"confirmed": "1"}),
        (pool_url(front, pool, "actions/setNodes/"), {"add": ["10.16.0.13"], "add_port": "80"}),
        (pool_url(front, pool, "actions/disableNode/"), {"node": "10.16.0.12:80", "confirmed": "1"}),
        (pool_url(front, pool, "actions/deletePool/"), {"confirmed": "1"}),
    ]
    for url, data in attempts:
        assert client.get(url).status_code == 403, url
        response = post(client, url, data)
        assert response.status_code == 403, url
        assert "needs Account Administrator, Network Manager or Server Administrator" in text_of(response)
    assert writes == []
    assert sim_lb(simulator, "Web Frontend") == front
    denied = AuditEntry.objects.filter(result="denied").values_list("action", flat=True)
    assert sorted(denied) == sorted(
        [
            "datacenter.createLoadBalancer",
            "loadbalancer.editLoadBalancer",
            "loadbalancer.createPool",
            "loadbalancer.deleteLoadBalancer",
            "pool.setNodes",
            "pool.disableNode",
            "pool.deletePool",
        ]
    )


# --- upstream calls ---------------------------------------------------------------------------------
def test_upstream_calls_of_the_pages(demo, simulator):
    front = sim_lb(simulator, "Web Frontend")
    pool = front["pools"][0]
    # the top bar's data center list, the list of WA1's load balancers, WA1's capabilities
    assert upstream_calls(demo.get("/datacenters/wa1/load-balancers/")) == 3
    assert upstream_calls(demo.get("/datacenters/wa1/load-balancers/")) == 0
    # a load balancer: from the cached list; its servers: the data center view (1 tree with every
    # server's details, the root group id the first time: 1)
    assert upstream_calls(demo.get(lb_url(front))) == 1 + 1
    assert upstream_calls(demo.get(lb_url(front))) == 0
    assert upstream_calls(demo.get(pool_url(front, pool))) == 0
    assert upstream_calls(demo.get("/datacenters/wa1/")) == 0  # the data center page shares its servers


def test_upstream_calls_of_a_change(demo, simulator):
    front = sim_lb(simulator, "Web Frontend")
    pool = front["pools"][0]
    # the top bar, the load balancer, the data center view (root group id, tree with its servers)
    assert upstream_calls(demo.get(lb_url(front))) == 1 + 1 + (1 + 1)
    editor = demo.get(pool_url(front, pool, "actions/setNodes/"))
    assert upstream_calls(editor) == 0  # all cached
    url = pool_url(front, pool, "actions/disableNode/")
    done = post(demo, url, {"node": "10.16.0.12:80"}, confirmed=True)
    assert done.status_code == 302
    assert upstream_calls(done) == 1 + 1  # the load balancer read fresh, then one PUT of the nodes
    again = demo.post(url, {"idempotency_key": key_of(editor.content.decode()), "node": "10.16.0.12:80"})
    assert again.status_code == 400  # already disabled: said before anything is sent


def test_a_network_admin_edits_nodes_by_address(client, clc_settings, simulator):
    """NetworkAdmin may change load balancers but not read servers: the editor takes addresses."""
    sign_in(client, "netadmin")
    front = sim_lb(simulator, "Web Frontend")
    pool = next(p for p in front["pools"] if p["port"] == 80)
    page = client.get(pool_url(front, pool))
    assert page.status_code == 200
    assert "Your role can't read this data center's servers" in htmllib.unescape(text_of(page))
    editor = client.get(pool_url(front, pool, "actions/setNodes/"))
    html = editor.content.decode()
    assert 'name="other"' in html and 'name="add"' not in html
    keep = {f"address-{i}": a for i, a in enumerate(["10.16.0.12", "10.16.0.18", "10.16.0.24"])}
    form = {
        "idempotency_key": key_of(html),
        "keep": ["0", "1", "2"],
        **keep,
        **{f"port-{i}": "80" for i in range(3)},
        **{f"status-{i}": "enabled" for i in range(3)},
        "other": "10.16.0.13",
        "add_port": "8080",
        "add_status": "disabled",
    }
    assert client.post(pool_url(front, pool, "actions/setNodes/"), form).status_code == 302
    nodes = next(p for p in sim_lb(simulator, "Web Frontend")["pools"] if p["port"] == 80)["nodes"]
    assert nodes[-1] == {
        "status": "disabled",
        "ipAddress": "10.16.0.13",
        "privatePort": 8080,
        "name": "10.16.0.13",
    }
    # an address of no server: the cloud says so, shown on the form
    form["other"], form["idempotency_key"] = "10.99.0.9", str(uuid.uuid4())
    refused = client.post(pool_url(front, pool, "actions/setNodes/"), form)
    assert refused.status_code == 400 and "10.99.0.9" in text_of(refused)
