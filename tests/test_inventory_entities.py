"""One definition of each upstream entity (docs/entities.md): a server's fields are declared in
``apps.clc.entities`` (``ServerSummary``, ``ServerDetails``), a group's in ``GroupFields``, and the
rows, the API's JSON and schema, and the server table follow them."""

import dataclasses

import pytest
from rest_framework import serializers

from apps.clc.entities import GroupFields, Server, ServerDetails, ServerSummary, field_names
from apps.inventory import selectors
from apps.inventory.serializers import ServerRowSerializer
from apps.inventory.server_table import COLUMNS, render_rows, row_text
from portal.dataclass_serializers import dataclass_serializer
from tests.support.portal import find_group, sim_servers, sim_tree

ROW_EXTRAS = {"group_name", "memory_gb", "links", "error"}  # what a row adds to the server's summary

RAW_SERVER = {
    "id": "wa1demoweb01",
    "name": "wa1demoweb01",
    "description": "Web <front>",
    "groupId": "g1",
    "locationId": "wa1",
    "isTemplate": False,
    "osType": "Ubuntu 22 64-bit",
    "os": "ubuntu22_64Bit",
    "status": "active",
    "type": "standard",
    "storageType": "standard",
    "details": {
        "powerState": "started",
        "inMaintenanceMode": True,
        "cpu": 2,
        "memoryMB": 6144,
        "storageGB": 56,
        "hostName": "wa1demoweb01.demo",
        "ipAddresses": [{"internal": "10.0.1.12"}, {"internal": "10.0.1.13", "public": "65.39.180.20"}],
        "disks": [{"id": "0:0", "sizeGB": 16, "partitionPaths": ["/"]}],
    },
    "links": [{"rel": "self", "href": "/v2/servers/DEMO/wa1demoweb01", "verbs": ["GET", "PATCH"]}],
}


def test_a_row_and_a_detail_copy_every_field_the_entity_declares():
    server = Server.from_api(RAW_SERVER)
    row = selectors.ServerRow.from_server(server, "Web")
    for name in field_names(ServerSummary):
        assert getattr(row, name) == getattr(server, name), name
    assert (row.internal_ips, row.public_ips) == (("10.0.1.12", "10.0.1.13"), ("65.39.180.20",))
    assert row.memory_gb == 6.0 and row.group_name == "Web" and row.allows("self", "PATCH")
    # the pickled cache keeps plain tuples for links (quick to load), the row builds Link objects
    assert row.link_data == (("self", "/v2/servers/DEMO/wa1demoweb01", None, None, ("GET", "PATCH")),)


def test_a_field_added_to_a_shape_reaches_its_json_and_schema_without_a_serializer_line():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class RackedRow(selectors.ServerRow):
        rack: str = dataclasses.field(default="", metadata={"help": "Where it stands."})
        slots: tuple[int, ...] = ()

    serializer = dataclass_serializer(
        RackedRow,
        exclude=("link_data",),
        computed={"memory_gb": serializers.FloatField()},
        after={"memory_gb": "memory_mb", "rack": None},
        plain=True,
    )
    row = RackedRow(
        **dataclasses.asdict(selectors.ServerRow.from_server(Server.from_api(RAW_SERVER))), rack="B7"
    )
    data = serializer(row).data
    assert list(data)[:3] == ["rack", "id", "name"] and data["slots"] == [] and data["rack"] == "B7"
    assert list(data).index("memory_gb") == list(data).index("memory_mb") + 1
    assert serializer().fields["rack"].help_text == "Where it stands."
    # the compiled plain path writes what DRF's own path writes for the same declared fields
    assert data == serializers.Serializer.to_representation(serializer(), row)


