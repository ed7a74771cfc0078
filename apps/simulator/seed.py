"""Seeds: ``demo`` (the four sign-ins of DESIGN.md, six data centers, ~60 servers) and
``scale:N`` (N servers over about N/10 groups in several data centers)."""

import random

from .balancers import seed_load_balancers
from .factory import add_group, add_server
from .models import Account, DataCenter, PublicIp, Snapshot, User
from .monitoring.seed import seed_monitoring
from .network_seed import SequentialAddresses, add_secondary_address, seed_firewall_policies, seed_networks
from .state import World
from .usage import seed_past

DATACENTERS = [
    ("WA1", "US West (Seattle)"),
    ("VA1", "US East (Sterling)"),
    ("UC1", "US West (Santa Clara)"),
    ("IL1", "US Central (Chicago)"),
    ("GB3", "EU (Slough)"),
    ("CA3", "Canada (Toronto)"),
]

DEMO_USERS = [
    ("demo", "demo", "DEMO", "WA1", ["AccountAdmin", "ServerAdmin"]),
    ("operator", "operator", "DEMO", "WA1", ["ServerOperator"]),
    ("viewer", "viewer", "DEMO", "WA1", ["AccountViewer"]),
    ("other", "other", "OTHR", "VA1", ["AccountAdmin"]),
    ("netadmin", "netadmin", "DEMO", "WA1", ["NetworkAdmin"]),
    ("security", "security", "DEMO", "WA1", ["SecurityAdmin"]),
    ("billing", "billing", "DEMO", "WA1", ["BillingAdmin"]),
]

ACCOUNT_CUSTOM_FIELDS = [
    {
        "id": "22f002123e3b46d9a8b38ecd4c6df7f9",
        "name": "Cost Center",
        "isRequired": False,
        "type": "text",
        "options": [],
    },
    {
        "id": "58f83af6123846769ee6cb091ce3561e",
        "name": "CMDB ID",
        "isRequired": False,
        "type": "text",
        "options": [],
    },
    {
        "id": "a2e8b5e1f0f04c2e9e0f6f6c8d1b2a3c",
        "name": "Environment",
        "isRequired": False,
        "type": "option",
        "options": [
            {"name": "Production", "value": "prod"},
            {"name": "Staging", "value": "stage"},
            {"name": "Development", "value": "dev"},
        ],
    },
]

# Alert policies of the demo account, mapped onto some demo servers (details.alertPolicies).
ALERT_POLICIES = [
    {"id": "15836e6219e84ac736d01d4e571bb950", "name": "Production Web Servers - RAM"},
    {"id": "2bec81dd90aa4217887548c3c20d7421", "name": "Production Web Servers - CPU"},
    {"id": "5f3e1a0c9b7d4e21a6c8f0b2d4e6a8c1", "name": "All Servers - Disk Space"},
]

TEAM_TREE = {
    # team group: sub-groups (each may have its own sub-groups)
    "Web": {"Frontend": {"Canary": {}}, "API": {}},
    "Data": {"Databases": {}, "Analytics": {"Batch": {}}},
    "Ops": {"Monitoring": {}},
}


def _base_world(speed: float, seed_name: str) -> World:
    world = World(speed=speed, seed_name=seed_name)
    for dc_id, name in DATACENTERS:
        world.datacenters[dc_id.lower()] = DataCenter(dc_id, name)
    for username, password, alias, location, roles in DEMO_USERS:
        world.users[username.lower()] = User(username, password, alias, location, roles)
        if alias not in world.accounts:
            world.accounts[alias] = Account(alias, custom_fields=[dict(f) for f in ACCOUNT_CUSTOM_FIELDS])
    return world


def _hardware(world: World, alias: str, dc_id: str):
    """The root ``<DC> Hardware`` group with ``Archive``, ``Default Group`` and ``Templates``."""
    root = add_group(world, alias, dc_id, f"{dc_id} Hardware", None, description=f"{dc_id} Hardware")
    world.account_datacenters.setdefault(alias, {})[dc_id.lower()] = root.id
    archive = add_group(world, alias, dc_id, "Archive", root, description="Archived servers", type_="archive")
    default = add_group(world, alias, dc_id, "Default Group", root, description="The default group")
    templates = add_group(world, alias, dc_id, "Templates", root, description="Customer templates")
    return root, archive, default, templates


