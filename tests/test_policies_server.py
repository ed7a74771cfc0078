"""A server's policies through the portal: done when (issue 12) a vertical autoscale policy set in
the portal raises a busy server's CPU (the simulator's clock fast-forwarded); the checks made before
anything is sent (a policy whose CPU range leaves the server out, a policy it already has); roles;
the panel's alert policies with their triggers; the REST read of a server's policies."""

import pytest
import requests

from apps.audit.models import AuditEntry
from tests.support.policies import post_action
from tests.support.portal import signed_in, text_of
from tests.test_inventory_selectors import fail_upstream  # noqa: F401  (a shared fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

DB = "WA1DEMODB01"  # started, 2 CPUs
API = "WA1DEMOAPI01"  # 1 CPU, seeded alert policies


def autoscale_ids(demo) -> dict:
    return {p["name"]: p["id"] for p in demo.get("/api/v1/policies/autoscale/").json()["results"]}


def test_an_autoscale_policy_set_in_the_portal_raises_a_busy_servers_cpu(demo, simulator):
    policy = autoscale_ids(demo)["Production Database Scale Policy"]  # 2-6 CPUs, +1 at >= 85% for 5 min
    done = post_action(demo, f"/servers/{DB.lower()}/actions/setAutoscalePolicy/", {"policy": policy})
    assert done.status_code == 302, text_of(done)[:800]
    page = text_of(demo.get(f"/servers/{DB.lower()}/"))
    assert "Production Database Scale Policy 2–6 CPUs, +1 at ≥ 85 %" in page and "CPU 2 vCPU" in page
    assert AuditEntry.objects.filter(
        action="server.setAutoscalePolicy", target_id=DB, result="success"
    ).exists()

    simulator.control("load", serverId=DB, cpu=95, minutes=120)
    simulator.control("clock", advance=15 * 60)
    ops = requests.get(f"{simulator.url}/control/operations", params={"kind": "autoscaleCpu", "resource": DB},
                       timeout=10).json()["operations"]  # fmt: skip
    assert [(o["params"]["cpu"], o["status"]) for o in ops] == [(3, "succeeded")]
    assert "CPU 3 vCPU" in text_of(demo.get(f"/servers/{DB.lower()}/?refresh=1"))
    assert demo.get(f"/api/v1/servers/{DB}/").json()["server"]["cpu"] == 3

    removal = f"/servers/{DB.lower()}/actions/removeAutoscalePolicy/"
    asked = demo.get(removal, {"autoscale": policy})
    assert "Remove the autoscale policy Production Database Scale Policy from WA1DEMODB01?" in text_of(asked)
    removed = post_action(demo, removal, {"autoscale": policy, "confirmed": "1"})
    assert removed.status_code == 302
    assert "No autoscale policy: the server keeps its 3 CPUs" in text_of(demo.get(f"/servers/{DB.lower()}/"))
    again = post_action(demo, removal, {"autoscale": policy, "confirmed": "1"})
    assert again.status_code == 400 and "has no autoscale policy" in text_of(again)


