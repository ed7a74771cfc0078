"""A server's life through the registry's pages and API, against the simulator: changing its
password (the current one asked, never shown or kept), removing a disk (not the operating
system's), maintenance through setMaintenance, custom field values of a server and a group (the
account's definitions, required ones enforced) and a group's defaults."""

import json
import re
import uuid

import pytest

from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.clc.client import ClcClient
from tests.support.portal import CUSTOM_FIELDS, key_of, sign_in, sim_servers, text_of
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

NEW_PASSWORD = "N3w-secret-pw"
OWNER, BACKUP, TIER = (f"cf_{f['id']}" for f in CUSTOM_FIELDS)


def servers(simulator, test):
    return [s for s in sim_servers(simulator.session("demo")) if s["status"] == "active" and test(s)]


def sim_get(simulator, path: str) -> dict:
    return simulator.session("demo").get(f"{simulator.url}{path}", timeout=10).json()


def writes(monkeypatch) -> list:
    sent = []
    original = ClcClient.request

    def watched(client, method, path, *args, **kwargs):
        if method.upper() != "GET" and "/authentication/" not in path:
            sent.append((method.upper(), path, kwargs.get("json")))
        return original(client, method, path, *args, **kwargs)

    monkeypatch.setattr(ClcClient, "request", watched)
    return sent


def errors_of(response) -> dict:
    return dict(re.findall(r'data-field-error="([a-z_0-9]+)">([^<]*)<', response.content.decode()))


