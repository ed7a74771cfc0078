"""A server's networks and public IPs: the server page's "Networks" panel (primary and secondary
networks, each public IP with its open ports and allowed sources), adding and removing a secondary
network, editing a public IP's rules in place — through the pages and ``/api/v1/``, against the
simulator. Bad input is refused before anything is sent."""

import re
from html import unescape

import pytest

from apps.activities.models import Status
from tests.support.networks import inside, pick
from tests.support.networks_portal import (
    audit_entries,
    finish,
    flash,
    key,
    post_form,
    sim_networks,
)
from tests.support.portal import key_of, sign_in, signed_in, text_of, upstream_writes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


def server_body(simulator, server_id):
    return simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()


def public_rules(simulator, server_id, address):
    url = f"{simulator.url}/v2/servers/demo/{server_id}/publicIPAddresses/{address}"
    return simulator.session("demo").get(url).json()


def plain_server():
    """An active WA1 server with one address (its primary network) and no public IP."""
    return pick(lambda s: len(s.internal_ips) == 1 and not s.public_ips).id


def server_with_public_ip():
    return pick(lambda s: bool(s.public_ips))


def panel(html: str) -> str:
    start = html.index("data-server-networks")
    return text_of_html(html[start : html.index("</section>", start)])


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the panel ----------------------------------------------------------------------------------
def test_the_server_page_shows_its_networks_and_public_ip_rules(demo, simulator):
    server = server_with_public_ip()
    ip = server.public_ips[0]
    html = demo.get(f"/servers/{server.id.lower()}/").content.decode()
    text = panel(html)
    primary = sim_networks(simulator)[0]
    assert f"{primary['name']} {primary['cidr']} primary" in text
    rules = public_rules(simulator, server.id, ip.address)
    assert ip.address in text and rules["internalIPAddress"] in text
    for port in rules["ports"]:
        spec = "icmp" if port["protocol"] == "ICMP" else f"{port['protocol'].lower()}/{port['port']}"
        assert spec in text
    assert "Edit ports and sources" in text and 'data-action="addSecondaryNetwork"' in html
    assert "<title>" + server.id in html.replace("\n", "")  # the panel stays out of the <title>


def test_a_secondary_network_on_the_page_is_marked_and_removable(demo, simulator):
    server = pick(lambda s: len(s.internal_ips) == 2 and not s.public_ips)
    backend = sim_networks(simulator)[1]
    html = demo.get(f"/servers/{server.id.lower()}/").content.decode()
    assert f"{backend['name']} {backend['cidr']} secondary" in panel(html)
    assert f'action="/servers/{server.id.lower()}/actions/removeSecondaryNetwork/"' in html


# --- secondary networks --------------------------------------------------------------------------
def test_server_admin_adds_and_removes_a_secondary_network_through_the_pages(demo, simulator):
    server_id = plain_server()
    spare = sim_networks(simulator)[2]
    url = f"/servers/{server_id.lower()}/actions/addSecondaryNetwork/"
    form = demo.get(url)
    assert form.status_code == 200
    assert (
        f'<option value="{spare["id"]}">{spare["name"]} — {spare["cidr"]}</option>' in form.content.decode()
    )
    response = demo.post(url, {"idempotency_key": key_of(form.content.decode()), "network": spare["id"]})
    assert "Add a network queued" in flash(demo, response)
    activity = audit_entries("server.addSecondaryNetwork")[0].detail["activities"][0]
    assert finish(activity).status == Status.SUCCEEDED
    added = [
        a for a in server_body(simulator, server_id)["details"]["ipAddresses"] if inside(spare, a["internal"])
    ]
    assert len(added) == 1
    html = demo.get(f"/servers/{server_id.lower()}/").content.decode()
    assert f"{spare['name']} {spare['cidr']} secondary {added[0]['internal']}" in panel(html)

    # remove it: asks first (what goes), then queued
    remove = f"/servers/{server_id.lower()}/actions/removeSecondaryNetwork/"
    question = demo.get(f"{remove}?network={spare['id']}")
    asked = unescape(text_of(question))
    assert f"Remove {server_id}'s address in {spare['name']} ({added[0]['internal']})?" in asked
    response = demo.post(
        remove,
        {"idempotency_key": key_of(question.content.decode()), "network": spare["id"], "confirmed": "1"},
    )
    assert "Remove network queued" in flash(demo, response)
    [entry] = audit_entries("server.removeSecondaryNetwork")
    assert entry.detail["changes"] == {
        "network": spare["id"],
        "name": spare["name"],
        "addresses": [added[0]["internal"]],
    }
    assert finish(entry.detail["activities"][0]).status == Status.SUCCEEDED
    ips = [a["internal"] for a in server_body(simulator, server_id)["details"]["ipAddresses"]]
    assert not any(inside(spare, a) for a in ips)
    [add] = audit_entries("server.addSecondaryNetwork")
    assert add.detail["changes"] == {"network": spare["id"], "name": spare["name"], "cidr": spare["cidr"]}


