"""The portal pages that follow the statistics, schedules and autoscale links the simulator
advertises on servers and groups answer, for every demo sign-in (the simulator's own walk,
tests/test_simulator_link_walk.py, checks the links themselves): with the states the demo seed
lacks added (a server being built, a failed build, an archived group, a scheduled activity, a
horizontal autoscale mapping...), every group's page, schedules page and schedules API, and every
server's page and statistics API answer without a 5xx; where the cloud shows a role the link, the
page shows what follows it (charts, the schedules and autoscale panel)."""

import re

import pytest

from tests.support.portal import signed_in, walk
from tests.test_simulator_link_walk import add_missing_states

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

ROLES = ["demo", "operator", "viewer", "netadmin", "security", "billing", "other"]


def has(body: dict, rel: str) -> bool:
    return any(link.get("rel") == rel for link in body.get("links") or ())


def account_tree(simulator, user: str) -> list[dict]:
    """Every group of the account's data centers (nested servers' links), as ``demo``/``other``
    (an administrator) sees them."""
    admin = simulator.session("other" if user == "other" else "demo")
    alias = "othr" if user == "other" else "demo"
    groups = []
    for dc in admin.get(f"{simulator.url}/v2/datacenters/{alias}", timeout=10).json():
        if alias == "demo" and dc["id"].upper() != "WA1":
            continue  # the demo account's other data centers repeat the same shapes
        root = next(lk for lk in dc["links"] if lk["rel"] == "group")["id"]
        tree = admin.get(f"{simulator.url}/v2/groups/{alias}/{root}", timeout=10).json()
        groups += list(walk(tree))
    return groups


@pytest.fixture
def states(simulator):
    add_missing_states(simulator, simulator.session("demo"))
    yield
    simulator.control("config", durationSeconds=None)  # operations take their usual time again


@pytest.mark.parametrize("user", ROLES)
def test_pages_following_the_monitoring_links_answer(clc_settings, simulator, states, user):
    client = signed_in(user)
    session = simulator.session(user)
    alias = "othr" if user == "other" else "demo"
    wrong, seen = [], {"charts": 0, "automation": 0}
    for group in account_tree(simulator, user):
        gid = group["id"]
        raw = session.get(f"{simulator.url}/v2/groups/{alias}/{gid}", timeout=10)
        page = client.get(f"/groups/{gid}/")
        if page.status_code >= 500 or (raw.status_code == 200) != (page.status_code == 200):
            wrong.append(f"{user}: /groups/{gid}/ answered {page.status_code} (the cloud {raw.status_code})")
            continue
        if raw.status_code != 200:
            continue
        body, html = raw.json(), page.content.decode()
        if has(body, "statistics"):
            seen["charts"] += 1
            if "monitoring-charts" not in html:
                wrong.append(f"{user}: group {group['name']} advertises statistics, its page shows no charts")
        if has(body, "scheduledActivities"):
            seen["automation"] += 1
            if "group-automation" not in html:
                wrong.append(f"{user}: group {group['name']} advertises schedules, its page shows none")
            for url in (f"/groups/{gid}/schedules/", f"/api/v1/groups/{gid}/schedules/"):
                answer = client.get(url)
                if answer.status_code != 200:
                    wrong.append(f"{user}: {url} answered {answer.status_code}")
        for link in (lk for lk in group.get("links") or () if lk["rel"] == "server"):
            sid = link["id"]
            raw = session.get(f"{simulator.url}/v2/servers/{alias}/{sid}", timeout=10)
            page = client.get(f"/servers/{sid}/")
            if page.status_code >= 500 or (raw.status_code == 200) != (page.status_code == 200):
                wrong.append(
                    f"{user}: /servers/{sid}/ answered {page.status_code} (the cloud {raw.status_code})"
                )
                continue
            if raw.status_code != 200 or not has(raw.json(), "statistics"):
                continue
            html = page.content.decode()
            charts = len(re.findall(r'<svg class="chart"', html)) + html.count("disk-unreported")
            if charts != 4:
                wrong.append(f"{user}: server {sid} advertises statistics, its page draws {charts} charts")
            api = client.get(f"/api/v1/servers/{sid}/statistics/?range=hour")
            if api.status_code != 200:
                wrong.append(f"{user}: its statistics API answered {api.status_code}")
    assert not wrong, "\n".join(wrong)
    if user not in ("billing", "netadmin"):  # they read no groups or servers (ROLES.md)
        assert seen["charts"] and seen["automation"], seen