def _team_groups(world, alias, dc_id, root, tree, out):
    for name, children in tree.items():
        group = add_group(
            world,
            alias,
            dc_id,
            name,
            root,
            description=f"{name} team",
            custom_fields=[
                {
                    "id": ACCOUNT_CUSTOM_FIELDS[0]["id"],
                    "name": "Cost Center",
                    "value": f"CC-{name.upper()}",
                    "displayValue": f"CC-{name.upper()}",
                }
            ],
        )
        out.append(group)
        _team_groups(world, alias, dc_id, group, children, out)


# Group defaults (POST /v2/groups/{alias}/{id}/defaults) the demo sets on its team groups.
TEAM_DEFAULTS = {
    "Web": {"cpu": 2, "memoryGB": 4, "templateName": "UBUNTU-22-64-TEMPLATE"},
    "Data": {"cpu": 4, "memoryGB": 16, "templateName": "RHEL-8-64-TEMPLATE"},
}


def _finish(world: World) -> None:
    """Give the world a past: creation dates spread over the last years (so billing has a
    month-to-date), and the demo's group defaults and CMDB ids. Uses its own random generator so
    the world's ids and power states stay what they were."""
    rng = random.Random(f"history:{world.seed_name}")
    day = 86400.0
    now = world.now() // day * day  # the seed's day: the same seed has the same past all day
    for group in world.groups.values():  # parents were added before their children
        parent = world.groups.get(group.parent_id) if group.parent_id else None
        if parent is None:
            created = now - rng.uniform(700, 1200) * day
        elif (
            group.type == "archive"
            or parent.parent_id is None
            and group.name in ("Default Group", "Templates")
        ):
            created = parent.change.created_date
        else:
            created = rng.uniform(parent.change.created_date, now - 30 * day)
        group.change.created_date = created
        group.change.modified_date = rng.uniform(created, now - day)
        if world.seed_name == "demo" and group.name in TEAM_DEFAULTS:
            group.defaults.update(TEAM_DEFAULTS[group.name])
        if world.seed_name == "demo" and group.name == "Data":
            group.custom_fields.append(
                {
                    "id": ACCOUNT_CUSTOM_FIELDS[1]["id"],
                    "name": "CMDB ID",
                    "value": f"11{rng.randrange(10**5):05d}",
                    "displayValue": "",
                }
            )
            group.custom_fields[-1]["displayValue"] = group.custom_fields[-1]["value"]
    for server in world.servers.values():
        group = world.groups.get(server.group_id)
        floor = group.change.created_date if group is not None else now - 365 * day
        created = rng.uniform(max(floor, now - 500 * day), now - 2 * day)
        server.change.created_date = created
        server.change.modified_date = rng.uniform(created, now - 3600)
    seed_load_balancers(world)  # demo only
    seed_past(world)  # billing history up to the seed's day (usage.py)
    seed_monitoring(world)  # alert, autoscale and anti-affinity policies