def test_a_projection_derives_only_the_named_fields_and_leaves_the_shapes_serializer_registered():
    from portal.dataclass_serializers import serializer_for

    registered = serializer_for(selectors.ServerRow)
    summary = dataclass_serializer(selectors.ServerRow, "ServerBrief", only=("power_state", "id", "name"))
    row = selectors.ServerRow.from_server(Server.from_api(RAW_SERVER))
    assert summary(row).data == {"id": "WA1DEMOWEB01", "name": "WA1DEMOWEB01", "power_state": "started"}
    assert serializer_for(selectors.ServerRow) is registered
    with pytest.raises(TypeError, match="no field nmae"):
        dataclass_serializer(selectors.ServerRow, "Typo", only=("id", "nmae"))


def test_the_row_serializer_is_the_summary_plus_the_rows_own_fields():
    assert set(ServerRowSerializer().fields) == set(field_names(ServerSummary)) | ROW_EXTRAS


def test_every_server_table_column_renders_one_cell_and_the_filter_searches_the_text_columns():
    row = selectors.ServerRow.from_server(Server.from_api(RAW_SERVER), "Web <team>")
    html = str(render_rows([row], in_datacenter=False, select_form="bulk"))
    assert html.count("<td") == len(COLUMNS)
    assert "Web &lt;front&gt;" in html and "Web &lt;team&gt;" in html  # escaped
    assert 'href="/groups/g1/"' in html and 'name="ids" value="WA1DEMOWEB01" form="bulk"' in html
    assert '<span class="pub" title="public">65.39.180.20</span>' in html and 'data-m="1"' in html
    text = row_text(row)
    assert "ubuntu22_64bit" in text and "10.0.1.13" in text and "started" in text and "web <team>" in text
    assert "6144" not in text  # numbers are sorted, not searched (the page's JS does the same)


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache_namespace")
def test_api_rows_say_what_the_cloud_said_field_by_field(demo, simulator):
    raw = {s["id"].upper(): s for s in sim_servers(simulator.session("demo"))}
    rows = demo.get("/api/v1/datacenters/WA1/servers/").json()["results"]
    assert len(rows) == len(raw)
    schema = demo.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert set(schema["ServerRow"]["properties"]) == set(field_names(ServerSummary)) | ROW_EXTRAS
    for row in rows:
        assert set(row) == set(field_names(ServerSummary)) | ROW_EXTRAS
        server = raw[row["id"]]
        details = server.get("details") or {}
        assert (row["cpu"], row["memory_mb"], row["storage_gb"]) == (
            details.get("cpu", 0),
            details.get("memoryMB", 0),
            details.get("storageGB", 0),
        )
        assert row["power_state"] == (details.get("powerState") or "")
        assert row["in_maintenance_mode"] == bool(details.get("inMaintenanceMode"))
        addresses = details.get("ipAddresses") or []
        assert row["internal_ips"] == [a["internal"] for a in addresses if a.get("internal")]
        assert row["public_ips"] == [a["public"] for a in addresses if a.get("public")]
        assert (row["os"], row["os_type"], row["status"]) == (
            server["os"],
            server["osType"],
            server["status"],
        )
        assert row["group_id"] == server["groupId"] and row["description"] == server.get("description", "")


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache_namespace")
def test_api_server_detail_and_group_node_carry_the_entitys_fields(demo, simulator):
    session = simulator.session("demo")
    detail = demo.get("/api/v1/servers/WA1DEMOAPI01/").json()
    assert set(detail) == set(field_names(ServerDetails)) | {"server", "group", "datacenter", "cost"}
    raw = session.get(f"{session.base}/v2/servers/demo/WA1DEMOAPI01").json()
    assert detail["host_name"] == raw["details"]["hostName"] and detail["type"] == raw["type"]
    assert [d["size_gb"] for d in detail["disks"]] == [d["sizeGB"] for d in raw["details"]["disks"]]

    web = find_group(sim_tree(session), "Web")
    group = demo.get(f"/api/v1/groups/{web['id']}/").json()["group"]
    assert set(field_names(GroupFields)) <= set(group)
    assert (group["name"], group["description"], group["type"]) == (
        web["name"],
        web["description"],
        web["type"],
    )
    assert group["location_id"] == web["locationId"].upper()
