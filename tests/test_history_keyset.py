"""History at scale without the wall clock (issue 15): pages by cursor return every row exactly once
even when many rows share a time, forward and back, on the pages and the APIs; the filters still
pick the right rows; the CSV holds every row; and each list's query is read from an index (EXPLAIN
on PostgreSQL). ``bench/history.py`` measures the times."""

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import User
from apps.activities import selectors
from apps.activities.models import Activity, Origin, Status
from apps.audit.models import AuditEntry
from portal import keyset
from tests.support.portal import signed_in

pytestmark = pytest.mark.django_db
N = 137  # 50 a page: three pages, the last one short
TIE = 5  # rows sharing one created_at


@pytest.fixture
def history(clc_settings, simulator):
    """demo (AccountAdmin) signed in; N activities of DEMO, TIE of them at each moment, by demo,
    operator and the cloud (external); N audit entries likewise. Another account's rows too."""
    demo = signed_in("demo")
    signed_in("operator")
    me, operator = (User.objects.get(cloud_username=n) for n in ("demo", "operator"))
    base = timezone.now() - dt.timedelta(hours=1)
    rows = []
    for i in range(N):
        external = i % 10 == 3
        who = None if external else (me if i % 2 else operator)
        rows.append(
            Activity(
                user=who,
                account_alias="DEMO",
                operation=["reboot", "powerOff", "pause"][i % 3],
                resource_ids=[f"{['WA1', 'VA1'][i % 2]}DEMOWEB{i:02d}"],
                status=Status.FAILED if i % 4 == 0 else Status.SUCCEEDED,
                finished_at=base,
                origin=Origin.EXTERNAL if external else Origin.PORTAL,
                actor="someone" if external else "",
                person="someone" if external else who.cloud_username,
                datacenter=["WA1", "VA1"][i % 2],
            )
        )
    rows.append(Activity(user=None, account_alias="OTHR", operation="reboot", person="other"))
    Activity.objects.bulk_create(rows)
    with connection.cursor() as cursor:  # created_at is auto_now_add: the ties are set after
        cursor.execute(
            "UPDATE activities_activity SET created_at = %s - (id / %s) * interval '1 second'", [base, TIE]
        )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=base - dt.timedelta(seconds=i // TIE),
            user=me if i % 2 else operator,
            username="demo" if i % 2 else "operator",
            account_alias="DEMO",
            action="server.reboot" if i % 3 else "server.powerOff",
            target_type="server",
            target_id=f"WA1DEMOWEB{i:02d}",
            result="failure" if i % 7 == 0 else "success",
        )
        for i in range(N)
    )
    return demo


def team_ids():
    return list(
        Activity.objects.filter(account_alias="DEMO")
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )


def page_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-activity-id="(\d+)"', response.content.decode())]


def link(response, rel) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def api_ids(client, path, query) -> list[int]:
    """The ids of every result of an API list, following its ``next`` cursor links to the end."""
    ids = []
    while query:
        body = client.get(path + query).json()
        ids += [row["id"] for row in body["results"]]
        query = body["next"]
    return ids


def test_activity_pages_by_cursor_show_every_row_once_in_order_both_ways(history):
    expected = team_ids()
    assert len(set(Activity.objects.filter(account_alias="DEMO").values_list("created_at"))) < N  # ties
    seen, pages, url = [], [], "?scope=team"
    while url:
        response = history.get("/activities/" + url)
        assert response.status_code == 200
        pages.append(page_ids(response))
        seen += pages[-1]
        url = link(response, "next")
    assert seen == expected and [len(p) for p in pages] == [50, 50, N - 100]
    assert "137 activities" in response.content.decode()
    back = []
    url = link(response, "prev")
    while url:
        response = history.get("/activities/" + url)
        back = page_ids(response) + back
        url = link(response, "prev")
    assert back == expected[:100]
    # ?page=N as before, and a bad cursor is a 400 with the reason
    assert page_ids(history.get("/activities/?scope=team&page=2")) == expected[50:100]
    bad = history.get("/activities/?scope=team&cursor=nonsense")
    assert bad.status_code == 400 and "cursor" in bad.content.decode()


def test_every_page_shows_the_same_total(history, monkeypatch):
    """The figure above the table is the list's size on every page, whether counted or known from
    the last page (?page=N with no older rows), and past the cap it reads "1000+"."""
    from apps.activities import views

    def figure(url):
        response = history.get(url)
        return re.search(r"<span data-total>([^<]*)</span>", response.content.decode()).group(1)

    urls = [f"/activities/?scope=team&page={n}" for n in (1, 2, 3, 4)]
    first = history.get("/activities/?scope=team")
    urls += ["/activities/" + link(first, "next"), "/activities/?scope=team&operation=pause"]
    assert [figure(u) for u in urls[:5]] == ["137 activities"] * 5
    assert figure(urls[5]) == f"{sum(1 for i in range(N) if i % 3 == 2)} activities"
    rows = history.get("/activities/?scope=team&page=3&fragment=rows")
    assert rows["X-Total-Count"] == "137"
    monkeypatch.setattr(views, "COUNT_CAP", 100)  # as if the history were longer than the cap
    assert [figure(u) for u in urls[:5]] == ["100+ activities"] * 5


