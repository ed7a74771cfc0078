"""The create-server wizard against the simulator: fed by capabilities and group defaults, the
documented name rules checked before any upstream call, the happy path (an activity, the server
upstream under construction), a double submit creating one server, roles."""

import re
import uuid

import pytest

from apps.actions.forms_create import name_limit, password_problem
from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.clc import servers as clc_servers
from tests.support.portal import create_server_form, named_group, sign_in, text_of, walk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]

PASSWORD = "Secr3t-pass"


def field_errors(response) -> dict:
    html = response.content.decode()
    return dict(re.findall(r'data-field-error="([a-z_]+)">([^<]*)<', html))


def form_data(group_id, **over):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "datacenter": "WA1",
        **create_server_form(group_id, "web", PASSWORD, description="made by a test"),
    }
    data.update(over)
    return data


@pytest.fixture
def no_upstream_create(monkeypatch):
    calls = []
    monkeypatch.setattr(clc_servers, "create_server", lambda *a, **k: calls.append(a))
    return calls


def test_rules_in_the_form():
    assert name_limit("DEMO") == 6 and name_limit("AB") == 8 and name_limit("ABCDEFGHI") == 1
    assert password_problem("short1A") and password_problem("alllowercase1")
    assert password_problem("Abcdefg1") is None and password_problem("abcdefg1!") is None


def test_form_is_fed_by_capabilities_and_group_defaults(demo, simulator):
    data_group = named_group(simulator, "Data")  # defaults: 4 CPU, 16 GB, RHEL 8
    response = demo.get(f"/create-server/?group={data_group['id']}")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'name="cpu" value="4"', html) and re.search(r'name="memory_gb" value="16"', html)
    assert '<option value="RHEL-8-64-TEMPLATE" selected' in html
    caps = (
        simulator.session("demo")
        .get(f"{simulator.url}/v2/datacenters/demo/wa1/deploymentCapabilities")
        .json()
    )
    for network in caps["deployableNetworks"]:
        assert network["networkId"] in html
    assert ('value="premium"' in html) == bool(caps.get("supportsPremiumStorage"))
    assert f'<option value="{data_group["id"]}" selected' in html
    # no data center yet: pick one first
    first = demo.get("/create-server/")
    assert first.status_code == 200 and 'name="dc"' in first.content.decode()


def test_name_rules_are_checked_before_calling_upstream(demo, simulator, no_upstream_create):
    web = named_group(simulator, "Web")
    too_long = demo.post("/create-server/", form_data(web["id"], name="ABCDEFG"))
    assert too_long.status_code == 400
    assert "At most 6 characters for account DEMO" in field_errors(too_long)["name"]
    bad_chars = demo.post("/create-server/", form_data(web["id"], name="web_1"))
    assert bad_chars.status_code == 400 and "letters, digits and dashes" in field_errors(bad_chars)["name"]
    cpu = demo.post("/create-server/", form_data(web["id"], cpu="17", memory_gb="0"))
    errors = field_errors(cpu)
    assert cpu.status_code == 400 and "cpu" in errors and "memory_gb" in errors
    weak = demo.post(
        "/create-server/", form_data(web["id"], password="password", password_confirm="password")
    )
    assert weak.status_code == 400 and "at least 3 of" in field_errors(weak)["password"]
    differ = demo.post("/create-server/", form_data(web["id"], password_confirm="Other-pass1"))
    assert differ.status_code == 400 and "differ" in field_errors(differ)["password_confirm"]
    assert PASSWORD not in differ.content.decode()  # never echoed back
    assert no_upstream_create == []


def test_happy_path_creates_the_server_and_an_activity(demo, simulator):
    web = named_group(simulator, "Web")
    response = demo.post("/create-server/", form_data(web["id"]))
    assert response.status_code == 302, text_of(response)[:2000]
    assert response["Location"] == f"/groups/{web['id'].lower()}/"
    activity = Activity.objects.get(operation="createServer")
    assert activity.status_href and activity.status_id
    [server_id] = activity.resource_ids
    assert server_id.startswith("WA1DEMOWEB")
    body = simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()
    assert body["status"] in ("underConstruction", "active") and body["groupId"] == web["id"]
    assert body["description"] == "made by a test"
    page = demo.get(response["Location"])
    assert "Create server queued" in text_of(page)
    assert f"/activities/{activity.pk}/" in page.content.decode()


def test_double_submit_creates_one_server(demo, simulator):
    web = named_group(simulator, "Web")
    before = len(
        [g for g in walk(named_group(simulator, "Web")) for link in g["links"] if link["rel"] == "server"]
    )
    data = form_data(web["id"], name="dbl")
    first = demo.post("/create-server/", data)
    second = demo.post("/create-server/", data)
    assert first.status_code == 302 and second.status_code == 302
    after = named_group(simulator, "Web")
    servers = [link["id"] for g in walk(after) for link in g["links"] if link["rel"] == "server"]
    assert len(servers) == before + 1
    assert len([s for s in servers if s.upper().startswith("WA1DEMODBL")]) == 1
    assert Activity.objects.filter(operation="createServer").count() == 1