def build_demo(speed: float = 1.0) -> World:
    world = _base_world(speed, "demo")
    rng = world.rng
    sizes = [(1, 2), (2, 4), (2, 8), (4, 8), (4, 16), (8, 32)]
    templates = ["UBUNTU-22-64-TEMPLATE", "RHEL-8-64-TEMPLATE", "WIN2019DTC-64", "CENTOS-7-64-TEMPLATE"]
    names = ["WEB", "API", "DB", "APP", "CACHE", "JOB", "MON", "LB"]
    # DEMO uses all six data centers; WA1 is the busiest. OTHR has two, with a few servers.
    per_dc = {"WA1": 20, "VA1": 10, "UC1": 8, "IL1": 8, "GB3": 6, "CA3": 4}
    ip_counter = 0
    for dc_id, count in per_dc.items():
        root, archive, default, _templates = _hardware(world, "DEMO", dc_id)
        # Every fourth server lives in the "Backend" network; every sixth also has an adapter there.
        networks = seed_networks(world, "DEMO", dc_id, count + 1)
        teams: list = []
        _team_groups(
            world, "DEMO", dc_id, root, TEAM_TREE if count >= 8 else {"Web": {"Frontend": {}}}, teams
        )
        homes = [default] + teams
        for i in range(count):
            group = homes[i % len(homes)]
            cpu, mem = sizes[rng.randrange(len(sizes))]
            roll = rng.random()
            power = "started" if roll < 0.65 else ("stopped" if roll < 0.85 else "paused")
            server = add_server(
                world,
                "DEMO",
                group,
                names[i % len(names)],
                template=templates[i % len(templates)],
                cpu=cpu,
                memory_gb=mem,
                extra_disks=(50,) if i % 3 == 0 else (),
                description=f"{group.name} {names[i % len(names)].lower()} server",
                power_state=power,
                network_id=networks[1 if i % 4 == 3 else 0].id,
                custom_fields=[
                    {
                        "id": ACCOUNT_CUSTOM_FIELDS[0]["id"],
                        "name": "Cost Center",
                        "value": f"CC-{group.name.upper()}",
                        "displayValue": f"CC-{group.name.upper()}",
                    }
                ]
                if i % 2 == 0
                else [],
            )
            if i % 7 == 3:
                server.in_maintenance = True
            if i % 6 == 5 and i % 4 != 3:
                add_secondary_address(world, server, networks[1])
            if i % 3 == 1:  # web-ish servers get RAM and CPU alerts, the others a disk alert
                picks = (
                    ALERT_POLICIES[:2]
                    if names[i % len(names)] in ("WEB", "API", "APP")
                    else ALERT_POLICIES[2:]
                )
                server.alert_policies = [dict(p) for p in picks]
            if i % 4 == 1:
                server.snapshots.append(Snapshot(str(40 + i), "2026-11-20.10:15:00"))
            if i % 5 == 2:
                ip_counter += 1
                server.public_ips.append(
                    PublicIp(
                        f"64.94.{100 + ip_counter // 250}.{ip_counter % 250 + 1}",
                        server.internal_ips[0],
                        ports=[{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 80}],
                    )
                )
        # One archived server per data center, in the Archive group.
        archived = add_server(
            world, "DEMO", archive, "OLD", power_state="stopped", description="Archived build server"
        )
        archived.status = "archived"
    for dc_id in ("VA1", "GB3"):
        root, archive, default, _t = _hardware(world, "OTHR", dc_id)
        seed_networks(world, "OTHR", dc_id, 3)
        team = add_group(world, "OTHR", dc_id, "Payments", root, description="Payments team")
        for i in range(3):
            add_server(
                world,
                "OTHR",
                team if i else default,
                "PAY",
                cpu=2,
                memory_gb=4,
                description="Payments server",
            )
    seed_firewall_policies(world, "DEMO")
    _finish(world)
    return world


def build_scale(n: int, speed: float = 1.0) -> World:
    """N servers over about N/10 groups, spread over the DEMO account's data centers.

    Half of the servers live in WA1 (the demo user's location) so one data center is big.
    """
    world = _base_world(speed, f"scale:{n}")
    dcs = [dc for dc, _ in DATACENTERS]
    for alias in ("DEMO", "OTHR"):
        for dc_id in dcs if alias == "DEMO" else ["VA1"]:
            _hardware(world, alias, dc_id)
    seed_networks(world, "OTHR", "VA1")
    shares = {"WA1": 0.5}
    rest = (1 - 0.5) / (len(dcs) - 1)
    n_groups = max(1, n // 10)
    placed = 0
    for index, dc_id in enumerate(dcs):
        count = int(round(n * shares.get(dc_id, rest))) if index < len(dcs) - 1 else n - placed
        placed += count
        network = seed_networks(world, "DEMO", dc_id, max(count, 0))[0]
        addresses = SequentialAddresses(network)  # sized to fit: no rescan per server
        if count <= 0:
            continue
        root = world.root_group("DEMO", dc_id)
        groups_here = max(1, int(round(n_groups * count / max(n, 1))))
        groups = []
        for g in range(groups_here):
            # Nest every third group one level deeper, so the tree has depth.
            parent = groups[g - 1] if g % 3 == 2 and groups else root
            groups.append(add_group(world, "DEMO", dc_id, f"Team {g + 1:03d}", parent))
        for i in range(count):
            roll = world.rng.random()
            add_server(
                world,
                "DEMO",
                groups[i % len(groups)],
                f"N{i // 90:04d}",
                cpu=1 + i % 4,
                memory_gb=2 ** (1 + i % 4),
                power_state="started" if roll < 0.7 else ("stopped" if roll < 0.9 else "paused"),
                description=f"scale server {i}",
                network_id=network.id,
                ip_address=next(addresses),
            )
    _finish(world)
    return world


def build_world(seed: str, speed: float = 1.0) -> World:
    seed = (seed or "demo").strip().lower()
    if seed == "demo":
        return build_demo(speed)
    if seed.startswith("scale:"):
        try:
            n = int(seed.split(":", 1)[1])
        except ValueError:
            raise ValueError("scale seed must look like scale:N") from None
        if n < 0 or n > 200000:
            raise ValueError("scale:N needs 0 <= N <= 200000")
        return build_scale(n, speed)
    raise ValueError(f"unknown seed {seed!r}: use demo or scale:N")
