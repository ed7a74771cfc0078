"""The portal's tracking against the queue statuses ``resumed`` and ``unknown``, as the simulator
really answers them (``/control/interrupt-next``, issue #17): an operation started the way the pages
start it, polled by the dispatcher the beat runs, read back through the activities API."""

import pytest
import requests

from apps.accounts.services import authenticate_with_cloud
from apps.actions.services import start_operation
from apps.activities import tracking
from apps.activities.models import Activity, ActivityEvent, Status
from tests.support.portal import signed_in
from tests.support.simulator import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]
SERVER = "WA1DEMOWEB01"  # started in the demo seed


@pytest.fixture
def demo(clc_settings):
    return authenticate_with_cloud("demo", "demo")


def advance(simulator, seconds: float) -> None:
    requests.post(f"{simulator.url}/control/clock", json={"advance": seconds}, timeout=10).raise_for_status()


def sweep_until(activity_id, predicate, what: str) -> Activity:
    def done():
        tracking.dispatch()
        activity = Activity.objects.get(pk=activity_id)
        return activity if predicate(activity) else None

    return wait_until(done, timeout=15, interval=0.05, message=what)


def test_a_resumed_operation_stays_running_and_then_succeeds(demo, simulator):
    # 20 s of work at speed 50; halfway it stops for 100 s (simulator clock) and is resumed.
    simulator.control("config", durationSeconds=1000)
    simulator.control("interrupt-next", count=1, status="resumed", pauseSeconds=100)
    [result] = start_operation(demo, "powerOff", [SERVER])
    activity = result.activity
    advance(simulator, 111)
    resumed = sweep_until(activity.pk, lambda a: a.upstream_status == "resumed", "the resumed status")
    assert resumed.status == Status.RUNNING and resumed.finished_at is None and resumed.next_poll_at
    advance(simulator, 20)
    done = sweep_until(activity.pk, lambda a: a.status in tracking.TERMINAL, "the end")
    assert done.status == Status.SUCCEEDED and done.error_message == ""
    history = list(ActivityEvent.objects.filter(activity=activity).values_list("to_status", flat=True))
    assert history == ["queued", "running", "succeeded"]  # resumed is running, never a step back
    body = signed_in("demo").get(f"/api/v1/activities/{activity.pk}/").json()
    assert body["status"] == "succeeded" and body["upstream_status"] == "succeeded"


def test_an_operation_the_cloud_lost_ends_unknown_with_the_reason(demo, simulator):
    simulator.control("config", durationSeconds=1000)
    simulator.control("interrupt-next", count=1, status="unknown")
    [result] = start_operation(demo, "powerOff", [SERVER])
    advance(simulator, 12)
    done = sweep_until(result.activity.pk, lambda a: a.status in tracking.TERMINAL, "the end")
    assert done.status == Status.UNKNOWN and done.upstream_status == "unknown"
    assert done.error_message == tracking.UNKNOWN_UPSTREAM and done.next_poll_at is None
    polls = done.polls
    tracking.dispatch()
    assert Activity.objects.get(pk=done.pk).polls == polls  # final: no more polling
    client = signed_in("demo")
    body = client.get(f"/api/v1/activities/{done.pk}/").json()
    assert body["status"] == "unknown" and "lost track" in body["error_message"]
    page = client.get(f"/activities/{done.pk}/")
    assert page.status_code == 200 and b"lost track" in page.content
