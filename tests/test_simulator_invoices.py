"""Invoices of the simulated CLC API v2 (``GET /v2/invoice/{alias}/{year}/{month}``) over HTTP: the
documented shape, figures that add up and follow each server's size, power history and creation
date, the running and future months, who may read them, and ``/control/invoice`` (the simulator's
own figures for the same month)."""

from datetime import UTC, datetime

import pytest
import requests

from tests.support.contract import doc_entry, shape_mismatches
from tests.support.portal import sim_root_id, walk

ALIAS = "DEMO"
HOUR = 3600


def url(sim, path):
    return f"{sim.url}{path}"


def sim_now(sim) -> datetime:
    epoch = requests.get(url(sim, "/control/clock"), timeout=10).json()["epoch"]
    return datetime.fromtimestamp(epoch, tz=UTC)


def month_start(year, month) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def next_month(year, month) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def previous_month(year, month) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def hours_in(year, month) -> float:
    return (month_start(*next_month(year, month)) - month_start(year, month)).total_seconds() / HOUR


def invoice(sim, session, year, month, **params):
    response = session.get(url(sim, f"/v2/invoice/{ALIAS}/{year}/{month}"), params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def figures(sim, year, month, alias=ALIAS):
    response = requests.get(url(sim, f"/control/invoice/{alias}/{year}/{month}"), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def details(body) -> dict[str, tuple[str, float]]:
    """server id -> (line description, cost)."""
    return {
        d["description"]: (line["description"], d["cost"])
        for line in body["lineItems"]
        for d in line["itemDetails"]
    }


def assert_adds_up(body):
    for line in body["lineItems"]:
        if line["itemDetails"]:
            assert line["itemTotal"] == round(sum(d["cost"] for d in line["itemDetails"]), 2), line
        assert line["itemTotal"] == round(line["quantity"] * line["unitCost"], 2), line
        assert isinstance(line["quantity"], int)
    assert body["totalAmount"] == round(sum(line["itemTotal"] for line in body["lineItems"]), 2)


def advance(sim, seconds):
    sim.control("clock", advance=seconds)


# --- a completed month ----------------------------------------------------------------------------
def test_last_month_has_the_documented_shape_and_adds_up(simulator):
    session = simulator.session("demo")
    now = sim_now(simulator)
    year, month = previous_month(now.year, now.month)
    body = invoice(simulator, session, year, month)
    assert (
        shape_mismatches(doc_entry("GET", "/v2/invoice/{accountAlias}/{year}/{month}")["ResExample"], body)
        == []
    )
    assert body["accountAlias"] == ALIAS and body["pricingAccountAlias"] == ALIAS
    assert body["invoiceDate"] == month_start(now.year, now.month).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["companyName"] == session.get(url(simulator, f"/v2/accounts/{ALIAS}")).json()["businessName"]
    assert_adds_up(body)
    assert body["totalAmount"] > 0
    kinds = {line["description"].split(" - ")[0].split(" (")[0].split(":")[0] for line in body["lineItems"]}
    assert kinds == {"Server Group", "External IP Address", "Shared Load Balancer"}
    # The same month answers the same invoice, also after a reset to the same seed.
    assert invoice(simulator, session, year, month) == body
    simulator.reset()
    assert invoice(simulator, simulator.session("demo"), year, month) == body
    # The simulator's own figures agree.
    own = figures(simulator, year, month)
    assert own["complete"] is True and own["totalAmount"] == body["totalAmount"]
    assert {k: v[1] for k, v in details(body).items()} == {k: v["cost"] for k, v in own["servers"].items()}


def test_each_server_is_billed_for_its_size_power_history_and_age(simulator):
    session = simulator.session("demo")
    now = sim_now(simulator)
    year, month = previous_month(now.year, now.month)
    end = month_start(now.year, now.month)
    body = invoice(simulator, session, year, month)
    own = figures(simulator, year, month)
    billed = details(body)
    tree = session.get(url(simulator, f"/v2/groups/{ALIAS}/{sim_root_id(session, 'WA1', ALIAS)}")).json()
    full_month = hours_in(year, month)
    checked_started = checked_stopped = 0
    for group in walk(tree):
        for link in group["links"]:
            if link["rel"] != "server":
                continue
            server = session.get(url(simulator, f"/v2/servers/{ALIAS}/{link['id']}")).json()
            created = datetime.fromisoformat(server["changeInfo"]["createdDate"].replace("Z", "+00:00"))
            if created >= end:
                assert server["id"] not in billed
                continue
            line, cost = billed[server["id"]]
            assert line == f"Server Group: {group['name']} - WA1"
            if server["status"] != "active" or server["isTemplate"]:
                continue
            units = session.get(url(simulator, f"/v2/billing/{ALIAS}/serverPricing/{server['id']}")).json()
            d = server["details"]
            storage = units["storageGB"] * d["storageGB"]
            compute = units["cpu"] * d["cpu"] + units["memoryGB"] * d["memoryMB"] / 1024 + units["managedOS"]
            hours = own["servers"][server["id"]]["computeHours"]
            if created < month_start(year, month) and hours == pytest.approx(full_month):
                assert cost == pytest.approx(full_month * (compute + storage), abs=0.011)
                checked_started += 1
            elif created < month_start(year, month) and hours == 0:
                assert cost == pytest.approx(full_month * storage, abs=0.011)
                checked_stopped += 1
            else:  # part of the month started, or created during it
                assert cost < full_month * (compute + storage) + 0.01
    assert checked_started and checked_stopped
    # One public IP per WA1 server that has one; the two load balancers, hour by hour.
    ips = next(line for line in body["lineItems"] if line["description"] == "External IP Address (WA1)")
    assert ips["unitCost"] == 2.0 and ips["quantity"] >= 1
    lbs = next(line for line in body["lineItems"] if line["description"] == "Shared Load Balancer - WA1")
    assert lbs["itemDetails"] == [] and 0 < lbs["itemTotal"] <= 2 * 0.04 * full_month + 0.01
    assert lbs["itemTotal"] == pytest.approx(sum(own["loadBalancers"].values()), abs=0.011)


def test_a_server_stopped_for_part_of_the_month_costs_less(simulator):
    session = simulator.session("demo")
    now = sim_now(simulator)
    if (month_start(*next_month(now.year, now.month)) - now).total_seconds() < 6 * HOUR:
        advance(simulator, 7 * HOUR)  # not across a month's end while the servers are built
        session = simulator.session("demo")
        now = sim_now(simulator)
    year, month = now.year, now.month
    default_group = next(
        g["id"]
        for g in walk(
            session.get(url(simulator, f"/v2/groups/{ALIAS}/{sim_root_id(session, 'WA1', ALIAS)}")).json()
        )
        if g["name"] == "Default Group"
    )
    body = {
        "name": "bill",
        "groupId": default_group,
        "sourceServerId": "UBUNTU-22-64-TEMPLATE",
        "cpu": 4,
        "memoryGB": 8,
        "type": "standard",
    }
    ids = []
    for _ in range(2):
        created = session.post(url(simulator, f"/v2/servers/{ALIAS}"), json=body, timeout=10)
        assert created.status_code == 202, created.text
        self_href = next(link["href"] for link in created.json()["links"] if link["rel"] == "self")
        ids.append(session.get(url(simulator, self_href)).json()["id"])
    advance(simulator, HOUR)  # both built
    stopped, started = ids
    queued = session.post(url(simulator, f"/v2/operations/{ALIAS}/servers/powerOff"), json=[stopped])
    assert queued.status_code == 200 and queued.json()[0]["isQueued"], queued.text
    advance(simulator, HOUR)
    assert (
        session.get(url(simulator, f"/v2/servers/{ALIAS}/{stopped}")).json()["details"]["powerState"]
        == "stopped"
    )
    # The running month already shows it; then the month ends.
    running = invoice(simulator, session, year, month)
    assert details(running)[stopped][1] <= details(running)[started][1]
    advance(simulator, (month_start(*next_month(year, month)) - sim_now(simulator)).total_seconds() + 86400)
    session = simulator.session("demo")  # tokens do not outlive two weeks
    final = invoice(simulator, session, year, month)
    assert_adds_up(final)
    billed = details(final)
    assert billed[stopped][0] == billed[started][0] == "Server Group: Default Group - WA1"
    assert billed[stopped][1] < billed[started][1]
    own = figures(simulator, year, month)
    assert own["servers"][stopped]["computeHours"] < own["servers"][started]["computeHours"]
    assert own["servers"][stopped]["computeHours"] == pytest.approx(1, abs=0.1)  # an hour's build to the stop
    assert own["totalAmount"] == final["totalAmount"]
    # Neither existed the month before.
    before = details(invoice(simulator, session, *previous_month(year, month)))
    assert stopped not in before and started not in before


def test_deleted_servers_get_their_own_line(simulator):
    session = simulator.session("demo")
    now = sim_now(simulator)
    if (month_start(*next_month(now.year, now.month)) - now).total_seconds() < 3 * HOUR:
        advance(simulator, 4 * HOUR)
        session = simulator.session("demo")
        now = sim_now(simulator)
    last = previous_month(now.year, now.month)
    victim = next(
        d
        for d, (line, _cost) in details(invoice(simulator, session, *last)).items()
        if d.startswith("WA1") and line.startswith("Server Group: Web - ")
    )
    assert session.delete(url(simulator, f"/v2/servers/{ALIAS}/{victim}")).status_code == 202
    advance(simulator, HOUR)
    assert session.get(url(simulator, f"/v2/servers/{ALIAS}/{victim}")).status_code == 404
    running = invoice(simulator, session, now.year, now.month)
    assert details(running)[victim][0] == "Deleted Servers - WA1"
    assert_adds_up(running)
    # Last month it was still in its group.
    assert details(invoice(simulator, session, *last))[victim][0] == "Server Group: Web - WA1"


# --- the running month, later months, bad input ---------------------------------------------------
def test_the_running_month_shows_usage_so_far_and_later_months_nothing(simulator):
    session = simulator.session("demo")
    now = sim_now(simulator)
    running = invoice(simulator, session, now.year, f"{now.month:02d}")
    following = next_month(now.year, now.month)
    assert running["invoiceDate"] == month_start(*following).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert running["lineItems"] and running["totalAmount"] > 0
    assert_adds_up(running)
    own = figures(simulator, now.year, now.month)
    assert own["complete"] is False and own["totalAmount"] == running["totalAmount"]
    for year, month in (following, (now.year + 50, 1), (2001, 1)):
        empty = invoice(simulator, session, year, month)
        assert empty["lineItems"] == [] and empty["totalAmount"] == 0
    # The pricing account may be named (it is the account itself); in any case.
    assert (
        invoice(simulator, session, now.year, now.month, pricingAccountAlias="demo")["pricingAccountAlias"]
        == ALIAS
    )
    assert (
        invoice(simulator, session, now.year, now.month, pricingAccount="DEMO")["pricingAccountAlias"]
        == ALIAS
    )


def test_the_running_month_agrees_with_the_estimates(simulator):
    session = simulator.session("demo")
    now = sim_now(simulator)
    root = sim_root_id(session, "WA1", ALIAS)
    billing = session.get(url(simulator, f"/v2/groups/{ALIAS}/{root}/billing")).json()
    estimates = {k.upper(): v for group in billing["groups"].values() for k, v in group["servers"].items()}
    billed = details(invoice(simulator, session, now.year, now.month))
    assert estimates and set(estimates) <= set(billed)
    for server_id, figures_ in estimates.items():
        assert billed[server_id][1] == pytest.approx(figures_["monthToDate"], abs=0.011), server_id


@pytest.mark.parametrize(
    "path, params",
    [
        ("2026/13", {}),
        ("2026/0", {}),
        ("26/1", {}),
        ("last/1", {}),
        ("2026/june", {}),
        ("2026/1", {"pricingAccountAlias": "PALIAS"}),
    ],
)
def test_bad_requests_answer_400(simulator, path, params):
    response = simulator.session("demo").get(url(simulator, f"/v2/invoice/{ALIAS}/{path}"), params=params)
    assert response.status_code == 400 and set(response.json()) == {"message"}, response.text


# --- who may read ---------------------------------------------------------------------------------
def test_invoice_readers_and_the_billing_managers_view(simulator):
    now = sim_now(simulator)
    path = f"/v2/invoice/{ALIAS}/{now.year}/{now.month}"
    for user in ("demo", "viewer", "billing"):
        assert simulator.session(user).get(url(simulator, path)).status_code == 200, user
    assert simulator.session("operator").get(url(simulator, path)).status_code == 403
    assert simulator.session("other").get(url(simulator, path)).status_code == 404
    # A Billing Manager sees no data centers, groups or servers (ROLES.md).
    demo, billing = simulator.session("demo"), simulator.session("billing")
    root = sim_root_id(demo, "WA1", ALIAS)
    server = next(
        link["id"]
        for g in walk(demo.get(url(simulator, f"/v2/groups/{ALIAS}/{root}")).json())
        for link in g["links"]
        if link["rel"] == "server"
    )
    for path in (
        f"/v2/datacenters/{ALIAS}",
        f"/v2/datacenters/{ALIAS}/WA1",
        f"/v2/datacenters/{ALIAS}/WA1?groupLinks=true",
        f"/v2/datacenters/{ALIAS}/WA1/deploymentCapabilities",
        f"/v2/groups/{ALIAS}/{root}",
        f"/v2/groups/{ALIAS}/{root}?serverDetail=detailed",
        f"/v2/groups/{ALIAS}/{root}/billing",
        f"/v2/servers/{ALIAS}/{server}",
        f"/v2/billing/{ALIAS}/estimate-server/{server}",
        f"/v2/sharedLoadBalancers/{ALIAS}/WA1",
    ):
        response = billing.get(url(simulator, path))
        assert response.status_code == 403 and set(response.json()) == {"message"}, (path, response.text)
    assert billing.get(url(simulator, f"/v2/accounts/{ALIAS}")).status_code == 200


def test_control_figures_need_a_known_account(simulator):
    now = sim_now(simulator)
    assert (
        requests.get(url(simulator, f"/control/invoice/NOPE/{now.year}/{now.month}"), timeout=10).status_code
        == 404
    )
    other = figures(simulator, now.year, now.month, alias="OTHR")
    assert other["accountAlias"] == "OTHR" and set(other["dataCenters"]) <= {"VA1", "GB3"}
    assert all(server_id[3:7] == "OTHR" for server_id in other["servers"])
