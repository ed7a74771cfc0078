"""The Webhooks API against its published pages (``../shared/clc-api-v2/Webhooks/*.md``).

api.json (the Go CLI's contract) has no webhook entries, so the documented examples are read from
the pages themselves: the JSON example of Get Webhooks, the request examples of Set Webhook and Add
Webhook Target Uri (written there as JavaScript object literals), the documented 204 answers, and the
payload examples of the Webhooks FAQ, compared with what the simulator sends to a listener.
"""

import json
import re

import pytest
import requests

from tests.support.contract import API_JSON, indented_blocks, shape_mismatches
from tests.test_simulator_webhooks_delivery import Listener, configure, started_server

PAGES = API_JSON.parent / "Webhooks"
# The calls these tests compare with their pages (test_simulator_contract_coverage.py reads it).
COVERED = [
    ("GET", "/v2/webhooks/{accountAlias}"),
    ("PUT", "/v2/webhooks/{accountAlias}/{event}/configuration"),
    ("DELETE", "/v2/webhooks/{accountAlias}/{event}/configuration"),
    ("POST", "/v2/webhooks/{accountAlias}/{event}/configuration/targetUris"),
    ("DELETE", "/v2/webhooks/{accountAlias}/{event}/configuration/targetUris"),
]


def page(name: str) -> str:
    path = PAGES / name
    assert path.is_file(), f"missing {path} (shared/ must sit beside the repository)"
    return path.read_text(encoding="utf-8")


def js_object(text: str):
    """A documented request body (``{ recursive: true, ... }``) as JSON."""
    return json.loads(re.sub(r"([{,]\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', text))


def example_json(name: str):
    return next(json.loads(b) for b in indented_blocks(page(name)) if b.startswith("{") and '"' in b[:5])


def faq_payloads() -> dict[str, dict]:
    """The FAQ's payload examples by kind (Account, User, Server, Alert)."""
    text = page("webhooks-faq.md")
    out = {}
    for kind in ("Account", "User", "Server", "Alert"):
        start = text.index(f"The {kind} event payload:")
        block = indented_blocks(text[start:])[0]
        out[kind] = json.loads(block)
    return out


def test_the_examples_are_read_from_the_pages():
    doc = example_json("get-webhooks.md")
    assert [item["name"] for item in doc["items"]][:2] == ["Account.Created", "Account.Deleted"]
    assert js_object(indented_blocks(page("set-webhook.md"))[-1])["recursive"] is True
    assert set(faq_payloads()) == {"Account", "User", "Server", "Alert"}


def test_get_webhooks_matches_the_documented_example(simulator):
    doc = example_json("get-webhooks.md")
    session = simulator.session("demo")
    base = f"{simulator.url}/v2/webhooks/DEMO"
    # Configure what the example shows configured.
    for item in doc["items"]:
        if "configuration" in item:
            config = item["configuration"]
            response = session.put(f"{base}/{item['name']}/configuration", json=config, timeout=10)
            assert response.status_code == 204, response.text
    response = session.get(base, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    ours = response.json()
    assert [i["name"] for i in ours["items"]] == [i["name"] for i in doc["items"]]
    problems = shape_mismatches({k: v for k, v in doc.items() if k != "items"}, ours)
    for documented, item in zip(doc["items"], ours["items"], strict=True):
        assert ("configuration" in item) == ("configuration" in documented), item["name"]
        problems += shape_mismatches(documented, item, f"$.items[{documented['name']}]")
        assert item["links"][0]["href"] == documented["links"][0]["href"].replace("/RJP/", "/DEMO/")
        assert item["links"][0]["verbs"] == documented["links"][0]["verbs"]
    assert problems == []


@pytest.mark.parametrize(
    "page_name, method, path, body",
    [
        ("set-webhook.md", "PUT", "/Account.Created/configuration", "set"),
        ("add-webhook-targetUri.md", "POST", "/Account.Created/configuration/targetUris", "add"),
        (
            "delete-webhook-targetUri.md",
            "DELETE",
            "/Account.Created/configuration/targetUris?targetUri=https%3A%2F%2Ftest.api%2Faccount%2Fcreated",
            None,
        ),
        ("delete-webhook.md", "DELETE", "/Account.Created/configuration", None),
    ],
)
def test_changes_answer_the_documented_204(simulator, page_name, method, path, body):
    text = page(page_name)
    assert "204 No Content" in text
    session = simulator.session("demo")
    base = f"{simulator.url}/v2/webhooks/DEMO"
    # The target the DELETE example removes is there first.
    session.post(
        f"{base}/Account.Created/configuration/targetUris",
        json={"targetUri": "https://test.api/account/created"},
        timeout=10,
    )
    payload = js_object(indented_blocks(text)[-1]) if body else None
    response = session.request(method, base + path, json=payload, timeout=10)
    assert response.status_code == 204, response.text
    assert response.content == b""


def test_delivered_payloads_carry_every_documented_key(simulator):
    """A Server.Updated delivery against the FAQ's Server payload (every key, same JSON types)."""
    listener = Listener()
    try:
        session = simulator.session("demo")
        configure(simulator, session, "Server.Updated", f"{listener.url}/u")
        configure(simulator, session, "User.Updated", f"{listener.url}/user")
        configure(simulator, session, "Account.Updated", f"{listener.url}/account")
        server = started_server()
        body = [{"op": "set", "member": "description", "value": "contract"}]
        assert (
            session.patch(f"{simulator.url}/v2/servers/DEMO/{server.id}", json=body, timeout=10).status_code
            == 204
        )
        emit = f"{simulator.url}/control/webhooks/emit"
        requests.post(emit, json={"event": "User.Updated", "alias": "DEMO", "userName": "demo"}, timeout=10)
        requests.post(emit, json={"event": "Account.Updated", "alias": "DEMO"}, timeout=10)
        received = {r.path: r.json for r in listener.wait_for(3)}
    finally:
        listener.close()
    faq = faq_payloads()
    problems = []
    # The FAQ's custom field ids are numbers (22, 237): an older form; GET /v2/servers (api.json)
    # and the simulator use the 32-hex-digit string ids, so they are not compared.
    problems += shape_mismatches(faq["Server"], received["/u"], skip=("$.details.customFields",))
    problems += shape_mismatches(faq["User"], received["/user"])
    # The FAQ's account has a parent (parentAlias "T3N"); the simulator's accounts have none (null).
    problems += shape_mismatches(faq["Account"], received["/account"], skip=("$.parentAlias",))
    assert problems == []
    assert "parentAlias" in received["/account"]
