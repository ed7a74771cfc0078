"""Every link the simulator advertises answers every verb it advertises (issue #17), for every demo
sign-in, on the demo seed and on ``scale:200``.

How (details in ``tests/support/link_walk.py`` and docs/simulator.md, "Links"): reads first (GET of
every link reachable from the data center list and the other documented list calls), then every
advertised POST/PUT/PATCH with an empty body (a 400 is an answer; body-less calls really happen),
then every advertised DELETE, deepest path first. Queued operations last for days during the walk,
and the world is reset before each walk. An answer of 403 (the role may not, so the link or verb
should not have been shown), 404, 405 or 5xx fails the walk.

On the demo seed the walk first adds what the seed lacks, as ``demo`` (AccountAdmin), so those
states' links are walked too: a server being built, a failed build, a bare metal server, an import
being built, an archived group, a scheduled activity, a horizontal and a vertical autoscale mapping, an
anti-affinity member, a webhook configuration.
"""

import pytest

from tests.support.link_walk import LinkWalk
from tests.support.simulator import wait_until

ROLES = ["demo", "operator", "viewer", "netadmin", "security", "billing", "other"]
LONG = 10**6  # seconds an operation lasts during the walk (before speed): it never completes
SEEDED_HORIZONTAL = "6cf7f7d139ee4d4f98a09bd0400b1a56"  # "Web Tier Scale Out"
SEEDED_AUTOSCALE = "9d14822c1e8541cea11703cf2b078c9d"  # "Production Database Scale Policy"
SEEDED_ANTI_AFFINITY = "ca8b07035cf844f3b4f953074c2630eb"  # "Hyperscale Spread", WA1
BARE_METAL_SKU = "529e2592a3e640a7c2617b5e8bc8feaed95eab22"

# What the demo sign-in must have met on the demo seed (so the walk cannot quietly shrink).
DEMO_RELS = {
    "self", "group", "deploymentCapabilities", "loadBalancers", "availableOvfs", "server",
    "parentGroup", "createGroup", "createServer", "defaults", "billing", "archiveGroupAction",
    "restoreGroupAction", "statistics", "upcomingScheduledActivities", "scheduledActivities",
    "horizontalAutoscalePolicyMapping", "horizontalAutoscalePolicy", "account", "publicIPAddresses",
    "alertPolicyMappings", "alertPolicyMap", "antiAffinityPolicyMapping", "cpuAutoscalePolicyMapping",
    "capabilities", "credentials", "publicIPAddress", "delete", "restore", "status", "customFields",
    "datacenters", "ipAddresses", "release", "pools", "nodes", "configuration",
}  # fmt: skip


def entry_points(session, base: str, alias: str, fallback_dcs: list[str]) -> list[str]:
    """Where a client starts: the data center list, and the documented list calls no link leads to."""
    listed = session.get(f"{base}/v2/datacenters/{alias}", timeout=10)
    dcs = [d["id"] for d in listed.json()] if listed.status_code == 200 else fallback_dcs
    out = [
        f"/v2/datacenters/{alias}",
        f"/v2/accounts/{alias}",
        f"/v2/alertPolicies/{alias}",
        f"/v2/antiAffinityPolicies/{alias}",
        f"/v2/autoscalePolicies/{alias}",
        f"/v2/horizontalAutoscalePolicies/{alias}",
        f"/v2/webhooks/{alias}",
    ]
    for dc in dcs:
        out += [
            f"/v2-experimental/networks/{alias}/{dc}",
            f"/v2-experimental/networks/{alias}/{dc}/logging",
            f"/v2-experimental/firewallPolicies/{alias}/{dc}",
            f"/v2-experimental/crossDcFirewallPolicies/{alias}/{dc}",
            f"/v2/datacenters/{alias}/{dc}/bareMetalCapabilities",
        ]
    return out


# --- the states the demo seed lacks ---------------------------------------------------------------
def _ok(response, what: str):
    assert response.status_code < 300, f"setting up {what}: {response.status_code} {response.text[:300]}"
    return response.json() if response.content else None


def _groups(admin, base) -> dict:
    root = next(
        lk
        for lk in admin.get(f"{base}/v2/datacenters/DEMO/WA1?groupLinks=true").json()["links"]
        if lk["rel"] == "group"
    )
    tree = admin.get(f"{base}/v2/groups/DEMO/{root['id']}").json()
    out, stack = {}, [tree]
    while stack:
        group = stack.pop()
        out[group["name"]] = group
        stack += group["groups"]
    return out


def _create(admin, base, group_id: str, name: str, **extra) -> dict:
    body = {"name": name, "groupId": group_id, "sourceServerId": "UBUNTU-22-64-TEMPLATE", "cpu": 1,
            "memoryGB": 2, "type": "standard", **extra}  # fmt: skip
    return _ok(admin.post(f"{base}/v2/servers/DEMO", json=body, timeout=10), f"server {name}")


