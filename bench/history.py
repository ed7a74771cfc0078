"""History must not slow the pages: every page and API list on an empty database against the same
on one holding 1,000,000 activities and 1,000,000 audit entries of one account (issue 15).

Makes two throwaway PostgreSQL databases on the server of ``DATABASE_URL``: ``bench_history_empty``
(migrated; demo, operator and 8 more people of account DEMO signed in / created) and
``bench_history_full``, a copy of it (``CREATE DATABASE ... TEMPLATE``: same people, same sessions)
filled by ``generate_series`` in SQL (about a minute on 2 CPUs), then ``VACUUM ANALYZE``. The
portal runs in this process (``django.test.Client``, ``portal.settings.test``) against the
simulator (``demo`` seed, its own process). Each URL is read ``--rounds`` times, ALTERNATELY on the
empty and on the full database (the connection is re-pointed between reads), so a busy machine
slows both alike; the table shows medians, their ratio full / empty (goal <= 2), and the ratio
of the fastest reads of each (``best``: the least disturbed by other processes on a busy machine).

Then, on the full database: every SQL statement each URL ran is EXPLAINed, and any sequential scan
or sort over the history tables is printed (goal: none); and the CSV exports of the whole history
(1,000,000 rows each) are streamed and timed (goal >= 50,000 rows/s).

    .venv/bin/python bench/history.py [--activities 1000000] [--audit 1000000] [--rounds 9] [--keep]

``--keep`` leaves both databases (re-runs then skip the fill); otherwise they are dropped at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EMPTY, FULL = "bench_history_empty", "bench_history_full"
PEOPLE = ["demo", "operator"] + [f"bench{i}" for i in range(8)]
OPERATIONS = ["powerOff", "powerOn", "reboot", "reset", "shutDown", "pause", "archive", "createServer",
              "deleteServer", "setCpu", "setMemory", "createSnapshot"]  # fmt: skip
ACTIONS = ["server.powerOff", "server.powerOn", "server.reboot", "sign_in", "sign_out", "server.delete",
           "group.delete", "recipe.launch", "token.create", "server.setCpu"]  # fmt: skip
URLS = [
    ("/activities/  (mine)", "/activities/"),
    ("/activities/?scope=team", "/activities/?scope=team"),
    ("  … status=failed", "/activities/?scope=team&status=failed"),
    ("  … status=running", "/activities/?scope=team&status=running"),
    ("  … operation=reboot", "/activities/?scope=team&operation=reboot"),
    ("  … person=operator", "/activities/?scope=team&person=operator"),
    ("  … person=viewer (none)", "/activities/?scope=team&person=viewer"),
    ("  … dc=VA1", "/activities/?scope=team&dc=VA1"),
    ("  … origin=external", "/activities/?scope=team&origin=external"),
    ("  … range=24h", "/activities/?scope=team&range=24h"),
    ("  … mine, status=failed", "/activities/?status=failed"),
    ("  … older page (cursor, mid-history)", "/activities/?scope=team&cursor={mid_cursor}"),
    ("  … page=3 (offset, kept)", "/activities/?scope=team&page=3"),
    ("  … rows fragment", "/activities/?scope=team&fragment=rows"),
    ("top bar counts (fragment)", "/activities/?fragment=counts"),
    ("dashboard /", "/"),
    ("a page with only the top bar", "/profile/tokens/"),
    ("/team/", "/team/"),
    ("/notifications/", "/notifications/"),
    ("/api/v1/activities/", "/api/v1/activities/"),
    ("  … ?status=failed", "/api/v1/activities/?status=failed"),
    ("  … ?mine=1&operation=reboot", "/api/v1/activities/?mine=1&operation=reboot"),
    ("/audit/", "/audit/"),
    ("  … person=operator", "/audit/?person=operator"),
    ("  … action=server.reboot", "/audit/?action=server.reboot"),
    ("  … result=denied", "/audit/?result=denied"),
    ("  … target=server:WA1DEMOSRV007", "/audit/?target=server:WA1DEMOSRV007"),
    ("  … since (last 24 h)", "/audit/?since={yesterday}"),
    ("/api/v1/audit/", "/api/v1/audit/"),
    ("  … ?result=failure", "/api/v1/audit/?result=failure"),
    ("  … ?before=<mid id>", "/api/v1/audit/?before={mid_audit}"),
]
HISTORY_TABLES = ("activities_activity", "audit_auditentry", "notifications_delivery")


def admin_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("bench/history.py needs PostgreSQL: DATABASE_URL=postgres://...")
    return base.rsplit("/", 1)[0] + "/postgres"


def admin(sql: str, *params):
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if sql.lstrip().upper().startswith("SELECT") else None


def exists(name: str) -> bool:
    return bool(admin("SELECT 1 FROM pg_database WHERE datname = %s", name))


def use(name: str) -> None:
    """Point Django's default connection at database ``name`` (closed; reopened on the next query)."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def prepare_empty(sim_url: str):
    """Migrate the empty database, sign people in; -> {name: client}."""
    from django.core.management import call_command

    from apps.accounts.models import User
    from tests.support.portal import signed_in

    use(EMPTY)
    call_command("migrate", verbosity=0)
    clients = {name: signed_in(name) for name in ("demo", "operator", "viewer")}
    for name in PEOPLE[2:]:
        User.objects.get_or_create(
            username=f"DEMO/{name}", defaults={"cloud_username": name, "account_alias": "DEMO"}
        )
    return clients


