"""The data center view: the published clc-sdk walking WA1 group by group vs the portal, cold and warm.

Starts the simulator (its own process) at ``scale:2000 --latency-ms 20`` and, for WA1 (about 1000
servers in about 100 groups):

1. the published SDK (``import clc``) the way a person's script walks it: Datacenter -> RootGroup ->
   each group's Servers() (one GET per server) -> Subgroups(), each sub-group fetched again,
   recursively. Sequential by nature; bounded by ``--sdk-seconds``: the groups walked in that time
   are timed and the rest is extrapolated from the measured time per group GET and per server GET
   (the output says so);
2. the portal's data center view cold: ``GET /api/v1/datacenters/WA1/servers/`` through Django's
   test client (real login view, real Redis cache, cache namespace emptied), the simulator over HTTP;
3. the same warm (cached), median of ``--warm`` requests;

and prints the ratios against the targets (cold >= 10x faster than the SDK walk, warm >= 100x).

    .venv/bin/python bench/inventory.py [--seed scale:2000] [--latency-ms 20] [--sdk-seconds 20]

Uses ``portal.settings.test`` (Redis db 15, its own key prefix); the database is ``DATABASE_URL``
or a throwaway SQLite file.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def upstream_calls(response) -> int:
    match = re.search(r'upstream;desc="(\d+) calls"', response.get("Server-Timing", ""))
    return int(match.group(1)) if match else -1


def sdk_walk(url: str, seconds: float) -> dict:
    """Walk WA1 with the published SDK for at most ``seconds``; extrapolate the rest."""
    import clc
    import requests

    clc.SetRequestsSession(requests.Session())
    clc.defaults.ENDPOINT_URL_V2 = url
    clc._LOGIN_TOKEN_V2 = False
    clc.ALIAS = False
    clc.LOCATION = False
    clc.v2.SetCredentials("demo", "demo")
    clc.v2.Account.GetAlias()  # sign in (not timed: the portal's sign-in isn't either)

    started = time.perf_counter()
    dc = clc.v2.Datacenter("WA1")
    root = dc.RootGroup()
    setup = time.perf_counter() - started
    # The whole tree is known from the root (for the extrapolation only; the walk doesn't use it).
    total_groups, total_servers = 0, 0
    stack = [root.data]
    while stack:
        g = stack.pop()
        total_groups += 1
        total_servers += sum(1 for link in g.get("links", ()) if link.get("rel") == "server")
        stack.extend(g.get("groups") or ())

    deadline = started + seconds
    group_time = server_time = 0.0
    groups_done = servers_done = 0
    queue = [root]
    first = True
    while queue and time.perf_counter() < deadline:
        group = queue.pop(0)
        if not first:  # each sub-group is fetched again, as a careful script does
            t = time.perf_counter()
            group = clc.v2.Group(id=group.id, alias=group.alias)
            group_time += time.perf_counter() - t
        first = False
        groups_done += 1
        t = time.perf_counter()
        for server in group.Servers().Servers():
            _ = (server.id, server.power_state, server.cpu, server.memory)
            servers_done += 1
            if time.perf_counter() >= deadline:
                break
        server_time += time.perf_counter() - t
        queue.extend(group.Subgroups().groups)
    measured = time.perf_counter() - started
    per_group = group_time / max(groups_done - 1, 1) if groups_done > 1 else setup / 2
    per_server = server_time / max(servers_done, 1)
    complete = groups_done >= total_groups and servers_done >= total_servers
    estimate = measured
    if not complete:
        estimate += (total_groups - groups_done) * per_group + (total_servers - servers_done) * per_server
    return {
        "measured": measured,
        "estimate": estimate,
        "complete": complete,
        "groups_done": groups_done,
        "servers_done": servers_done,
        "total_groups": total_groups,
        "total_servers": total_servers,
        "calls": 2 + (total_groups - 1) + total_servers,
        "per_group_ms": per_group * 1000,
        "per_server_ms": per_server * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="scale:2000")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--sdk-seconds", type=float, default=20.0, help="bound on the SDK walk")
    parser.add_argument("--warm", type=int, default=15, help="warm requests (median)")
    parser.add_argument("--cold", type=int, default=3, help="cold requests (median)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    tmpdir = tempfile.TemporaryDirectory(prefix="bench-inventory-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmpdir.name}/bench.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.support.simulator import SimulatorProcess

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    prefix = f"bench-inv-{uuid.uuid4().hex[:8]}"
    settings.CACHES["default"]["KEY_PREFIX"] = prefix

    print(f"starting the simulator: --seed {args.seed} --latency-ms {args.latency_ms:g}", flush=True)
    sim = SimulatorProcess(seed=args.seed, speed=1.0, extra_args=["--latency-ms", str(args.latency_ms)])
    try:
        settings.CLC_API_URL = sim.url
        import redis

        store = redis.Redis.from_url(settings.REDIS_URL)

        def clear_cache():
            keys = list(store.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                store.delete(*keys)

        # (1) the SDK walk
        print(f"SDK walk of WA1 (bounded to {args.sdk_seconds:g} s) ...", flush=True)
        sdk = sdk_walk(sim.url, args.sdk_seconds)

        # (2) the portal, cold
        client = Client()
        login = client.post("/login/", {"username": "demo", "password": "demo"})
        assert login.status_code == 302, login.content[:300]
        url = "/api/v1/datacenters/WA1/servers/"
        colds, cold_calls, count = [], 0, 0
        for _ in range(args.cold):
            clear_cache()
            t = time.perf_counter()
            response = client.get(url)
            colds.append(time.perf_counter() - t)
            assert response.status_code == 200, response.content[:300]
            cold_calls = upstream_calls(response)
            count = response.json()["count"]
        # (3) warm
        warms, warm_calls = [], 0
        for _ in range(args.warm):
            t = time.perf_counter()
            response = client.get(url)
            warms.append(time.perf_counter() - t)
            warm_calls = upstream_calls(response)
        clear_cache()
    finally:
        sim.stop()
        tmpdir.cleanup()

    cold = statistics.median(colds)
    warm = statistics.median(warms)
    walk = sdk["estimate"]
    how = (
        "measured, complete"
        if sdk["complete"]
        else (
            f"measured {sdk['measured']:.1f} s for {sdk['groups_done']}/{sdk['total_groups']} groups and "
            f"{sdk['servers_done']}/{sdk['total_servers']} servers, the rest extrapolated at "
            f"{sdk['per_group_ms']:.1f} ms per group GET and {sdk['per_server_ms']:.1f} ms per server GET"
        )
    )
    workers = int(settings.CLC_FANOUT_WORKERS)
    print()
    print(
        f"WA1: {count} servers in {sdk['total_groups']} groups, simulator latency {args.latency_ms:g} ms per call"
    )
    print(f"(1) clc-sdk walk, group by group: {walk:8.2f} s   {sdk['calls']} calls, sequential ({how})")
    print(
        f"(2) portal data center view cold: {cold:8.3f} s   {cold_calls} calls, fan-out {workers} (median of {len(colds)})"
    )
    print(
        f"(3) portal data center view warm: {warm * 1000:8.1f} ms  {warm_calls} calls (median of {len(warms)})"
    )
    cold_ratio, warm_ratio = walk / cold, walk / warm
    print(
        f"cold: {cold_ratio:7.1f}x faster than the SDK walk (target >= 10x)  {'OK' if cold_ratio >= 10 else 'MISSED'}"
    )
    print(
        f"warm: {warm_ratio:7.1f}x faster than the SDK walk (target >= 100x) {'OK' if warm_ratio >= 100 else 'MISSED'}"
    )
    return 0 if cold_ratio >= 10 and warm_ratio >= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