def test_a_policy_whose_range_leaves_the_server_out_is_refused_before_sending(demo, simulator):
    policy = autoscale_ids(demo)["Production Database Scale Policy"]  # 2-6; API01 has 1 CPU
    refused = post_action(demo, f"/servers/{API.lower()}/actions/setAutoscalePolicy/", {"policy": policy})
    assert refused.status_code == 400
    assert "has 1 CPU, outside the range of Production Database Scale Policy (2-6 CPUs)" in text_of(refused)
    api = demo.post(f"/api/v1/servers/{API}/actions/setAutoscalePolicy/", {"policy": policy},
                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-range-1")  # fmt: skip
    assert api.status_code == 400 and "outside" in api.json()["message"]
    unknown = demo.post(f"/api/v1/servers/{API}/actions/setAutoscalePolicy/", {"policy": "f" * 32},
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-range-2")  # fmt: skip
    assert (
        unknown.status_code == 400
        and "Pick one of the account's autoscale policies" in unknown.json()["message"]
    )
    path = f"{simulator.url}/v2/servers/demo/{API}/cpuAutoscalePolicy"
    assert simulator.session("demo").get(path, timeout=10).status_code == 404  # nothing was sent


def test_the_panel_shows_the_seeded_policies_and_refuses_one_twice(demo, simulator):
    page = text_of(demo.get(f"/servers/{API.lower()}/"))
    assert "Production Web Servers - CPU cpu ≥ 90 % for 5 min quiet" in page
    seeded = demo.get(f"/api/v1/servers/{API}/policies/").json()
    have = seeded["alert_policies"][0]["id"]
    assert seeded["alert_policies"][0]["removable"] is True and seeded["autoscale"] is None
    form = demo.get(f"/servers/{API.lower()}/actions/attachAlertPolicy/").content.decode()
    assert f'value="{have}"' not in form  # only the policies it does not have yet
    twice = demo.post(f"/api/v1/servers/{API}/actions/attachAlertPolicy/", {"policy": have},
                      content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-twice")  # fmt: skip
    assert twice.status_code == 400 and "does not have yet" in twice.json()["message"]


def test_roles(clc_settings, simulator):
    viewer = signed_in("viewer")
    page = text_of(viewer.get(f"/servers/{API.lower()}/"))
    assert "Production Web Servers - CPU" in page
    assert (
        "Not for your role: Add alert policy, Set autoscale policy (needs Account Administrator, Server Administrator or Server Operator)"
        in page
    )
    operator = signed_in("operator")
    policy = next(p["id"] for p in operator.get("/api/v1/policies/autoscale/").json()["results"]
                  if p["name"] == "Web Burst Policy")  # fmt: skip
    assert (
        post_action(
            operator, f"/servers/{API.lower()}/actions/setAutoscalePolicy/", {"policy": policy}
        ).status_code
        == 302
    )
    refused = operator.get("/policies/alert-policies/actions/createAlertPolicy/")
    assert refused.status_code == 403 and "needs Account Administrator or Server Administrator" in text_of(
        refused
    )


def test_the_panel_says_when_the_cloud_fails_and_the_page_renders(demo, simulator, fail_upstream):  # noqa: F811
    fail_upstream("cpuAutoscalePolicy", 503)
    page = demo.get(f"/servers/{DB.lower()}/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Policies could not be read from the cloud right now." in text
    assert "Load balancer pools" in text and "CPU 2 vCPU" in text


def test_the_panel_notes_each_list_it_could_not_read_and_a_401_still_raises(monkeypatch):
    """``server_policies`` without the cloud's lists: one note per list, nothing else missing; an
    autoscale mapping whose policy is not in the list shows none and says nothing; a 401 raises."""
    from types import SimpleNamespace

    from apps.clc.entities import PolicyMapping
    from apps.clc.errors import Unauthorized, UpstreamUnavailable
    from apps.policies import selectors

    def down(*_args, **_kwargs):
        raise UpstreamUnavailable("down")

    for name in ("alert_policies", "autoscale_policies", "anti_affinity_policies"):
        monkeypatch.setattr(selectors, name, down)
    monkeypatch.setattr(selectors, "server_autoscale", lambda *_a, **_k: PolicyMapping("pol-1"))
    ref = PolicyMapping("ALERT-1", "CPU alert")
    detail = SimpleNamespace(server=SimpleNamespace(id="WA1X01"), alert_policies=(ref,), type="hyperscale")
    user = SimpleNamespace(account_alias="DEMO")

    found = selectors.server_policies(user, detail, client=object(), alerts=[])
    assert found.note == (
        "The autoscale policy's settings could not be read. The alert policies' triggers could not be "
        "read. The anti-affinity policies could not be read."
    )
    assert found.autoscale_policy is None and found.anti_affinity is None
    assert [(a.id, a.name, a.policy) for a in found.alert_policies] == [("alert-1", "CPU alert", None)]

    monkeypatch.setattr(selectors, "autoscale_policies", lambda *_a, **_k: SimpleNamespace(items=()))
    monkeypatch.setattr(selectors, "anti_affinity_policies", lambda *_a, **_k: SimpleNamespace(items=()))
    found = selectors.server_policies(user, detail, client=object(), alerts=[])
    assert found.note == "The alert policies' triggers could not be read."
    assert found.autoscale_policy is None

    def expired(*_args, **_kwargs):
        raise Unauthorized("expired")

    monkeypatch.setattr(selectors, "alert_policies", expired)
    with pytest.raises(Unauthorized):
        selectors.server_policies(user, detail, client=object(), alerts=[])
