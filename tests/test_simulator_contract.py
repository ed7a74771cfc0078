"""The simulator against the published contract (``../shared/clc-api-v2/api.json`` + README facts).

For each endpoint the portal relies on: pick the api.json entry by method and URL template, make a
real call as ``demo`` with ids found by walking the API (data centers -> groupLinks -> groups ->
servers) and a body built from the documented ``ContentExample``, then check the documented status
code and that our answer carries every key of the documented ``ResExample`` with the same JSON type
(see ``tests.support.contract.shape_mismatches`` for the exact rules).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

import pytest

from tests.support.contract import (
    API_JSON,
    DROP,
    doc_entry,
    fill,
    load_api,
    md_examples,
    page_for,
    shape_mismatches,
    sometimes_missing,
    table_mismatches,
    walk_seed,
)

ALIAS = "DEMO"
DC = "WA1"

# Status codes the README pins ("Facts that the pages leave out"). The README does not say which
# success code answers a bare status link for public IP add, snapshot delete/revert and server
# restore: both 200 and 202 are accepted there.
OK, CREATED, ACCEPTED = {200}, {201}, {202}
STATUS_LINK_ONLY = {200, 202}

# Where the documented examples are inconsistent, and what the comparison does about it:
# - Operation arrays (power, maintenance, archive, createSnapshot) mix a queued entry (links) and a
#   refused one (errorMessage): ours is compared with the queued entry, and every server we send
#   is chosen so that it must be queued.
# - Links carry id/name/verbs only for some rels (Links Framework): each of our links is compared
#   with the documented link of the same rel, else only rel and href are required.
# - Billing "groups" and each group's "servers" are keyed by ids (maps, see the billing case).
# - Statistics write cpuPercent as 5 and as 1.14: int and float are both "number".
# - The create-group answer documents its "groups" as holding the parent group; a new group has no
#   children, so our empty list is not compared.
# - Nested "groups" of a group GET are documented one level deep (groups: []): deeper levels are
#   compared with the same documented sub-group.
# - The create-server request example has an invalid IP (10.123.456.12) and a ttl in the past: the
#   IP is left out and the ttl moved two days ahead.


# --- the call context ---------------------------------------------------------------------------
class Ctx:
    def __init__(self, simulator):
        self.sim = simulator
        self.base = simulator.url
        self.session = simulator.session("demo")

    def call(self, method: str, path: str, **kwargs):
        return self.session.request(method, f"{self.base}{path}", timeout=10, **kwargs)

    @cached_property
    def seed(self):
        return walk_seed(self.session, self.base, ALIAS, DC)

    @cached_property
    def capabilities(self) -> dict:
        response = self.call("GET", f"/v2/datacenters/{ALIAS}/{DC}/deploymentCapabilities")
        assert response.status_code == 200, f"deploymentCapabilities: {response.status_code} {response.text}"
        return response.json()

    @property
    def network_id(self) -> str:
        return self.capabilities["deployableNetworks"][0]["networkId"]

    @property
    def template(self) -> str:
        return self.capabilities["templates"][0]["name"]

    @property
    def custom_field_id(self) -> str:
        """A real account custom field id (the documented ones are another account's)."""
        for group in self.seed.groups.values():
            for item in group.get("customFields", []):
                return item["id"]
        response = self.call("GET", f"/v2/accounts/{ALIAS}/customFields")
        assert response.status_code == 200, f"customFields: {response.status_code} {response.text}"
        return response.json()[0]["id"]

    # Servers by state, from their GET body.
    def server(self, what: str, predicate) -> dict:
        return self.seed.server_where(predicate, what)

    def started(self, *, snapshot_free: bool = False) -> dict:
        return self.server(
            "active, started, not in maintenance" + (", without a snapshot" if snapshot_free else ""),
            lambda s: _active(s)
            and s["details"]["powerState"] == "started"
            and not s["details"]["inMaintenanceMode"]
            and not (snapshot_free and s["details"]["snapshots"]),
        )


def _active(server: dict) -> bool:
    return server.get("status") == "active" and "details" in server


def _snapshot_id(server: dict) -> str:
    links = server["details"]["snapshots"][0]["links"]
    href = next(link["href"] for link in links if link["rel"] == "self")
    return href.rstrip("/").rsplit("/", 1)[-1]


# --- the cases ----------------------------------------------------------------------------------
@dataclass
class Case:
    id: str
    method: str
    doc_path: str  # the api.json URL template, without host and query
    status: set[int]
    run: Callable  # (ctx, entry) -> requests.Response
    maps: tuple = ()  # objects keyed by ids (values compared with the documented values)
    skip: tuple = ()  # documented keys not compared, each with its reason below
    ints: tuple = ()  # key names that must stay JSON integers (counts, sizes) where the doc has one
    operations: bool = field(default=False)  # an array of {server, isQueued, links}: all queued
    tree: bool = field(default=False)  # nested "groups" at every depth compared like the first level
    no_body: bool = field(default=False)  # documented as answering without a body (204)
    # The docs' field tables (``table_mismatches``): names or paths that may be missing, paths not
    # checked (the table contradicts the example), and the page (None: found from doc_path).
    optional: tuple = ()
    table_skip: tuple = ()
    table_page: str | None = None
    path: str = ""  # a path of the call, when doc_path is a label (pages-only endpoints)
    # Endpoints no page documents: () -> {"ResExample", "ContentExample"} built from the nearest
    # documented entity (test_simulator_contract_more.py).
    reference: Callable | None = None
    # Endpoints api.json leaves out: the examples of their page (md_examples), by position.
    doc_page: str = ""
    response_block: int = -1
    content_block: int | None = None


def documented(case: Case) -> dict:
    """The api.json entry of a case, or ``{"ResExample", "ContentExample"}`` from its page (or its
    reference, for an endpoint no page documents)."""
    if case.reference is not None:
        return case.reference()
    if not case.doc_page:
        return doc_entry(case.method, case.doc_path)
    blocks = md_examples(case.doc_page)
    content = blocks[case.content_block] if case.content_block is not None else None
    if case.no_body:
        assert len(blocks) == (case.content_block is not None), f"{case.doc_page} documents a response body"
        return {"ResExample": None, "ContentExample": content}
    return {"ResExample": blocks[case.response_block], "ContentExample": content}


def registrar(cases: list[Case]):
    """``@case(id, method, doc_path, status, **options)``: a decorator that adds the function's Case
    to ``cases`` (each contract module keeps its own list)."""

    def case(case_id, method, doc_path, status, **options):
        def register(fn):
            cases.append(Case(case_id, method, doc_path, status, fn, **options))
            return fn

        return register

    return case


CASES: list[Case] = []
case = registrar(CASES)


@case("login", "POST", "/v2/authentication/login", OK)
def _login(ctx, entry):
    body = fill(entry["ContentExample"], username="demo", password="demo")
    return ctx.call("POST", "/v2/authentication/login", json=body)


@case("datacenter-list", "GET", "/v2/datacenters/{accountAlias}", OK)
def _datacenters(ctx, entry):
    return ctx.call("GET", f"/v2/datacenters/{ALIAS}")


@case("datacenter-get-grouplinks", "GET", "/v2/datacenters/{accountAlias}/{dataCenter}", OK)
def _datacenter(ctx, entry):
    return ctx.call("GET", f"/v2/datacenters/{ALIAS}/{DC}", params={"groupLinks": "true"})


@case(
    "deployment-capabilities",
    "GET",
    "/v2/datacenters/{accountAlias}/{dataCenter}/deploymentCapabilities",
    OK,
)
def _capabilities(ctx, entry):
    return ctx.call("GET", f"/v2/datacenters/{ALIAS}/{DC}/deploymentCapabilities")


@case("group-get-root-tree", "GET", "/v2/groups/{accountAlias}/{groupId}", OK, tree=True)
def _group_root(ctx, entry):
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{ctx.seed.root_id}")


@case("group-get", "GET", "/v2/groups/{accountAlias}/{groupId}", OK, tree=True)
def _group(ctx, entry):
    # A group like the documented one: it has sub-groups, servers and a parent.
    group = next(
        (
            g
            for g in ctx.seed.groups.values()
            if g.get("groups")
            and any(lk.get("rel") == "server" for lk in g.get("links", []))
            and g["id"] != ctx.seed.root_id
        ),
        None,
    )
    assert group is not None, "the demo seed has no WA1 group with both sub-groups and servers"
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{group['id']}")


@case("group-get-detailed", "GET", "/v2/groups/{accountAlias}/{groupId}", OK, tree=True)
def _group_detailed(ctx, entry):
    # ?serverDetail=detailed adds each group's "servers" (undocumented); the rest stays documented.
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{ctx.seed.root_id}", params={"serverDetail": "detailed"})


@case("group-create", "POST", "/v2/groups/{accountAlias}", CREATED)
def _group_create(ctx, entry):
    body = fill(
        entry["ContentExample"],
        parentGroupId=ctx.seed.root_id,
        customFields=[{"id": ctx.custom_field_id, "value": "1100003"}],
    )
    return ctx.call("POST", f"/v2/groups/{ALIAS}", json=body)


@case(
    "group-billing",
    "GET",
    "/v2/groups/{accountAlias}/{groupId}/billing",
    OK,
    # "groups" is keyed by group id and each "servers" by server id.
    maps=("$.groups", "$.groups.*.servers"),
)
def _group_billing(ctx, entry):
    return ctx.call("GET", f"/v2/groups/{ALIAS}/{ctx.seed.root_id}/billing")


@case(
    "group-statistics-hourly",
    "GET",
    "/v2/groups/{accountAlias}/{groupId}/statistics",
    OK,
    # Integers per the page's type tables (cpu, memoryMB, diskUsageTotalCapacityMB are "float").
    ints=("capacityMB", "consumedMB"),
)
def _group_statistics(ctx, entry):
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=6)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"  # as in the documented UrlExample
    group = ctx.seed.group_named("Web")
    return ctx.call(
        "GET",
        f"/v2/groups/{ALIAS}/{group['id']}/statistics",
        params={
            "type": "hourly",
            "start": start.strftime(fmt),
            "end": end.strftime(fmt),
            "sampleInterval": "01:00:00",
        },
    )