def test_the_apis_page_by_cursor_with_ties(history):
    expected = team_ids()
    assert api_ids(history, "/api/v1/activities/", "?limit=7") == expected
    audit = list(
        AuditEntry.objects.filter(account_alias="DEMO", target_type="server")
        .order_by("-at", "-id")
        .values_list("pk", flat=True)
    )
    assert api_ids(history, "/api/v1/audit/", "?limit=9&target=server") == audit
    # before=<id> still starts after that entry
    body = history.get(f"/api/v1/audit/?limit=5&target=server&before={audit[10]}").json()
    assert [e["id"] for e in body["results"]] == audit[11:16]
    assert history.get("/api/v1/audit/?cursor=x").status_code == 400


def test_audit_page_walks_every_entry_once(history):
    expected = list(AuditEntry.objects.filter(account_alias="DEMO").values_list("pk", flat=True))
    seen, url = [], "?"
    while url:
        response = history.get("/audit/" + url)
        assert response.status_code == 200
        seen += [int(i) for i in re.findall(r'data-entry-id="(\d+)"', response.content.decode())]
        url = link(response, "next")
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))


def test_filters_pick_the_same_rows_as_before(history):
    rows = list(Activity.objects.filter(account_alias="DEMO"))

    def shown(query):
        ids, url = [], f"?scope=team&{query}"
        while url:
            response = history.get("/activities/" + url)
            ids += page_ids(response)
            url = link(response, "next")
        return sorted(ids)

    assert shown("person=OPERATOR") == sorted(
        a.pk for a in rows if a.user and a.user.cloud_username == "operator"
    )
    assert shown("person=someone") == sorted(a.pk for a in rows if a.origin == Origin.EXTERNAL)
    assert shown("operation=REBOOT") == sorted(a.pk for a in rows if a.operation == "reboot")
    assert shown("dc=va1") == sorted(a.pk for a in rows if a.resource_ids[0].startswith("VA1"))
    assert shown("status=failed&origin=portal") == sorted(
        a.pk for a in rows if a.status == "failed" and a.origin == "portal"
    )
    assert shown("operation=explode") == []
    for person in ("operator", "someone"):  # the Person column shows who the filter matched
        page = history.get(f"/activities/?scope=team&person={person}").content.decode()
        assert set(re.findall(r'<td class="col-who">([^<]*)</td>', page)) == {person}
    page = history.get("/activities/?scope=team&dc=va1").content.decode()  # the column shows the filter's
    assert set(re.findall(r'<td class="col-dc">([^<]*)</td>', page)) == {"VA1"}
    by_api = history.get("/api/v1/activities/?operation=REBOOT&limit=500").json()["results"]
    assert sorted(a["id"] for a in by_api) == shown("operation=reboot")
    assert history.get("/api/v1/activities/?operation=explode").json()["results"] == []
    assert history.get("/activities/?fragment=counts").json() == {
        "running": 0,
        "failed": sum(a.status == "failed" for a in rows),
    }


