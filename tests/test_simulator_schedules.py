"""Group scheduled activities over HTTP: create, read, change, delete, roles, validation, and
activities that run on the simulator clock (``POST /control/clock``) and change servers."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from apps.simulator.models import ChangeInfo
from apps.simulator.monitoring.model import ScheduledActivity
from apps.simulator.monitoring.schedules import next_occurrence
from apps.simulator.seed import build_demo

ALIAS = "DEMO"
_DEMO = build_demo()


def group_named(name: str):
    return next(
        g for g in _DEMO.groups.values() if g.alias == ALIAS and g.location == "WA1" and g.name == name
    )


def subtree_servers(group):
    return [_DEMO.servers[k] for g in _DEMO.subtree_groups(group) for k in g.servers]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def activity(type_="reboot", begin="2015-11-23T19:41:00.000Z", repeat="daily", **extra):
    return {
        "status": "on",
        "type": type_,
        "beginDateUTC": begin,
        "timeZoneOffset": "-08:00",
        "repeat": repeat,
        "expire": "never",
        **extra,
    }


def clock(simulator) -> datetime:
    return parse(requests.get(f"{simulator.url}/control/clock", timeout=10).json()["now"])


def rels(body) -> dict:
    return {link["rel"]: link for link in body["links"]}


def create(api, group, **fields):
    response = api("POST", f"/v2/groups/{ALIAS}/{group.id}/scheduledActivities", json=activity(**fields))
    assert response.status_code == 200, response.text
    return response.json()


# --- the resource ---------------------------------------------------------------------------------
def test_create_read_change_delete(simulator, api):
    group = group_named("Web")
    detail = api("GET", f"/v2/groups/{ALIAS}/{group.id}").json()
    link = rels(detail)["scheduledActivities"]
    assert link["verbs"] == ["GET", "POST"]
    assert api("GET", link["href"]).json() == []

    created = api(
        "POST", link["href"], json=activity(repeat="customWeekly", customWeeklyDays=["mon", "WED", "friday"])
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["status"] == "on" and body["type"] == "reboot" and body["repeat"] == "customWeekly"
    assert body["customWeeklyDays"] == ["mon", "wed", "fri"]
    assert body["beginDateUTC"] == "2015-11-23T19:41:00Z" and body["timeZoneOffset"] == "-08:00:00"
    assert body["expire"] == "never" and body["isExpired"] is False and body["occurrenceCount"] == 0
    assert body["locationId"] == "WA1" and body["changeInfo"]["createdBy"] == "demo"
    assert rels(body)["group"] == {
        "rel": "group",
        "href": f"/v2/groups/demo/{group.id}",
        "id": group.id,
        "name": "Web",
    }
    self_link = rels(body)["self"]
    assert self_link["href"] == f"/v2/groups/demo/{group.id}/scheduledActivities/{body['id']}"
    assert self_link["verbs"] == ["GET", "PUT", "DELETE"]
    # The next run: a Monday, Wednesday or Friday at 11:41 in UTC-8, after now.
    upcoming = parse(body["nextOccurrenceDateUTC"])
    local = upcoming - timedelta(hours=8)
    assert upcoming > clock(simulator) - timedelta(seconds=5) and upcoming - clock(simulator) <= timedelta(
        days=3
    )
    assert local.strftime("%a %H:%M") in ("Mon 11:41", "Wed 11:41", "Fri 11:41")

    assert api("GET", self_link["href"]).json() == body
    assert api("GET", link["href"]).json() == [body]
    assert api("GET", rels(detail)["upcomingScheduledActivities"]["href"]).json() == [body]

    changed = api("PUT", self_link["href"], json=activity(type_="pause", repeat="weekly", status="off"))
    assert changed.status_code == 200, changed.text
    changed = changed.json()
    assert (changed["id"], changed["type"], changed["status"]) == (body["id"], "pause", "off")
    assert "nextOccurrenceDateUTC" not in changed and changed["customWeeklyDays"] == []
    assert api("GET", rels(detail)["upcomingScheduledActivities"]["href"]).json() == []

    deleted = api("DELETE", self_link["href"])
    assert deleted.status_code == 200 and deleted.content == b""
    assert api("GET", self_link["href"]).status_code == 404
    assert api("GET", link["href"]).json() == []


def test_a_server_lists_the_activities_of_its_groups(api):
    web = group_named("Web")
    child = next(_DEMO.groups[c] for c in web.children if _DEMO.groups[c].servers)
    server = _DEMO.servers[child.servers[0]]
    on_web = create(api, web, type_="shutdown")
    on_child = create(api, child, type_="poweron")
    create(api, group_named("Data"), type_="pause")  # elsewhere: not listed
    detail = api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()
    listed = api("GET", rels(detail)["scheduledActivities"]["href"])
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [on_child["id"], on_web["id"]]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"status": "maybe"}, "status must be one of on, off"),
        ({"type": "poweroff"}, "type must be one of"),
        ({"beginDateUTC": None}, "beginDateUTC is required"),
        ({"beginDateUTC": "tomorrow"}, "not valid for beginDateUTC"),
        ({"repeat": "hourly"}, "repeat must be one of"),
        ({"repeat": "customWeekly"}, "customWeeklyDays"),
        ({"repeat": "customWeekly", "customWeeklyDays": ["mon", "someday"]}, "'someday' is not valid"),
        ({"expire": "sometime"}, "expire must be one of"),
        ({"expire": "afterCount"}, "expireCount"),
        ({"expire": "afterCount", "expireCount": 0}, "expireCount"),
        ({"expire": "afterCount", "expireCount": "²"}, "expireCount"),
        ({"expire": "afterDate"}, "expireDateUTC is required"),
        ({"expire": "afterDate", "expireDateUTC": "2015-01-01T00:00:00Z"}, "after beginDateUTC"),
        ({"timeZoneOffset": None}, "timeZoneOffset"),
        ({"timeZoneOffset": "PST"}, "timeZoneOffset"),
        ({"timeZoneOffset": "+15:00"}, "between -14:00 and +14:00"),
        ({"repeat": "never"}, "in the past"),
    ],
)
def test_invalid_activities_are_400(api, fields, message):
    response = api(
        "POST",
        f"/v2/groups/{ALIAS}/{group_named('Web').id}/scheduledActivities",
        json={**activity(), **fields},
    )
    assert response.status_code == 400 and message in response.json()["message"], response.text


def test_roles_and_other_accounts(simulator, api):
    group = group_named("Web")
    path = f"/v2/groups/{ALIAS}/{group.id}/scheduledActivities"
    viewer, operator, other = (simulator.session(u) for u in ("viewer", "operator", "other"))
    made = api("POST", path, session=operator, json=activity())  # operators manage group schedules
    assert made.status_code == 200
    href = rels(made.json())["self"]["href"]
    detail = api("GET", f"/v2/groups/{ALIAS}/{group.id}", session=viewer).json()
    assert rels(detail)["scheduledActivities"]["verbs"] == ["GET"]
    listed = api("GET", path, session=viewer).json()
    assert rels(listed[0])["self"]["verbs"] == ["GET"]
    for method, body in (("POST", activity()), ("PUT", activity()), ("DELETE", None)):
        target = path if method == "POST" else href
        refused = api(method, target, session=viewer, json=body)
        assert refused.status_code == 403 and refused.json()["message"], method
    assert api("GET", path, session=other).status_code == 404
    assert api("GET", href.replace("/demo/", "/othr/"), session=other).status_code == 404
    assert api("DELETE", href.replace("/demo/", "/othr/"), session=other).status_code == 404


# --- running on the clock --------------------------------------------------------------------------
def power_states(api, servers) -> dict[str, str]:
    out = {}
    for server in servers:
        body = api("GET", f"/v2/servers/{ALIAS}/{server.id}").json()
        if body["status"] == "active":
            out[server.id] = body["details"]["powerState"]
    return out


def test_power_off_at_20_and_on_at_7_local_time(simulator, api):
    group = group_named("Web")
    servers = subtree_servers(group)
    before = power_states(api, servers)
    assert {"started", "stopped"} <= set(before.values())
    now = clock(simulator)
    evening = (now - timedelta(hours=8)).replace(hour=20, minute=0, second=0, microsecond=0) + timedelta(
        hours=8
    )
    if evening <= now:
        evening += timedelta(days=1)  # the next 20:00 in UTC-8, in UTC
    off = create(api, group, type_="shutdown", begin=stamp(evening))
    on = create(api, group, type_="poweron", begin=stamp(evening + timedelta(hours=11)))
    upcoming = api("GET", f"/v2/groups/{ALIAS}/{group.id}/upcomingScheduledActivities").json()
    assert [a["id"] for a in upcoming] == [off["id"], on["id"]]
    assert upcoming[0]["nextOccurrenceDateUTC"] == stamp(evening)

    simulator.control("clock", to=stamp(evening - timedelta(minutes=1)))
    assert power_states(api, servers) == before  # not yet
    simulator.control("clock", advance=10 * 60)
    night = power_states(api, servers)
    assert all(night[s] != "started" for s in night), night
    assert all(night[s] == "stopped" for s, state in before.items() if state == "started")
    ran = api("GET", rels(off)["self"]["href"]).json()
    assert ran["occurrenceCount"] == 1 and ran["lastOccurrenceDateUTC"] == stamp(evening)
    assert ran["nextOccurrenceDateUTC"] == stamp(evening + timedelta(days=1))
    upcoming = api("GET", f"/v2/groups/{ALIAS}/{group.id}/upcomingScheduledActivities").json()
    assert [a["id"] for a in upcoming] == [on["id"], off["id"]]
    ops = requests.get(f"{simulator.url}/control/operations", params={"kind": "shutDown"}, timeout=10).json()
    assert {o["params"]["scheduledActivityId"] for o in ops["operations"]} == {off["id"]}
    assert {o["started"] for o in ops["operations"]} == {stamp(evening)}

    simulator.control("clock", to=stamp(evening + timedelta(hours=11, minutes=10)))
    morning = power_states(api, servers)
    assert set(morning.values()) == {"started"}, morning
    assert api("GET", rels(on)["self"]["href"]).json()["occurrenceCount"] == 1


def test_an_activity_expires_after_its_count(simulator, api):
    group = group_named("Data")
    begin = clock(simulator) + timedelta(hours=1)
    made = create(api, group, type_="reboot", begin=stamp(begin), expire="afterCount", expireCount="2")
    assert made["expireCount"] == 2
    simulator.control("clock", advance=4 * 86400)
    after = api("GET", rels(made)["self"]["href"]).json()
    assert after["occurrenceCount"] == 2 and after["isExpired"] is True
    assert "nextOccurrenceDateUTC" not in after
    assert after["lastOccurrenceDateUTC"] == stamp(begin + timedelta(days=1))
    assert api("GET", f"/v2/groups/{ALIAS}/{group.id}/upcomingScheduledActivities").json() == []
    reboots = requests.get(
        f"{simulator.url}/control/operations", params={"kind": "reboot"}, timeout=10
    ).json()
    assert len({o["started"] for o in reboots["operations"]}) == 2


def test_a_one_time_activity_runs_once_and_an_off_one_never(simulator, api):
    group = group_named("Ops")
    begin = clock(simulator) + timedelta(minutes=30)
    once = create(api, group, type_="createsnapshot", begin=stamp(begin), repeat="never")
    idle = create(api, group, type_="shutdown", begin=stamp(begin), status="off")
    simulator.control("clock", advance=3 * 86400)
    assert api("GET", rels(once)["self"]["href"]).json()["occurrenceCount"] == 1
    assert api("GET", rels(once)["self"]["href"]).json()["isExpired"] is True
    assert api("GET", rels(idle)["self"]["href"]).json()["occurrenceCount"] == 0
    snapshots = [
        api("GET", f"/v2/servers/{ALIAS}/{s.id}").json()["details"]["snapshots"]
        for s in subtree_servers(group)
        if s.status == "active"
    ]
    assert all(snapshots), snapshots


# --- recurrence, as the documented examples show it ------------------------------------------------
def _act(repeat, begin, offset_minutes=0, days=(), **kwargs):
    return ScheduledActivity(
        id="x",
        alias=ALIAS,
        group_id="g",
        status="on",
        type="reboot",
        begin=parse(begin).timestamp(),
        repeat=repeat,
        custom_weekly_days=list(days),
        expire=kwargs.get("expire", "never"),
        expire_count=kwargs.get("expire_count"),
        expire_date=kwargs.get("expire_date"),
        tz_offset_minutes=offset_minutes,
        change=ChangeInfo("u", 0, "u", 0),
        occurrence_count=kwargs.get("count", 0),
    )


@pytest.mark.parametrize(
    "act, now, expected",
    [
        # get-group-scheduled-activities.md: tue/thu in UTC-7, seen on a Tuesday evening.
        (
            _act("customWeekly", "2015-03-16T18:11:00Z", -420, ("tue", "thu")),
            "2015-10-20T22:20:25Z",
            "2015-10-22T18:11:00Z",
        ),
        # set-group-scheduled-activities.md: daily, created after the day's run.
        (_act("daily", "2015-11-23T19:41:00Z", -480), "2015-11-23T21:17:16Z", "2015-11-24T19:41:00Z"),
        # Local days: 23:30 on a Monday in UTC-8 is Tuesday in UTC; "mon" means the local Monday.
        (
            _act("customWeekly", "2024-01-02T07:30:00Z", -480, ("mon",)),
            "2024-01-03T00:00:00Z",
            "2024-01-09T07:30:00Z",
        ),
        (_act("weekly", "2024-01-01T10:00:00Z"), "2024-01-01T10:00:01Z", "2024-01-08T10:00:00Z"),
        (_act("monthly", "2024-01-31T12:00:00Z"), "2024-02-01T00:00:00Z", "2024-02-29T12:00:00Z"),
        (_act("never", "2024-01-31T12:00:00Z"), "2024-01-31T12:00:01Z", None),
        (
            _act("daily", "2024-01-01T12:00:00Z", expire="afterCount", expire_count=3, count=3),
            "2024-01-05T00:00:00Z",
            None,
        ),
        (
            _act(
                "daily",
                "2024-01-01T12:00:00Z",
                expire="afterDate",
                expire_date=parse("2024-01-03T13:00:00Z").timestamp(),
            ),
            "2024-01-03T12:00:01Z",
            None,
        ),
    ],
)
def test_next_occurrence(act, now, expected):
    found = next_occurrence(act, parse(now).timestamp())
    assert (stamp(datetime.fromtimestamp(found, tz=UTC)) if found is not None else None) == expected


# --- the state file ---------------------------------------------------------------------------------
def test_activities_and_policies_survive_the_state_file(tmp_path):
    """Activities, policy mappings and their armed timers pickle with the world (--state-file)."""
    from werkzeug.test import Client

    from apps.simulator.app import SimulatorApp
    from apps.simulator.persistence import load, save
    from apps.simulator.seed import build_world

    world = build_world("demo", speed=50)
    client = Client(SimulatorApp(world))
    token = client.post("/v2/authentication/login", json={"username": "demo", "password": "demo"}).json[
        "bearerToken"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    group = group_named("Web")
    begin = datetime.fromtimestamp(world.now(), tz=UTC) + timedelta(hours=2)
    made = client.post(
        f"/v2/groups/{ALIAS}/{group.id}/scheduledActivities",
        json=activity(type_="shutdown", begin=stamp(begin)),
        headers=headers,
    )
    assert made.status_code == 200
    save(world, tmp_path / "state.pickle")

    restored = load(tmp_path / "state.pickle")
    restored.advance_clock(3 * 3600)
    running = [s for s in subtree_servers(group) if s.status == "active" and s.power_state == "started"]
    assert running and all(restored.servers[s.key].power_state == "stopped" for s in running)
    assert restored.monitoring.schedules[made.json["id"]].occurrence_count == 1
