"""One example per registered action (``apps.actions.registry``), for the walking test
(``tests/test_actions_registry.py``): which resource of the demo seed it acts on, the valid form
data a page posts and the JSON the API takes, and — for an action without a ``link`` — how the
resource the cloud returns to a role shows whether the role may.

Adding an action? Add its example here with ``add(...)``; the walking test fails for an action
without one. ``pick(demo)`` returns the route's URL kwargs (``{"server_id": ...}``,
``{"group_id": ...}``; ``{"ids": [...]}`` for servers in bulk); ``data(demo, kwargs)`` the page's
form fields; ``api`` the API body when it differs; ``prepare(demo)`` changes the world first (e.g.
archives a group to restore) and runs on a freshly reset simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from tests.support.portal import create_server_form, find_group, sim_root_id, wait_operation, walk

PASSWORD = "Walk-passw0rd!"
COST_CENTER = "22f002123e3b46d9a8b38ecd4c6df7f9"  # the demo account's "Cost Center" text field
ENVIRONMENT = "a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c"  # its "Environment" option field


class Demo:
    """The demo seed (WA1) as the simulator shows it to demo; read once, when first needed."""

    def __init__(self, simulator):
        self.simulator = simulator

    @cached_property
    def session(self):
        return self.simulator.session("demo")

    @cached_property
    def tree(self) -> dict:
        """WA1's root group, its subtree and every server of it (one read: ``serverDetail``)."""
        root = sim_root_id(self.session)
        url = f"{self.simulator.url}/v2/groups/demo/{root}?serverDetail=detailed"
        return self.session.get(url, timeout=10).json()

    @cached_property
    def servers(self) -> list[dict]:
        return [s for g in walk(self.tree) for s in g.get("servers") or ()]

    def group(self, name: str) -> dict:
        return find_group(self.tree, name)

    def server(self, test: Callable[[dict], bool], n: int = 1):
        found = [s for s in self.servers if test(s)]
        assert len(found) >= n, "the demo seed has no such server"
        return found[:n] if n > 1 else found[0]

    def forget(self) -> None:
        for name in ("tree", "servers"):
            self.__dict__.pop(name, None)


@dataclass(frozen=True)
class Example:
    pick: Callable[[Demo], dict]
    data: Callable[[Demo, dict], dict] = lambda demo, kwargs: {}
    api: Callable[[Demo, dict], dict] | None = None
    prepare: Callable[[Demo], None] | None = None
    # For an action without a ``link``: does this resource, as the cloud returned it to a role, offer
    # the action? (the server's or group's JSON; for servers in bulk, each server's)
    offers: Callable[[dict], bool] | None = None
    # The API path whose answer shows a role what it may (its links); default: the server or group
    read: Callable[[dict], str] | None = None
    notes: str = ""

    def api_body(self, demo: Demo, kwargs: dict) -> dict:
        body = (self.api or self.data)(demo, kwargs)
        if "ids" in kwargs:
            body = {**body, "ids": list(kwargs["ids"])}
        return body


EXAMPLES: dict[tuple[str, str], Example] = {}


def add(target: str, names, example: Example) -> None:
    for name in [names] if isinstance(names, str) else names:
        EXAMPLES[(target, name)] = example


def example_for(action) -> Example:
    found = EXAMPLES.get((action.target, action.name))
    if found is None:
        raise LookupError(
            f"The action {action.audit_action} has no example: add one in tests/support/action_examples.py "
            f'(add("{action.target}", "{action.name}", Example(pick=..., data=...)))'
        )
    return found


# --- what a resource offers ---------------------------------------------------------------------
def links(body: dict, rel: str) -> list[dict]:
    return [lk for lk in body.get("links") or () if lk.get("rel") == rel]


def has_link(body: dict, rel: str, verb: str | None = None) -> bool:
    return any(verb is None or verb in (lk.get("verbs") or ()) for lk in links(body, rel))


def offers(action, example: Example, body) -> bool:
    """Whether the cloud offers ``action`` on ``body`` (one resource, or a list for servers in bulk)."""
    bodies = body if isinstance(body, list) else [body]
    if example.offers is not None:
        return all(example.offers(b) for b in bodies)
    assert action.link is not None, f"{action.audit_action}: give its example an `offers`"
    return all(has_link(b, *action.link) for b in bodies)