FILL_ACTIVITIES = """
INSERT INTO activities_activity (user_id, account_alias, operation, resource_type, resource_ids,
  status_href, status_id, upstream_status, status, error_message, created_at, started_at, finished_at,
  next_poll_at, last_polled_at, polls, version, idempotency_key, request_id, origin, actor, summary,
  person, datacenter)
SELECT CASE WHEN ext THEN NULL ELSE uids[u] END, 'DEMO', ops[1 + (g * 7) %% array_length(ops, 1)], 'server',
  jsonb_build_array(dc || 'DEMOSRV' || lpad((g %% 500)::text, 3, '0')),
  '', 'wa1-' || g, CASE WHEN st = 'running' THEN 'executing' ELSE st END, st,
  CASE WHEN st = 'failed' THEN 'The cloud said no.' ELSE '' END,
  t, t, CASE WHEN st = 'running' THEN NULL ELSE t + interval '20 s' END, NULL, t + interval '20 s', 20, 3,
  NULL, NULL, CASE WHEN ext THEN 'external' ELSE 'portal' END, CASE WHEN ext THEN 'someone' ELSE '' END,
  '', CASE WHEN ext THEN 'someone' ELSE names[u] END, dc
FROM (
  SELECT g, 1 + g %% array_length(%(uids)s::int[], 1) AS u, %(uids)s::int[] AS uids,
         %(names)s::text[] AS names, %(ops)s::text[] AS ops,
         now() - interval '1 hour' - (g / 3) * interval '30 s' AS t,  -- three rows a time: ties
         g %% 20 = 7 AS ext,
         (ARRAY['WA1', 'VA1', 'UC1', 'IL1'])[1 + g %% 4] AS dc,
         CASE WHEN g <= 20 THEN 'running' WHEN g %% 100 < 6 THEN 'failed' WHEN g %% 100 = 6 THEN 'unknown'
              ELSE 'succeeded' END AS st
  FROM generate_series(1, %(n)s) AS g
) AS s
"""
FILL_AUDIT = """
INSERT INTO audit_auditentry (at, user_id, username, account_alias, action, target_type, target_id,
  result, detail, address, channel)
SELECT now() - interval '1 hour' - (g / 2) * interval '20 s', uids[u], names[u], 'DEMO',
  acts[1 + (g * 3) %% array_length(acts, 1)], 'server',
  'WA1DEMOSRV' || lpad((g %% 500)::text, 3, '0'),
  CASE WHEN g %% 97 = 0 THEN 'denied' WHEN g %% 50 = 0 THEN 'failure' ELSE 'success' END,
  jsonb_build_object('activity', g), ('192.0.2.' || (1 + g %% 250))::inet,
  CASE WHEN g %% 3 = 0 THEN 'api' ELSE 'web' END
FROM (
  SELECT g, 1 + g %% array_length(%(uids)s::int[], 1) AS u, %(uids)s::int[] AS uids,
         %(names)s::text[] AS names, %(acts)s::text[] AS acts
  FROM generate_series(1, %(n)s) AS g
) AS s
"""


