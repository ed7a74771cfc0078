"""Done when (issue 12): an anti-affinity policy created in the portal is used by a server created
from the portal (the simulator lists the server in the policy). The create-server form offers the
policies of the group's data center and refuses, before sending, a policy on a standard server or a
policy of another data center (the API's antiAffinityPolicyId: "Only valid for hyperscale servers")."""

import uuid

import pytest

from tests.support.action_examples import PASSWORD, create_server_data
from tests.support.policies import post_action
from tests.support.portal import named_group, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def create_form(group_id: str, **extra) -> dict:
    """The walking test's create-server page fields, with ``extra``."""
    return {**create_server_data("hs")(None, {"group_id": group_id}), **extra}


def sim_policy(simulator, policy_id):
    return (
        simulator.session("demo")
        .get(f"{simulator.url}/v2/antiAffinityPolicies/demo/{policy_id}", timeout=10)
        .json()
    )


def make_member(demo, simulator) -> tuple[str, str]:
    """A policy made in the portal and a hyperscale server made in the portal in it: (policy, server)."""
    made = post_action(
        demo, "/datacenters/wa1/anti-affinity/actions/createAntiAffinityPolicy/", {"name": "Web spread"}
    )
    assert made.status_code == 302, text_of(made)[:800]
    policy_id = made["Location"].rstrip("/").rsplit("/", 1)[-1]
    web = named_group(simulator, "Web")
    url = f"/groups/{web['id']}/actions/createServer/"
    form = demo.get(url).content.decode()
    assert f'value="{policy_id}"' in form and "Web spread (0 servers)" in form
    assert "Payments Spread" not in form  # another account's; and only WA1's are offered

    standard = post_action(demo, url, create_form(web["id"], anti_affinity_policy=policy_id))
    assert standard.status_code == 400
    assert "only for hyperscale servers: choose Hyperscale" in text_of(standard)

    done = post_action(
        demo, url, create_form(web["id"], anti_affinity_policy=policy_id, server_type="hyperscale")
    )
    assert done.status_code == 302, text_of(done)[:1500]
    members = [lk for lk in sim_policy(simulator, policy_id)["links"] if lk["rel"] == "server"]
    assert len(members) == 1 and members[0]["name"].startswith("WA1DEMOHS")
    server_id = members[0]["name"]
    page = text_of(demo.get(f"/policies/anti-affinity/{policy_id}/"))
    assert "Servers (1)" in page and server_id in page
    detail = simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}", timeout=10).json()
    assert detail["type"] == "hyperscale" and detail["storageType"] == "hyperscale"
    return policy_id, server_id


def test_a_policy_made_in_the_portal_is_used_by_a_server_made_in_the_portal(demo, simulator):
    make_member(demo, simulator)


def test_a_hyperscale_server_joins_and_leaves_from_its_page(demo, simulator):
    policy_id, server_id = make_member(demo, simulator)
    sid = server_id.lower()
    simulator.control("clock", advance=3600)  # built
    page = text_of(demo.get(f"/servers/{sid}/?refresh=1"))
    assert "Anti-affinity Web spread with 0 other servers on other hosts" in page
    leave = f"/servers/{sid}/actions/removeAntiAffinityPolicy/"
    assert f"Take {server_id} out of the anti-affinity policy Web spread?" in text_of(
        demo.get(leave, {"anti_affinity": policy_id})
    )
    assert post_action(demo, leave, {"anti_affinity": policy_id, "confirmed": "1"}).status_code == 302
    assert "In no anti-affinity policy" in text_of(demo.get(f"/servers/{sid}/"))

    east = post_action(
        demo, "/datacenters/va1/anti-affinity/actions/createAntiAffinityPolicy/", {"name": "East"}
    )
    east_id = east["Location"].rstrip("/").rsplit("/", 1)[-1]
    refused = demo.post(f"/api/v1/servers/{sid}/actions/setAntiAffinityPolicy/", {"policy": east_id},
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["errors"]["policy"][0] == (
        f"The anti-affinity policy East is in VA1; {server_id} is in WA1: a server joins a policy of its own data center."
    )
    joined = post_action(demo, f"/servers/{sid}/actions/setAntiAffinityPolicy/", {"policy": policy_id})
    assert joined.status_code == 302
    assert [lk["name"] for lk in sim_policy(simulator, policy_id)["links"] if lk["rel"] == "server"] == [
        server_id
    ]
    again = demo.post(f"/api/v1/servers/{sid}/actions/setAntiAffinityPolicy/", {"policy": policy_id},
                      content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert again.status_code == 400
    assert again.json()["errors"]["policy"][0] == f"{server_id} is already in Web spread."
    standard = text_of(demo.get("/servers/wa1demoweb01/"))
    assert "Set anti-affinity policy" not in standard  # only hyperscale servers join


def test_a_policy_of_another_data_center_is_refused_before_sending(demo, simulator):
    made = post_action(
        demo, "/datacenters/va1/anti-affinity/actions/createAntiAffinityPolicy/", {"name": "East ring"}
    )
    policy_id = made["Location"].rstrip("/").rsplit("/", 1)[-1]
    web = named_group(simulator, "Web")  # WA1
    answer = demo.post(
        f"/api/v1/groups/{web['id']}/actions/createServer/",
        {"name": "hs", "template": "UBUNTU-22-64-TEMPLATE", "cpu": 2, "memory_gb": 4, "password": PASSWORD,
         "server_type": "hyperscale", "anti_affinity_policy": policy_id, "custom_fields": {"Cost Center": "CC"}},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["errors"]["anti_affinity_policy"] == [
        "The anti-affinity policy East ring is in VA1; the server is created in WA1: pick a policy of WA1."
    ]
    assert [lk for lk in sim_policy(simulator, policy_id)["links"] if lk["rel"] == "server"] == []