# --- servers ------------------------------------------------------------------------------------
def details(s: dict) -> dict:
    return s.get("details") or {}


def active(s: dict) -> bool:
    return s["status"] == "active" and not s.get("isTemplate")


def started(s: dict) -> bool:
    return active(s) and details(s)["powerState"] == "started" and not details(s)["inMaintenanceMode"]


def stopped(s: dict) -> bool:
    return active(s) and details(s)["powerState"] == "stopped"


def in_maintenance(s: dict) -> bool:
    return active(s) and details(s)["inMaintenanceMode"]


def linux(s: dict) -> bool:
    return "windows" not in (s.get("os") or "").lower()


def one(test) -> Callable[[Demo], dict]:
    return lambda demo: {"server_id": demo.server(test)["id"]}


def many(test, n: int = 2) -> Callable[[Demo], dict]:
    return lambda demo: {"ids": [s["id"] for s in demo.server(test, n)]}


def server_of(demo: Demo, kwargs: dict) -> dict:
    return next(s for s in demo.servers if s["id"].lower() == kwargs["server_id"].lower())


def snapshot_id(s: dict) -> str:
    link = links(details(s)["snapshots"][0], "self")[0]
    return link["href"].rstrip("/").rsplit("/", 1)[-1]


def has_snapshot(s: dict) -> bool:
    return active(s) and bool(details(s)["snapshots"])


def snapshot_offers(rel: str):
    return lambda body: any(links(snap, rel) for snap in details(body).get("snapshots") or ())


def public_ip(s: dict) -> str:
    return next(ip["public"] for ip in details(s)["ipAddresses"] if ip.get("public"))


def has_public_ip(s: dict) -> bool:
    return active(s) and any(ip.get("public") for ip in details(s)["ipAddresses"])


def extra_disk(s: dict) -> str | None:
    return next((d["id"] for d in details(s).get("disks") or () if d["partitionPaths"]), None)