def test_csv_exports_hold_every_row(history):
    response = history.get("/activities/?scope=team&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == team_ids()
    external = next(r for r in rows if r["origin"] == "external")
    assert external["person"] == "someone" and external["data_center"] in ("WA1", "VA1")
    made = Activity.objects.get(pk=int(rows[0]["id"]))
    assert rows[0]["created_at"] == made.created_at.isoformat()
    response = history.get("/audit/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == AuditEntry.objects.filter(account_alias="DEMO").count()


def test_csv_exports_without_copy_are_the_same_cells(history, monkeypatch):
    """Elsewhere than PostgreSQL the CSV is written in Python (``csv_cells.written``): the same
    cells as COPY's, row for row (only the line ends differ)."""
    from apps.activities import views as activity_views
    from apps.audit import export as audit_export

    def cells(url):
        body = b"".join(
            part if isinstance(part, bytes) else part.encode() for part in history.get(url).streaming_content
        )
        return list(csv.reader(io.StringIO(body.decode())))

    urls = ("/activities/?scope=team&format=csv", "/audit/?format=csv")
    by_copy = [cells(url) for url in urls]
    monkeypatch.setattr(activity_views, "copy_supported", lambda qs: False)
    monkeypatch.setattr(audit_export, "copy_supported", lambda qs: False)
    by_python = [cells(url) for url in urls]
    assert all(len(rows) > N for rows in by_copy)
    assert by_python == by_copy


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


FILL = """
INSERT INTO activities_activity (user_id, account_alias, operation, resource_type, resource_ids, status_href,
  status_id, upstream_status, status, error_message, created_at, polls, version, origin, actor, summary, person,
  datacenter)
SELECT CASE WHEN g %% 20 = 7 THEN NULL ELSE %(uid)s END, 'DEMO', (ARRAY['reboot', 'powerOff', 'pause'])[1 + g %% 3],
  'server', '[]', '', '', '', CASE WHEN g %% 100 < 6 THEN 'failed' ELSE 'succeeded' END, '',
  now() - (g / 3) * interval '30 s', 3, 1, CASE WHEN g %% 20 = 7 THEN 'external' ELSE 'portal' END, '', '',
  CASE WHEN g %% 20 = 7 THEN 'someone' WHEN g %% 2 = 0 THEN 'operator' ELSE 'demo' END,
  (ARRAY['WA1', 'VA1', 'UC1', 'IL1'])[1 + g %% 4]
FROM generate_series(1, %(n)s) AS g;
INSERT INTO audit_auditentry (at, user_id, username, account_alias, action, target_type, target_id, result,
  detail, channel)
SELECT now() - (g / 2) * interval '20 s', %(uid)s, CASE WHEN g %% 25 = 0 THEN 'operator' ELSE 'demo' END, 'DEMO',
  CASE WHEN g %% 50 = 1 THEN 'sign_in' ELSE 'server.reboot' END, 'server', 'WA1DEMOWEB' || (g %% 50),
  CASE WHEN g %% 50 = 0 THEN 'failure' ELSE 'success' END, '""', 'web'
FROM generate_series(1, %(n)s) AS g;
ANALYZE activities_activity;
ANALYZE audit_auditentry;
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_every_list_reads_an_index():
    """20,000 rows of each (a modest history, filled in SQL) are enough for the planner to choose
    the index for a page in the list's order, as it does on a million: no enable_seqscan=off. The
    audit filters are given rare values: for a common one the planner may rightly read ``at``'s
    index and filter (still no scan of the table, no sort of it)."""
    demo = User.objects.create(
        username="DEMO/demo", cloud_username="demo", account_alias="DEMO", roles=["AccountAdmin"]
    )
    with connection.cursor() as cursor:
        cursor.execute(FILL, {"uid": demo.pk, "n": 20_000})
    lists = {
        "": "activity_user_recent",
        "scope=team": "activity_account_recent",
        "scope=team&status=failed": "activity_status",
        "scope=team&operation=reboot": "activity_operation",
        "scope=team&person=operator": "activity_person",
        "scope=team&dc=VA1": "activity_dc",
        "scope=team&origin=external": "activity_external",
    }
    for query, index in lists.items():
        filters = selectors.ActivityFilters.from_query(
            dict(p.split("=") for p in query.split("&") if p), demo
        )
        qs = selectors.filtered_activities(demo, filters)
        middle = keyset.older_than(qs, "created_at", timezone.now() - dt.timedelta(days=1), 10**9)
        for plan in (_plan(qs[:51]), _plan(middle[:51])):  # a page: the index in its order, no sort
            assert index in plan and "Seq Scan" not in plan and "  Sort" not in plan, (query, plan)
        plan = _plan(qs[:1001].values("pk"))  # the capped count: the index (any order)
        assert index in plan and "Seq Scan" not in plan, (query, plan)
    for name, qs in selectors.header_counts_queries(demo).items():
        plan = _plan(qs)
        assert "activity_status" in plan and "Seq Scan" not in plan, (name, plan)
    audit = AuditEntry.objects.filter(account_alias="DEMO").order_by("-at", "-id")
    for qs, index in (
        (audit, "audit_a"),  # audit_account_recent, or at's own index (all rows are DEMO's here)
        (audit.filter(result__iexact="failure"), "audit_result"),
        (audit.filter(action__iexact="sign_in"), "audit_action"),
        (audit.filter(username__iexact="operator"), "audit_person"),
        (audit.filter(target_id__iexact="WA1DEMOWEB7"), "audit_target"),
    ):
        plan = _plan(qs[:101])
        assert index in plan and "Seq Scan" not in plan and "->  Sort" not in plan, plan


def test_a_bad_page_number_is_the_first_page(history):
    """``?page=`` that is not a whole number, or below 1, is page 1 on both lists (keyset.page_number)."""
    first = page_ids(history.get("/activities/?scope=team"))
    for bad in ("abc", "0", "-3", "", "2.5"):
        assert page_ids(history.get(f"/activities/?scope=team&page={bad}")) == first
    entries = lambda r: re.findall(r'data-entry-id="(\d+)"', r.content.decode())  # noqa: E731
    first = entries(history.get("/audit/"))
    for bad in ("abc", "0", "-3"):
        response = history.get(f"/audit/?page={bad}")
        assert response.status_code == 200 and entries(response) == first
    # a number past what OFFSET can hold is a page past the end (it was a server error), like page 4
    for huge in ("99999999999999999999", str(2**70)):
        response = history.get(f"/activities/?scope=team&page={huge}")
        assert response.status_code == 200 and page_ids(response) == []
        response = history.get(f"/audit/?page={huge}")
        assert response.status_code == 200 and entries(response) == []
    assert page_ids(history.get("/activities/?scope=team&page=4")) == []
