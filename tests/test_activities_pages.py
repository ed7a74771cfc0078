"""The activity screen (Django test client against the simulator): /activities/ with its filters,
mine / team, a viewer sees the team's, the detail page with its history, another account's → 404,
CSV export (content, formula guard), header counts, the rows fragment, the dashboard panel."""

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.actions.services import start_operation
from apps.activities import selectors, services, tracking
from apps.activities.models import Activity, Status
from tests.support.portal import signed_in, started_servers, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_stream_prefix(settings, own_cache_namespace):
    """An event stream prefix per test, the cache namespace's (whose keys are dropped after)."""
    settings.ACTIVITY_STREAM_PREFIX = own_cache_namespace


def user(name) -> User:
    return User.objects.get(cloud_username=name)


def table_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-activity-id="(\d+)"', response.content.decode())]


@pytest.fixture
def team(clc_settings, simulator):
    """demo and operator signed in; demo powered off a real server; one failed op each."""
    demo = signed_in("demo")
    operator = signed_in("operator")
    server = started_servers(simulator)[0]
    [queued] = start_operation(user("demo"), "powerOff", [server])
    assert queued.outcome == "queued"
    failed = services.record_failed(user("operator"), "reboot", ["VA1DEMOAPP01"], '=HYPERLINK("http://x")')
    return {"demo": demo, "operator": operator, "server": server, "queued": queued.activity, "failed": failed}


def test_mine_and_team_tabs_newest_first(team):
    mine = team["demo"].get("/activities/")
    assert mine.status_code == 200
    assert table_ids(mine) == [team["queued"].pk]
    assert "powerOff" in text_of(mine) and team["server"] in text_of(mine)
    assert f'href="/servers/{team["server"].lower()}/"' in mine.content.decode()
    every = team["demo"].get("/activities/?scope=team")
    assert table_ids(every) == [team["failed"].pk, team["queued"].pk]  # newest first
    assert "operator" in text_of(every)


def test_viewer_sees_the_teams_activities_by_default(team):
    viewer = signed_in("viewer")
    page = viewer.get("/activities/")
    assert page.status_code == 200
    assert set(table_ids(page)) == {team["queued"].pk, team["failed"].pk}
    assert viewer.get(f"/activities/{team['queued'].pk}/").status_code == 200


