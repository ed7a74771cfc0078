"""Networks, secondary networks, public IPs and firewall policies against the published contract,
with the machinery of ``test_simulator_contract.py`` (same Case, same shape rules, same checks).

Endpoints that api.json leaves out (cross data center policies, network log forwarding, the status
of a ``/v2-experimental`` operation) are compared with the JSON examples of their pages. Where the
examples are not valid as they stand:
- add-secondary-network sends ``ipAddress: "123.456.1.1"`` (no IPv4 address): left out;
- update-intra-dc-firewall-policy sends ``123.45.678.1/32`` / ``234.4.678.2/32`` (no IPv4 blocks):
  replaced by valid blocks;
- the cross data center example names accounts and data centers the demo does not have (``dest``,
  ``UC1``): the demo's own account and VA1;
- get-ip-address-list and get-network (``ipAddresses=claimed``) document only claimed entries
  (each with ``server``): the cases ask for claimed addresses.
"""

from tests.support.contract import DROP, fill
from tests.test_simulator_contract import (
    ACCEPTED,
    ALIAS,
    CREATED,
    DC,
    OK,
    STATUS_LINK_ONLY,
    Case,
    contract_tests,
    registrar,
)

NO_CONTENT = {204}
NETWORKS = f"/v2-experimental/networks/{ALIAS}/{DC}"
FIREWALL = f"/v2-experimental/firewallPolicies/{ALIAS}/{DC}"
CROSS = f"/v2-experimental/crossDcFirewallPolicies/{ALIAS}/{DC}"

CASES: list[Case] = []
case = registrar(CASES)


# --- what the cases need ------------------------------------------------------------------------
def _networks(ctx) -> list[dict]:
    response = ctx.call("GET", NETWORKS)
    assert response.status_code == 200, f"network list: {response.status_code} {response.text}"
    return response.json()


def _network(ctx, *, used: bool) -> dict:
    """A WA1 network with claimed addresses (used) or without any."""
    for network in _networks(ctx):
        claimed = ctx.call(
            "GET", f"{NETWORKS}/{network['id']}/ipAddresses", params={"type": "claimed"}
        ).json()
        if bool(claimed) == used:
            return network
    raise LookupError(f"the demo seed has no WA1 network that is {'used' if used else 'empty'}")


def _named(ctx, name: str) -> dict:
    return next(n for n in _networks(ctx) if n["name"] == name)


def _in(network: dict, address: str) -> bool:
    import ipaddress

    return ipaddress.IPv4Address(address) in ipaddress.IPv4Network(network["cidr"])


def _with_public_ip(ctx) -> tuple[dict, str]:
    server = ctx.server(
        "with a public IP",
        lambda s: s.get("status") == "active" and any("public" in ip for ip in s["details"]["ipAddresses"]),
    )
    return server, next(ip["public"] for ip in server["details"]["ipAddresses"] if "public" in ip)


def _policy_id(ctx, path: str) -> str:
    response = ctx.call("GET", path)
    assert response.status_code == 200 and response.json(), (
        f"policy list: {response.status_code} {response.text}"
    )
    return response.json()[0]["id"]


# --- networks -----------------------------------------------------------------------------------
@case("network-list", "GET", "/v2-experimental/networks/{accountAlias}/{dataCenter}", OK)
def _network_list(ctx, entry):
    return ctx.call("GET", NETWORKS)


@case(
    "network-get-claimed",
    "GET",
    "/v2-experimental/networks/{accountAlias}/{dataCenter}/{Network}",
    OK,
    table_skip=("$.type",),  # the table says boolean; its example (and every other page) "private"
)
def _network_get(ctx, entry):
    return ctx.call("GET", f"{NETWORKS}/{_network(ctx, used=True)['id']}", params={"ipAddresses": "claimed"})


@case(
    "network-ip-addresses",
    "GET",
    "/v2-experimental/networks/{accountAlias}/{dataCenter}/{Network}/ipAddresses",
    OK,
    # The documented list mixes a free address (no "server", its third entry) with claimed ones;
    # claimed entries carry "server" (test_simulator_networks checks each one).
    skip=("$[2].server",),
)
def _network_ips(ctx, entry):
    network = _network(ctx, used=True)
    return ctx.call("GET", f"{NETWORKS}/{network['id']}/ipAddresses", params={"type": "claimed"})


@case("network-claim", "POST", "/v2-experimental/networks/{accountAlias}/{dataCenter}/claim", ACCEPTED)
def _network_claim(ctx, entry):
    return ctx.call("POST", f"{NETWORKS}/claim")


