"""Firewall policies per data center: a Security Manager lists, creates, edits, disables, enables and
deletes intra and cross data center policies — through the pages and ``/api/v1/``, against the
simulator. Sources and destinations are shown as networks where they are ours; bad input (CIDRs,
port specs, a network of another data center, a policy that already exists) is refused before
anything is sent."""

import pytest

from tests.support.networks import finish_queue, slow_queue
from tests.support.networks_portal import (
    audit_entries,
    flash,
    key,
    post_form,
    sim_networks,
    sim_policies,
)
from tests.support.portal import sign_in, text_of, upstream_writes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

FW = "/datacenters/wa1/firewall"


@pytest.fixture
def security(client, clc_settings):
    return sign_in(client, "security")


def nets(simulator, dc="WA1"):
    return {n["name"]: n for n in sim_networks(simulator, dc)}


def new_policy(simulator, before, kind="intra"):
    [policy] = [p for p in sim_policies(simulator, kind) if p["id"] not in before]
    return policy


# --- the page ----------------------------------------------------------------------------------
def test_the_firewall_page_names_our_networks(security, simulator):
    wa1, va1 = nets(simulator), nets(simulator, "VA1")
    page = security.get(f"{FW}/")
    html, text = page.content.decode(), text_of(page)
    assert page.status_code == 200
    # seeded: web -> Backend (tcp/3306, tcp/6379), a disabled icmp rule back, WA1 -> VA1
    web, backend = next(n for n in wa1 if n.startswith("vlan_700")), "Backend"
    assert f"active enabled {web} {backend} tcp/3306 tcp/6379 DEMO" in text
    assert f"active disabled {backend} {web} icmp DEMO" in text
    va1_web = next(n for n in va1 if n.startswith("vlan_700"))
    assert f"active enabled {web} {va1_web} VA1 DEMO" in text
    assert f'href="/datacenters/va1/networks/{va1[va1_web]["id"]}/"' in html
    assert html.count('data-action="deletePolicy"') == 3
    assert 'data-action="createIntraPolicy"' in html and 'data-action="createCrossPolicy"' in html


# --- intra data center -------------------------------------------------------------------------
def test_security_admin_creates_edits_disables_and_deletes_an_intra_policy_through_the_pages(
    security, simulator
):
    slow_queue(simulator)  # the new policy stays pending until the clock moves
    before = {p["id"] for p in sim_policies(simulator)}
    wa1 = nets(simulator)
    spare = next(n for n in wa1 if n.startswith("vlan_702"))
    response = post_form(
        security,
        f"{FW}/actions/createIntraPolicy/",
        {"source": "203.0.113.0/24", "destination": spare, "ports": "tcp/443", "enabled": "true"},
    )
    text = flash(security, response)
    assert "Policy created: it is pending" in text
    policy = new_policy(simulator, before)
    assert policy["destination"] == [wa1[spare]["cidr"]] and policy["ports"] == ["tcp/443"]
    assert f"pending enabled 203.0.113.0/24 {spare} tcp/443" in text
    finish_queue(simulator)
    assert f"active enabled 203.0.113.0/24 {spare} tcp/443" in text_of(security.get(f"{FW}/?refresh=1"))

    base = f"{FW}/intra/{policy['id']}/actions"
    edit = security.get(f"{base}/editPolicy/")
    assert 'value="tcp/443"' in edit.content.decode()
    response = post_form(
        security,
        f"{base}/editPolicy/",
        {"source": "203.0.113.0/24", "destination": spare, "ports": "tcp/443, tcp/8443"},
    )
    assert "Policy saved." in flash(security, response)
    assert next(p for p in sim_policies(simulator) if p["id"] == policy["id"])["ports"] == [
        "tcp/443",
        "tcp/8443",
    ]

    response = security.post(f"{base}/disablePolicy/", {"idempotency_key": key()})
    assert "Policy disabled." in flash(security, response)
    assert next(p for p in sim_policies(simulator) if p["id"] == policy["id"])["enabled"] is False
    response = security.post(f"{base}/enablePolicy/", {"idempotency_key": key()})
    assert "Policy enabled." in flash(security, response)

    response = post_form(security, f"{base}/deletePolicy/", confirmed=True)
    assert "Policy deleted." in flash(security, response)
    assert policy["id"] not in {p["id"] for p in sim_policies(simulator)}

    [created] = audit_entries("firewall.createIntraPolicy")
    assert created.target_id == "WA1" and created.detail["changes"]["id"] == policy["id"]
    assert created.detail["changes"]["destination"] == [wa1[spare]["cidr"]]
    [edited] = audit_entries("firewall-policy.editPolicy")
    assert edited.detail["changes"] == {"ports": {"from": ["tcp/443"], "to": ["tcp/443", "tcp/8443"]}}
    assert [e.detail["changes"] for e in audit_entries("firewall-policy.disablePolicy")] == [
        {"enabled": {"from": True, "to": False}}
    ]
    [deleted] = audit_entries("firewall-policy.deletePolicy")
    assert deleted.target_id == policy["id"] and deleted.detail["changes"]["ports"] == ["tcp/443", "tcp/8443"]


