"""Who may do what on the network pages (ROLES.md): a viewer sees networks and policies and can
change none — no buttons, a reason, 403 from the page and the API with nothing sent upstream; a
Network Manager, who may not read servers, sees the addresses' servers named, not linked; the
Billing Manager has no network pages at all."""

from html import unescape

import pytest

from apps.actions import registry
from tests.support.networks import pick
from tests.support.networks_portal import WA1, audit_entries, key, sim_networks, sim_policies
from tests.support.portal import sign_in, signed_in, text_of, upstream_writes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

NETWORK_TARGETS = ("networks", "network", "firewall", "firewall-policy", "cross-dc-policy")
SERVER_ACTIONS = (
    "addSecondaryNetwork",
    "removeSecondaryNetwork",
    "addPublicIp",
    "updatePublicIp",
    "removePublicIp",
)


@pytest.fixture
def viewer(client, clc_settings):
    return sign_in(client, "viewer")


def action_urls(simulator) -> list[str]:
    """Every network action's page, on a resource of the demo seed."""
    network = sim_networks(simulator)[2]
    intra = sim_policies(simulator)[0]["id"]
    cross = sim_policies(simulator, "cross")[0]["id"]
    prefix = {
        "networks": f"{WA1}/networks/",
        "network": f"{WA1}/networks/{network['id']}/",
        "firewall": f"{WA1}/firewall/",
        "firewall-policy": f"{WA1}/firewall/intra/{intra}/",
        "cross-dc-policy": f"{WA1}/firewall/cross/{cross}/",
    }
    urls = [f"{prefix[t]}actions/{a.name}/" for t in NETWORK_TARGETS for a in registry.actions(t)]
    server = pick(lambda s: bool(s.public_ips)).id.lower()
    return urls + [f"/servers/{server}/actions/{name}/" for name in SERVER_ACTIONS]


def test_every_network_action_is_declared_for_a_page_and_the_api(simulator):
    names = {(t, a.name) for t in NETWORK_TARGETS for a in registry.actions(t)}
    assert names == {
        ("networks", "claimNetwork"),
        ("network", "renameNetwork"),
        ("network", "releaseNetwork"),
        ("firewall", "createIntraPolicy"),
        ("firewall", "createCrossPolicy"),
        ("firewall-policy", "editPolicy"),
        ("firewall-policy", "enablePolicy"),
        ("firewall-policy", "disablePolicy"),
        ("firewall-policy", "deletePolicy"),
        ("cross-dc-policy", "enablePolicy"),
        ("cross-dc-policy", "disablePolicy"),
        ("cross-dc-policy", "deletePolicy"),
    }
    for name in SERVER_ACTIONS:
        assert registry.get("server", name) is not None


def test_a_viewer_sees_networks_and_policies_without_buttons_and_with_a_reason(viewer, simulator):
    network = sim_networks(simulator)[2]
    pages = {
        "networks": viewer.get(f"{WA1}/networks/"),
        "network": viewer.get(f"{WA1}/networks/{network['id']}/"),
        "firewall": viewer.get(f"{WA1}/firewall/"),
    }
    for name, page in pages.items():
        html = page.content.decode()
        assert page.status_code == 200, name
        assert "data-action=" not in html, name  # no button at all
        assert "Not for your role:" in text_of(page), name
    assert "Claim a network (needs Account Administrator or Network Manager)" in text_of(pages["networks"])
    assert "Rename, Release (needs Account Administrator or Network Manager)" in text_of(pages["network"])
    assert "needs Account Administrator, Network Manager or Security Manager" in text_of(pages["firewall"])
    assert network["name"] in text_of(pages["network"]) and "Backend" in text_of(pages["firewall"])
    server = pick(lambda s: bool(s.public_ips))
    panel = viewer.get(f"/servers/{server.id.lower()}/").content.decode()
    panel = panel[panel.index("data-server-networks") :]
    assert "data-action=" not in panel and "Edit ports and sources" not in panel
    assert "Add a network (needs Account Administrator, Network Manager or Server Administrator)" in panel


def test_a_viewer_is_refused_every_network_action_with_nothing_sent(viewer, simulator):
    urls = action_urls(simulator)
    reasons = []
    with upstream_writes() as sent:
        for url in urls:
            page = viewer.post(url, {"idempotency_key": key(), "confirmed": "1"})
            assert page.status_code == 403, url
            assert "You can't" in unescape(text_of(page)), url
            api = viewer.post(f"/api/v1{url}", {}, content_type="application/json")
            assert api.status_code == 403, url
            reasons.append(api.json()["reason"])
    assert sent == []
    # the role, or (first) a state that forbids it anyway: "it is already enabled"
    assert all(r.startswith("needs ") or r.startswith("it is already") for r in reasons), reasons
    from apps.audit.models import AuditEntry

    assert AuditEntry.objects.filter(result="denied").count() == 2 * len(urls)
    assert len(audit_entries("datacenter.claimNetwork")) == 2


def test_a_network_manager_sees_servers_named_not_linked(client, clc_settings, simulator):
    netadmin = sign_in(client, "netadmin")
    primary = sim_networks(simulator)[0]
    page = netadmin.get(f"{WA1}/networks/{primary['id']}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "WA1DEMOWEB01" in text_of(page) and 'href="/servers/' not in html
    assert "Your role may not read servers: they are named, not linked." in text_of(page)
    assert netadmin.get("/servers/wa1demoweb01/").status_code == 403  # the cloud says no
    demo = signed_in("demo")
    assert 'href="/servers/wa1demoweb01/"' in demo.get(f"{WA1}/networks/{primary['id']}/").content.decode()


def test_the_billing_manager_has_no_network_pages(client, clc_settings, simulator):
    billing = sign_in(client, "billing")
    dashboard = billing.get("/activities/").content.decode()
    assert 'href="/networks/"' not in dashboard
    assert billing.get("/networks/").status_code == 403
    assert billing.get(f"{WA1}/networks/").status_code == 403
    api = billing.get("/api/v1/datacenters/wa1/networks/")
    assert api.status_code == 403 and "message" in api.json()
    viewer = signed_in("viewer")
    assert 'href="/networks/"' in viewer.get("/activities/").content.decode()