@case(
    "network-update",
    "PUT",
    "/v2-experimental/networks/{accountAlias}/{dataCenter}/{Network}",
    NO_CONTENT,
    no_body=True,
)
def _network_update(ctx, entry):
    network = _network(ctx, used=True)
    return ctx.call("PUT", f"{NETWORKS}/{network['id']}", json=entry["ContentExample"])


@case(
    "network-release",
    "POST",
    "/v2-experimental/networks/{accountAlias}/{dataCenter}/{Network}/release",
    NO_CONTENT,
    no_body=True,
)
def _network_release(ctx, entry):
    return ctx.call("POST", f"{NETWORKS}/{_network(ctx, used=False)['id']}/release")


@case(
    "network-log-forwarding-get",
    "GET",
    "/v2-experimental/networks/{accountAlias}/{dataCenter}/logging",
    OK,
    doc_page="Networks/get-log-forwarding-address.md",
)
def _logging_get(ctx, entry):
    return ctx.call("GET", f"{NETWORKS}/logging")


@case(
    "network-log-forwarding-update",
    "PUT",
    "/v2-experimental/networks/{accountAlias}/{dataCenter}/logging",
    ACCEPTED,
    doc_page="Networks/update-log-forwarding-address.md",
    content_block=0,
    response_block=1,
)
def _logging_update(ctx, entry):
    return ctx.call("PUT", f"{NETWORKS}/logging", json=entry["ContentExample"])


@case(
    "experimental-operation-status",
    "GET",
    "/v2-experimental/operations/{accountAlias}/status/{operationId}",
    OK,
    doc_page="Networks/claim-network.md",
    response_block=2,  # the succeeded claim, with the link to the new network
    table_page="",  # the page's table describes the claim's answer, not the status
)
def _experimental_status(ctx, entry):
    claimed = ctx.call("POST", f"{NETWORKS}/claim")
    assert claimed.status_code == 202, f"claim: {claimed.status_code} {claimed.text}"
    ctx.sim.control("clock", advance=3600)  # the claim completes
    return ctx.call("GET", claimed.json()["uri"])


# --- secondary networks -------------------------------------------------------------------------
@case("server-add-network", "POST", "/v2/servers/{accountAlias}/{serverId}/networks", ACCEPTED)
def _add_network(ctx, entry):
    backend = _named(ctx, "Backend")
    server = ctx.server(
        "started, without an address in Backend",
        lambda s: s.get("status") == "active"
        and s["details"]["powerState"] == "started"
        and not any(_in(backend, ip["internal"]) for ip in s["details"]["ipAddresses"]),
    )
    body = fill(entry["ContentExample"], networkId=backend["id"], ipAddress=DROP)
    return ctx.call("POST", f"/v2/servers/{ALIAS}/{server['id']}/networks", json=body)


@case(
    "server-remove-network", "DELETE", "/v2/servers/{accountAlias}/{serverId}/networks/{networkId}", ACCEPTED
)
def _remove_network(ctx, entry):
    backend = _named(ctx, "Backend")
    server = ctx.server(
        "with a secondary address in Backend",
        lambda s: s.get("status") == "active"
        and not _in(backend, s["details"]["ipAddresses"][0]["internal"])
        and any(_in(backend, ip["internal"]) for ip in s["details"]["ipAddresses"]),
    )
    return ctx.call("DELETE", f"/v2/servers/{ALIAS}/{server['id']}/networks/{backend['id']}")


# --- public IPs (add and get are in test_simulator_contract.py) ----------------------------------
@case(
    "public-ip-update",
    "PUT",
    "/v2/servers/{accountAlias}/{serverId}/publicIPAddresses/{publicIP}",
    STATUS_LINK_ONLY,
)
def _public_ip_update(ctx, entry):
    server, address = _with_public_ip(ctx)
    path = f"/v2/servers/{ALIAS}/{server['id']}/publicIPAddresses/{address}"
    return ctx.call("PUT", path, json=entry["ContentExample"])


@case(
    "public-ip-remove",
    "DELETE",
    "/v2/servers/{accountAlias}/{serverId}/publicIPAddresses/{publicIP}",
    STATUS_LINK_ONLY,
)
def _public_ip_remove(ctx, entry):
    server, address = _with_public_ip(ctx)
    return ctx.call("DELETE", f"/v2/servers/{ALIAS}/{server['id']}/publicIPAddresses/{address}")


# --- intra data center firewall policies ---------------------------------------------------------
@case(
    "firewall-intra-create",
    "POST",
    "/v2-experimental/firewallPolicies/{sourceAccountAlias}/{dataCenter}",
    CREATED,
)
def _intra_create(ctx, entry):
    return ctx.call("POST", FIREWALL, json=fill(entry["ContentExample"], destinationAccount=ALIAS))