def add_missing_states(simulator, admin) -> None:
    base = simulator.url
    groups = _groups(admin, base)
    web, default = groups["Web"]["id"], groups["Default Group"]["id"]
    # Things that must have completed: short operations first.
    simulator.control("config", durationSeconds=0.01)
    simulator.control("fail-next", count=1)
    failed = _create(admin, base, default, "failed")
    _ok(admin.post(f"{base}/v2/groups/DEMO/{groups['Canary']['id']}/archive", json={}), "an archived group")
    va1 = _groups_in(admin, base, "VA1")
    bare = _create(
        admin, base, va1, "metal", type="bareMetal", configurationId=BARE_METAL_SKU, osType="ubuntu14_64Bit"
    )
    for answer in (failed, bare):
        href = answer["links"][1]["href"]
        wait_until(lambda h=href: admin.get(base + h).json()["status"] != "underConstruction", timeout=10)
    simulator.control("config", durationSeconds=LONG)
    # Things that stay as they are during the walk.
    _create(admin, base, default, "build")
    _create(admin, base, default, "hyper", type="hyperscale", storageType="hyperscale",
            antiAffinityPolicyId=SEEDED_ANTI_AFFINITY)  # fmt: skip
    _ok(admin.post(f"{base}/v2/vmImport/DEMO", json={
        "name": "imp", "groupId": default, "password": "P@ssw0rd1", "cpu": 1, "memoryGB": 2, "type": "standard",
        "ovfId": "DEMO/CUSTOM-OVF-IMPORT", "ovfOsType": "redHat6_64Bit"}), "an import")  # fmt: skip
    _ok(
        admin.put(
            f"{base}/v2/groups/DEMO/{web}/horizontalAutoscalePolicy", json={"policyId": SEEDED_HORIZONTAL}
        ),
        "hpa",
    )
    _ok(admin.post(f"{base}/v2/groups/DEMO/{web}/scheduledActivities", json={
        "status": "on", "type": "reboot", "beginDateUTC": "2030-01-01T02:00:00Z", "repeat": "daily",
        "expire": "never", "timeZoneOffset": "+00:00"}), "a scheduled activity")  # fmt: skip
    started = next(
        lk["id"] for lk in groups["Web"]["links"]
        if lk["rel"] == "server" and admin.get(f"{base}{lk['href']}").json()["details"]["powerState"] == "started"
    )  # fmt: skip
    _ok(
        admin.put(f"{base}/v2/servers/DEMO/{started}/cpuAutoscalePolicy", json={"id": SEEDED_AUTOSCALE}),
        "autoscale",
    )
    _ok(admin.put(f"{base}/v2/webhooks/DEMO/Server.Created/configuration", json={
        "recursive": False, "targetUris": [{"targetUri": "http://127.0.0.1:9/walk"}]}), "a webhook")  # fmt: skip


def _groups_in(admin, base, dc: str) -> str:
    root = next(
        lk
        for lk in admin.get(f"{base}/v2/datacenters/DEMO/{dc}?groupLinks=true").json()["links"]
        if lk["rel"] == "group"
    )
    tree = admin.get(f"{base}/v2/groups/DEMO/{root['id']}").json()
    return next(g["id"] for g in tree["groups"] if g["name"] == "Default Group")


# --- the walks ------------------------------------------------------------------------------------
def walk(simulator, seed: str, user: str):
    sessions = {name: simulator.session(name) for name in {"demo", user}}
    simulator.control("reset", seed=seed, keepTokens=True)
    if seed == "demo":
        add_missing_states(simulator, sessions["demo"])
    simulator.control("config", durationSeconds=LONG)
    alias = "OTHR" if user == "other" else "DEMO"
    entries = entry_points(sessions[user], simulator.url, alias, ["WA1", "VA1", "UC1", "IL1", "GB3", "CA3"])
    return LinkWalk(sessions[user], simulator.url).run(entries)


def _report(result) -> str:
    shown = [str(p) for p in result.problems[:25]]
    more = len(result.problems) - len(shown)
    return "\n  ".join(shown + ([f"... and {more} more"] if more > 0 else []))


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("seed", ["demo", "scale:200"])
def test_every_advertised_link_answers_every_advertised_verb(simulator, seed, user):
    result = walk(simulator, seed, user)
    assert not result.problems, f"{len(result.problems)} link calls failed:\n  {_report(result)}"
    if user == "billing":  # sees no data centers, groups or servers: the account and its lists only
        assert {"customFields", "datacenters"} <= result.rels and "server" not in result.rels
        return
    assert {"self", "deploymentCapabilities"} <= result.rels
    if user != "netadmin":  # NetworkAdmin reads networks and policies, not groups or servers
        assert {"group", "statistics"} <= result.rels
        if not (seed != "demo" and user == "other"):  # scale:N gives OTHR no servers
            assert "server" in result.rels
    if user == "demo" and seed == "demo":
        missing = DEMO_RELS - result.rels
        assert not missing, f"the walk met no link of rel {sorted(missing)}"
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            assert result.count(method) > 0, f"no {method} was advertised"
        assert result.count() > 1500