def password_of(demo: Demo, kwargs: dict) -> str:
    base = demo.simulator.url
    answer = demo.session.get(f"{base}/v2/servers/demo/{kwargs['server_id']}/credentials", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["password"]


def self_verb(verb: str):
    return lambda body: has_link(body, "self", verb)


POWER = {
    "powerOn": stopped,
    "shutDown": started,
    "reboot": started,
    "pause": started,
    "powerOff": started,
    "reset": started,
    "startMaintenance": started,
    "stopMaintenance": in_maintenance,
}
for _name, _test in POWER.items():
    add("server", _name, Example(pick=one(_test)))
    add("servers", _name, Example(pick=many(_test), offers=self_verb("PATCH")))
add("servers", "archive", Example(pick=many(active), offers=self_verb("DELETE")))
add("server", ["archive", "delete"], Example(pick=one(active)))
add(
    "server",
    "description",
    Example(pick=one(active), data=lambda d, k: {"description": "Walked by the test"}),
)
add(
    "server",
    "createSnapshot",
    Example(
        pick=one(lambda s: active(s) and not details(s)["snapshots"]),
        data=lambda d, k: {"expiration_days": 3},
    ),
)
add(
    "server",
    "deleteSnapshot",
    Example(
        pick=one(has_snapshot),
        data=lambda d, k: {"snapshot": snapshot_id(server_of(d, k))},
        offers=snapshot_offers("delete"),
    ),
)
add(
    "server",
    "revertSnapshot",
    Example(
        pick=one(has_snapshot),
        data=lambda d, k: {"snapshot": snapshot_id(server_of(d, k))},
        offers=snapshot_offers("restore"),
    ),
)
add("server", "setCpuMemory", Example(pick=one(active), data=lambda d, k: {"cpu": 3, "memory": 6}))
add("server", "disk", Example(pick=one(active), data=lambda d, k: {"disk": "new", "size_gb": 20, "path": ""}))
add(
    "server",
    "removeDisk",
    Example(
        pick=one(lambda s: active(s) and linux(s) and extra_disk(s)),
        data=lambda d, k: {"disk": extra_disk(server_of(d, k))},
    ),
)
add(
    "server",
    "move",
    Example(pick=one(active), data=lambda d, k: {"group": d.group("Ops")["id"]}),
)
add(
    "server",
    "setPassword",
    Example(
        pick=one(lambda s: started(s) and linux(s)),
        data=lambda d, k: {
            "current_password": password_of(d, k),
            "new_password": PASSWORD,
            "confirm_password": PASSWORD,
        },
        api=lambda d, k: {"current_password": password_of(d, k), "new_password": PASSWORD},
    ),
)
add(
    "server",
    "setCustomFields",
    Example(
        pick=one(active),
        data=lambda d, k: {f"cf_{COST_CENTER}": "CC-WALK", f"cf_{ENVIRONMENT}": "prod"},
        api=lambda d, k: {"custom_fields": {"Cost Center": "CC-API", "Environment": "Staging"}},
    ),
)
add(
    "server",
    "addPublicIp",
    Example(pick=one(active), data=lambda d, k: {"ports": "tcp/80, tcp/443", "source_restrictions": ""}),
)
add(
    "server",
    "removePublicIp",
    Example(
        pick=one(has_public_ip),
        data=lambda d, k: {"ip": public_ip(server_of(d, k))},
        offers=lambda body: any("DELETE" in (lk.get("verbs") or ()) for lk in links(body, "publicIPAddress")),
    ),
)
add(
    "server",
    "restore",
    Example(pick=one(lambda s: s["status"] == "archived"), data=lambda d, k: {"group": d.group("Web")["id"]}),
)


# --- groups -------------------------------------------------------------------------------------
def group_named(name: str) -> Callable[[Demo], dict]:
    return lambda demo: {"group_id": demo.group(name)["id"]}


def archive_batch(demo: Demo) -> None:
    """An archived group to restore: Batch (under Data › Analytics), archived and settled."""
    batch = demo.group("Batch")
    answer = demo.session.post(f"{demo.simulator.url}/v2/groups/demo/{batch['id']}/archive", timeout=10)
    assert answer.status_code in (200, 202), answer.text
    assert wait_operation(demo.simulator, demo.session, answer.json()["id"]) == "succeeded"
    demo.forget()


def create_server_data(name: str):
    def data(demo: Demo, kwargs: dict) -> dict:
        return {
            **create_server_form(kwargs["group_id"], name, PASSWORD, description="made by the walking test"),
            f"cf_{COST_CENTER}": "CC-NEW",
            "disk_size": "20",
            "disk_path": "/data",
        }

    return data


add(
    "group",
    "createGroup",
    Example(
        pick=group_named("Web"),
        data=lambda d, k: {
            "parent": k["group_id"],
            "name": "Blue pool",
            "description": "made by the walking test",
        },
    ),
)
add(
    "group",
    "editGroup",
    Example(pick=group_named("Web"), data=lambda d, k: {"name": "Web", "description": "Walked"}),
)
add(
    "group",
    "moveGroup",
    Example(pick=group_named("Canary"), data=lambda d, k: {"parent": d.group("Data")["id"]}),
)
for _name in POWER:
    add("group", _name, Example(pick=group_named("Web")))
add("group", ["archiveGroup", "deleteGroup"], Example(pick=group_named("Ops")))
add(
    "group",
    "restoreGroup",
    Example(
        pick=group_named("Batch"), prepare=archive_batch, data=lambda d, k: {"target": d.group("Web")["id"]}
    ),
)
add(
    "group",
    "setCustomFields",
    Example(
        pick=group_named("Web"),
        data=lambda d, k: {f"cf_{COST_CENTER}": "CC-WEB-2", f"cf_{ENVIRONMENT}": "stage"},
        api=lambda d, k: {"custom_fields": {COST_CENTER: "CC-WEB-3"}},
    ),
)
add(
    "group",
    "setDefaults",
    Example(
        pick=group_named("Web"),
        data=lambda d, k: {
            "cpu": "4",
            "memory_gb": "8",
            "template": "UBUNTU-22-64-TEMPLATE",
            "network": "",
            "primary_dns": "8.8.8.8",
            "secondary_dns": "",
        },
        api=lambda d, k: {"cpu": 6, "secondary_dns": "8.8.4.4"},
    ),
)
add(
    "group",
    "createServer",
    Example(
        pick=group_named("Web"),
        data=create_server_data("walk"),
        api=lambda d, k: {
            "name": "wapi",
            "template": "UBUNTU-22-64-TEMPLATE",
            "cpu": 2,
            "memory_gb": 4,
            "storage_type": "standard",
            "password": PASSWORD,
            "custom_fields": {"Environment": "dev"},
            "additional_disks": [{"size_gb": 10}],
        },
    ),
)


# --- webhooks (apps/webhooks) ----------------------------------------------------------------------
def _our_target(demo: Demo) -> None:
    """This portal delivers one event already (the test settings' PORTAL_PUBLIC_URL): something to
    disconnect."""
    from django.conf import settings

    url = f"{demo.simulator.url}/v2/webhooks/demo/Server.Updated/configuration"
    target = f"{settings.PORTAL_PUBLIC_URL}/hooks/clc/walk-secret/server.updated/"
    answer = demo.session.put(
        url, json={"recursive": False, "targetUris": [{"targetUri": target}]}, timeout=10
    )
    assert answer.status_code == 204, answer.text


def _offers_webhooks(body: dict) -> bool:
    return any(has_link(item, "configuration", "PUT") for item in body.get("items") or ())


add(
    "webhooks",
    "connect",
    Example(pick=lambda d: {}, offers=_offers_webhooks, read=lambda kwargs: "/v2/webhooks/demo"),
)
add(
    "webhooks",
    "disconnect",
    Example(
        pick=lambda d: {},
        prepare=_our_target,
        offers=_offers_webhooks,
        read=lambda kwargs: "/v2/webhooks/demo",
    ),
)

__all__ = ["EXAMPLES", "Demo", "Example", "add", "example_for", "offers"]


# --- shared load balancers (apps/balancers) -------------------------------------------------------
LB_BASE = "/v2/sharedLoadBalancers/demo/wa1"


def balancer_named(name: str) -> Callable[[Demo], dict]:
    def pick(demo: Demo) -> dict:
        found = demo.session.get(f"{demo.simulator.url}{LB_BASE}", timeout=10).json()
        lb = next(b for b in found if b["name"] == name)
        return {"dc": "wa1", "lb_id": lb["id"]}

    return pick


def pool_on(name: str, port: int) -> Callable[[Demo], dict]:
    def pick(demo: Demo) -> dict:
        kwargs = balancer_named(name)(demo)
        lb = demo.session.get(f"{demo.simulator.url}{LB_BASE}/{kwargs['lb_id']}", timeout=10).json()
        pool = next(p for p in lb["pools"] if p["port"] == port)
        return {**kwargs, "pool_id": pool["id"], "nodes": pool["nodes"]}

    return pick


def lb_path(kwargs: dict) -> str:
    return f"{LB_BASE}/{kwargs['lb_id']}"


def pool_path(kwargs: dict) -> str:
    return f"{LB_BASE}/{kwargs['lb_id']}/pools/{kwargs['pool_id']}"


def first_node(kwargs: dict, status: str) -> str:
    node = next(n for n in kwargs["nodes"] if n["status"] == status)
    return f"{node['ipAddress']}:{node['privatePort']}"


def may_manage_balancers(lb: dict) -> bool:
    """Each load balancer of the list a role reads: it may create one where it may change them."""
    return has_link(lb, "self", "PUT")


add(
    "balancers",
    "createLoadBalancer",
    Example(
        pick=lambda d: {"dc": "wa1"},
        data=lambda d, k: {"name": "Walk", "description": "made by the walking test", "status": "enabled"},
        read=lambda k: LB_BASE,
        offers=may_manage_balancers,
    ),
)
add(
    "loadbalancer",
    "editLoadBalancer",
    Example(
        pick=balancer_named("Web Frontend"),
        data=lambda d, k: {"name": "Web Frontend", "description": "walked", "status": "enabled"},
        read=lb_path,
    ),
)
add(
    "loadbalancer",
    "createPool",
    Example(
        pick=balancer_named("API"),
        data=lambda d, k: {"port": 443, "method": "roundRobin", "persistence": "standard"},
        read=lb_path,
    ),
)
add("loadbalancer", "deleteLoadBalancer", Example(pick=balancer_named("API"), read=lb_path))
add(
    "pool",
    "setNodes",
    Example(
        pick=pool_on("Web Frontend", 80),
        data=lambda d, k: {
            "keep": ["0"],
            "address-0": k["nodes"][0]["ipAddress"],
            "port-0": "8080",
            "status-0": "enabled",
        },
        api=lambda d, k: {"nodes": [{"ipAddress": k["nodes"][0]["ipAddress"], "privatePort": 8080}]},
        read=pool_path,
    ),
)
add(
    "pool",
    "editPool",
    Example(
        pick=pool_on("Web Frontend", 80),
        data=lambda d, k: {"port": 80, "method": "leastConnection", "persistence": "sticky"},
        read=pool_path,
    ),
)
add("pool", "deletePool", Example(pick=pool_on("Web Frontend", 443), read=pool_path))
add(
    "pool",
    ["disableNode", "removeNode"],
    Example(
        pick=pool_on("Web Frontend", 80), data=lambda d, k: {"node": first_node(k, "enabled")}, read=pool_path
    ),
)


def disable_a_node(demo: Demo) -> None:
    """The port 80 pool of Web Frontend with its first node disabled (for enableNode)."""
    kwargs = pool_on("Web Frontend", 80)(demo)
    nodes = [dict(n) for n in kwargs["nodes"]]
    nodes[0]["status"] = "disabled"
    body = [{k: n[k] for k in ("ipAddress", "privatePort", "status")} for n in nodes]
    answer = demo.session.put(f"{demo.simulator.url}{pool_path(kwargs)}/nodes", json=body, timeout=10)
    assert answer.status_code in (200, 204), answer.text


add(
    "pool",
    "enableNode",
    Example(
        pick=pool_on("Web Frontend", 80),
        prepare=disable_a_node,
        data=lambda d, k: {"node": first_node(k, "disabled")},
        read=pool_path,
    ),
)


# --- networks and firewall (apps/networks) -------------------------------------------------------
NETS = "/v2-experimental/networks/demo/WA1"
INTRA = "/v2-experimental/firewallPolicies/demo/WA1"
CROSS = "/v2-experimental/crossDcFirewallPolicies/demo/WA1"


def cloud(demo: Demo, path: str):
    answer = demo.session.get(f"{demo.simulator.url}{path}", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def network_named(demo: Demo, start: str, dc: str = "WA1") -> dict:
    """A network of DEMO in ``dc`` whose name starts with ``start`` (the seed's: vlan_700..., Backend,
    vlan_702...)."""
    return next(n for n in cloud(demo, f"/v2-experimental/networks/demo/{dc}") if n["name"].startswith(start))


def manages(body: dict) -> bool:
    """A network or policy the role may change: its self link offers PUT."""
    return has_link(body, "self", "PUT")


def policy(demo: Demo, path: str, enabled: bool) -> dict:
    return next(p for p in cloud(demo, path) if p["enabled"] is enabled)


def disabled_cross_policy(demo: Demo) -> None:
    """A second, disabled cross data center policy (WA1 Backend -> VA1 Backend), to enable."""
    body = {
        "destinationAccountId": "DEMO",
        "destinationLocationId": "VA1",
        "destinationCidr": network_named(demo, "Backend", "VA1")["cidr"],
        "sourceCidr": network_named(demo, "Backend")["cidr"],
        "enabled": False,
    }
    answer = demo.session.post(f"{demo.simulator.url}{CROSS}", json=body, timeout=10)
    assert answer.status_code == 201, answer.text


def in_networks(s: dict, count: int) -> bool:
    return (
        active(s)
        and not any(ip.get("public") for ip in details(s)["ipAddresses"])
        and (len(details(s)["ipAddresses"]) == count)
    )


# The server's secondary networks: no link says who may (docs/simulator.md); among the roles that may
# read servers, those that may change public IPs (AccountAdmin, ServerAdmin) are the ones that may.
server_networks_offered = lambda body: has_link(body, "publicIPAddresses", "POST")  # noqa: E731
wa1 = {"dc": "wa1"}

add("networks", "claimNetwork", Example(pick=lambda d: wa1, read=lambda k: NETS, offers=manages))
add(
    "network",
    "renameNetwork",
    Example(
        pick=lambda d: {"dc": "wa1", "network_id": network_named(d, "vlan_702")["id"]},
        data=lambda d, k: {"name": "Walked", "description": "renamed by the walking test"},
        read=lambda k: f"{NETS}/{k['network_id']}",
    ),
)
add(
    "network",
    "releaseNetwork",
    Example(
        pick=lambda d: {"dc": "wa1", "network_id": network_named(d, "vlan_702")["id"]},
        read=lambda k: f"{NETS}/{k['network_id']}",
        offers=lambda body: has_link(body, "release", "POST"),
    ),
)
add(
    "firewall",
    "createIntraPolicy",
    Example(
        pick=lambda d: wa1,
        data=lambda d, k: {
            "source": "Backend",
            "destination": network_named(d, "vlan_702")["cidr"],
            "ports": "tcp/443",
            "enabled": "true",
        },
        read=lambda k: INTRA,
        offers=manages,
    ),
)
add(
    "firewall",
    "createCrossPolicy",
    Example(
        pick=lambda d: wa1,
        data=lambda d, k: {
            "source_cidr": "Backend",
            "destination_location": "VA1",
            "destination_cidr": network_named(d, "vlan_702", "VA1")["cidr"],
            "enabled": "true",
        },
        read=lambda k: INTRA,
        offers=manages,
    ),
)
for _name, _enabled in (
    ("editPolicy", True),
    ("enablePolicy", False),
    ("disablePolicy", True),
    ("deletePolicy", True),
):
    add(
        "firewall-policy",
        _name,
        Example(
            pick=lambda d, on=_enabled: {"dc": "wa1", "policy_id": policy(d, INTRA, on)["id"]},
            data=(lambda d, k: {"source": "Backend", "destination": "10.16.0.0/24", "ports": "icmp, tcp/22"})
            if _name == "editPolicy"
            else (lambda d, k: {}),
            read=lambda k: f"{INTRA}/{k['policy_id']}",
        ),
    )
for _name, _enabled in (("enablePolicy", False), ("disablePolicy", True), ("deletePolicy", True)):
    add(
        "cross-dc-policy",
        _name,
        Example(
            pick=lambda d, on=_enabled: {"dc": "wa1", "policy_id": policy(d, CROSS, on)["id"]},
            prepare=disabled_cross_policy if _name == "enablePolicy" else None,
            read=lambda k: f"{CROSS}/{k['policy_id']}",
        ),
    )
add(
    "server",
    "addSecondaryNetwork",
    Example(
        pick=one(lambda s: in_networks(s, 1)),
        data=lambda d, k: {"network": network_named(d, "vlan_702")["id"], "ip_address": ""},
        offers=server_networks_offered,
    ),
)
add(
    "server",
    "removeSecondaryNetwork",
    Example(
        pick=one(lambda s: in_networks(s, 2)),
        data=lambda d, k: {"network": network_named(d, "Backend")["id"]},
        offers=server_networks_offered,
    ),
)
add(
    "server",
    "updatePublicIp",
    Example(
        pick=one(has_public_ip),
        data=lambda d, k: {"ip": public_ip(server_of(d, k)), "ports": "tcp/443", "source_restrictions": ""},
        offers=lambda body: any("PUT" in (lk.get("verbs") or ()) for lk in links(body, "publicIPAddress")),
    ),
)


# --- policies (apps/policies) ------------------------------------------------------------------------
def _sim_get(demo: Demo, path: str):
    return demo.session.get(f"{demo.simulator.url}{path}", timeout=10).json()


def alert_policy_named(name: str) -> Callable[[Demo], dict]:
    def pick(demo: Demo) -> dict:
        found = _sim_get(demo, "/v2/alertPolicies/demo")["items"]
        return {"policy_id": next(p["id"] for p in found if p["name"] == name)}

    return pick


def anti_affinity_named(name: str) -> Callable[[Demo], dict]:
    def pick(demo: Demo) -> dict:
        found = _sim_get(demo, "/v2/antiAffinityPolicies/demo")["items"]
        return {"policy_id": next(p["id"] for p in found if p["name"] == name)}

    return pick


def autoscale_id(demo: Demo, name: str = "Production Database Scale Policy") -> str:
    return next(p["id"] for p in _sim_get(demo, "/v2/autoscalePolicies/demo") if p["name"] == name)


def server_with_alert_policy(demo: Demo) -> dict:
    server = demo.server(lambda s: started(s) and bool(details(s).get("alertPolicies")))
    return {"server_id": server["id"].lower(), "policy": details(server)["alertPolicies"][0]["id"]}


def _set_database_policy(demo: Demo) -> None:
    """WA1DEMODB01 with the Production Database Scale Policy (for removeAutoscalePolicy)."""
    url = f"{demo.simulator.url}/v2/servers/demo/wa1demodb01/cpuAutoscalePolicy"
    answer = demo.session.put(url, json={"id": autoscale_id(demo)}, timeout=10)
    assert answer.status_code == 200, answer.text


add(
    "alertpolicies",
    "createAlertPolicy",
    Example(
        pick=lambda d: {},
        data=lambda d, k: {
            "name": "Walk CPU",
            "recipients": "walk@example.com",
            "cpu_threshold": "80",
            "cpu_duration": "00:05:00",
            "memory_duration": "00:05:00",
            "disk_duration": "00:05:00",
        },
        api=lambda d, k: {"name": "Walk CPU", "recipients": ["walk@example.com"], "cpu_threshold": 80},
        read=lambda k: "/v2/alertPolicies/demo",
    ),
)
add(
    "alertpolicy",
    "editAlertPolicy",
    Example(
        pick=alert_policy_named("Production Web Servers - CPU"),
        data=lambda d, k: {
            "name": "Production Web Servers - CPU",
            "recipients": "ops@example.com",
            "cpu_threshold": "85",
            "cpu_duration": "00:10:00",
            "memory_duration": "00:05:00",
            "disk_duration": "00:05:00",
        },
        api=lambda d, k: {"cpu_threshold": 85},
        read=lambda k: f"/v2/alertPolicies/demo/{k['policy_id']}",
    ),
)
add(
    "alertpolicy",
    "deleteAlertPolicy",
    Example(
        pick=alert_policy_named("All Servers - Disk Space"),
        read=lambda k: f"/v2/alertPolicies/demo/{k['policy_id']}",
    ),
)
add(
    "antiaffinity",
    "createAntiAffinityPolicy",
    Example(
        pick=lambda d: {"dc": "wa1"},
        data=lambda d, k: {"name": "Walk ring"},
        read=lambda k: "/v2/antiAffinityPolicies/demo",
    ),
)
add(
    "antiaffinitypolicy",
    "editAntiAffinityPolicy",
    Example(
        pick=anti_affinity_named("Hyperscale Spread"),
        data=lambda d, k: {"name": "Hyperscale Spread 2"},
        read=lambda k: f"/v2/antiAffinityPolicies/demo/{k['policy_id']}",
    ),
)
add(
    "antiaffinitypolicy",
    "deleteAntiAffinityPolicy",
    Example(
        pick=anti_affinity_named("Hyperscale Spread"),
        read=lambda k: f"/v2/antiAffinityPolicies/demo/{k['policy_id']}",
    ),
)
add(
    "server",
    "attachAlertPolicy",
    Example(
        pick=lambda d: {"server_id": "wa1demoweb01", **alert_policy_named("Production Web Servers - RAM")(d)},
        data=lambda d, k: {"policy": k["policy_id"]},
    ),
)
add(
    "server",
    "detachAlertPolicy",
    Example(pick=server_with_alert_policy, data=lambda d, k: {"policy": k["policy"]}),
)
add(
    "server",
    "setAutoscalePolicy",
    Example(pick=lambda d: {"server_id": "wa1demodb01"}, data=lambda d, k: {"policy": autoscale_id(d)}),
)
add(
    "server",
    "removeAutoscalePolicy",
    Example(
        pick=lambda d: {"server_id": "wa1demodb01"},
        data=lambda d, k: {"autoscale": autoscale_id(d)},
        prepare=_set_database_policy,
    ),
)


def _hyperscale_in_spread(demo: Demo) -> None:
    """A built hyperscale server of WA1 in "Hyperscale Spread", and a second WA1 policy to move it to."""
    spread = anti_affinity_named("Hyperscale Spread")(demo)["policy_id"]
    body = {
        "name": "hs",
        "groupId": demo.group("Default Group")["id"],
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 1,
        "memoryGB": 1,
        "type": "hyperscale",
        "storageType": "hyperscale",
        "password": PASSWORD,
        "antiAffinityPolicyId": spread,
    }
    answer = demo.session.post(f"{demo.simulator.url}/v2/servers/demo", json=body, timeout=10)
    assert answer.status_code == 202, answer.text
    status = next(lk for lk in answer.json()["links"] if lk["rel"] == "status")
    assert wait_operation(demo.simulator, demo.session, status["id"]) == "succeeded"
    made = demo.session.post(
        f"{demo.simulator.url}/v2/antiAffinityPolicies/demo",
        json={"name": "Walk ring B", "location": "WA1"},
        timeout=10,
    )
    assert made.status_code == 200, made.text
    demo.forget()


def hyperscale_member(demo: Demo) -> dict:
    spread = anti_affinity_named("Hyperscale Spread")(demo)["policy_id"]
    policy = _sim_get(demo, f"/v2/antiAffinityPolicies/demo/{spread}")
    server = next(lk["name"] for lk in policy["links"] if lk["rel"] == "server")
    other = anti_affinity_named("Walk ring B")(demo)["policy_id"]
    return {"server_id": server.lower(), "spread": spread, "other": other}


add(
    "server",
    "setAntiAffinityPolicy",
    Example(pick=hyperscale_member, data=lambda d, k: {"policy": k["other"]}, prepare=_hyperscale_in_spread),
)
add(
    "server",
    "removeAntiAffinityPolicy",
    Example(
        pick=hyperscale_member,
        data=lambda d, k: {"anti_affinity": k["spread"]},
        prepare=_hyperscale_in_spread,
    ),
)


# --- group schedules and horizontal autoscale (apps/monitoring) -----------------------------------
def _tomorrow_at(hour: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=1)).replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _group_url(demo: Demo, name: str, tail: str = "") -> str:
    return f"{demo.simulator.url}/v2/groups/demo/{demo.group(name)['id']}{tail}"


def _a_schedule(demo: Demo) -> None:
    body = {
        "status": "on",
        "type": "reboot",
        "beginDateUTC": f"{_tomorrow_at(3)}:00Z",
        "repeat": "weekly",
        "expire": "never",
        "timeZoneOffset": "+00:00",
    }
    answer = demo.session.post(_group_url(demo, "Web", "/scheduledActivities"), json=body, timeout=10)
    assert answer.status_code == 200, answer.text


def _web_schedule(demo: Demo) -> dict:
    found = demo.session.get(_group_url(demo, "Web", "/scheduledActivities"), timeout=10).json()
    assert found, "the example's schedule is missing"
    return {"group_id": demo.group("Web")["id"], "schedule_id": found[0]["id"]}


def _web_policy(demo: Demo) -> str:
    found = demo.session.get(f"{demo.simulator.url}/v2/horizontalAutoscalePolicies/demo", timeout=10).json()
    return next(p["id"] for p in found["items"] if p["name"] == "Web Tier Scale Out")


def _an_autoscale(demo: Demo) -> None:
    answer = demo.session.put(
        _group_url(demo, "Web", "/horizontalAutoscalePolicy"),
        json={"policyId": _web_policy(demo)},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def _schedule_read(kwargs: dict) -> str:
    return f"/v2/groups/demo/{kwargs['group_id']}/scheduledActivities/{kwargs['schedule_id']}"


SCHEDULE_DATA = {
    "type": "shutdown",
    "time_zone_offset": "+00:00",
    "repeat": "daily",
    "expire": "afterCount",
    "expire_count": "5",
    "status": "on",
}
add(
    "groupschedules",
    "createSchedule",
    Example(pick=group_named("Web"), data=lambda d, k: {**SCHEDULE_DATA, "begin": _tomorrow_at(20)}),
)
add(
    "groupschedule",
    "editSchedule",
    Example(
        pick=_web_schedule,
        prepare=_a_schedule,
        read=_schedule_read,
        data=lambda d, k: {
            **SCHEDULE_DATA,
            "type": "poweron",
            "begin": _tomorrow_at(7),
            "repeat": "customWeekly",
            "custom_weekly_days": ["mon", "fri"],
        },
    ),
)
add("groupschedule", "deleteSchedule", Example(pick=_web_schedule, prepare=_a_schedule, read=_schedule_read))
add(
    "groupautoscale",
    "setAutoscale",
    Example(pick=group_named("Web"), data=lambda d, k: {"policy": _web_policy(d)}),
)
add("groupautoscale", "removeAutoscale", Example(pick=group_named("Web"), prepare=_an_autoscale))
