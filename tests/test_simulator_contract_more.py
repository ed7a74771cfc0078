"""The rest of the simulator's endpoints against the published contract, with the machinery of
``test_simulator_contract.py`` (same Case, same shape and field-table rules, same checks), so that
every route has a case (``test_simulator_contract_coverage.py``).

Three kinds of reference:
- api.json's entry (``doc_path`` is its URL template);
- a documentation page's JSON examples (``doc_page``, for endpoints api.json leaves out);
- for endpoints no page documents (a link's target the docs never describe: a snapshot's ``self``,
  a server's ``statistics`` and ``scheduledActivities``, a scheduled activity, the group defaults
  GET, billing estimates, the account, capabilities, horizontal autoscale policies, a server's
  anti-affinity and alert policy mappings), ``reference`` builds the example from the nearest
  documented entity (each one says which) or, where nothing is documented, from the shape
  docs/simulator.md commits to — so the answer cannot drift unnoticed.
"""

from datetime import UTC, datetime, timedelta

from tests.support.contract import fill
from tests.support.contract_references import GROUPS, REFERENCES, SERVERS
from tests.support.simulator import wait_until
from tests.test_simulator_contract import (
    ACCEPTED,
    ALIAS,
    DC,
    OK,
    SEEDED_ALERT_POLICY,
    SEEDED_ANTI_AFFINITY,
    SEEDED_AUTOSCALE,
    SEEDED_HORIZONTAL,
    STATUS_LINK_ONLY,
    Case,
    _active,
    _snapshot_id,
    contract_tests,
    registrar,
)

NO_CONTENT = {204}

CASES: list[Case] = []
case = registrar(CASES)


def referenced(case_id, method, path, status, reference: str, **options):
    """A case for an endpoint no page documents (see the module docstring)."""
    return case(case_id, method, path, status, reference=REFERENCES[reference], table_page="", **options)


# --- what the cases need --------------------------------------------------------------------------
def fast(ctx) -> None:
    ctx.sim.control("config", durationSeconds=5)


def wait_done(ctx, link: dict) -> None:
    wait_until(
        lambda: ctx.call("GET", link["href"]).json()["status"] in ("succeeded", "failed"),
        timeout=15,
        message=f"operation {link['id']}",
    )


def _group(ctx, name="Web") -> dict:
    return ctx.seed.group_named(name)


def _with_alert_policies(ctx) -> dict:
    return ctx.server("with alert policies", lambda s: _active(s) and s["details"]["alertPolicies"])


def _hyperscale_member(ctx) -> str:
    """A hyperscale server in the seeded WA1 anti-affinity policy (created, and built, for the case)."""
    fast(ctx)
    body = {"name": "hyp", "groupId": _group(ctx, "Default Group")["id"], "sourceServerId": ctx.template,
            "cpu": 1, "memoryGB": 2, "type": "hyperscale", "storageType": "hyperscale",
            "antiAffinityPolicyId": SEEDED_ANTI_AFFINITY}  # fmt: skip
    created = ctx.call("POST", f"/v2/servers/{ALIAS}", json=body)
    assert created.status_code == 202, created.text
    status, self_link = created.json()["links"]
    wait_done(ctx, status)
    return ctx.call("GET", self_link["href"]).json()["id"]


