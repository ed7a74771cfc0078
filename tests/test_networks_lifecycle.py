"""A Network Manager claims a network, sees it appear with its addresses, renames it and releases
it — through the pages and through ``/api/v1/``, against the simulator. The claim is queued on the
experimental path: its activity follows ``/v2-experimental/operations/...`` to the end, and the end
makes the data center's networks read fresh. A release the servers still block is refused before
anything is sent, in plain words."""

import ipaddress

import pytest

from apps.activities.models import Activity, Status
from tests.support.networks import finish_queue, networks, slow_queue
from tests.support.networks_portal import (
    WA1,
    audit_entries,
    by_name,
    finish,
    flash,
    key,
    network_ids,
    post_form,
    sim_network,
    sim_networks,
)
from tests.support.portal import sign_in, signed_in, text_of, upstream_calls, upstream_writes
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


@pytest.fixture
def netadmin(client, clc_settings):
    return sign_in(client, "netadmin")


def claim_activity():
    return Activity.objects.get(operation="claimNetwork")


def test_netadmin_claims_renames_and_releases_a_network_through_the_pages(netadmin, simulator):
    slow_queue(simulator)  # queued work ends when the test moves the clock (finish_queue)
    before = {n["id"] for n in sim_networks(simulator)}
    page = netadmin.get(f"{WA1}/networks/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-action="claimNetwork"' in html
    assert len(network_ids(html)) == 3
    assert 'data-live-watch="datacenter:WA1' in html  # live.js re-reads the page when a claim ends

    # claim: one click, queued; the page says it is being claimed, with the activity
    response = post_form(netadmin, f"{WA1}/networks/actions/claimNetwork/")
    text = flash(netadmin, response)
    assert "Claim a network queued" in text and "Being claimed" in text
    activity = claim_activity()
    assert activity.resource_type == "datacenter" and activity.resource_ids == ["WA1"]
    assert activity.status_href.startswith("/v2-experimental/operations/DEMO/status/")

    # the activity follows the experimental status to the end; the page then lists the network
    assert "Being claimed" in text_of(netadmin.get(f"{WA1}/networks/?refresh=1"))
    finish_queue(simulator)
    assert finish(activity.pk).status == Status.SUCCEEDED
    page = netadmin.get(f"{WA1}/networks/")
    ids = network_ids(page.content.decode())
    [new_id] = set(ids) - before
    assert "Being claimed" not in text_of(page)
    new = next(n for n in sim_networks(simulator) if n["id"] == new_id)
    row = text_of(page).split(new["name"], 1)[1]
    assert new["cidr"] in row and new["gateway"] in row and str(new["vlan"]) in row and "private" in row
    free = sum(1 for a in sim_network(simulator, new_id).json()["ipAddresses"] if not a["claimed"])
    assert f"0 claimed · {free} free" in row

    # its page lists its addresses (all free)
    net_page = netadmin.get(f"{WA1}/networks/{new_id}/")
    assert net_page.status_code == 200
    net_text = text_of(net_page)
    assert f"{free} of {free} addresses" in net_text
    first = ipaddress.IPv4Network(new["cidr"]).network_address + 12
    assert f"{first} free private" in net_text

    # rename
    response = post_form(
        netadmin,
        f"{WA1}/networks/{new_id}/actions/renameNetwork/",
        {"name": "Payments", "description": "PCI zone"},
    )
    assert "Network saved." in flash(netadmin, response)
    assert by_name(simulator, "Payments")["description"] == "PCI zone"
    assert "Payments" in text_of(netadmin.get(f"{WA1}/networks/"))

    # release: asks first, then gone once the cloud has released it
    url = f"{WA1}/networks/{new_id}/actions/releaseNetwork/"
    with upstream_writes() as sent:
        question = netadmin.get(url)
        asked = netadmin.post(url, {"idempotency_key": key()})  # without confirmed=1: asks again
    assert "Release Payments?" in text_of(question) and asked.status_code == 200 and sent == []
    response = post_form(netadmin, url, confirmed=True)
    assert response["Location"] == f"{WA1}/networks/"
    text = flash(netadmin, response)
    assert "Release requested" in text and "Being released: Payments" in text
    finish_queue(simulator)
    wait_until(lambda: new_id not in {n["id"] for n in sim_networks(simulator)}, timeout=10)
    assert new_id not in network_ids(netadmin.get(f"{WA1}/networks/?refresh=1").content.decode())

    # every change left an audit entry saying what changed
    [claim] = audit_entries("datacenter.claimNetwork")
    assert claim.target_id == "WA1" and claim.detail["changes"] == {"datacenter": "WA1"}
    [rename] = audit_entries("network.renameNetwork")
    assert rename.target_id == new_id
    assert rename.detail["changes"]["name"] == {"from": new["name"], "to": "Payments"}
    assert rename.detail["changes"]["description"]["to"] == "PCI zone"
    [release] = audit_entries("network.releaseNetwork")
    assert release.result == "success" and release.detail["changes"] == {
        "network": "Payments",
        "cidr": new["cidr"],
    }


def test_netadmin_claims_renames_and_releases_a_network_through_the_api(netadmin, simulator):
    slow_queue(simulator)
    before = {n["id"] for n in sim_networks(simulator)}
    response = netadmin.post(
        "/api/v1/datacenters/wa1/networks/actions/claimNetwork/", {}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["outcome"] == "queued" and body["action"] == "networks.claimNetwork"
    [activity] = body["activities"]
    assert activity["resource_type"] == "datacenter" and activity["resource_ids"] == ["WA1"]
    finish_queue(simulator)
    assert finish(activity["id"]).status == Status.SUCCEEDED

    listed = netadmin.get("/api/v1/datacenters/wa1/networks/").json()
    assert listed["count"] == 4
    [row] = [r for r in listed["results"] if r["network"]["id"] not in before]
    new_id = row["network"]["id"]
    assert row["use"]["claimed"] == 0 and row["use"]["free"] > 200 and row["error"] == ""
    detail = netadmin.get(f"/api/v1/datacenters/wa1/networks/{new_id}/").json()
    assert len(detail["addresses"]) == row["use"]["free"] and detail["servers"] == []

    renamed = netadmin.post(
        f"/api/v1/datacenters/wa1/networks/{new_id}/actions/renameNetwork/",
        {"name": "Batch"},
        content_type="application/json",
    )
    assert renamed.status_code == 200 and renamed.json()["outcome"] == "done"
    assert by_name(simulator, "Batch")["id"] == new_id

    released = netadmin.post(
        f"/api/v1/datacenters/wa1/networks/{new_id}/actions/releaseNetwork/",
        {},
        content_type="application/json",
    )
    assert released.status_code == 200, released.content
    assert released.json()["message"].startswith("Release requested")
    again = netadmin.get(f"/api/v1/datacenters/wa1/networks/{new_id}/?fresh=1").json()
    assert again["network"]["releasing"] is True  # listed until the cloud has released it
    finish_queue(simulator)
    gone = netadmin.get(f"/api/v1/datacenters/wa1/networks/{new_id}/?fresh=1")
    assert gone.status_code == 404 and "message" in gone.json()


def test_releasing_a_network_servers_use_is_refused_plainly_before_anything_is_sent(netadmin, simulator):
    primary = sim_networks(simulator)[0]
    page = netadmin.get(f"{WA1}/networks/{primary['id']}/")
    text = text_of(page)
    assert 'data-action="releaseNetwork"' not in page.content.decode()
    assert "Release: not possible now — servers still use it" in text
    url = f"{WA1}/networks/{primary['id']}/actions/releaseNetwork/"
    with upstream_writes() as sent:
        refused = netadmin.post(url, {"idempotency_key": key(), "confirmed": "1"})
        api = netadmin.post(
            f"/api{url.replace('/datacenters', '/v1/datacenters')}", {}, content_type="application/json"
        )
    assert sent == []
    assert refused.status_code == 403 and "servers still use it" in text_of(refused)
    assert api.status_code == 403 and "remove their addresses in it first" in api.json()["message"]
    assert [e.result for e in audit_entries("network.releaseNetwork")] == ["denied", "denied"]
    assert primary["id"] in {n["id"] for n in sim_networks(simulator)}


def test_a_claim_that_fails_upstream_ends_failed_and_the_page_stays_true(netadmin, simulator):
    simulator.control("fail-next", count=1)
    response = post_form(netadmin, f"{WA1}/networks/actions/claimNetwork/")
    assert response.status_code == 302
    assert finish(claim_activity().pk).status == Status.FAILED
    assert len(network_ids(netadmin.get(f"{WA1}/networks/").content.decode())) == 3


def test_rename_checks_the_name_before_anything_is_sent(netadmin, simulator):
    spare = sim_networks(simulator)[2]
    url = f"{WA1}/networks/{spare['id']}/actions/renameNetwork/"
    with upstream_writes() as sent:
        blank = post_form(netadmin, url, {"name": "   "})
        long = post_form(netadmin, url, {"name": "x" * 300})
        api = netadmin.post(f"/api/v1{url}", {"name": ""}, content_type="application/json")
    assert sent == []
    assert blank.status_code == 400 and "Give the network a name." in text_of(blank)
    assert long.status_code == 400 and "at most 256 characters" in text_of(long)
    assert api.status_code == 400 and api.json()["message"].startswith("name:")


def test_the_claim_is_tracked_at_its_experimental_status_link(simulator, clc_settings):
    """``follow_status`` reads the href the claim gave (its path only: never another host)."""
    from apps.accounts.services import authenticate_with_cloud, cloud_client_for
    from apps.clc import networks as clc_networks
    from apps.clc import operations

    client = cloud_client_for(authenticate_with_cloud("netadmin", "netadmin"))
    link = clc_networks.claim_network(client, "WA1")
    assert link.href.startswith("/v2-experimental/operations/DEMO/status/") and len(link.id) == 32
    elsewhere = f"http://evil.example{link.href}"
    assert operations.follow_status(client, link.id, elsewhere).status in ("running", "succeeded")
    finish_queue(simulator)
    assert operations.follow_status(client, link.id, link.href).succeeded


def test_the_networks_pages_answer_404_for_unknown_ids(netadmin, simulator):
    assert netadmin.get("/datacenters/zz9/networks/").status_code == 404
    assert netadmin.get(f"{WA1}/networks/0123456789abcdef0123456789abcdef/").status_code == 404
    assert netadmin.get(f"{WA1}/networks/not%20an%20id/").status_code == 404
    api = netadmin.get("/api/v1/datacenters/wa1/networks/0123456789abcdef0123456789abcdef/")
    assert api.status_code == 404 and "message" in api.json()
    # another account's network is 404 too
    other = signed_in("other")
    theirs = networks(simulator, simulator.session("other"), "VA1", alias="OTHR")[0]
    assert netadmin.get(f"/datacenters/va1/networks/{theirs['id']}/").status_code == 404
    assert other.get(f"/datacenters/va1/networks/{theirs['id']}/").status_code == 200
    assert upstream_calls(other.get(f"/datacenters/va1/networks/{theirs['id']}/")) == 0