def fill_full(n_activities: int, n_audit: int) -> dict:
    import psycopg
    from django.db import connections

    from apps.accounts.models import User

    use(EMPTY)
    people = {u.cloud_username: u.pk for u in User.objects.filter(account_alias="DEMO")}
    connections["default"].close()
    admin(f'DROP DATABASE IF EXISTS "{FULL}"')
    admin(f'CREATE DATABASE "{FULL}" TEMPLATE "{EMPTY}"')
    names = [p for p in PEOPLE if p in people]
    params = {"uids": [people[p] for p in names], "names": names, "ops": OPERATIONS, "acts": ACTIONS}
    url = admin_url().rsplit("/", 1)[0] + "/" + FULL
    took = {}
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute(FILL_ACTIVITIES, {**params, "n": n_activities})
        took["activities"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(FILL_AUDIT, {**params, "n": n_audit})
        took["audit"] = time.perf_counter() - started
        started = time.perf_counter()
        for table in HISTORY_TABLES:
            conn.execute(f"VACUUM ANALYZE {table}")
        took["vacuum analyze"] = time.perf_counter() - started
    return took


def copy_sessions() -> None:
    """The sessions of this run's sign-ins (made in the empty database) into the kept full one."""
    import psycopg
    from django.db import connection

    use(EMPTY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_key, session_data, expire_date FROM django_session")
        rows = cursor.fetchall()
    url = admin_url().rsplit("/", 1)[0] + "/" + FULL
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO django_session VALUES (%s, %s, %s) ON CONFLICT (session_key) DO NOTHING", rows
        )


def consume(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed_get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    size = consume(response)
    took = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
    return took, size


def plans(client, url: str) -> list[str]:
    """The history statements ``url`` ran on the full database whose plan scans or sorts a whole table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    use(FULL)
    with CaptureQueriesContext(connection) as captured:
        consume(client.get(url))
    bad = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not any(t in sql for t in HISTORY_TABLES) or not sql.lstrip().upper().startswith(
                ("SELECT", "WITH")
            ):
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            scans = [
                line for line in plan.split("\n") if any(f"Seq Scan on {t}" in line for t in HISTORY_TABLES)
            ]
            if any(int(line.split("rows=")[1].split()[0]) > 1000 for line in scans):
                bad.append(f"Seq Scan: {sql[:160]}")
            else:
                sorts = [
                    int(line.split("rows=")[1].split()[0])
                    for line in plan.split("\n")
                    if "Sort  (" in line and "Incremental" not in line  # incremental: a few rows at a time
                ]
                if sorts and max(sorts) > 5000:
                    bad.append(f"Sort of ~{max(sorts)} rows: {sql[:160]}")
    return bad


def csv_rate(client, url: str) -> tuple[int, float, int]:
    use(FULL)
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, url
    size = lines = 0
    for chunk in response.streaming_content:
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        size += len(data)
        lines += data.count(b"\n")  # rows end in \n (COPY) or \r\n (no cell here holds a line break)
    return lines - 1, time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9, help="reads of each URL on each database")
    parser.add_argument("--keep", action="store_true", help="keep both databases (and reuse them)")
    parser.add_argument("--no-csv", action="store_true")
    args = parser.parse_args()

    admin_url()
    reuse = args.keep and exists(EMPTY) and exists(FULL)
    if not reuse:
        for name in (FULL, EMPTY):
            admin(f'DROP DATABASE IF EXISTS "{name}"')
        admin(f'CREATE DATABASE "{EMPTY}"')
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=admin_url().rsplit("/", 1)[0] + "/" + EMPTY,
    )
    from tests.support.simulator import SimulatorProcess

    sim = SimulatorProcess(seed="demo", speed=50.0)
    os.environ["CLC_API_URL"] = sim.url
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    try:
        clients = prepare_empty(sim.url)
        print(f"history: {args.activities:,} activities, {args.audit:,} audit entries of account DEMO; "
              f"{args.rounds} alternating reads a URL; simulator {sim.url} (demo seed)")  # fmt: skip
        if reuse:
            print("reusing the filled database (--keep)")
            copy_sessions()
        else:
            took = fill_full(args.activities, args.audit)
            print("fill: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))
        run(clients, args)
    finally:
        use(EMPTY)
        from django.db import connections

        connections.close_all()
        sim.stop()
        if not args.keep:
            for name in (FULL, EMPTY):
                admin(f'DROP DATABASE IF EXISTS "{name}"')


def run(clients, args):
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from portal import keyset

    use(FULL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT created_at, id FROM activities_activity WHERE account_alias = 'DEMO' "
            "ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
            [args.activities // 2],
        )
        mid = cursor.fetchone()
        cursor.execute(
            "SELECT id FROM audit_auditentry ORDER BY id DESC OFFSET %s LIMIT 1", [args.audit // 2]
        )
        mid_audit = cursor.fetchone()
    values = {
        "mid_cursor": keyset.encode("o", *mid) if mid else "o0.0",
        "mid_audit": mid_audit[0] if mid_audit else 1,
        "yesterday": (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    demo = clients["demo"]
    print(f"\n{'page / API list':40} {'empty ms':>9} {'full ms':>9} {'ratio':>6} {'best':>6}  size (full)")
    ratios, bests = [], []
    for label, template in URLS:
        url = template.format(**values)
        times = {EMPTY: [], FULL: []}
        size = 0
        for i in range(args.rounds + 1):
            for name in (EMPTY, FULL):
                use(name)
                took, size_now = timed_get(demo, url)
                if i:  # the first read of each warms caches
                    times[name].append(took)
                if name == FULL:
                    size = size_now
        empty, full = (statistics.median(times[n]) * 1000 for n in (EMPTY, FULL))
        best = min(times[FULL]) / min(times[EMPTY])
        ratios.append(full / empty)
        bests.append(best)
        flag = "" if full / empty <= 2 else "  > 2x"
        print(
            f"{label:40} {empty:9.1f} {full:9.1f} {full / empty:6.2f} {best:6.2f}  {size / 1024:.0f} KB{flag}"
        )
    print(
        f"ratio of medians: median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}; "
        f"ratio of the fastest reads: worst {max(bests):.2f} (goal <= 2)"
    )

    print("\nplans on the full database (history statements scanning or sorting a whole table):")
    found = 0
    for label, template in URLS:
        for line in plans(demo, template.format(**values)):
            found += 1
            print(f"  {label.strip()}: {line}")
    print("  none" if not found else f"  {found} statement(s)")

    if args.no_csv:
        return
    print("\nCSV exports of the whole history (full database):")
    for label, url in (("activities", "/activities/?scope=team&format=csv"), ("audit", "/audit/?format=csv")):
        rows, took, size = csv_rate(demo, url)
        print(f"  {label:11} {rows:>9,} rows  {size / 1e6:6.1f} MB  {took:6.1f} s  {rows / took:9,.0f} rows/s"
              f"{'' if rows / took >= 50_000 else '  < 50,000'}")  # fmt: skip


if __name__ == "__main__":
    main()
