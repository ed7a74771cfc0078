"""The inventory JSON API through the real stack: login view, session, DRF, the simulator over
HTTP, Redis and Postgres."""

import pytest
from django.core.management import call_command

from tests.test_inventory_selectors import (  # noqa: F401  (shared fixtures)
    DEMO_SERVERS,
    fail_upstream,
    inventory_cache,
)

pytestmark = pytest.mark.django_db


def test_not_signed_in_is_refused(client, clc_settings):
    for url in ("/api/v1/datacenters/", "/api/v1/datacenters/WA1/servers/", "/api/v1/servers/WA1DEMOAPI01/"):
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert response.json()["message"] and "detail" not in response.json()


def test_datacenters_list(demo):
    response = demo.get("/api/v1/datacenters/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["count"] == len(DEMO_SERVERS) and body["server_count"] == sum(DEMO_SERVERS.values())
    wa1 = body["results"][0]
    assert wa1["id"] == "WA1" and wa1["server_count"] == 21 and wa1["monthly_estimate"] > 0
    assert set(wa1["power"]) == {"started", "stopped", "paused", "maintenance", "archived", "other", "total"}
    assert wa1["cpu"] > 0 and wa1["memory_gb"] > 0 and wa1["storage_gb"] > 0
    assert wa1["error"] is None and wa1["billing_error"] is None
    assert 'upstream;desc="' in response["Server-Timing"]


def test_datacenter_servers(demo):
    response = demo.get("/api/v1/datacenters/wa1/servers/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 21 == len(body["results"]) and body["datacenter"]["id"] == "WA1"
    assert body["group"] is None and body["errors"] == []
    row = body["results"][0]
    for key in (
        "id",
        "name",
        "description",
        "group_name",
        "status",
        "power_state",
        "in_maintenance_mode",
        "cpu",
        "memory_gb",
        "storage_gb",
        "internal_ips",
        "public_ips",
        "os_type",
        "links",
    ):
        assert key in row
    self_link = next(link for link in row["links"] if link["rel"] == "self")
    assert "GET" in self_link["verbs"]

    web = next(r for r in body["results"] if r["group_name"] == "Web")
    sub = demo.get(f"/api/v1/datacenters/WA1/servers/?group={web['group_id']}").json()
    assert sub["group"]["name"] == "Web" and 0 < sub["count"] < 21


def test_group_and_server_detail(demo):
    rows = demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
    web_id = next(r["group_id"] for r in rows if r["group_name"] == "Web")
    group = demo.get(f"/api/v1/groups/{web_id.upper()}/")
    assert group.status_code == 200
    body = group.json()
    assert body["group"]["name"] == "Web" and [g["name"] for g in body["group"]["children"]] == [
        "Frontend",
        "API",
    ]
    assert body["ancestors"] == [{"id": body["group"]["parent_id"], "name": "WA1 Hardware"}]
    assert body["billing"]["error"] is None and body["billing"]["data"]["monthly_estimate"] > 0
    series = body["statistics"]["data"]["servers"]
    assert series and len(series[0]["cpu_percent"]) == 24

    server = demo.get("/api/v1/servers/wa1demoapi01/")
    assert server.status_code == 200
    body = server.json()
    assert body["server"]["id"] == "WA1DEMOAPI01" and body["disks"] and body["snapshots"]
    assert body["cost"]["data"]["monthly_estimate"] > 0 and body["group"]["name"]
    assert "password" not in server.content.decode().lower()


def test_unknown_ids_answer_404_detail(demo):
    for url in (
        "/api/v1/datacenters/XX9/servers/",
        "/api/v1/datacenters/WA1/servers/?group=0123456789abcdef0123456789abcdef",
        "/api/v1/groups/0123456789abcdef0123456789abcdef/",
        "/api/v1/servers/WA1DEMONOPE99/",
        "/api/v1/servers/%20%3Cscript%3E/",
    ):
        response = demo.get(url)
        assert response.status_code == 404, url
        assert response.json()["message"], url


def test_panel_failure_keeps_the_rest(demo, fail_upstream):  # noqa: F811
    rows = demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
    web_id = next(r["group_id"] for r in rows if r["group_name"] == "Web")
    fail_upstream("/billing", 500)
    response = demo.get(f"/api/v1/groups/{web_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["billing"]["data"] is None and body["billing"]["error"]["status"] == 500
    assert body["billing"]["error"]["message"] and body["statistics"]["data"]["servers"]


def test_upstream_down_answers_503(demo, simulator):
    simulator.control("config", errorRate=1)
    response = demo.get("/api/v1/datacenters/WA1/servers/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "unavailable" in response.json()["message"]


def test_expired_cloud_session_answers_401(demo, simulator):
    simulator.control("expire-tokens")
    response = demo.get("/api/v1/servers/WA1DEMOAPI01/")
    assert response.status_code == 401 and response.json()["login"] == "/login/"
    assert demo.get("/api/v1/datacenters/").status_code in (401, 403)  # signed out now


def test_schema_generates_and_lists_the_endpoints(client, tmp_path):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/datacenters/",
        "/api/v1/datacenters/{dc}/servers/",
        "/api/v1/groups/{group_id}/",
        "/api/v1/servers/{server_id}/",
    ):
        assert path in paths
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
