"""Group schedules and horizontal autoscale through the portal against the simulator (issue 12,
part 2): "power off at 20:00, on at 07:00" set on the group page's actions runs on the simulator
clock (fast-forwarded with ``POST /control/clock``) and the servers' power states change as the
portal shows them; change and remove; autoscale set and removed; what is refused before anything is
sent (a one-off schedule in the past, a weekly schedule without days, expiries, offsets, a policy
whose minimum exceeds the group's servers, half a load balancer pool); who may do what."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from apps.audit.models import AuditEntry
from tests.support.portal import key_of, named_group, sign_in, text_of, upstream_calls
from tests.support.simulator import wait_until
from tests.support.webhooks import deliver
from tests.test_actions_registry import Writes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

CANARY = ("WA1DEMOAPP01", "WA1DEMOMON02")  # Web › Frontend › Canary: both started in the demo seed


@pytest.fixture
def writes(monkeypatch):
    """Every upstream write (not GET) the portal sends during the test."""
    return Writes().install(monkeypatch)


def sim_now(simulator) -> datetime:
    now = requests.get(f"{simulator.url}/control/clock", timeout=10).json()["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00"))


def next_at(after: datetime, hour: int) -> datetime:
    moment = after.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment if moment > after else moment + timedelta(days=1)


def power_states(client, group_id: str) -> dict:
    """The power states the portal shows (its group API, read fresh)."""
    body = client.get(f"/api/v1/groups/{group_id}/?fresh=1").json()
    return {s["id"]: s["power_state"] for s in body["servers"]}


def add_schedule(client, group_id: str, **fields):
    url = f"/groups/{group_id}/schedules/actions/createSchedule/"
    form = client.get(url)
    assert form.status_code == 200, text_of(form)[:800]
    data = {"time_zone_offset": "+00:00", "expire": "never", "status": "on", **fields}
    return client.post(url, {**data, "idempotency_key": key_of(form.content.decode())})


def test_power_off_at_20_and_on_at_07_runs_on_the_simulator_clock(demo, simulator):
    canary = named_group(simulator, "Canary")
    gid = canary["id"]
    assert power_states(demo, gid) == dict.fromkeys(CANARY, "started")
    now = sim_now(simulator)
    off_at = next_at(now, 20)
    on_at = next_at(off_at, 7)
    for type_, at in (("shutdown", off_at), ("poweron", on_at)):
        done = add_schedule(demo, gid, type=type_, begin=at.strftime("%Y-%m-%dT%H:%M"), repeat="daily")
        assert done.status_code == 302 and done["Location"] == f"/groups/{gid}/schedules/", text_of(done)[
            :800
        ]
    assert AuditEntry.objects.filter(action="group.createSchedule", result="success").count() == 2

    page = demo.get(f"/groups/{gid}/")
    text = text_of(page)
    assert "Power off (shut down)" in text and "Power on" in text
    assert f"Next run: Power off (shut down), {off_at:%Y-%m-%d %H:%M} (UTC+00:00)" in text
    assert "every day at 20:00 (UTC+00:00)" in text and "every day at 07:00 (UTC+00:00)" in text

    # 20:00 on the simulator clock: the cloud shuts the Canary servers down by itself.
    simulator.control("clock", to=(off_at + timedelta(minutes=1)).isoformat())
    wait_until(
        lambda: power_states(demo, gid) == dict.fromkeys(CANARY, "stopped"), 15, 0.2, "servers stopped"
    )
    server = text_of(demo.get(f"/servers/{CANARY[0]}/?refresh=1"))
    assert "Power stopped" in server  # the server page's Power field (was: "stopped" anywhere on it)
    after = text_of(demo.get(f"/groups/{gid}/schedules/?refresh=1"))
    assert f"Next run: Power on, {on_at:%Y-%m-%d %H:%M} (UTC+00:00)" in after
    assert re.search(rf"1\s*, last {off_at:%Y-%m-%d %H:%M} \(UTC\+00:00\)", after)

    # 07:00: on again.
    simulator.control("clock", to=(on_at + timedelta(minutes=1)).isoformat())
    wait_until(
        lambda: power_states(demo, gid) == dict.fromkeys(CANARY, "started"), 15, 0.2, "servers started"
    )
    api = demo.get(f"/api/v1/groups/{gid}/schedules/?fresh=1").json()
    assert sorted((s["type"], s["occurrence_count"]) for s in api["schedules"]) == [
        ("poweron", 1),
        ("shutdown", 1),
    ]
    assert api["next_run"] == next(s["id"] for s in api["schedules"] if s["type"] == "shutdown")


def test_change_and_remove_a_schedule(demo, simulator):
    gid = named_group(simulator, "Canary")["id"]
    begin = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    add_schedule(demo, gid, type="reboot", begin=begin, repeat="weekly")
    (schedule,) = demo.get(f"/api/v1/groups/{gid}/schedules/?fresh=1").json()["schedules"]
    url = f"/groups/{gid}/schedules/{schedule['id']}/actions/editSchedule/"
    form = demo.get(url)
    html = form.content.decode()
    assert 'value="reboot" selected' in html and f'value="{begin}"' in html  # the current values
    saved = demo.post(
        url,
        {
            "idempotency_key": key_of(html),
            "type": "pause",
            "begin": begin,
            "time_zone_offset": "-08:00",
            "repeat": "customWeekly",
            "custom_weekly_days": ["fri", "mon"],
            "expire": "afterCount",
            "expire_count": "3",
            "status": "on",
        },
    )
    assert saved.status_code == 302, text_of(saved)[:800]
    raw = simulator.session("demo").get(f"{simulator.url}/v2/groups/demo/{gid}/scheduledActivities").json()
    assert [
        (a["type"], a["repeat"], a["customWeeklyDays"], a["expireCount"], a["timeZoneOffset"]) for a in raw
    ] == [("pause", "customWeekly", ["mon", "fri"], 3, "-08:00:00")]
    # 'begin' was local time at -08:00: eight hours later in UTC.
    local = datetime.strptime(begin, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
    assert raw[0]["beginDateUTC"].startswith((local + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    assert "Mon, Fri at" in text_of(demo.get(f"/groups/{gid}/schedules/"))

    remove = f"/groups/{gid}/schedules/{schedule['id']}/actions/deleteSchedule/"
    asked = demo.get(remove)
    assert "It will not run again" in text_of(asked)
    gone = demo.post(remove, {"idempotency_key": key_of(asked.content.decode()), "confirmed": "1"})
    assert gone.status_code == 302
    assert (
        simulator.session("demo").get(f"{simulator.url}/v2/groups/demo/{gid}/scheduledActivities").json()
        == []
    )
    assert "No scheduled activities." in text_of(demo.get(f"/groups/{gid}/"))


PAST = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
SOON = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    "fields, field, message",
    [
        (
            {"type": "shutdown", "begin": PAST, "repeat": "never"},
            "begin",
            "is in the past: a schedule that runs once",
        ),
        ({"type": "shutdown", "begin": "20:00", "repeat": "daily"}, "begin", "Enter a valid date/time"),
        ({"type": "poweroff", "begin": SOON, "repeat": "daily"}, "type", "Select a valid choice"),
        (
            {"type": "reboot", "begin": SOON, "repeat": "customWeekly"},
            "custom_weekly_days",
            "Pick at least one day",
        ),
        ({"type": "reboot", "begin": SOON, "repeat": "hourly"}, "repeat", "Select a valid choice"),
        (
            {"type": "reboot", "begin": SOON, "repeat": "daily", "expire": "afterCount"},
            "expire_count",
            "after how many runs",
        ),
        (
            {"type": "reboot", "begin": SOON, "repeat": "daily", "expire": "afterDate", "expire_date": PAST},
            "expire_date",
            "It must stop after its first run",
        ),
        (
            {"type": "reboot", "begin": SOON, "repeat": "daily", "time_zone_offset": "-15:00"},
            "time_zone_offset",
            "between -14:00 and +14:00",
        ),
        (
            {"type": "reboot", "begin": SOON, "repeat": "daily", "time_zone_offset": "PST"},
            "time_zone_offset",
            "must look like -08:00",
        ),
    ],
)
def test_bad_schedules_are_refused_before_anything_is_sent(demo, simulator, writes, fields, field, message):
    gid = named_group(simulator, "Canary")["id"]
    page = add_schedule(demo, gid, **fields)
    assert page.status_code == 400 and message in text_of(page)
    api = demo.post(
        f"/api/v1/groups/{gid}/schedules/actions/createSchedule/",
        {"time_zone_offset": "+00:00", "expire": "never", "status": "on", **fields},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert api.status_code == 400 and field in api.json()["errors"], api.content
    assert message in " ".join(api.json()["errors"][field])
    assert writes == []


def test_autoscale_set_shown_and_removed(demo, simulator, writes):
    gid = named_group(simulator, "Canary")["id"]
    policies = demo.get("/api/v1/horizontal-autoscale-policies/").json()
    policy = next(p for p in policies if p["name"] == "Web Tier Scale Out")
    url = f"/groups/{gid}/autoscale/actions/setAutoscale/"
    form = demo.get(url)
    assert "Web Tier Scale Out (at least 2 running)" in text_of(form)
    # Half a pool: refused here.
    half = demo.post(
        url, {"idempotency_key": key_of(form.content.decode()), "policy": policy["id"], "public_port": "80"}
    )
    assert half.status_code == 400 and "needs its id, public port and private port" in text_of(half)
    assert writes == []
    done = demo.post(
        url,
        {
            "idempotency_key": key_of(form.content.decode()),
            "policy": policy["id"],
            "load_balancer": "c3a3f7e1b0d24d6f9a0e4b1c2d3e4f50",
            "public_port": "80",
            "private_port": "8080",
        },
    )
    assert done.status_code == 302, text_of(done)[:800]
    text = text_of(demo.get(f"/groups/{gid}/"))
    assert "Web Tier Scale Out" in text and "2 running of 2 available" in text and "80 → 8080" in text
    assert (
        AuditEntry.objects.get(action="group.setAutoscale").detail["changes"]["policy"]["to"]
        == "Web Tier Scale Out"
    )
    remove = f"/groups/{gid}/autoscale/actions/removeAutoscale/"
    asked = demo.get(remove)
    gone = demo.post(remove, {"idempotency_key": key_of(asked.content.decode()), "confirmed": "1"})
    assert gone.status_code == 302
    assert "No horizontal autoscale policy." in text_of(demo.get(f"/groups/{gid}/"))
    assert demo.get(f"/api/v1/groups/{gid}/schedules/").json()["autoscale"] is None


def test_the_horizontal_policies_are_cached_and_read_again_on_fresh(demo, simulator):
    url = "/api/v1/horizontal-autoscale-policies/"
    cold = demo.get(url)
    assert upstream_calls(cold) == 1
    assert upstream_calls(demo.get(url)) == 0
    fresh = demo.get(f"{url}?fresh=1")
    assert upstream_calls(fresh) == 1 and fresh.content == cold.content


def test_a_policy_minimum_above_the_groups_servers_is_refused(demo, simulator, writes):
    monitoring = named_group(simulator, "Monitoring")  # one server
    policies = demo.get("/api/v1/horizontal-autoscale-policies/").json()
    policy = next(p for p in policies if p["minimum_server_count"] == 2)
    answer = demo.post(
        f"/api/v1/groups/{monitoring['id']}/autoscale/actions/setAutoscale/",
        {"policy": policy["id"]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert answer.status_code == 400
    assert "keeps at least 2 servers running, but the group has 1" in answer.json()["message"]
    unknown = demo.post(
        f"/api/v1/groups/{monitoring['id']}/autoscale/actions/setAutoscale/",
        {"policy": "nope"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert unknown.status_code == 400 and "Pick one of the account's" in unknown.json()["message"]
    assert writes == []


def test_who_may(client, clc_settings, simulator):
    gid = named_group(simulator, "Canary")["id"]
    sign_in(client, "operator")  # group schedules yes, autoscale policies no (ROLES.md)
    text = text_of(client.get(f"/groups/{gid}/"))
    assert (
        "Add schedule" in text
        and "Set autoscale policy (needs Account Administrator or Server Administrator)" in text
    )
    sign_in(client, "viewer")
    page = client.get(f"/groups/{gid}/")
    html = page.content.decode()
    assert 'data-action="createSchedule"' not in html and 'data-action="setAutoscale"' not in html
    assert "Add schedule" in text_of(page)  # named in the role hint
    refused = client.post(f"/groups/{gid}/schedules/actions/createSchedule/", {"type": "reboot"})
    assert refused.status_code == 403


def test_the_runs_show_as_done_by_the_cloud_once_the_webhooks_tell(
    demo, simulator, receiver, hook_key, worker
):
    """The schedule's runs are the cloud's operations, not the portal's: no activity of the portal
    follows them. The simulator announces the servers' changes (Server.Updated); delivered to the
    portal's receiver as the cloud would, they become external activities, which the group and
    server pages list under "Done by the cloud" (what, when, by whom)."""
    gid = named_group(simulator, "Canary")["id"]
    off_at = next_at(sim_now(simulator), 20)
    add_schedule(demo, gid, type="shutdown", begin=off_at.strftime("%Y-%m-%dT%H:%M"), repeat="daily")
    assert "Nothing reported in the last 14 days" in text_of(demo.get(f"/groups/{gid}/"))
    since = max(
        [e["seq"] for e in requests.get(f"{simulator.url}/control/events", timeout=10).json()["events"]]
        or [0]
    )
    simulator.control("clock", to=(off_at + timedelta(minutes=1)).isoformat())
    wait_until(
        lambda: power_states(demo, gid) == dict.fromkeys(CANARY, "stopped"), 15, 0.2, "servers stopped"
    )
    events = requests.get(
        f"{simulator.url}/control/events", params={"since": since, "event": "Server.Updated"}, timeout=10
    ).json()["events"]
    mine = [e for e in events if str(e["payload"].get("id", "")).upper() in CANARY]
    assert {e["payload"]["id"].upper() for e in mine} == set(CANARY)
    for e in mine:
        body = {
            **e["payload"],
            "event": e["event"],
            "eventId": f"{e['seq']}-{uuid.uuid4().hex}",
            "eventTime": e["at"],
        }
        assert deliver(demo, receiver(), body, hook_key).status_code == 202
    page = demo.get(f"/groups/{gid}/")
    panel = re.search(r'<section class="panel external-ops".*?</section>', page.content.decode(), re.S).group(
        0
    )
    assert all(server in panel for server in CANARY) and "stopped" in panel
    # The payload names no schedule (its modifier is the last person): the group page knows it was
    # the schedule's run (the run's time, the power state it leads to).
    assert panel.count('the scheduled activity "Power off (shut down), every day at 20:00 (UTC+00:00)"') == 2
    server = demo.get(f"/servers/{CANARY[1]}/").content.decode()
    assert "stopped" in re.search(r'<section class="panel external-ops".*?</section>', server, re.S).group(0)
    api = demo.get(f"/api/v1/groups/{gid}/external-operations/").json()
    assert {tuple(a["resource_ids"]) for a in api} == {(s,) for s in CANARY}