def test_server_admin_adds_and_removes_a_secondary_network_through_the_api(demo, simulator):
    server_id = plain_server()
    spare = sim_networks(simulator)[2]
    listed = demo.get(f"/api/v1/servers/{server_id}/networks/").json()
    assert [n["primary"] for n in listed["networks"]] == [True]
    assert spare["id"] in [n["id"] for n in listed["available"]]
    address = spare["cidr"].rsplit(".", 1)[0] + ".99"
    response = demo.post(
        f"/api/v1/servers/{server_id}/actions/addSecondaryNetwork/",
        {"network": spare["id"], "ip_address": address},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    assert finish(response.json()["activities"][0]["id"]).status == Status.SUCCEEDED
    listed = demo.get(f"/api/v1/servers/{server_id}/networks/").json()
    assert [(n["network"]["id"], n["addresses"], n["primary"]) for n in listed["networks"]][1] == (
        spare["id"],
        [address],
        False,
    )
    removed = demo.post(
        f"/api/v1/servers/{server_id}/actions/removeSecondaryNetwork/",
        {"network": spare["id"]},
        content_type="application/json",
    )
    assert removed.status_code == 202, removed.content
    assert finish(removed.json()["activities"][0]["id"]).status == Status.SUCCEEDED
    assert len(demo.get(f"/api/v1/servers/{server_id}/networks/").json()["networks"]) == 1


def test_secondary_network_input_is_checked_before_anything_is_sent(demo, simulator):
    server_id = plain_server()
    nets = sim_networks(simulator)
    primary, spare = nets[0], nets[2]
    api = f"/api/v1/servers/{server_id}/actions/"
    with upstream_writes() as sent:
        wrong_net = demo.post(
            api + "addSecondaryNetwork/", {"network": primary["id"]}, content_type="application/json"
        )
        outside = demo.post(
            api + "addSecondaryNetwork/",
            {"network": spare["id"], "ip_address": "10.99.0.12"},
            content_type="application/json",
        )
        not_ip = demo.post(
            api + "addSecondaryNetwork/",
            {"network": spare["id"], "ip_address": "x.y"},
            content_type="application/json",
        )
        primary_out = demo.post(
            api + "removeSecondaryNetwork/", {"network": primary["id"]}, content_type="application/json"
        )
        page = demo.get(
            f"/servers/{server_id.lower()}/actions/removeSecondaryNetwork/?network={primary['id']}"
        )
    assert sent == []
    assert wrong_net.status_code == 400 and "has no address in" in wrong_net.json()["message"]
    assert outside.status_code == 400 and "not a usable address of" in outside.json()["message"]
    assert not_ip.status_code == 400 and "not an IPv4 address" in not_ip.json()["message"]
    assert primary_out.status_code == 400 and "primary network" in primary_out.json()["message"]
    assert page.status_code == 404


# --- public IP rules ------------------------------------------------------------------------------
def test_open_port_443_from_one_cidr_on_a_public_ip_in_place(demo, simulator):
    server = server_with_public_ip()
    address = server.public_ips[0].address
    page = demo.get(f"/servers/{server.id.lower()}/").content.decode()
    form = re.search(r'<form method="post" action="([^"]+/actions/updatePublicIp/)".*?</form>', page, re.S)
    assert form and f'name="ip" value="{address}"' in form.group(0)
    before = public_rules(simulator, server.id, address)
    response = demo.post(
        form.group(1),
        {
            "idempotency_key": key_of(form.group(0)),
            "ip": address,
            "ports": "tcp/443",
            "source_restrictions": "203.0.113.0/24",
            "next": f"/servers/{server.id.lower()}/",
        },
    )
    assert response["Location"] == f"/servers/{server.id.lower()}/"
    assert "Change ports and sources queued" in flash(demo, response)
    [entry] = audit_entries("server.updatePublicIp")
    assert finish(entry.detail["activities"][0]).status == Status.SUCCEEDED
    after = public_rules(simulator, server.id, address)
    assert {"protocol": "TCP", "port": 443} in after["ports"]
    assert after["sourceRestrictions"] == [{"cidr": "203.0.113.0/24"}]
    text = panel(demo.get(f"/servers/{server.id.lower()}/").content.decode())
    assert "tcp/443" in text and "203.0.113.0/24" in text
    changes = entry.detail["changes"]
    assert changes["address"] == address and changes["ports"]["to"] == "tcp/443"
    assert changes["source_restrictions"] == {
        "from": ", ".join(r["cidr"] for r in before["sourceRestrictions"]),
        "to": "203.0.113.0/24",
    }


def test_public_ip_rules_through_the_api(demo, simulator):
    server = server_with_public_ip()
    address = server.public_ips[0].address
    response = demo.post(
        f"/api/v1/servers/{server.id}/actions/updatePublicIp/",
        {"ip": address, "ports": "tcp/443, udp/1000-2000", "source_restrictions": "198.51.100.7/32"},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    assert finish(response.json()["activities"][0]["id"]).status == Status.SUCCEEDED
    [ip] = [
        p
        for p in demo.get(f"/api/v1/servers/{server.id}/networks/?fresh=1").json()["public_ips"]
        if p["address"] == address
    ]
    specs = [p["spec"] for p in ip["rules"]["ports"]]
    assert "tcp/443" in specs and "udp/1000-2000" in specs
    assert ip["rules"]["source_restrictions"] == ["198.51.100.7/32"] and ip["editable"] is True


@pytest.mark.parametrize(
    "ports, sources, message",
    [
        ("tcp/99999", "", "ports are numbers from 1 to 65535"),
        ("udp/2000-1000", "", "low to high"),
        ("http", "", "'http' is not a port"),
        ("any", "", "A public IP opens named ports"),
        ("", "", "ports: This field is required."),
        ("tcp/443", "10.0.0.0", "an address needs its /prefix"),
        ("tcp/443", "10.0.0.0/33", "not an IPv4 CIDR block"),
    ],
)
def test_public_ip_rules_are_checked_before_anything_is_sent(demo, simulator, ports, sources, message):
    server = server_with_public_ip()
    with upstream_writes() as sent:
        response = demo.post(
            f"/api/v1/servers/{server.id}/actions/updatePublicIp/",
            {"ip": server.public_ips[0].address, "ports": ports, "source_restrictions": sources},
            content_type="application/json",
        )
    assert sent == []
    assert response.status_code == 400 and message in response.json()["message"], response.json()


def test_a_security_admin_may_not_change_public_ip_rules(simulator, clc_settings):
    """ROLES.md: adding, updating, removing a public IP is AccountAdmin's and ServerAdmin's only."""
    security = signed_in("security")
    server = server_with_public_ip()
    html = security.get(f"/servers/{server.id.lower()}/").content.decode()
    text = panel(html)
    assert "Edit ports and sources" not in text
    assert "Changing ports and sources needs Account Administrator or Server Administrator" in text
    with upstream_writes() as sent:
        page = security.post(
            f"/servers/{server.id.lower()}/actions/updatePublicIp/",
            {"idempotency_key": key(), "ip": server.public_ips[0].address, "ports": "tcp/443"},
        )
        api = security.post(
            f"/api/v1/servers/{server.id}/actions/updatePublicIp/",
            {"ip": server.public_ips[0].address, "ports": "tcp/443"},
            content_type="application/json",
        )
    assert sent == []
    assert page.status_code == 403 and api.status_code == 403
    assert "needs Account Administrator or Server Administrator" in api.json()["message"]


def test_add_and_remove_public_ip_still_work_from_the_server_page(demo, simulator):
    server_id = plain_server()
    url = f"/servers/{server_id.lower()}/actions/addPublicIp/"
    response = post_form(demo, url, {"ports": "tcp/22", "source_restrictions": "192.0.2.0/24"})
    assert "Add public IP queued" in flash(demo, response)
    [entry] = audit_entries("server.addPublicIp")
    assert entry.detail["changes"] == {
        "ports": "tcp/22",
        "source_restrictions": "192.0.2.0/24",
        "internal": "new",
    }
    assert finish(entry.detail["activities"][0]).status == Status.SUCCEEDED
    html = sign_in(type(demo)(), "demo").get(f"/servers/{server_id.lower()}/").content.decode()
    assert "tcp/22" in panel(html) and "192.0.2.0/24" in panel(html)