def _new_activity(ctx) -> str:
    body = {"status": "on", "type": "reboot", "beginDateUTC": "2030-11-23T19:41:00.000Z",
            "timeZoneOffset": "-08:00", "repeat": "weekly", "expire": "never"}  # fmt: skip
    created = ctx.call("POST", f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/scheduledActivities", json=body)
    assert created.status_code == 200, created.text
    return created.json()["id"]


# --- servers ----------------------------------------------------------------------------------
@case("server-patch-disks", "PATCH", SERVERS, ACCEPTED)
def _patch_disks(ctx, entry):
    server = ctx.started()
    disks = [{"diskId": d["id"], "sizeGB": d["sizeGB"]} for d in server["details"]["disks"]]
    extra = entry["ContentExample"][0]["value"][-1]  # the documented new partitioned disk
    body = fill(entry["ContentExample"], value=disks + [extra])
    return ctx.call("PATCH", f"/v2/servers/{ALIAS}/{server['id']}", json=body)


@case(
    "server-patch-description",
    "PATCH",
    "set-server-description-group",
    NO_CONTENT,
    no_body=True,
    doc_page="Servers/set-server-description-group.md",
    content_block=0,
    path=SERVERS,
)
def _patch_description(ctx, entry):
    body = fill(entry["ContentExample"], value="Described")
    body = [op for op in body if op["member"] == "description"]
    return ctx.call("PATCH", f"/v2/servers/{ALIAS}/{ctx.started()['id']}", json=body)


@referenced("snapshot-get", "GET", SERVERS + "/snapshots/{snapshotId}", OK, "snapshot")
def _snapshot_get(ctx, entry):
    server = ctx.server("with a snapshot", lambda s: _active(s) and s["details"]["snapshots"])
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{server['id']}/snapshots/{_snapshot_id(server)}")


@referenced("server-statistics", "GET", SERVERS + "/statistics", OK, "server-statistics")
def _server_statistics(ctx, entry):
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    params = {"type": "hourly", "start": (end - timedelta(hours=3)).isoformat(), "end": end.isoformat()}
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{ctx.started()['id']}/statistics", params=params)


@referenced("server-capabilities", "GET", SERVERS + "/capabilities", OK, "capabilities")
def _server_capabilities(ctx, entry):
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{ctx.started()['id']}/capabilities")


@referenced("server-scheduled-activities", "GET", SERVERS + "/scheduledActivities", OK, "activities")
def _server_activities(ctx, entry):
    _new_activity(ctx)
    server_id = next(lk["id"] for lk in _group(ctx)["links"] if lk["rel"] == "server")
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{server_id}/scheduledActivities")


@referenced("estimate-server", "GET", "/v2/billing/{accountAlias}/estimate-server/{serverId}", OK, "estimate")
def _estimate(ctx, entry):
    return ctx.call("GET", f"/v2/billing/{ALIAS}/estimate-server/{ctx.started()['id']}")


@referenced("server-pricing", "GET", "/v2/billing/{accountAlias}/serverPricing/{serverId}", OK, "pricing")
def _pricing(ctx, entry):
    return ctx.call("GET", f"/v2/billing/{ALIAS}/serverPricing/{ctx.started()['id']}")


@case("execute-package", "POST", "/v2/operations/{accountAlias}/servers/executePackage", OK, operations=True)
def _execute_package(ctx, entry):
    body = fill(entry["ContentExample"], servers=[ctx.started()["id"]])
    return ctx.call("POST", f"/v2/operations/{ALIAS}/servers/executePackage", json=body)


# --- alert policies on servers, anti-affinity, autoscale --------------------------------------------
@case("alert-policy-delete", "DELETE", "/v2/alertPolicies/{accountAlias}/{policyId}", OK, no_body=True)
def _alert_policy_delete(ctx, entry):
    return ctx.call("DELETE", f"/v2/alertPolicies/{ALIAS}/{SEEDED_ALERT_POLICY}")


@case(
    "server-alert-policy-add",
    "POST",
    "add-alert-policy-to-server",
    OK,
    doc_page="Alert Policies/add-alert-policy-to-server.md",
    content_block=0,
    response_block=1,
    path=SERVERS + "/alertPolicies",
)
def _server_alert_policy_add(ctx, entry):
    body = fill(entry["ContentExample"], id=SEEDED_ALERT_POLICY)
    return ctx.call("POST", f"/v2/servers/{ALIAS}/{ctx.started()['id']}/alertPolicies", json=body)


@referenced("server-alert-policies", "GET", SERVERS + "/alertPolicies", OK, "server-alert-policies")
def _server_alert_policies(ctx, entry):
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{_with_alert_policies(ctx)['id']}/alertPolicies")


@referenced(
    "server-alert-policy-get", "GET", SERVERS + "/alertPolicies/{policyId}", OK, "server-alert-policy"
)
def _server_alert_policy(ctx, entry):
    server = _with_alert_policies(ctx)
    policy = server["details"]["alertPolicies"][0]["id"]
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{server['id']}/alertPolicies/{policy}")


@referenced(
    "server-alert-policy-delete", "DELETE", SERVERS + "/alertPolicies/{policyId}", OK, "no-body", no_body=True
)
def _server_alert_policy_delete(ctx, entry):
    server = _with_alert_policies(ctx)
    policy = server["details"]["alertPolicies"][0]["id"]
    return ctx.call("DELETE", f"/v2/servers/{ALIAS}/{server['id']}/alertPolicies/{policy}")


@case(
    "anti-affinity-delete", "DELETE", "/v2/antiAffinityPolicies/{accountAlias}/{policyId}", OK, no_body=True
)
def _anti_affinity_delete(ctx, entry):
    return ctx.call("DELETE", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED_ANTI_AFFINITY}")


@referenced("server-anti-affinity-get", "GET", SERVERS + "/antiAffinityPolicy", OK, "anti-affinity-mapping")
def _server_anti_affinity_get(ctx, entry):
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{_hyperscale_member(ctx)}/antiAffinityPolicy")


@referenced("server-anti-affinity-set", "PUT", SERVERS + "/antiAffinityPolicy", OK, "anti-affinity-set")
def _server_anti_affinity_set(ctx, entry):
    server = _hyperscale_member(ctx)
    return ctx.call(
        "PUT", f"/v2/servers/{ALIAS}/{server}/antiAffinityPolicy", json={"id": SEEDED_ANTI_AFFINITY}
    )


@referenced(
    "server-anti-affinity-delete", "DELETE", SERVERS + "/antiAffinityPolicy", OK, "no-body", no_body=True
)
def _server_anti_affinity_delete(ctx, entry):
    return ctx.call("DELETE", f"/v2/servers/{ALIAS}/{_hyperscale_member(ctx)}/antiAffinityPolicy")


@case(
    "server-autoscale-remove",
    "DELETE",
    SERVERS + "/cpuAutoscalePolicy",
    NO_CONTENT,
    no_body=True,
)
def _server_autoscale_remove(ctx, entry):
    path = f"/v2/servers/{ALIAS}/{ctx.started()['id']}/cpuAutoscalePolicy"
    assert ctx.call("PUT", path, json={"id": SEEDED_AUTOSCALE}).status_code == 200
    return ctx.call("DELETE", path)


@referenced(
    "horizontal-policies", "GET", "/v2/horizontalAutoscalePolicies/{accountAlias}", OK, "horizontal-policies"
)
def _horizontal_policies(ctx, entry):
    return ctx.call("GET", f"/v2/horizontalAutoscalePolicies/{ALIAS}")


@referenced(
    "horizontal-policy",
    "GET",
    "/v2/horizontalAutoscalePolicies/{accountAlias}/{policyId}",
    OK,
    "horizontal-policy",
)
def _horizontal_policy(ctx, entry):
    return ctx.call("GET", f"/v2/horizontalAutoscalePolicies/{ALIAS}/{SEEDED_HORIZONTAL}")


@referenced(
    "group-horizontal-remove", "DELETE", GROUPS + "/horizontalAutoscalePolicy", OK, "no-body", no_body=True
)
def _group_horizontal_remove(ctx, entry):
    path = f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/horizontalAutoscalePolicy"
    assert ctx.call("PUT", path, json={"policyId": SEEDED_HORIZONTAL}).status_code == 200
    return ctx.call("DELETE", path)


# --- groups -----------------------------------------------------------------------------------
@case("group-patch-parent", "PATCH", GROUPS, NO_CONTENT, no_body=True)
def _group_patch(ctx, entry):
    body = fill(entry["ContentExample"], value=_group(ctx, "Data")["id"])
    return ctx.call("PATCH", f"/v2/groups/{ALIAS}/{_group(ctx, 'Ops')['id']}", json=body)


@case("group-delete", "DELETE", GROUPS, ACCEPTED)
def _group_delete(ctx, entry):
    return ctx.call("DELETE", f"/v2/groups/{ALIAS}/{_group(ctx, 'Ops')['id']}")


@case("group-archive", "POST", GROUPS + "/archive", STATUS_LINK_ONLY)
def _group_archive(ctx, entry):
    return ctx.call("POST", f"/v2/groups/{ALIAS}/{_group(ctx, 'Ops')['id']}/archive")


@case("group-restore", "POST", GROUPS + "/restore", STATUS_LINK_ONLY)
def _group_restore(ctx, entry):
    fast(ctx)
    group = _group(ctx, "Ops")["id"]
    archived = ctx.call("POST", f"/v2/groups/{ALIAS}/{group}/archive")
    wait_done(ctx, archived.json())
    body = {"targetGroupId": _group(ctx, "Default Group")["id"]}
    return ctx.call("POST", f"/v2/groups/{ALIAS}/{group}/restore", json=body)


@referenced("group-defaults-get", "GET", GROUPS + "/defaults", OK, "defaults")
def _group_defaults(ctx, entry):
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/defaults")


@case(
    "scheduled-activity-create",
    "POST",
    GROUPS + "/scheduledActivities",
    OK,
    reference=REFERENCES["activity"],
    optional=(
        "expireCount",
        "expireDateUtc",
        "lastOccurrenceDateUtc",
    ),  # left out: "never" expires, never ran
)
def _activity_create(ctx, entry):
    body = {"status": "on", "type": "reboot", "beginDateUTC": "2015-11-23T21:27:00.000Z",
            "timeZoneOffset": "-08:00", "repeat": "daily", "expire": "afterCount", "expireCount": "10"}  # fmt: skip
    return ctx.call("POST", f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/scheduledActivities", json=body)


@referenced("scheduled-activity-get", "GET", GROUPS + "/scheduledActivities/{activityId}", OK, "activity")
def _activity_get(ctx, entry):
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/scheduledActivities/{_new_activity(ctx)}")


@referenced("scheduled-activity-put", "PUT", GROUPS + "/scheduledActivities/{activityId}", OK, "activity")
def _activity_put(ctx, entry):
    body = {"status": "on", "type": "shutdown", "beginDateUTC": "2030-11-23T19:41:00.000Z",
            "timeZoneOffset": "+01:00", "repeat": "daily", "expire": "never"}  # fmt: skip
    path = f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/scheduledActivities/{_new_activity(ctx)}"
    return ctx.call("PUT", path, json=body)


@referenced(
    "scheduled-activity-delete",
    "DELETE",
    GROUPS + "/scheduledActivities/{activityId}",
    OK,
    "no-body",
    no_body=True,
)
def _activity_delete(ctx, entry):
    return ctx.call(
        "DELETE", f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/scheduledActivities/{_new_activity(ctx)}"
    )


@referenced("upcoming-activities", "GET", GROUPS + "/upcomingScheduledActivities", OK, "activities")
def _upcoming(ctx, entry):
    _new_activity(ctx)
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{_group(ctx)['id']}/upcomingScheduledActivities")


# --- data centers, account, import --------------------------------------------------------------
@case(
    "bare-metal-capabilities", "GET", "/v2/datacenters/{accountAlias}/{dataCenter}/bareMetalCapabilities", OK
)
def _bare_metal(ctx, entry):
    return ctx.call("GET", f"/v2/datacenters/{ALIAS}/VA1/bareMetalCapabilities")


@referenced("account", "GET", "/v2/accounts/{accountAlias}", OK, "account")
def _account(ctx, entry):
    return ctx.call("GET", f"/v2/accounts/{ALIAS}")


@case("vm-import-available", "GET", "/v2/vmImport/{accountAlias}/{locationId}/available", OK)
def _ovfs(ctx, entry):
    return ctx.call("GET", f"/v2/vmImport/{ALIAS}/{DC}/available")


@case("vm-import", "POST", "/v2/vmImport/{accountAlias}", ACCEPTED)
def _import(ctx, entry):
    body = fill(
        entry["ContentExample"],
        groupId=_group(ctx, "Default Group")["id"],
        networkId=ctx.network_id,
        ovfId=f"{ALIAS}/CUSTOM-OVF-IMPORT",
        customFields=[{"id": ctx.custom_field_id, "value": "imported"}],
    )
    return ctx.call("POST", f"/v2/vmImport/{ALIAS}", json=body)


# --- the tests ----------------------------------------------------------------------------------
test_documented_example_matches_itself, test_simulator_matches_published_contract = contract_tests(CASES)


def test_the_references_are_built_from_the_documented_entities():
    # The documented entities they come from are there, as documented.
    assert set(REFERENCES["snapshot"]()["ResExample"]) == {"name", "links"}
    assert set(REFERENCES["server-alert-policy"]()["ResExample"]) == {"id", "links"}
    assert set(REFERENCES["defaults"]()["ResExample"]) >= {"cpu", "memoryGB", "networkId", "templateName"}
    assert {"monthToDate", "currentHour", "id", "date"} <= set(REFERENCES["estimate"]()["ResExample"])
    assert "stats" in REFERENCES["server-statistics"]()["ResExample"]
    assert REFERENCES["activity"]()["ResExample"]["type"] == "shutdown"
