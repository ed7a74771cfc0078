"""A recipe's time to live really deletes its server (issue #17): the recipe launches a server with a
``ttl``, the portal tracks the build, the simulator's clock is moved past the ttl, the cloud queues
the deletion by itself, and the portal shows the server gone.

The deletion is not one the portal started, so no activity of the portal ends with it: a data center
page read from the per-person cache may still list the server until the cache expires (or a
``Server.Deleted`` webhook drops it); a ``?refresh=1`` read shows it gone, and so does the server's
own page once read fresh.
"""

import pytest
import requests

from apps.activities import tracking
from apps.activities.models import Activity, Status
from tests.support.portal import create_token, script_client, signed_in
from tests.support.simulator import wait_until
from tests.test_recipes_api import launch
from tests.test_recipes_pages import make_recipe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_cache_namespace")]


def operations(simulator, kind: str, server_id: str) -> list[dict]:
    params = {"kind": kind, "resource": server_id}
    return requests.get(f"{simulator.url}/control/operations", params=params, timeout=10).json()["operations"]


def test_a_recipe_ttl_deletes_the_server_and_the_portal_shows_it_gone(clc_settings, simulator):
    simulator.control("config", durationSeconds=5)  # builds take ~0.1 s
    r = make_recipe(simulator, name="Short lived", ttl_hours=1)
    operator = script_client(create_token(signed_in("operator")))
    started = launch(operator, r.pk, {"name": "tmp"})
    assert started.status_code == 202, started.content
    body = started.json()
    server_id, ttl = body["server"], body["ttl"]
    assert ttl

    def built():
        tracking.dispatch()
        activity = Activity.objects.get(pk=body["activity"]["id"])
        return activity if activity.status in tracking.TERMINAL else None

    activity = wait_until(built, timeout=20, interval=0.05, message="the build")
    assert activity.status == Status.SUCCEEDED
    page = signed_in("operator")
    assert server_id in page.get("/datacenters/WA1/").content.decode()  # the activity's end dropped the cache
    internals = requests.get(f"{simulator.url}/control/servers/{server_id}", timeout=10).json()
    assert internals["ttl"] == ttl  # the cloud keeps the recipe's ttl

    # An hour and a bit later, on the simulator's clock: the cloud queued the deletion at the ttl
    # and it has completed.
    requests.post(
        f"{simulator.url}/control/clock", json={"advance": 3600 + 60}, timeout=10
    ).raise_for_status()
    [deletion] = operations(simulator, "deleteServer", server_id)
    assert deletion["params"]["reason"] == "ttl" and deletion["started"] == ttl
    assert deletion["status"] == "succeeded"

    fresh = page.get("/datacenters/WA1/?refresh=1")
    assert fresh.status_code == 200 and server_id not in fresh.content.decode()
    gone = page.get(f"/servers/{server_id}/?refresh=1")
    assert gone.status_code == 404
    api = operator.get(f"/api/v1/servers/{server_id}/?fresh=1")
    assert api.status_code == 404