def test_template_not_offered_is_a_field_error(demo, simulator):
    web = named_group(simulator, "Web")
    response = demo.post("/create-server/", form_data(web["id"], template="NO-SUCH-TEMPLATE"))
    assert response.status_code == 400  # not offered by the data center: a field error
    assert "template" in field_errors(response)


def test_viewer_may_not_create(client, clc_settings, simulator, no_upstream_create):
    sign_in(client, "viewer")
    web = named_group(simulator, "Web")
    assert client.get(f"/create-server/?group={web['id']}").status_code == 403
    assert client.post("/create-server/", form_data(web["id"])).status_code == 403
    assert no_upstream_create == []


def test_other_account_group_is_not_found(client, clc_settings, simulator, no_upstream_create):
    sign_in(client, "other")
    web = named_group(simulator, "Web")
    assert client.get(f"/create-server/?group={web['id']}").status_code == 404
    assert client.post("/create-server/", form_data(web["id"], datacenter="VA1")).status_code == 404
    assert no_upstream_create == []


# --- the account's custom fields and extra disks ------------------------------------------------
REQUIRED = [
    {"id": "0wner0000000000000000000000000001", "name": "Owner", "type": "text", "isRequired": True},
    {
        "id": "tier0000000000000000000000000001",
        "name": "Tier",
        "type": "option",
        "isRequired": False,
        "options": [{"name": "Gold", "value": "gold"}],
    },
]
OWNER = "cf_0wner0000000000000000000000000001"


def test_required_custom_fields_and_extra_disks_are_checked_then_sent(demo, simulator, monkeypatch):
    simulator.control("custom-fields", alias="DEMO", fields=REQUIRED)
    web = named_group(simulator, "Web")
    page = demo.get(f"/create-server/?group={web['id']}").content.decode()
    assert f'name="{OWNER}"' in page and 'name="cf_tier0000000000000000000000000001"' in page
    assert page.count('name="disk_size"') == 1 and "data-add-disk" in page
    sent = []
    real = clc_servers.create_server
    monkeypatch.setattr(
        clc_servers, "create_server", lambda client, spec: sent.append(spec) or real(client, spec)
    )

    missing = demo.post("/create-server/", form_data(web["id"]))
    assert missing.status_code == 400 and "Owner is required." in text_of(missing)
    disks = {"disk_size": ["20", "abc", "5", "7"], "disk_path": ["/data", "", "etc", "data/"]}
    bad = demo.post("/create-server/", {**form_data(web["id"], **{OWNER: "ops"}), **disks})
    text = text_of(bad)
    assert bad.status_code == 400
    assert "Extra disk 2: the size must be a whole number between 1 and 1024 GB." in text
    assert "Extra disk 3: /etc is reserved by the operating system." in text
    assert "Extra disk 4: /data is used twice." in text
    assert 'value="abc"' in bad.content.decode()  # the rows come back as typed
    assert sent == []

    good = {"disk_size": ["20", "10", ""], "disk_path": ["/data", "", ""]}
    created = demo.post("/create-server/", {**form_data(web["id"], name="cfd", **{OWNER: "ops"}), **good})
    assert created.status_code == 302, text_of(created)[:1500]
    [spec] = sent
    assert spec["customFields"] == [{"id": REQUIRED[0]["id"], "value": "ops"}]
    assert spec["additionalDisks"] == [
        {"path": "/data", "sizeGB": 20, "type": "partitioned"},
        {"sizeGB": 10, "type": "raw"},
    ]
    [server_id] = Activity.objects.get(operation="createServer").resource_ids
    body = simulator.session("demo").get(f"{simulator.url}/v2/servers/demo/{server_id}").json()
    assert body["groupId"] == web["id"] and body["status"] in ("underConstruction", "active")
    assert AuditEntry.objects.filter(
        action="group.createServer", target_id=web["id"], result="success"
    ).exists()


def test_create_server_through_the_api(demo, simulator):
    web = named_group(simulator, "Web")
    body = {
        "name": "api",
        "template": "UBUNTU-22-64-TEMPLATE",
        "cpu": 1,
        "memory_gb": 2,
        "storage_type": "standard",
        "password": PASSWORD,
        "custom_fields": {"Environment": "Production"},
        "additional_disks": [{"size_gb": 30, "path": "/app"}],
    }
    url = f"/api/v1/groups/{web['id']}/actions/createServer/"
    key = str(uuid.uuid4())
    answer = demo.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert answer.status_code == 202, answer.content
    result = answer.json()
    assert result["action"] == "group.createServer" and PASSWORD not in answer.content.decode()
    [server_id] = result["activities"][0]["resource_ids"]
    assert server_id.startswith("WA1DEMOAPI")
    again = demo.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["replayed"] is True
    assert Activity.objects.filter(operation="createServer").count() == 1
    bad = demo.post(url, {**body, "additional_disks": [{"size_gb": 2000}]}, content_type="application/json")
    assert bad.status_code == 400 and "Extra disk 1" in bad.json()["message"]
    elsewhere = demo.post(
        url, {**body, "group": named_group(simulator, "Data")["id"]}, content_type="application/json"
    )
    assert elsewhere.status_code == 400 and "group" in elsewhere.json()["errors"]