@case("group-set-defaults", "POST", "/v2/groups/{accountAlias}/{groupId}/defaults", OK)
def _group_defaults(ctx, entry):
    body = fill(entry["ContentExample"], networkId=ctx.network_id, templateName=ctx.template)
    group = ctx.seed.group_named("Web")
    return ctx.call("POST", f"/v2/groups/{ALIAS}/{group['id']}/defaults", json=body)


@case("account-custom-fields", "GET", "/v2/accounts/{accountAlias}/customFields", OK)
def _custom_fields(ctx, entry):
    return ctx.call("GET", f"/v2/accounts/{ALIAS}/customFields")


@case(
    "server-get",
    "GET",
    "/v2/servers/{accountAlias}/{serverId}",
    OK,
    ints=("cpu", "memoryMB", "diskCount", "storageGB"),  # "integer" in the page's type table
)
def _server(ctx, entry):
    # The richest server: the documented one has a public IP and a snapshot.
    def score(s):
        d = s.get("details", {})
        return bool(d.get("snapshots")) + any("public" in ip for ip in d.get("ipAddresses", []))

    server = max((s for s in ctx.seed.servers.values() if _active(s)), key=score)
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{server['id']}")


@case("server-create", "POST", "/v2/servers/{accountAlias}", ACCEPTED)
def _server_create(ctx, entry):
    body = fill(
        entry["ContentExample"],
        groupId=ctx.seed.group_named("Default Group")["id"],
        networkId=ctx.network_id,
        sourceServerId=ctx.template,
        customFields=[{"id": ctx.custom_field_id, "value": "custom value"}],
        # The documented example is not valid as it stands: 10.123.456.12 is no IPv4 address
        # and its ttl lies in the past.
        ipAddress=DROP,
        ttl=(datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return ctx.call("POST", f"/v2/servers/{ALIAS}", json=body)


@case("server-delete", "DELETE", "/v2/servers/{accountAlias}/{serverId}", ACCEPTED)
def _server_delete(ctx, entry):
    server = ctx.started()
    return ctx.call("DELETE", f"/v2/servers/{ALIAS}/{server['id']}")


@case("server-credentials", "GET", "/v2/servers/{accountAlias}/{serverId}/credentials", OK)
def _credentials(ctx, entry):
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{ctx.started()['id']}/credentials")


@case(
    "public-ip-add",
    "POST",
    "/v2/servers/{accountAlias}/{serverId}/publicIPAddresses",
    STATUS_LINK_ONLY,
)
def _public_ip_add(ctx, entry):
    server = ctx.started()
    return ctx.call(
        "POST", f"/v2/servers/{ALIAS}/{server['id']}/publicIPAddresses", json=entry["ContentExample"]
    )


@case("public-ip-get", "GET", "/v2/servers/{accountAlias}/{serverId}/publicIPAddresses/{publicIP}", OK)
def _public_ip_get(ctx, entry):
    server = ctx.server(
        "with a public IP",
        lambda s: _active(s) and any("public" in ip for ip in s["details"]["ipAddresses"]),
    )
    address = next(ip["public"] for ip in server["details"]["ipAddresses"] if "public" in ip)
    return ctx.call("GET", f"/v2/servers/{ALIAS}/{server['id']}/publicIPAddresses/{address}")


def _operation_case(action: str, pick: Callable, body: Callable | None = None):
    @case(
        action,
        "POST",
        f"/v2/operations/{{accountAlias}}/servers/{action}",
        OK,
        operations=True,
    )
    def run(ctx, entry):
        server = pick(ctx)
        payload = body(entry, server) if body else [server["id"]]
        return ctx.call("POST", f"/v2/operations/{ALIAS}/servers/{action}", json=payload)

    return run


for _action in ("powerOff", "shutDown", "reboot", "reset", "pause", "startMaintenance", "archive"):
    _operation_case(_action, lambda ctx: ctx.started())
_operation_case(
    "powerOn",
    lambda ctx: ctx.server(
        "stopped", lambda s: _active(s) and s["details"]["powerState"] in ("stopped", "paused")
    ),
)
_operation_case(
    "stopMaintenance",
    lambda ctx: ctx.server("in maintenance", lambda s: _active(s) and s["details"]["inMaintenanceMode"]),
)
_operation_case(
    "setMaintenance",
    lambda ctx: ctx.started(),
    lambda entry, server: {"servers": [{"id": server["id"], "inMaintenanceMode": "true"}]},
)
_operation_case(
    "createSnapshot",
    lambda ctx: ctx.started(snapshot_free=True),
    lambda entry, server: fill(entry["ContentExample"], serverIds=[server["id"]]),
)


@case(
    "snapshot-delete",
    "DELETE",
    "/v2/servers/{accountAlias}/{serverId}/snapshots/{snapshotId}",
    STATUS_LINK_ONLY,
)
def _snapshot_delete(ctx, entry):
    server = ctx.server("with a snapshot", lambda s: _active(s) and s["details"]["snapshots"])
    return ctx.call("DELETE", f"/v2/servers/{ALIAS}/{server['id']}/snapshots/{_snapshot_id(server)}")


@case(
    "snapshot-revert",
    "POST",
    "/v2/servers/{accountAlias}/{serverId}/snapshots/{snapshotId}/restore",
    STATUS_LINK_ONLY,
)
def _snapshot_revert(ctx, entry):
    server = ctx.server("with a snapshot", lambda s: _active(s) and s["details"]["snapshots"])
    return ctx.call("POST", f"/v2/servers/{ALIAS}/{server['id']}/snapshots/{_snapshot_id(server)}/restore")


@case("server-restore", "POST", "/v2/servers/{accountAlias}/{serverId}/restore", STATUS_LINK_ONLY)
def _server_restore(ctx, entry):
    server = ctx.server("archived", lambda s: s.get("status") == "archived")
    body = fill(entry["ContentExample"], targetGroupId=ctx.seed.group_named("Default Group")["id"])
    return ctx.call("POST", f"/v2/servers/{ALIAS}/{server['id']}/restore", json=body)


@case("queue-status", "GET", "/v2/operations/{acctAlias}/status/{statusId}", OK)
def _queue_status(ctx, entry):
    queued = ctx.call("POST", f"/v2/operations/{ALIAS}/servers/powerOff", json=[ctx.started()["id"]])
    assert queued.status_code == 200, f"powerOff to get a status id: {queued.status_code} {queued.text}"
    status_id = next(link["id"] for link in queued.json()[0]["links"] if link["rel"] == "status")
    return ctx.call("GET", f"/v2/operations/{ALIAS}/status/{status_id}")


# --- shared load balancers and invoices ---------------------------------------------------------
LB = "/v2/sharedLoadBalancers/{accountAlias}/{dataCenter}"


def _balancer(ctx) -> dict:
    """The demo's first WA1 load balancer (it has pools with nodes)."""
    response = ctx.call("GET", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}")
    assert response.status_code == 200 and response.json(), f"load balancers: {response.text}"
    return response.json()[0]


def _node_addresses(ctx, count: int) -> list[str]:
    found = [
        ip["internal"]
        for server in ctx.seed.servers.values()
        if _active(server)
        for ip in server["details"]["ipAddresses"]
    ]
    assert len(found) >= count, "the demo seed has too few WA1 servers for load balancer nodes"
    return found[:count]


# The pages' tables give nodes ``links``; no example shows any and the recorded live answers had none.
@case("lb-list", "GET", LB, OK, optional=("$.*.pools.*.nodes.*.links",))
def _lb_list(ctx, entry):
    return ctx.call("GET", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}")


@case("lb-get", "GET", LB + "/{loadBalancerId}", OK, optional=("$.pools.*.nodes.*.links",))
def _lb_get(ctx, entry):
    return ctx.call("GET", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{_balancer(ctx)['id']}")


@case("lb-create", "POST", LB, OK)  # 200 with the load balancer, as recorded from the live service
def _lb_create(ctx, entry):
    return ctx.call("POST", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}", json=entry["ContentExample"])


@case("lb-pools", "GET", LB + "/{loadBalancerId}/pools", OK, optional=("$.*.nodes.*.links",))
def _lb_pools(ctx, entry):
    return ctx.call("GET", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{_balancer(ctx)['id']}/pools")


@case("lb-pool-get", "GET", LB + "/{loadBalancerId}/pools/{poolId}", OK, optional=("$.nodes.*.links",))
def _lb_pool(ctx, entry):
    lb = _balancer(ctx)
    return ctx.call("GET", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{lb['id']}/pools/{lb['pools'][0]['id']}")


@case("lb-pool-create", "POST", LB + "/{loadBalancerId}/pools", OK)
def _lb_pool_create(ctx, entry):
    created = ctx.call(
        "POST", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}", json={"name": "pools", "description": ""}
    )
    assert created.status_code == 200, f"a load balancer for the pool: {created.text}"
    lb_id = created.json()["id"]
    return ctx.call(
        "POST", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{lb_id}/pools", json=entry["ContentExample"]
    )


@case("lb-nodes", "GET", LB + "/{loadBalancerId}/pools/{poolId}/nodes", OK, optional=("$.*.links",))
def _lb_nodes(ctx, entry):
    lb = _balancer(ctx)
    return ctx.call(
        "GET", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{lb['id']}/pools/{lb['pools'][0]['id']}/nodes"
    )


@case("invoice-last-month", "GET", "/v2/invoice/{accountAlias}/{year}/{month}", OK)
def _invoice(ctx, entry):
    last = datetime.now(UTC).replace(day=1) - timedelta(days=1)
    return ctx.call("GET", f"/v2/invoice/{ALIAS}/{last.year}/{last.month}")


# Calls documented with no response body: 204 No Content (the pages say so).
NO_CONTENT: list[Case] = []


def no_content(case_id, method, doc_path):
    def register(fn):
        NO_CONTENT.append(Case(case_id, method, doc_path, {204}, fn))
        return fn

    return register


@no_content("lb-update", "PUT", LB + "/{loadBalancerId}")
def _lb_update(ctx, entry):
    return ctx.call(
        "PUT", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{_balancer(ctx)['id']}", json=entry["ContentExample"]
    )


@no_content("lb-delete", "DELETE", LB + "/{loadBalancerId}")
def _lb_delete(ctx, entry):
    return ctx.call("DELETE", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{_balancer(ctx)['id']}")


@no_content("lb-pool-update", "PUT", LB + "/{loadBalancerId}/pools/{poolId}")
def _lb_pool_update(ctx, entry):
    lb = _balancer(ctx)
    path = f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{lb['id']}/pools/{lb['pools'][0]['id']}"
    return ctx.call("PUT", path, json=entry["ContentExample"])


@no_content("lb-pool-delete", "DELETE", LB + "/{loadBalancerId}/pools/{poolId}")
def _lb_pool_delete(ctx, entry):
    lb = _balancer(ctx)
    return ctx.call("DELETE", f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{lb['id']}/pools/{lb['pools'][0]['id']}")


@no_content("lb-nodes-update", "PUT", LB + "/{loadBalancerId}/pools/{poolId}/nodes")
def _lb_nodes_update(ctx, entry):
    lb = _balancer(ctx)
    # The documented addresses are no servers of ours: the same nodes with real ones.
    body = [
        dict(node, ipAddress=ip)
        for node, ip in zip(entry["ContentExample"], _node_addresses(ctx, 2), strict=True)
    ]
    path = f"/v2/sharedLoadBalancers/{ALIAS}/{DC}/{lb['id']}/pools/{lb['pools'][0]['id']}/nodes"
    return ctx.call("PUT", path, json=body)


# --- monitoring and policies ----------------------------------------------------------------------
SEEDED_ALERT_POLICY = "2bec81dd90aa4217887548c3c20d7421"  # "Production Web Servers - CPU"
SEEDED_ANTI_AFFINITY = "ca8b07035cf844f3b4f953074c2630eb"  # "Hyperscale Spread", WA1
SEEDED_AUTOSCALE = "9d14822c1e8541cea11703cf2b078c9d"  # "Production Database Scale Policy"
SEEDED_HORIZONTAL = "6cf7f7d139ee4d4f98a09bd0400b1a56"  # "Web Tier Scale Out"


def _alert_body(entry) -> dict:
    # The documented examples mail an empty address: give the recipient one.
    return fill(entry["ContentExample"], recipients=["ops@demo.example"])


@case("alert-policy-list", "GET", "/v2/alertPolicies/{accountAlias}", OK)
def _alert_policies(ctx, entry):
    return ctx.call("GET", f"/v2/alertPolicies/{ALIAS}")


@case("alert-policy-get", "GET", "/v2/alertPolicies/{accountAlias}/{policyId}", OK)
def _alert_policy(ctx, entry):
    return ctx.call("GET", f"/v2/alertPolicies/{ALIAS}/{SEEDED_ALERT_POLICY}")


@case("alert-policy-create", "POST", "/v2/alertPolicies/{accountAlias}", OK)
def _alert_policy_create(ctx, entry):
    return ctx.call("POST", f"/v2/alertPolicies/{ALIAS}", json=_alert_body(entry))


@case("alert-policy-update", "PUT", "/v2/alertPolicies/{accountAlias}/{policyId}", OK)
def _alert_policy_update(ctx, entry):
    return ctx.call("PUT", f"/v2/alertPolicies/{ALIAS}/{SEEDED_ALERT_POLICY}", json=_alert_body(entry))


@case("anti-affinity-list", "GET", "/v2/antiAffinityPolicies/{accountAlias}", OK)
def _anti_affinity_policies(ctx, entry):
    return ctx.call("GET", f"/v2/antiAffinityPolicies/{ALIAS}")


@case("anti-affinity-get", "GET", "/v2/antiAffinityPolicies/{accountAlias}/{policyId}", OK)
def _anti_affinity_policy(ctx, entry):
    return ctx.call("GET", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED_ANTI_AFFINITY}")


@case("anti-affinity-create", "POST", "/v2/antiAffinityPolicies/{accountAlias}", OK)
def _anti_affinity_create(ctx, entry):
    return ctx.call("POST", f"/v2/antiAffinityPolicies/{ALIAS}", json=entry["ContentExample"])


@case("anti-affinity-update", "PUT", "/v2/antiAffinityPolicies/{accountAlias}/{policyId}", OK)
def _anti_affinity_update(ctx, entry):
    return ctx.call(
        "PUT", f"/v2/antiAffinityPolicies/{ALIAS}/{SEEDED_ANTI_AFFINITY}", json=entry["ContentExample"]
    )


@case("autoscale-policy-list", "GET", "/v2/autoscalePolicies/{accountAlias}", OK)
def _autoscale_policies(ctx, entry):
    return ctx.call("GET", f"/v2/autoscalePolicies/{ALIAS}")


@case("autoscale-policy-get", "GET", "/v2/autoscalePolicies/{accountAlias}/{policyId}", OK)
def _autoscale_policy(ctx, entry):
    return ctx.call("GET", f"/v2/autoscalePolicies/{ALIAS}/{SEEDED_AUTOSCALE}")


@case("server-autoscale-set", "PUT", "/v2/servers/{accountAlias}/{serverId}/cpuAutoscalePolicy", OK)
def _server_autoscale_set(ctx, entry):
    body = fill(entry["ContentExample"], id=SEEDED_AUTOSCALE)
    return ctx.call("PUT", f"/v2/servers/{ALIAS}/{ctx.started()['id']}/cpuAutoscalePolicy", json=body)


@case("server-autoscale-get", "GET", "/v2/servers/{accountAlias}/{serverId}/cpuAutoscalePolicy", OK)
def _server_autoscale_get(ctx, entry):
    path = f"/v2/servers/{ALIAS}/{ctx.started()['id']}/cpuAutoscalePolicy"
    applied = ctx.call("PUT", path, json={"id": SEEDED_AUTOSCALE})
    assert applied.status_code == 200, f"setting the policy first: {applied.status_code} {applied.text}"
    return ctx.call("GET", path)


def _horizontal_body(ctx) -> dict:
    entry = doc_entry("PUT", "/v2/groups/{accountAlias}/{groupId}/horizontalAutoscalePolicy")
    return fill(entry["ContentExample"], policyId=SEEDED_HORIZONTAL)


@case(
    "group-horizontal-autoscale-set",
    "PUT",
    "/v2/groups/{accountAlias}/{groupId}/horizontalAutoscalePolicy",
    OK,
)
def _group_horizontal_set(ctx, entry):
    group = ctx.seed.group_named("Web")
    return ctx.call(
        "PUT", f"/v2/groups/{ALIAS}/{group['id']}/horizontalAutoscalePolicy", json=_horizontal_body(ctx)
    )


@case(
    "group-horizontal-autoscale-get",
    "GET",
    "/v2/groups/{accountAlias}/{groupId}/horizontalAutoscalePolicy",
    OK,
)
def _group_horizontal_get(ctx, entry):
    path = f"/v2/groups/{ALIAS}/{ctx.seed.group_named('Web')['id']}/horizontalAutoscalePolicy"
    applied = ctx.call("PUT", path, json=_horizontal_body(ctx))
    assert applied.status_code == 200, f"setting the policy first: {applied.status_code} {applied.text}"
    return ctx.call("GET", path)


@case(
    "group-scheduled-activities",
    "GET",
    "/v2/groups/{accountAlias}/{groupId}/ScheduledActivities",
    OK,
    # Left out when they do not apply, as the example leaves them out (expire "never", never run).
    optional=("expireCount", "expireDateUtc", "lastOccurrenceDateUtc"),
)
def _group_scheduled_activities(ctx, entry):
    # The documented activity: a shutdown every Tuesday and Thursday, created first.
    path = f"/v2/groups/{ALIAS}/{ctx.seed.group_named('Web')['id']}/ScheduledActivities"
    body = {
        "status": "on",
        "type": "shutdown",
        "beginDateUTC": "2015-03-16T18:11:00Z",
        "repeat": "customWeekly",
        "customWeeklyDays": ["tue", "thu"],
        "expire": "never",
        "timeZoneOffset": "-07:00",
    }
    created = ctx.call("POST", path, json=body)
    assert created.status_code == 200, f"creating the activity first: {created.status_code} {created.text}"
    return ctx.call("GET", path)


# --- the tests ----------------------------------------------------------------------------------
def test_contract_file_is_present():
    # Never skipped: without the contract every case below would be meaningless.
    assert API_JSON.is_file(), f"missing {API_JSON} (shared/ must sit beside the repository)"
    assert len(load_api()) > 50


def contract_tests(cases: list[Case]):
    """The two tests of a contract module's ``cases`` (the rules accept each documented example; the
    simulator's answer matches it): each module binds them to these names, which pytest collects."""

    @pytest.mark.parametrize("case", cases, ids=lambda c: c.id)
    def test_documented_example_matches_itself(case):
        """The comparison rules accept the documented example (keeps the rules and exceptions honest)."""
        check_documented_example(case)

    @pytest.mark.parametrize("case", cases, ids=lambda c: c.id)
    def test_simulator_matches_published_contract(simulator, case):
        check_simulator_answer(simulator, case)

    return test_documented_example_matches_itself, test_simulator_matches_published_contract


test_documented_example_matches_itself, test_simulator_matches_published_contract = contract_tests(CASES)


def check_documented_example(case: Case) -> None:
    entry = documented(case)
    doc = entry["ResExample"]
    if case.no_body:
        assert doc is None, f"{case.id}: the contract documents a body"
        return
    assert doc is not None, f"{case.id}: api.json documents no response body"
    if case.operations:
        doc = doc[:1]  # the documented array mixes a queued entry and a refused one
    assert shape_mismatches(entry["ResExample"], doc, maps=case.maps, skip=case.skip, ints=case.ints) == []


def check_simulator_answer(simulator, case: Case) -> None:
    entry = documented(case)
    ctx = Ctx(simulator)
    response = case.run(ctx, entry)
    request = f"{response.request.method} {response.request.path_url}"
    assert response.status_code in case.status, (
        f"{request}: status {response.status_code}, documented {sorted(case.status)}; body {response.text[:400]}"
    )
    if case.no_body:
        assert response.content == b"", f"{request}: expected no body, got {response.text[:300]}"
        return
    assert response.headers.get("Content-Type", "").startswith("application/json"), request
    body = response.json()
    doc = entry["ResExample"]
    if isinstance(doc, list):
        assert isinstance(body, list) and body, f"{request}: expected a non-empty array, got {body!r:.300}"
    if case.operations:
        refused = [item for item in body if not item.get("isQueued")]
        assert not refused, f"{request}: not queued: {refused}"
    problems = shape_mismatches(doc, body, maps=case.maps, skip=case.skip, ints=case.ints)
    page = (
        case.table_page
        if case.table_page is not None
        else case.doc_page or page_for(case.method, case.doc_path)
    )
    if page:  # the page's field tables too (keys the examples leave out, nested entities)
        optional = sometimes_missing(doc) | set(case.optional)
        skip = case.skip + case.table_skip
        found = table_mismatches(page, body, maps=case.maps, skip=skip, optional=optional)
        problems += [f"{line} [{page}]" for line in found]
    if case.tree:
        stack = [("$.groups", g) for g in body.get("groups", [])]
        while stack:
            where, group = stack.pop()
            problems += [
                line.replace("$", f"{where}[id={group.get('id')}]", 1)
                for line in shape_mismatches(doc["groups"][0], group, skip=("$.groups",))
            ]
            stack += [(f"{where}[id={group.get('id')}].groups", g) for g in group.get("groups", [])]
    shown = problems[:12] + ([f"... and {len(problems) - 12} more"] if len(problems) > 12 else [])
    assert not problems, f"{request} differs from the documented response:\n  " + "\n  ".join(shown)


@pytest.mark.parametrize("case", NO_CONTENT, ids=lambda c: c.id)
def test_simulator_answers_no_content_where_documented(simulator, case):
    entry = doc_entry(case.method, case.doc_path)
    assert entry["ResExample"] is None, f"{case.id}: api.json documents a body after all"
    response = case.run(Ctx(simulator), entry)
    request = f"{response.request.method} {response.request.path_url}"
    assert response.status_code == 204, f"{request}: {response.status_code} {response.text[:400]}"
    assert response.content == b"", f"{request}: 204 with a body {response.text[:200]!r}"


def test_shape_rules_catch_what_they_should():
    doc = {"a": "x", "n": 1.5, "items": [{"k": True}], "links": [{"rel": "self", "href": "/", "verbs": []}]}
    good = {
        "a": "y",
        "n": 2,
        "extra": 1,
        "items": [{"k": False}],
        "links": [{"rel": "self", "href": "/x", "verbs": ["GET"]}, {"rel": "other", "href": "/o"}],
    }
    assert shape_mismatches(doc, good) == []
    bad = {"a": 1, "items": [{"k": "true"}], "links": [{"rel": "self", "href": "/x"}]}
    assert shape_mismatches(doc, bad) == [
        "$.a: expected string, got number (1)",
        "$.n: missing",
        '$.items[0].k: expected bool, got string ("true")',
        "$.links[rel=self].verbs: missing (rel self)",
    ]
    assert shape_mismatches({"n": 2}, {"n": 2.0}, ints=("n",)) == [
        "$.n: expected an integer like the doc's 2, got 2.0"
    ]
    assert shape_mismatches({"m": {"id1": {"x": 1}}}, {"m": {"id9": {"x": None}}}, maps=("$.m",)) == [
        "$.m.*.x: expected number, got null (null) (key 'id9')"
    ]