def test_security_admin_manages_an_intra_policy_through_the_api(security, simulator):
    before = {p["id"] for p in sim_policies(simulator)}
    response = security.post(
        "/api/v1/datacenters/wa1/firewall/actions/createIntraPolicy/",
        {
            "source": ["Backend"],
            "destination": "10.16.2.0/24",
            "ports": "udp/1000-2000, icmp",
            "enabled": False,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "done"
    policy = new_policy(simulator, before)
    assert policy["enabled"] is False and policy["ports"] == ["udp/1000-2000", "icmp"]
    listed = security.get("/api/v1/datacenters/wa1/firewall/").json()
    [mine] = [p for p in listed["intra"] if p["id"] == policy["id"]]
    assert mine["source"][0]["network_name"] == "Backend" and mine["status"] in ("pending", "active")
    one = security.get(f"/api/v1/datacenters/wa1/firewall/intra/{policy['id']}/").json()
    assert one["destination"][0]["cidr"] == "10.16.2.0/24"

    base = f"/api/v1/datacenters/wa1/firewall/intra/{policy['id']}/actions"
    assert security.post(f"{base}/enablePolicy/", {}, content_type="application/json").status_code == 200
    again = security.post(f"{base}/enablePolicy/", {}, content_type="application/json")
    assert again.status_code == 403 and "already enabled" in again.json()["message"]
    edited = security.post(
        f"{base}/editPolicy/",
        {"source": "Backend", "destination": "10.16.2.0/24", "ports": "any"},
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert security.post(f"{base}/deletePolicy/", {}, content_type="application/json").status_code == 200
    assert security.get(f"/api/v1/datacenters/wa1/firewall/intra/{policy['id']}/?fresh=1").status_code == 404


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"source": "10.0.0.0"}, "source", "an address needs its /prefix"),
        ({"source": "10.300.0.0/16"}, "source", "is not an IPv4 CIDR block"),
        ({"source": "Nowhere"}, "source", "neither a CIDR block"),
        ({"ports": "tcp/70000"}, "ports", "ports are numbers from 1 to 65535"),
        ({"ports": "udp/2000-1000"}, "ports", "low to high"),
        ({"ports": "tcp"}, "ports", "'tcp' is not a port"),
        ({"ports": "any, tcp/80"}, "ports", "'any' already opens every port"),
        ({"destination": "10.32.0.0/24"}, "destination", "is vlan_700_10.32.0 in VA1"),
        ({"destination_account": "no such!"}, "destination_account", "account alias"),
    ],
)
def test_intra_policy_input_is_checked_before_anything_is_sent(security, simulator, fields, field, message):
    body = {"source": "10.16.0.0/24", "destination": "10.16.2.0/24", "ports": "tcp/443", **fields}
    with upstream_writes() as sent:
        response = security.post(
            "/api/v1/datacenters/wa1/firewall/actions/createIntraPolicy/",
            body,
            content_type="application/json",
        )
    assert sent == []
    assert response.status_code == 400, response.content
    assert message in response.json()["message"] and field in response.json()["errors"]


def test_a_duplicate_policy_is_refused_before_anything_is_sent(security, simulator):
    wa1 = nets(simulator)
    web = next(n for n in wa1 if n.startswith("vlan_700"))
    with upstream_writes() as sent:
        page = post_form(
            security,
            f"{FW}/actions/createIntraPolicy/",
            {"source": web, "destination": "Backend", "ports": "tcp/6379, tcp/3306"},
        )
    assert sent == []
    assert page.status_code == 400 and "This policy already exists in WA1" in text_of(page)


def test_a_destination_network_of_another_data_center_is_refused_on_the_page(security, simulator):
    with upstream_writes() as sent:
        page = post_form(
            security,
            f"{FW}/actions/createIntraPolicy/",
            {"source": "10.16.0.0/24", "destination": "10.32.1.0/24", "ports": "tcp/443"},
        )
    assert sent == []
    text = text_of(page)
    assert page.status_code == 400
    assert "10.32.1.0/24 is Backend in VA1: an intra data center policy stays in WA1" in text