# --- password -----------------------------------------------------------------------------------
def test_password_change_asks_for_the_current_one_and_never_shows_either(demo, simulator, monkeypatch):
    [server] = servers(simulator, lambda s: s["details"]["powerState"] == "started" and "win" not in s["os"])[
        :1
    ]
    sid = server["id"].lower()
    current = sim_get(simulator, f"/v2/servers/demo/{sid}/credentials")["password"]
    url = f"/servers/{sid}/actions/setPassword/"
    page = demo.get(url)
    assert page.status_code == 200
    assert f"Change the administrator password of {server['name']}?" in text_of(page)
    html = page.content.decode()
    assert html.count('type="password"') == 3 and current not in html
    key = key_of(html)
    sent = writes(monkeypatch)
    form = {"idempotency_key": key, "confirmed": "1", "current_password": current}
    weak = demo.post(url, {**form, "new_password": "password", "confirm_password": "password"})
    assert weak.status_code == 400 and "at least 3 of" in errors_of(weak)["new_password"]
    differ = demo.post(url, {**form, "new_password": NEW_PASSWORD, "confirm_password": "Other-pw-123"})
    assert differ.status_code == 400 and "differ" in errors_of(differ)["confirm_password"]
    same = demo.post(url, {**form, "new_password": current, "confirm_password": current})
    assert same.status_code == 400 and "must differ" in errors_of(same)["new_password"]
    for response in (weak, differ, same):
        assert current not in response.content.decode() and NEW_PASSWORD not in response.content.decode()
    assert sent == []

    wrong = {**form, "current_password": "Wr0ng-password", "new_password": NEW_PASSWORD}
    refused = demo.post(url, {**wrong, "confirm_password": NEW_PASSWORD})
    assert refused.status_code == 400 and "current password is not correct" in text_of(refused)

    key = key_of(demo.get(url).content.decode())
    done = demo.post(
        url, {**form, "idempotency_key": key, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert "Change password queued" in text_of(demo.get(done["Location"]))
    wait_until(
        lambda: sim_get(simulator, f"/v2/servers/demo/{sid}/credentials")["password"] == NEW_PASSWORD,
        timeout=15,
        message="the new password",
    )
    [change] = [body for method, path, body in sent if method == "PATCH"][-1:]
    assert change == [
        {"op": "set", "member": "password", "value": {"current": current, "password": NEW_PASSWORD}}
    ]
    # kept nowhere: not in the audit, not in the activity
    stored = json.dumps(list(AuditEntry.objects.values()), default=str) + json.dumps(
        list(Activity.objects.values()), default=str
    )
    assert current not in stored and NEW_PASSWORD not in stored
    assert AuditEntry.objects.filter(
        action="server.setPassword", result="success", target_id=sid.upper()
    ).exists()
    assert AuditEntry.objects.filter(action="server.setPassword", result="failure").exists()


def test_password_roles_through_the_api(client, clc_settings, simulator):
    [server] = servers(simulator, lambda s: s["details"]["powerState"] == "started" and "win" not in s["os"])[
        :1
    ]
    current = sim_get(simulator, f"/v2/servers/demo/{server['id']}/credentials")["password"]
    body = {"current_password": current, "new_password": NEW_PASSWORD}
    url = f"/api/v1/servers/{server['id']}/actions/setPassword/"
    sign_in(client, "operator")  # may power and resize, not see or change credentials
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and "needs" in refused.json()["reason"]
    sign_in(client, "security")
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 202, answer.content
    assert answer.json()["action"] == "server.setPassword" and NEW_PASSWORD not in answer.content.decode()


# --- disks --------------------------------------------------------------------------------------
def test_remove_disk_offers_only_extra_disks_and_asks_first(demo, simulator, monkeypatch):
    [server] = servers(
        simulator, lambda s: "win" not in s["os"] and any(d["partitionPaths"] for d in s["details"]["disks"])
    )[:1]
    sid = server["id"].lower()
    extra = next(d for d in server["details"]["disks"] if d["partitionPaths"])
    url = f"/servers/{sid}/actions/removeDisk/"
    page = demo.get(url, {"disk": extra["id"]})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Remove the disk {extra['id']} ({extra['sizeGB']:g} GB, {extra['partitionPaths'][0]})" in text_of(
        page
    )
    offered = re.findall(r'<option value="([^"]+)"', html)
    assert offered == [extra["id"]]  # 0:0, 0:1 and 0:2 belong to the operating system
    sent = writes(monkeypatch)
    system = demo.post(url, {"idempotency_key": key_of(html), "disk": "0:0", "confirmed": "1"})
    assert system.status_code == 400 and "operating system" in errors_of(system)["disk"]
    asked = demo.post(url, {"idempotency_key": key_of(html), "disk": extra["id"]})
    assert asked.status_code == 200 and sent == []
    done = demo.post(url, {"idempotency_key": key_of(html), "disk": extra["id"], "confirmed": "1"})
    assert done.status_code == 302
    wait_until(
        lambda: extra["id"]
        not in [d["id"] for d in sim_get(simulator, f"/v2/servers/demo/{sid}")["details"]["disks"]],
        timeout=15,
        message="the disk to go",
    )
    kept = sim_get(simulator, f"/v2/servers/demo/{sid}")["details"]["disks"]
    assert [(d["id"], d["sizeGB"]) for d in kept] == [
        (d["id"], d["sizeGB"]) for d in server["details"]["disks"] if d["id"] != extra["id"]
    ]


def test_a_server_with_only_system_disks_is_not_offered_removal(demo, simulator):
    [server] = servers(simulator, lambda s: not any(d["partitionPaths"] for d in s["details"]["disks"]))[:1]
    page = demo.get(f"/servers/{server['id']}/").content.decode()
    assert 'data-action="removeDisk"' not in page and 'data-action="disk"' in page
    assert demo.get(f"/servers/{server['id']}/actions/removeDisk/").status_code == 403


# --- maintenance --------------------------------------------------------------------------------
def test_maintenance_goes_through_set_maintenance(demo, simulator, monkeypatch):
    started = servers(
        simulator, lambda s: s["details"]["powerState"] == "started" and not s["details"]["inMaintenanceMode"]
    )
    sent = writes(monkeypatch)
    one = started[0]["id"]
    page = demo.get(f"/servers/{one}/").content.decode()
    form = re.search(rf'action="/servers/{one.lower()}/actions/startMaintenance/".*?</form>', page, re.S)
    assert (
        demo.post(
            f"/servers/{one}/actions/startMaintenance/", {"idempotency_key": key_of(form.group(0))}
        ).status_code
        == 302
    )
    ids = [s["id"] for s in started[1:3]]
    bulk = demo.post(
        "/servers/bulk/actions/stopMaintenance/",
        {"idempotency_key": str(uuid.uuid4()), "ids": ids, "confirmed": "1"},
    )
    assert bulk.status_code == 302
    assert [(m, p) for m, p, _ in sent] == [("POST", "/v2/operations/{alias}/servers/setMaintenance")] * 2
    assert sent[0][2] == {"servers": [{"id": one.upper(), "inMaintenanceMode": True}]}
    assert sent[1][2] == {"servers": [{"id": i.upper(), "inMaintenanceMode": False} for i in ids]}
    assert Activity.objects.filter(operation="startMaintenance").count() == 1
    wait_until(
        lambda: sim_get(simulator, f"/v2/servers/demo/{one}")["details"]["inMaintenanceMode"],
        timeout=15,
        message="maintenance on",
    )


# --- custom fields ------------------------------------------------------------------------------
def test_server_custom_fields_follow_the_account_definitions(demo, simulator, monkeypatch):
    simulator.control("custom-fields", alias="DEMO", fields=CUSTOM_FIELDS)
    server = servers(simulator, lambda s: True)[0]
    url = f"/servers/{server['id']}/actions/setCustomFields/"
    page = demo.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="{OWNER}"' in html and f'type="checkbox" name="{BACKUP}"' in html
    assert f'<select name="{TIER}"' in html and "Required by your account." in text_of(page)
    sent = writes(monkeypatch)
    missing = demo.post(url, {"idempotency_key": key_of(html), TIER: "gold"})
    assert missing.status_code == 400 and errors_of(missing)[OWNER] == "Owner is required."
    assert sent == []
    done = demo.post(url, {"idempotency_key": key_of(html), OWNER: "ops", BACKUP: "on", TIER: "gold"})
    assert done.status_code == 302 and "Custom fields saved." in text_of(demo.get(done["Location"]))
    stored = sim_get(simulator, f"/v2/servers/demo/{server['id']}")["details"]["customFields"]
    assert [(f["name"], f["value"]) for f in stored] == [
        ("Owner", "ops"),
        ("Backed up", "true"),
        ("Tier", "gold"),
    ]

    api = f"/api/v1/servers/{server['id']}/actions/setCustomFields/"
    answer = demo.post(api, {"custom_fields": {"tier": "Silver"}}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["outcome"] == "done", answer.content
    stored = sim_get(simulator, f"/v2/servers/demo/{server['id']}")["details"]["customFields"]
    assert [(f["name"], f["value"]) for f in stored] == [
        ("Owner", "ops"),
        ("Backed up", "true"),
        ("Tier", "silver"),
    ]
    unknown = demo.post(api, {"custom_fields": {"Colour": "red"}}, content_type="application/json")
    assert (
        unknown.status_code == 400
        and "'Colour' is not one of the account's custom fields" in unknown.json()["message"]
    )
    unset = demo.post(api, {"custom_fields": {"Owner": ""}}, content_type="application/json")
    assert unset.status_code == 400 and unset.json()["errors"][OWNER] == ["Owner is required."]


def test_group_custom_fields(demo, simulator):
    group = next(
        g
        for g in sim_get(simulator, "/v2/datacenters/demo/wa1?groupLinks=true")["links"]
        if g["rel"] == "group"
    )
    tree = sim_get(simulator, f"/v2/groups/demo/{group['id']}")
    web = next(g for g in tree["groups"] if g["name"] == "Web")
    url = f"/groups/{web['id']}/actions/setCustomFields/"
    page = demo.get(url)
    assert 'value="CC-WEB"' in page.content.decode()  # the current value
    done = demo.post(
        url, {"idempotency_key": key_of(page.content.decode()), "cf_22f002123e3b46d9a8b38ecd4c6df7f9": "CC-9"}
    )
    assert done.status_code == 302
    stored = sim_get(simulator, f"/v2/groups/demo/{web['id']}")["customFields"]
    assert [(f["name"], f["value"]) for f in stored] == [("Cost Center", "CC-9")]
    assert AuditEntry.objects.filter(
        action="group.setCustomFields", target_id=web["id"], result="success"
    ).exists()


# --- group defaults -----------------------------------------------------------------------------
def test_group_defaults_set_inherit_and_merge(demo, simulator, monkeypatch):
    group = next(
        g
        for g in sim_get(simulator, "/v2/datacenters/demo/wa1?groupLinks=true")["links"]
        if g["rel"] == "group"
    )
    tree = sim_get(simulator, f"/v2/groups/demo/{group['id']}")
    web = next(g for g in tree["groups"] if g["name"] == "Web")
    frontend = next(g for g in web["groups"] if g["name"] == "Frontend")
    url = f"/groups/{frontend['id']}/actions/setDefaults/"
    page = demo.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Empty: inherited (now 2)." in text_of(page)
    assert re.search(r'<input type="number" name="cpu"[^>]*>', html) and 'name="cpu" value' not in html
    sent = writes(monkeypatch)
    bad = demo.post(url, {"idempotency_key": key_of(html), "cpu": "17", "primary_dns": "8.8.8"})
    assert bad.status_code == 400 and set(errors_of(bad)) == {"cpu", "primary_dns"} and sent == []
    done = demo.post(url, {"idempotency_key": key_of(html), "cpu": "8", "primary_dns": "8.8.8.8"})
    assert done.status_code == 302 and "Defaults saved." in text_of(demo.get(done["Location"]))
    defaults = sim_get(simulator, f"/v2/groups/demo/{frontend['id']}/defaults")
    assert defaults["cpu"] == {"value": 8, "inherited": False}
    assert defaults["primaryDns"] == {"value": "8.8.8.8", "inherited": False}
    assert defaults["memoryGB"]["inherited"] is True

    api = f"/api/v1/groups/{frontend['id']}/actions/setDefaults/"
    answer = demo.post(api, {"memory_gb": 16}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    defaults = sim_get(simulator, f"/v2/groups/demo/{frontend['id']}/defaults")
    assert defaults["cpu"]["value"] == 8 and defaults["memoryGB"] == {"value": 16, "inherited": False}
    cleared = demo.post(api, {"cpu": None}, content_type="application/json")
    assert cleared.status_code == 200
    defaults = sim_get(simulator, f"/v2/groups/demo/{frontend['id']}/defaults")
    assert defaults["cpu"] == {"value": 2, "inherited": True} and defaults["memoryGB"]["value"] == 16