@case("firewall-intra-list", "GET", "/v2-experimental/firewallPolicies/{sourceAccountAlias}/{dataCenter}", OK)
def _intra_list(ctx, entry):
    return ctx.call("GET", FIREWALL, params={"destinationAccount": ALIAS})


@case(
    "firewall-intra-get",
    "GET",
    "/v2-experimental/firewallPolicies/{sourceAccountAlias}/{dataCenter}/{firewallPolicy}",
    OK,
    # The table says string; the example (and create/update bodies) carry lists.
    table_skip=("$.source", "$.destination", "$.ports"),
)
def _intra_get(ctx, entry):
    return ctx.call("GET", f"{FIREWALL}/{_policy_id(ctx, FIREWALL)}")


@case(
    "firewall-intra-update",
    "PUT",
    "/v2-experimental/firewallPolicies/{sourceAccountAlias}/{dataCenter}/{firewallPolicy}",
    NO_CONTENT,
    no_body=True,
)
def _intra_update(ctx, entry):
    body = fill(entry["ContentExample"], source=["123.45.67.1/32"], destination=["234.4.67.2/32"])
    return ctx.call("PUT", f"{FIREWALL}/{_policy_id(ctx, FIREWALL)}", json=body)


@case(
    "firewall-intra-delete",
    "DELETE",
    "/v2-experimental/firewallPolicies/{sourceAccountAlias}/{dataCenter}/{firewallPolicy}",
    NO_CONTENT,
    no_body=True,
)
def _intra_delete(ctx, entry):
    return ctx.call("DELETE", f"{FIREWALL}/{_policy_id(ctx, FIREWALL)}")


# --- cross data center firewall policies (pages only) -------------------------------------------
_CROSS_PAGE = "Firewall/{}-cross-dc-firewall-policy{}.md"
CROSS_TEMPLATE = "/v2-experimental/crossDcFirewallPolicies/{accountAlias}/{dataCenter}"


@case(
    "firewall-cross-create",
    "POST",
    "crossDcFirewallPolicies create",
    CREATED,
    doc_page=_CROSS_PAGE.format("create", ""),
    path=CROSS_TEMPLATE,
    content_block=0,
    response_block=1,
)
def _cross_create(ctx, entry):
    body = fill(entry["ContentExample"], destinationAccountId=ALIAS, destinationLocationId="VA1")
    return ctx.call("POST", CROSS, json=body)


@case(
    "firewall-cross-list",
    "GET",
    "crossDcFirewallPolicies list",
    OK,
    doc_page=_CROSS_PAGE.format("get", "-list"),
    path=CROSS_TEMPLATE,
)
def _cross_list(ctx, entry):
    return ctx.call("GET", CROSS, params={"destinationAccountId": ALIAS})


@case(
    "firewall-cross-get",
    "GET",
    "crossDcFirewallPolicies get",
    OK,
    doc_page=_CROSS_PAGE.format("get", ""),
    path=CROSS_TEMPLATE + "/{policyId}",
)
def _cross_get(ctx, entry):
    return ctx.call("GET", f"{CROSS}/{_policy_id(ctx, CROSS)}")


@case(
    "firewall-cross-update",
    "PUT",
    "crossDcFirewallPolicies update",
    NO_CONTENT,
    no_body=True,
    doc_page=_CROSS_PAGE.format("update", ""),
    path=CROSS_TEMPLATE + "/{policyId}",
)
def _cross_update(ctx, entry):
    return ctx.call("PUT", f"{CROSS}/{_policy_id(ctx, CROSS)}", params={"enabled": "false"})


@case(
    "firewall-cross-delete",
    "DELETE",
    "crossDcFirewallPolicies delete",
    NO_CONTENT,
    no_body=True,
    doc_page=_CROSS_PAGE.format("delete", ""),
    path=CROSS_TEMPLATE + "/{policyId}",
)
def _cross_delete(ctx, entry):
    return ctx.call("DELETE", f"{CROSS}/{_policy_id(ctx, CROSS)}")


# --- the tests ----------------------------------------------------------------------------------
test_documented_example_matches_itself, test_simulator_matches_published_contract = contract_tests(CASES)


def test_every_network_and_firewall_endpoint_has_a_case():
    # api.json's networking entries (the pages-only endpoints are listed by hand above).
    from tests.support.contract import load_api

    covered = {(c.method, c.doc_path) for c in CASES}
    wanted = {
        (e["Method"], e["Url"].removeprefix("https://api.ctl.io").split("?", 1)[0].rstrip("/"))
        for e in load_api()
        if "/networks" in e["Url"] or "firewallPolicies" in e["Url"]
    }
    assert wanted and wanted <= covered, sorted(wanted - covered)
