"""The policies accounts start with (``seed.py`` calls ``seed_monitoring`` for every seed).

- Alert policies: the demo's ``seed.ALERT_POLICIES`` become real policies with triggers; their
  thresholds lie above what the quiet series ever reaches (CPU <= 82.5%, memory <= 79%, disks
  <= 85%), so nothing fires until someone sets a load (``POST /control/load``) or a policy.
- Vertical autoscale policies (the API cannot create them: accounts define them): two for DEMO,
  one for OTHR. None is applied to a seeded server.
- Horizontal autoscale policies (read-only here): one for DEMO, one for OTHR.
- One anti-affinity policy per account, without servers.
No monitoring timer is armed by a seed: nothing in it can fire by itself (``watch.ensure_tick``).
"""

from .model import AlertPolicy, AntiAffinityPolicy, AutoscalePolicy, HorizontalPolicy

# name -> (metric, duration, threshold) of the demo's alert policies (seed.ALERT_POLICIES).
ALERT_TRIGGERS = {
    "Production Web Servers - RAM": ("memory", "00:10:00", 90),
    "Production Web Servers - CPU": ("cpu", "00:05:00", 90),
    "All Servers - Disk Space": ("disk", "00:15:00", 90),
}

AUTOSCALE_POLICIES = [
    # id, alias, name, period, increment, min, max, up, down, window
    (
        "9d14822c1e8541cea11703cf2b078c9d",
        "DEMO",
        "Production Database Scale Policy",
        5,
        1,
        2,
        6,
        85,
        15,
        "02:00",
        "04:00",
    ),
    ("23a68b22e35b4983abd1051fae10ee7b", "DEMO", "Web Burst Policy", 10, 2, 1, 8, 80, 20, "00:00", "23:00"),
    (
        "4f8e2a7c9b1d4e6fa3c5b7d9e1f3a5c7",
        "OTHR",
        "Payments CPU Policy",
        15,
        1,
        2,
        4,
        90,
        10,
        "03:00",
        "05:00",
    ),
]

HORIZONTAL_POLICIES = [
    ("6cf7f7d139ee4d4f98a09bd0400b1a56", "DEMO", "Web Tier Scale Out", 2),
    ("7d0e8f9a1b2c4d3e8f7a6b5c4d3e2f1a", "OTHR", "Payments Scale Out", 1),
]

ANTI_AFFINITY_POLICIES = [
    ("ca8b07035cf844f3b4f953074c2630eb", "DEMO", "Hyperscale Spread", "WA1"),
    ("b3f1d5e7a9c24e6b8d0f2a4c6e8b0d2f", "OTHR", "Payments Spread", "VA1"),
]


def seed_monitoring(world) -> None:
    from ..seed import ALERT_POLICIES  # seed.py imports this module

    mon = world.monitoring
    for entry in ALERT_POLICIES:
        metric, duration, threshold = ALERT_TRIGGERS[entry["name"]]
        mon.alert_policies[entry["id"]] = AlertPolicy(
            id=entry["id"],
            alias="DEMO",
            name=entry["name"],
            actions=[{"action": "email", "settings": {"recipients": ["ops@demo.example"]}}],
            triggers=[{"metric": metric, "duration": duration, "threshold": threshold}],
        )
    for server in world.servers.values():
        if server.alert_policies:
            mon.alert_servers.add(server.key)
    for pid, alias, name, period, inc, low, high, up, down, start, end in AUTOSCALE_POLICIES:
        mon.autoscale_policies[pid] = AutoscalePolicy(
            pid, alias, name, period, inc, low, high, up, down, start, end
        )
    for pid, alias, name, minimum in HORIZONTAL_POLICIES:
        mon.horizontal_policies[pid] = HorizontalPolicy(
            pid,
            alias,
            {
                "name": name,
                "minimumServerCount": minimum,
                "thresholdPeriod": "00:15:00",
                "coolDownPeriod": "00:15:00",
                "scaleOut": {"cpuPercentThreshold": 80, "memoryPercentThreshold": 80, "scaleBy": 1},
                "scaleIn": {"cpuPercentThreshold": 20, "memoryPercentThreshold": 20, "scaleBy": 1},
            },
        )
    for pid, alias, name, location in ANTI_AFFINITY_POLICIES:
        if location.lower() in world.account_datacenters.get(alias, {}):
            mon.anti_affinity[pid] = AntiAffinityPolicy(pid, alias, name, location)