def test_filters_status_operation_person_datacenter_time(team):
    demo = team["demo"]
    assert table_ids(demo.get("/activities/?scope=team&status=failed")) == [team["failed"].pk]
    assert table_ids(demo.get("/activities/?scope=team&status=running")) == [team["queued"].pk]
    assert table_ids(demo.get("/activities/?scope=team&operation=reboot")) == [team["failed"].pk]
    assert table_ids(demo.get("/activities/?scope=team&person=operator")) == [team["failed"].pk]
    assert table_ids(demo.get("/activities/?scope=team&dc=va1")) == [team["failed"].pk]
    assert table_ids(demo.get("/activities/?scope=team&dc=WA1")) == [team["queued"].pk]
    Activity.objects.filter(pk=team["failed"].pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    assert table_ids(demo.get("/activities/?scope=team&range=24h")) == [team["queued"].pk]
    today = timezone.localdate().isoformat()
    assert table_ids(demo.get(f"/activities/?scope=team&since={today}")) == [team["queued"].pk]
    assert table_ids(demo.get(f"/activities/?scope=team&until={today}")) == [
        team["queued"].pk,
        team["failed"].pk,
    ]
    nothing = demo.get("/activities/?scope=team&operation=pause")
    assert "No activities match these filters" in text_of(nothing)


@pytest.mark.parametrize(
    "query", ["status=exploded", "scope=everyone", "since=yesterday", "range=5y"], ids=lambda q: q
)
def test_bad_filters_are_a_400_with_the_reason(team, query):
    page = team["demo"].get(f"/activities/?{query}")
    assert page.status_code == 400
    assert "These filters can't be used" in text_of(page)
    csv_answer = team["demo"].get(f"/activities/?{query}&format=csv")
    assert csv_answer.status_code == 400 and "message" in csv_answer.json()


def test_pagination(team):
    me = user("demo")
    for i in range(55):
        services.record_failed(me, "pause", [f"WA1DEMOX{i:02d}"], "no")
    first = team["demo"].get("/activities/")
    assert len(table_ids(first)) == 50 and "page 1 of 2" in text_of(first)
    second = team["demo"].get("/activities/?page=2")
    assert len(table_ids(second)) == 6
    assert not set(table_ids(first)) & set(table_ids(second))


def test_detail_shows_every_status_change_and_the_error(team):
    activity = Activity.objects.get(pk=team["queued"].pk)
    assert tracking.transition(activity, Status.RUNNING, upstream_status="executing", count_poll=True)
    activity.refresh_from_db()
    assert tracking.transition(
        activity, Status.FAILED, upstream_status="failed", message="Disk on fire", count_poll=True
    )
    page = team["demo"].get(f"/activities/{activity.pk}/")
    assert page.status_code == 200
    body = text_of(page)
    assert "queued → running" in body and "running → failed" in body
    assert "Disk on fire" in body
    assert activity.status_href in page.content.decode()
    assert re.search(r"Status polls\s*2", body)
    assert f'href="/servers/{team["server"].lower()}/"' in page.content.decode()
    assert "Failed" in body


def test_another_accounts_activity_is_a_404(team):
    other = signed_in("other")
    assert other.get(f"/activities/{team['queued'].pk}/").status_code == 404
    assert other.get("/activities/99999999/").status_code == 404
    assert other.get("/activities/not-a-number/").status_code == 404
    assert table_ids(other.get("/activities/?scope=team")) == []
    rows = list(
        csv.reader(
            io.StringIO(b"".join(other.get("/activities/?scope=team&format=csv").streaming_content).decode())
        )
    )
    assert len(rows) == 1  # the header only


def test_old_links_redirect_to_the_detail(team):
    response = team["demo"].get(f"/activities/?activity={team['queued'].pk}")
    assert response.status_code == 302 and response["Location"] == f"/activities/{team['queued'].pk}/"


def test_csv_export_streams_the_filtered_rows_formula_safe(team):
    response = team["demo"].get("/activities/?scope=team&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == [team["failed"].pk, team["queued"].pk]
    failed = rows[0]
    assert failed["person"] == "operator" and failed["operation"] == "reboot"
    assert failed["data_center"] == "VA1" and failed["status"] == "failed"
    assert failed["error"] == '\'=HYPERLINK("http://x")'  # never evaluated by a spreadsheet
    assert rows[1]["resources"] == team["server"] and rows[1]["status"] == "queued"
    only_failed = team["demo"].get("/activities/?scope=team&status=failed&format=csv")
    assert len(list(csv.DictReader(io.StringIO(b"".join(only_failed.streaming_content).decode())))) == 1


def test_header_counts_running_and_failed(team):
    page = team["demo"].get("/activities/")
    html = page.content.decode()
    running = re.search(r"data-count-running[^>]*><span data-n>(\d+)</span>", html).group(1)
    failed = re.search(r"data-count-failed[^>]*><span data-n>(\d+)</span>", html).group(1)
    assert (running, failed) == ("1", "1")
    assert team["demo"].get("/activities/?fragment=counts").json() == {"running": 1, "failed": 1}
    other = signed_in("other").get("/activities/").content.decode()
    assert re.search(r"data-count-running[^>]*><span data-n>0</span>", other)


def test_header_counts_are_one_query(team, django_assert_num_queries):
    """Every page's top bar shows both counts: one round trip to the database for the two."""
    demo = user("demo")
    with django_assert_num_queries(1):
        counts = selectors.header_counts(demo)
    assert counts == {"running": 1, "failed": 1}


def test_the_operation_filter_reads_the_accounts_operations_once(team):
    """The filter form's choices and the operation filter's spellings share one read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = team["demo"].get("/activities/?scope=team&operation=POWEROFF")
    assert page.status_code == 200 and table_ids(page)
    assert sum("WITH RECURSIVE ops" in q["sql"] for q in queries.captured_queries) == 1


def test_rows_fragment_is_just_the_rows(team):
    fragment = team["demo"].get("/activities/?scope=team&fragment=rows")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and body.count("<tr data-activity-id=") == 2
    assert team["demo"].get("/activities/?fragment=bogus").status_code == 400


def test_dashboard_shows_my_latest_five(team):
    me = user("demo")
    for i in range(6):
        services.record_failed(me, "pause", [f"WA1DEMOY{i:02d}"], "no")
    page = team["demo"].get("/")
    assert page.status_code == 200
    html = page.content.decode()
    panel = html[html.index("Your latest activities") :]
    assert panel.count("data-activity-id=") == 5
    assert "WA1DEMOY05" in panel and "WA1DEMOY00" not in panel


def test_signed_out_goes_to_login(clc_settings):
    response = Client().get("/activities/")
    assert response.status_code == 302 and "/login/" in response["Location"]
