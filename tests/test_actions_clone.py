"""Clone from an existing server on the create-server page and through the action API (issue #17):
the source's OS and disks, the size filled from the source, its password read for roles that may
see credentials and asked of the others, the cloud's refusal of a wrong one shown."""

import re
import uuid

import pytest

from apps.activities.models import Activity
from apps.clc.client import ClcClient
from tests.support.portal import named_group, signed_in, text_of
from tests.support.simulator import wait_until
from tests.test_actions_create import PASSWORD, field_errors, form_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


@pytest.fixture
def creates(monkeypatch):
    """The create-server bodies the portal sends upstream."""
    sent = []
    original = ClcClient.request

    def spy(self, method, path, *args, **kwargs):
        if method.upper() == "POST" and re.fullmatch(r"/v2/servers/\{alias\}/?", path):
            sent.append(kwargs.get("json"))
        return original(self, method, path, *args, **kwargs)

    monkeypatch.setattr(ClcClient, "request", spy)
    return sent


def source_server(simulator, group="Web") -> dict:
    """An active server of the group (the page's choices are the data center's active servers)."""
    session = simulator.session("demo")
    for link in named_group(simulator, group)["links"]:
        if link["rel"] == "server":
            body = session.get(f"{simulator.url}/v2/servers/DEMO/{link['id']}", timeout=10).json()
            if body["status"] == "active":
                return body
    raise LookupError(group)


def test_the_page_offers_the_data_center_servers_and_fills_the_size(clc_settings, simulator):
    demo = signed_in("demo")
    web, source = named_group(simulator, "Web"), source_server(simulator, "Data")
    html = demo.get(f"/create-server/?group={web['id']}").content.decode()
    assert "Clone from an existing server" in html
    assert f'<option value="{source["id"]}"' in html
    assert f'data-id="{source["id"]}" data-cpu="{source["details"]["cpu"]}"' in html
    filled = demo.get(f"/create-server/?group={web['id']}&source={source['id'].lower()}").content.decode()
    assert f'<option value="{source["id"]}" selected' in filled
    assert f'name="cpu" value="{source["details"]["cpu"]}"' in filled
    assert f'name="memory_gb" value="{source["details"]["memoryMB"] // 1024}"' in filled


def test_a_clone_from_the_page_gets_the_source_os_and_disks(clc_settings, simulator, creates):
    simulator.control("config", durationSeconds=5)
    demo = signed_in("demo")
    web, source = named_group(simulator, "Web"), source_server(simulator, "Data")
    data = form_data(web["id"], name="twin", template="", source=source["id"], source_password="")
    response = demo.post("/create-server/", data)
    assert response.status_code == 302, text_of(response)[:2000]
    [sent] = creates
    assert sent["sourceServerId"] == source["id"] and sent["sourceServerPassword"]  # read for demo
    assert PASSWORD not in text_of(demo.get(response["Location"]))
    activity = Activity.objects.get(operation="createServer")
    [clone_id] = activity.resource_ids
    assert clone_id.startswith("WA1DEMOTWIN")
    session = simulator.session("demo")

    def built():  # a server under construction has no details yet
        body = session.get(f"{simulator.url}/v2/servers/DEMO/{clone_id}").json()
        return body if "details" in body else None

    clone = wait_until(built, timeout=30, interval=0.1, message=f"{clone_id} built")
    assert clone["osType"] == source["osType"] and clone["groupId"] == web["id"]
    assert len(clone["details"]["disks"]) == len(source["details"]["disks"])


def test_an_operator_types_the_source_password(clc_settings, simulator, creates):
    operator = signed_in("operator")  # may create and clone, may not read credentials
    web, source = named_group(simulator, "Web"), source_server(simulator)
    data = form_data(web["id"], name="op", template="", source=source["id"], source_password="")
    asked = operator.post("/create-server/", data)
    assert asked.status_code == 400 and "your role may not read it" in field_errors(asked)["source_password"]
    assert creates == []
    wrong = operator.post("/create-server/", dict(data, source_password="Wrong-passw0rd"))
    assert wrong.status_code == 400  # the cloud's refusal, shown on the page
    assert "sourceServerPassword is not the password" in text_of(wrong)
    password = (
        simulator.session("demo")
        .get(f"{simulator.url}/v2/servers/DEMO/{source['id']}/credentials", timeout=10)
        .json()["password"]
    )
    right = operator.post(
        "/create-server/", dict(data, idempotency_key=str(uuid.uuid4()), source_password=password)
    )
    assert right.status_code == 302, text_of(right)[:1500]
    assert creates[-1]["sourceServerPassword"] == password


def test_neither_template_nor_source_is_a_field_error(clc_settings, simulator, creates):
    demo = signed_in("demo")
    response = demo.post("/create-server/", form_data(named_group(simulator, "Web")["id"], template=""))
    assert response.status_code == 400 and "Pick a template" in field_errors(response)["template"]
    assert creates == []


def test_clone_through_the_api(clc_settings, simulator, creates):
    demo = signed_in("demo")
    web, source = named_group(simulator, "Web"), source_server(simulator)
    body = {"name": "apicl", "source": source["id"], "cpu": 1, "memory_gb": 2, "storage_type": "standard",
            "password": PASSWORD}  # fmt: skip
    url = f"/api/v1/groups/{web['id']}/actions/createServer/"
    answer = demo.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert answer.status_code == 202, answer.content
    [server_id] = answer.json()["activities"][0]["resource_ids"]
    assert server_id.startswith("WA1DEMOAPICL") and creates[-1]["sourceServerId"] == source["id"]
    assert "sourceServerPassword" not in answer.content.decode()
    elsewhere = source_server_in(simulator, "VA1")
    refused = demo.post(url, dict(body, source=elsewhere), content_type="application/json")
    assert refused.status_code == 400 and "source" in refused.json()["errors"]


def source_server_in(simulator, dc: str) -> str:
    session = simulator.session("demo")
    dc_body = session.get(f"{simulator.url}/v2/datacenters/DEMO/{dc}?groupLinks=true").json()
    root = next(lk for lk in dc_body["links"] if lk["rel"] == "group")
    stack = [session.get(f"{simulator.url}/v2/groups/DEMO/{root['id']}").json()]
    while stack:
        group = stack.pop()
        stack += group["groups"]
        for link in group["links"]:
            if link["rel"] == "server":
                return link["id"]
    raise LookupError(dc)