# --- cross data center -------------------------------------------------------------------------
def test_security_admin_creates_disables_and_deletes_a_cross_policy_through_the_pages(security, simulator):
    slow_queue(simulator)
    before = {p["id"] for p in sim_policies(simulator, "cross")}
    response = post_form(
        security,
        f"{FW}/actions/createCrossPolicy/",
        {
            "source_cidr": "Backend",
            "destination_location": "VA1",
            "destination_account": "",
            "destination_cidr": "Backend",
            "enabled": "true",
        },
    )
    text = flash(security, response)
    policy = new_policy(simulator, before, "cross")
    va1 = nets(simulator, "VA1")
    assert policy["sourceCidr"] == nets(simulator)["Backend"]["cidr"]
    assert policy["destinationCidr"] == va1["Backend"]["cidr"] and policy["destinationLocation"] == "va1"
    assert "pending enabled Backend Backend VA1 DEMO" in text

    base = f"{FW}/cross/{policy['id']}/actions"
    response = security.post(f"{base}/disablePolicy/", {"idempotency_key": key()})
    assert "Policy disabled." in flash(security, response)
    assert next(p for p in sim_policies(simulator, "cross") if p["id"] == policy["id"])["enabled"] is False
    response = post_form(security, f"{base}/deletePolicy/", confirmed=True)
    assert "Policy deleted." in flash(security, response)
    assert policy["id"] not in {p["id"] for p in sim_policies(simulator, "cross")}
    [created] = audit_entries("firewall.createCrossPolicy")
    assert created.detail["changes"]["destinationLocationId"] == "VA1"
    assert [e.target_id for e in audit_entries("cross-dc-policy.deletePolicy")] == [policy["id"]]


def test_security_admin_manages_a_cross_policy_through_the_api(security, simulator):
    before = {p["id"] for p in sim_policies(simulator, "cross")}
    response = security.post(
        "/api/v1/datacenters/wa1/firewall/actions/createCrossPolicy/",
        {
            "source_cidr": "10.16.0.0/24",
            "destination_location": "IL1",
            "destination_cidr": "10.64.0.0/24",
            "enabled": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    policy = new_policy(simulator, before, "cross")
    one = security.get(f"/api/v1/datacenters/wa1/firewall/cross/{policy['id']}/").json()
    assert one["destination_location"] == "IL1" and one["enabled"] is True
    assert (
        one["destination"]["network_name"]
        == nets(simulator, "IL1")[next(iter(nets(simulator, "IL1")))]["name"]
    )
    base = f"/api/v1/datacenters/wa1/firewall/cross/{policy['id']}/actions"
    assert security.post(f"{base}/disablePolicy/", {}, content_type="application/json").status_code == 200
    assert security.post(f"{base}/deletePolicy/", {}, content_type="application/json").status_code == 200
    assert policy["id"] not in {p["id"] for p in sim_policies(simulator, "cross")}


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"destination_location": "WA1"}, "destination_location", "Pick another data center"),
        ({"destination_location": "ZZ9"}, "destination_location", "Pick another data center"),
        ({"destination_cidr": "10.16.1.0/24"}, "destination_cidr", "is Backend in WA1, not in VA1"),
        ({"destination_cidr": "10.48.0.0/24"}, "destination_cidr", "in UC1, not in VA1"),
        ({"source_cidr": "10.32.0.0/24"}, "source_cidr", "the source of a policy of WA1 is in WA1"),
        ({"source_cidr": "10.16.0.0/24, 10.16.1.0/24"}, "source_cidr", "Give one CIDR block"),
        ({"destination_cidr": "10.32.0.0/24"}, "__all__", "This policy already exists"),
        ({"enabled": "maybe"}, "enabled", "Say true or false"),
    ],
)
def test_cross_policy_input_is_checked_before_anything_is_sent(security, simulator, fields, field, message):
    body = {
        "source_cidr": "10.16.0.0/24",
        "destination_location": "VA1",
        "destination_cidr": "10.32.1.0/24",
        **fields,
    }
    with upstream_writes() as sent:
        response = security.post(
            "/api/v1/datacenters/wa1/firewall/actions/createCrossPolicy/",
            body,
            content_type="application/json",
        )
    assert sent == []
    assert response.status_code == 400, response.content
    assert message in response.json()["message"] and field in response.json()["errors"], response.json()
