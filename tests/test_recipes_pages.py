"""Server recipes in the browser (Django test client against the simulator): an account admin
defines recipes checked against the data center's capabilities; people with create rights launch
one with a name only; bounds, names, roles, accounts and double submits."""

import re
import uuid

import pytest

from apps.activities.models import Activity
from apps.recipes.models import Recipe
from tests.support.portal import key_of, named_group, sign_in, text_of
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def wa1_network(simulator):
    caps = simulator.session("demo").get(f"{simulator.url}/v2/datacenters/demo/wa1/deploymentCapabilities")
    return caps.json()["deployableNetworks"][0]["networkId"]


def recipe_form(simulator, **overrides):
    data = {
        "name": "Small web",
        "description": "web node",
        "datacenter": "WA1",
        "group": named_group(simulator, "Default Group")["id"],
        "template": "UBUNTU-22-64-TEMPLATE",
        "cpu": "2",
        "memory_gb": "4",
        "network": wa1_network(simulator),
        "storage_type": "premium",
        "ttl_hours": "24",
        "allowed_roles": ["AccountAdmin", "ServerAdmin", "ServerOperator"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_recipe(simulator, **overrides) -> Recipe:
    data = recipe_form(simulator, **overrides)
    group = named_group(simulator, "Default Group")
    return Recipe.objects.create(
        account_alias="DEMO",
        name=data["name"],
        description=data["description"],
        datacenter="WA1",
        group_id=data["group"],
        group_name=group["name"],
        template=data["template"],
        cpu=int(data["cpu"]),
        memory_gb=int(data["memory_gb"]),
        network_id=data.get("network", ""),
        storage_type=data["storage_type"],
        ttl_hours=int(data["ttl_hours"]) if data.get("ttl_hours") else None,
        allowed_roles=data.get("allowed_roles", []),
        allowed_users=data.get("allowed_users", []),
    )


def sim_server(simulator, server_id):
    return simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()


def sim_servers_named(simulator, group_id, name):
    session = simulator.session("demo")
    group = session.get(f"{simulator.url}/v2/groups/demo/{group_id}").json()
    ids = [link["id"] for link in group["links"] if link["rel"] == "server"]
    return [i for i in ids if name.upper() in i.upper()]


# --- defining recipes ---------------------------------------------------------------------------
def test_admin_creates_a_recipe_from_the_capabilities_of_the_data_center(demo, simulator):
    page = demo.get("/recipes/new/?dc=WA1")
    assert page.status_code == 200
    html = page.content.decode()
    assert "UBUNTU-22-64-TEMPLATE" in html and "Default Group" in html
    response = demo.post("/recipes/new/", recipe_form(simulator))
    assert response.status_code == 302, text_of(response)[:2000]
    recipe = Recipe.objects.get()
    assert (recipe.account_alias, recipe.name, recipe.cpu, recipe.memory_gb) == ("DEMO", "Small web", 2, 4)
    assert recipe.group_name == "Default Group" and recipe.network_name.startswith("vlan_")
    assert recipe.storage_type == "premium" and recipe.ttl_hours == 24
    listing = text_of(demo.get("/recipes/"))
    assert "Small web" in listing and "Edit" in listing and "Delete" in listing

    edit = demo.post(f"/recipes/{recipe.pk}/edit/", recipe_form(simulator, cpu="4", ttl_hours=""))
    assert edit.status_code == 302
    recipe.refresh_from_db()
    assert recipe.cpu == 4 and recipe.ttl_hours is None

    assert demo.get(f"/recipes/{recipe.pk}/delete/").status_code == 200
    assert demo.post(f"/recipes/{recipe.pk}/delete/").status_code == 302
    assert not Recipe.objects.exists()

    from apps.audit.models import AuditEntry

    actions = set(AuditEntry.objects.filter(target_type="recipe").values_list("action", flat=True))
    assert {"recipe.create", "recipe.update", "recipe.delete"} <= actions


@pytest.mark.parametrize(
    "override, field, words",
    [
        ({"template": "NO-SUCH-TEMPLATE"}, "template", "not offered in WA1"),
        ({"network": "0123456789abcdef"}, "network", "not deployable in WA1"),
        ({"group": "nosuchgroup"}, "group", "not a group of WA1"),
        ({"cpu": "17"}, "cpu", "less than or equal to 16"),
        ({"memory_gb": "0"}, "memory_gb", "greater than or equal to 1"),
        ({"ttl_hours": "-3"}, "ttl_hours", "greater than or equal to 1"),
        ({"allowed_roles": []}, "allowed_roles", "at least one role or person"),
        ({"datacenter": "ZZ9"}, "datacenter", "No data center ZZ9"),
        ({"allowed_users": ["nobody"]}, "allowed_users", "has not used the portal"),
    ],
)
def test_validation_errors_are_clear_and_nothing_is_saved(demo, simulator, override, field, words):
    response = demo.post("/recipes/new/", recipe_form(simulator, **override))
    assert response.status_code == 400
    html = response.content.decode()
    errors = " ".join(re.findall(rf'data-field-error="{field}">([^<]*)<', html))
    assert words in errors, text_of(response)[:3000]
    assert not Recipe.objects.exists()


def test_archived_group_and_premium_where_unsupported_are_refused(demo, simulator):
    archive = named_group(simulator, "Archive")
    response = demo.post("/recipes/new/", recipe_form(simulator, group=archive["id"]))
    assert response.status_code == 400 and "not a group of WA1" in text_of(response)
    demo.post("/recipes/new/", recipe_form(simulator))
    response = demo.post("/recipes/new/", recipe_form(simulator))  # same name again
    assert response.status_code == 400 and "already has a recipe named" in text_of(response)


def test_viewer_and_operator_cannot_define_recipes(client, clc_settings, simulator):
    recipe = make_recipe(simulator)
    for name in ("viewer", "operator"):
        client.logout()
        sign_in(client, name)
        assert client.get("/recipes/new/").status_code == 403
        assert client.post("/recipes/new/", recipe_form(simulator, name="Mine")).status_code == 403
        assert client.post(f"/recipes/{recipe.pk}/edit/", recipe_form(simulator, cpu="16")).status_code == 403
        assert client.post(f"/recipes/{recipe.pk}/delete/").status_code == 403
        listing = text_of(client.get("/recipes/"))
        assert "Small web" in listing and "Edit" not in listing
    recipe.refresh_from_db()
    assert recipe.cpu == 2 and Recipe.objects.count() == 1


# --- launching ------------------------------------------------------------------------------------
def test_operator_launches_with_a_name_only(client, clc_settings, simulator):
    recipe = make_recipe(simulator)
    sign_in(client, "operator")
    page = client.get("/recipes/")
    assert page.status_code == 200
    key = key_of(page.content.decode())
    response = client.post(f"/recipes/{recipe.pk}/launch/", {"name": "rcp", "idempotency_key": key})
    assert response.status_code == 302, text_of(response)[:2000]
    activity = Activity.objects.get(operation="createServer")
    assert activity.user.cloud_username == "operator"
    [server_id] = activity.resource_ids
    server = sim_server(simulator, server_id)
    assert server.get("status") == "underConstruction", (server_id, server)
    assert server["groupId"] == recipe.group_id and server["description"] == "web node"
    assert server["osType"].startswith("Ubuntu 22") and server["storageType"] == "premium"
    # details (cpu, memory) are shown once the server is built
    built = wait_until(
        lambda: (s := sim_server(simulator, server_id)).get("status") == "active" and s,
        timeout=20,
        message="the server to be built",
    )
    assert built["details"]["cpu"] == 2 and built["details"]["memoryMB"] == 4096
    assert "Create server RCP" in text_of(client.get(response["Location"]))

    # the same form again (double click, refresh): one server, one activity
    again = client.post(f"/recipes/{recipe.pk}/launch/", {"name": "rcp", "idempotency_key": key})
    assert again.status_code == 302
    assert Activity.objects.filter(operation="createServer").count() == 1
    assert len(sim_servers_named(simulator, recipe.group_id, "RCP")) == 1


def test_bounds_cannot_be_overridden_and_names_are_checked(demo, simulator):
    recipe = make_recipe(simulator)
    key = key_of(demo.get(f"/recipes/{recipe.pk}/").content.decode())
    url = f"/recipes/{recipe.pk}/launch/"
    response = demo.post(url, {"name": "big", "cpu": "16", "idempotency_key": key})
    assert response.status_code == 400 and "unexpected field(s): cpu" in text_of(response)
    for bad, words in [
        ("web_1", "letters, digits and dashes"),
        ("toolongname", "At most 6 characters"),
        ("", "A name is required"),
    ]:
        response = demo.post(url, {"name": bad, "idempotency_key": key})
        assert response.status_code == 400 and words in text_of(response), bad
    assert demo.post(url, {"name": "web"}).status_code == 400  # no key: reload the page
    assert not Activity.objects.exists()


def test_viewer_and_people_the_recipe_does_not_name_get_403(client, clc_settings, simulator):
    recipe = make_recipe(simulator, allowed_roles=["ServerAdmin"], allowed_users=["demo"])
    for name in ("viewer", "operator"):
        client.logout()
        sign_in(client, name)
        page = client.get(f"/recipes/{recipe.pk}/")
        assert page.status_code == 200 and "Launch</button>" not in page.content.decode()
        response = client.post(
            f"/recipes/{recipe.pk}/launch/", {"name": "nope", "idempotency_key": str(uuid.uuid4())}
        )
        assert response.status_code == 403
    assert not Activity.objects.exists()


def test_other_account_gets_404(client, clc_settings, simulator):
    recipe = make_recipe(simulator)
    sign_in(client, "other")
    assert "Small web" not in text_of(client.get("/recipes/"))
    for url in ("", "edit/", "delete/"):
        assert client.get(f"/recipes/{recipe.pk}/{url}").status_code == 404
    response = client.post(
        f"/recipes/{recipe.pk}/launch/", {"name": "x", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 404
    assert client.post(f"/recipes/{recipe.pk}/delete/").status_code == 404
    assert Recipe.objects.filter(pk=recipe.pk).exists()
