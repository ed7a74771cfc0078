"""Done when (issue 12): an alert policy at 80 % CPU for 5 minutes, created and attached to a server
through the portal, fires on the simulator's series (its clock and load driven by /control), the
simulator delivers ``Alert.Notification`` to the portal's receiver (connected in one click), and the
portal shows the alert on the server page (the policy marked as firing) and on the dashboard; it
clears when the load ends."""

import pytest
import requests

from apps.audit.models import AuditEntry
from tests.support.policies import post_action
from tests.support.portal import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

SERVER = "WA1DEMOWEB01"  # started, 2 CPUs, no alert policy in the demo seed


def sim_alerts(simulator):
    return requests.get(f"{simulator.url}/control/alerts", params={"serverId": SERVER}, timeout=10).json()[
        "alerts"
    ]


def test_a_policy_made_in_the_portal_fires_and_the_portal_shows_the_alert(demo, simulator, relay):
    made = post_action(demo, "/policies/alert-policies/actions/createAlertPolicy/",
                       {"name": "CPU 80 for 5", "recipients": "oncall@example.com", "cpu_threshold": "80",
                        "cpu_duration": "00:05:00", "memory_duration": "00:05:00",
                        "disk_duration": "00:05:00"})  # fmt: skip
    assert made.status_code == 302, text_of(made)[:800]
    policy_id = made["Location"].rstrip("/").rsplit("/", 1)[-1]
    attached = post_action(
        demo, f"/servers/{SERVER.lower()}/actions/attachAlertPolicy/", {"policy": policy_id}
    )
    assert attached.status_code == 302, text_of(attached)[:800]
    page = text_of(demo.get(f"/servers/{SERVER.lower()}/"))
    assert "CPU 80 for 5 cpu ≥ 80 % for 5 min quiet" in page
    assert AuditEntry.objects.filter(
        action="server.attachAlertPolicy", target_id=SERVER, result="success"
    ).exists()

    simulator.control("clock", advance=1800)  # quiet: nothing fires
    assert sim_alerts(simulator) == []
    simulator.control("load", serverId=SERVER, cpu=95, minutes=30)
    simulator.control("clock", advance=15 * 60)
    [fired] = sim_alerts(simulator)
    assert (fired["policyId"], fired["state"]) == (policy_id, "triggered")
    [answer] = relay.forward(demo)
    assert answer.status_code == 202, answer.content

    page = text_of(demo.get(f"/servers/{SERVER.lower()}/"))
    assert "cpu alert since" in page  # the policy's row, in the Policies panel
    assert "triggered cpu" in page  # the Alerts panel (webhooks' store)
    board = text_of(demo.get("/"))
    assert "1 active" in board and SERVER in board and "cpuPercent 95" in board
    api = demo.get(f"/api/v1/servers/{SERVER}/policies/").json()
    [mine] = api["alert_policies"]
    assert mine["id"] == policy_id and [f["metric"] for f in mine["firing"]] == ["cpu"]

    simulator.control("clock", advance=45 * 60)  # the load has ended: cleared
    relay.forward(demo)
    page = text_of(demo.get(f"/servers/{SERVER.lower()}/"))
    assert "cpu alert since" not in page and "CPU 80 for 5 cpu ≥ 80 % for 5 min quiet" in page
    assert "0 active" in text_of(demo.get("/"))


def test_detach_stops_the_alerts(demo, simulator, relay):
    made = post_action(demo, "/policies/alert-policies/actions/createAlertPolicy/",
                       {"name": "Mem 50", "recipients": "oncall@example.com", "memory_threshold": "50",
                        "memory_duration": "00:05:00"})  # fmt: skip
    policy_id = made["Location"].rstrip("/").rsplit("/", 1)[-1]
    post_action(demo, f"/servers/{SERVER.lower()}/actions/attachAlertPolicy/", {"policy": policy_id})
    url = f"/servers/{SERVER.lower()}/actions/detachAlertPolicy/"
    asked = demo.get(url, {"policy": policy_id})
    assert "Remove the alert policy Mem 50 from WA1DEMOWEB01?" in text_of(asked)
    done = post_action(demo, url, {"policy": policy_id, "confirmed": "1"})
    assert done.status_code == 302
    assert "No alert policy: nothing is watched" in text_of(demo.get(f"/servers/{SERVER.lower()}/"))
    simulator.control("load", serverId=SERVER, memory=99, minutes=30)
    simulator.control("clock", advance=15 * 60)
    assert sim_alerts(simulator) == []
    twice = post_action(demo, url, {"policy": policy_id, "confirmed": "1"})
    assert twice.status_code == 400 and "has no alert policy" in text_of(twice)
