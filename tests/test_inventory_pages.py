"""Inventory pages through Django's test client against the running simulator: the dashboard, a
data center (tree, table, sort and filter parameters), a group, a server, credentials, actions by
role, 404s (unknown ids, another account's ids), and a page that degrades when upstream calls fail."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from apps.clc import errors
from apps.inventory.selectors import panels
from tests.support.portal import find_group, sign_in, sim_servers, sim_tree, text_of, upstream_calls, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


# --- helpers ------------------------------------------------------------------------------------
class Page(HTMLParser):
    """The bits of a page the tests look at: table rows, headers, buttons, links, text."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[dict] = []  # {"attrs", "cells": [text...]}
        self.headers: list[dict] = []
        self.buttons: list[dict] = []
        self.links: list[str] = []
        self._row = None
        self._cell = None
        self._in_tbody_of_servers = False
        self._table_depth = 0
        self._th = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "servers" in (attrs.get("class") or "").split():
            self._in_tbody_of_servers = True
        if tag == "tr" and self._in_tbody_of_servers and self._th is None:
            self._row = {"attrs": attrs, "cells": []}
        if tag == "td" and self._row is not None:
            self._cell = []
        if tag == "th" and self._in_tbody_of_servers:
            self._th = {"attrs": attrs, "text": []}
        if tag == "button":
            self.buttons.append(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if self._th is not None:
                self._th["href"] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row["cells"].append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            if self._row["cells"]:
                self.rows.append(self._row)
            self._row = None
        if tag == "th" and self._th is not None:
            self._th["text"] = "".join(self._th["text"]).strip()
            self.headers.append(self._th)
            self._th = None
        if tag == "table":
            self._in_tbody_of_servers = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._th is not None:
            self._th["text"].append(data)

    @property
    def visible_rows(self):
        return [r for r in self.rows if "hidden" not in r["attrs"]]

    def names(self, visible_only=True):
        return [r["cells"][0] for r in (self.visible_rows if visible_only else self.rows)]

    def actions(self):
        return {b.get("data-action") for b in self.buttons if b.get("data-action")}


# The simulator, read directly (the truth the pages must show): sim_tree, sim_servers, walk,
# find_group in tests/support/portal.py.
def server_ids(group):
    return [link["id"].upper() for link in group["links"] if link["rel"] == "server"]


# --- dashboard ----------------------------------------------------------------------------------
def test_dashboard_lists_every_data_center_with_its_figures(demo, simulator):
    session = simulator.session("demo")
    response = demo.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'upstream;desc="' in response["Server-Timing"]
    for dc in ("WA1", "VA1", "UC1", "IL1", "GB3", "CA3"):
        assert f'data-dc="{dc}"' in html
    servers = sim_servers(session, "wa1")
    card = html.split('data-dc="WA1"', 1)[1].split('<li class="dc-card"', 1)[0]
    card_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
    assert f"{len(servers)} server" in card_text
    started = sum(1 for s in servers if s["status"] == "active" and s["details"]["powerState"] == "started")
    stopped = sum(1 for s in servers if s["status"] == "active" and s["details"]["powerState"] == "stopped")
    maintenance = sum(1 for s in servers if s["details"]["inMaintenanceMode"])
    assert f"{started} started" in card_text
    assert f"{stopped} stopped" in card_text
    assert f"{maintenance} in maintenance" in card_text
    active = [s for s in servers if s["status"] != "archived"]
    cpu = sum(s["details"]["cpu"] for s in servers)
    assert f"{cpu} vCPU" in card_text, (cpu, card_text, len(active))
    assert "This month (estimate): $" in card_text
    assert "/datacenters/wa1/" in card


def test_dashboard_billing_failure_is_local_to_the_cost(demo, monkeypatch):
    def broken(client, group_id):
        raise errors.UpstreamUnavailable("boom", status=500, method="GET", path="/v2/groups/x/billing")

    monkeypatch.setattr(panels, "_billing_summary", broken)
    response = demo.get("/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Some figures are missing" in text
    assert "unavailable" in text
    assert re.search(r"WA1 US West \(Seattle\) \d+ servers \d+ started", text)  # the rest renders


# --- data center --------------------------------------------------------------------------------
def test_datacenter_page_shows_tree_and_every_server(demo, simulator):
    session = simulator.session("demo")
    tree = sim_tree(session, "wa1")
    response = demo.get("/datacenters/WA1/")
    assert response.status_code == 200
    page = Page(response.content.decode())
    servers = sim_servers(session, "wa1", tree)
    assert sorted(page.names()) == sorted(s["name"] for s in servers)
    html = response.content.decode()
    for group in walk(tree):
        assert f"?group={group['id']}" in html or group["name"] == tree["name"]
    # nested toggles: one per group with sub-groups, aria-expanded, aria-controls
    toggles = [b for b in page.buttons if "tog" in (b.get("class") or "")]
    with_children = [g for g in walk(tree) if g.get("groups")]
    assert len(toggles) == len(with_children)
    assert all(b.get("aria-expanded") in ("true", "false") and b.get("aria-controls") for b in toggles)
    # a row carries what the table promises
    web = next(s for s in servers if s["details"]["ipAddresses"])
    row = next(r for r in page.rows if r["cells"][0] == web["name"])
    assert web["details"]["ipAddresses"][0]["internal"] in row["cells"][9]
    assert row["attrs"]["data-p"] == web["details"]["powerState"]
    assert row["cells"][3] == web["status"]
    assert [h["text"] for h in page.headers][:3] == ["Name", "Description", "Group"]


def test_datacenter_group_selection_shows_that_subtree(demo, simulator):
    session = simulator.session("demo")
    tree = sim_tree(session, "wa1")
    web = find_group(tree, "Web")
    expected = [sid for g in walk(web) for sid in server_ids(g)]
    response = demo.get(f"/datacenters/wa1/?group={web['id']}")
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert sorted(page.names()) == sorted(expected)
    assert 'aria-current="page">Web<' in response.content.decode()


def test_datacenter_sort_and_filter_query_params(demo, simulator):
    response = demo.get("/datacenters/wa1/?sort=cpu&dir=desc")
    page = Page(response.content.decode())
    cpus = [int(r["cells"][6]) for r in page.rows if "row-error" not in r["attrs"].get("class", "")]
    assert cpus == sorted(cpus, reverse=True)
    cpu_header = next(h for h in page.headers if h["text"] == "CPU")
    assert cpu_header["attrs"]["aria-sort"] == "descending"
    assert "dir=asc" in cpu_header["href"]  # clicking again flips the order
    name_header = next(h for h in page.headers if h["text"] == "Name")
    assert name_header["attrs"]["aria-sort"] == "none"

    by_name = Page(demo.get("/datacenters/wa1/?sort=name&dir=asc").content.decode()).names()
    assert by_name == sorted(by_name, key=str.lower)

    stopped = Page(demo.get("/datacenters/wa1/?power=stopped").content.decode())
    assert stopped.visible_rows and all(r["attrs"]["data-p"] == "stopped" for r in stopped.visible_rows)
    assert len(stopped.rows) > len(stopped.visible_rows)  # the others are there, hidden, for the JS

    maint = Page(demo.get("/datacenters/wa1/?power=maintenance").content.decode())
    assert maint.visible_rows and all("data-m" in r["attrs"] for r in maint.visible_rows)

    archived = Page(demo.get("/datacenters/wa1/?status=archived").content.decode())
    assert [r["attrs"]["data-s"] for r in archived.visible_rows] == ["archived"]

    one = stopped.visible_rows[0]["cells"][0]
    found = demo.get(f"/datacenters/wa1/?q={one.lower()}")
    assert Page(found.content.decode()).names() == [one]
    assert "1</span> of" in found.content.decode()

    nothing = demo.get("/datacenters/wa1/?q=no-such-server-anywhere")
    assert Page(nothing.content.decode()).visible_rows == []
    assert "No servers match these filters" in text_of(nothing)

    # nonsense parameters are ignored, not a 500
    assert demo.get("/datacenters/wa1/?sort=<script>&dir=sideways&power=on").status_code == 200


def test_empty_datacenter_and_empty_group_say_what_to_do(client, clc_settings, simulator):
    simulator.reset(seed="scale:0")
    sign_in(client, "demo")
    response = client.get("/datacenters/wa1/")
    assert response.status_code == 200
    text = text_of(response)
    assert "No servers in WA1 yet" in text and "Create one in a group" in text
    assert Page(response.content.decode()).rows == []


def test_empty_group_of_other_account(client, clc_settings, simulator):
    sign_in(client, "other")
    session = simulator.session("other")
    templates = find_group(sim_tree(session, "va1", alias="othr"), "Templates")
    response = client.get(f"/datacenters/va1/?group={templates['id']}")
    assert response.status_code == 200
    assert "No servers in Templates" in text_of(response)
    assert "show every server of VA1" in text_of(response)


# --- group ----------------------------------------------------------------------------------------
def test_group_page_details_subgroups_servers_billing_charts(demo, simulator):
    session = simulator.session("demo")
    tree = sim_tree(session, "wa1")
    web = find_group(tree, "Web")
    response = demo.get(f"/groups/{web['id'].upper()}/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "Web team" in text
    for child in web["groups"]:
        assert f"/groups/{child['id'].lower()}/" in html
    page = Page(html)
    assert sorted(page.names()) == sorted(server_ids(web))
    assert "CC-WEB" in text  # custom field
    billing = session.get(f"{simulator.url}/v2/groups/demo/{web['id']}/billing").json()
    estimate = sum(s["monthlyEstimate"] for g in billing["groups"].values() for s in g["servers"].values())
    assert f"${estimate:,.2f}" in text
    assert html.count('<svg class="chart"') == 4  # CPU, memory, disk, network (apps.monitoring)
    assert "<polyline" in html
    assert "Created" in text and "Modified" in text
    # breadcrumbs: dashboard, data center, root group
    assert 'href="/datacenters/wa1/"' in html and f'href="/groups/{tree["id"].lower()}/"' in html


def test_group_billing_failure_shows_in_its_panel_only(demo, simulator, monkeypatch):
    def broken(client, group_id):
        raise errors.UpstreamUnavailable("boom", status=500, method="GET", path="/v2/groups/x/billing")

    monkeypatch.setattr(panels, "_billing_summary", broken)
    session = simulator.session("demo")
    web = find_group(sim_tree(session, "wa1"), "Web")
    response = demo.get(f"/groups/{web['id']}/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Billing is unavailable right now (the cloud API answered 500)" in text
    assert "Web team" in text
    assert sorted(Page(response.content.decode()).names()) == sorted(server_ids(web))
    assert response.content.decode().count('<svg class="chart"') == 4


# --- server ---------------------------------------------------------------------------------------
def test_server_page_shows_everything(demo, simulator):
    session = simulator.session("demo")
    servers = sim_servers(session, "wa1")
    server = next(s for s in servers if s["details"]["snapshots"])
    response = demo.get(f"/servers/{server['id'].lower()}/")
    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    assert server["name"] in text and server["description"] in text
    for ip in server["details"]["ipAddresses"]:
        assert ip["internal"] in text
    for disk in server["details"]["disks"]:
        assert disk["id"] in text
    for part in server["details"]["partitions"]:
        assert part["path"] in text
    assert server["details"]["snapshots"][0]["name"] in text
    with_fields = next(s for s in servers if s["details"]["customFields"] and s["status"] == "active")
    field = with_fields["details"]["customFields"][0]
    assert field["displayValue"] in text_of(demo.get(f"/servers/{with_fields['id']}/"))
    assert "This month (estimate)" in text and "$" in text
    assert "data-credentials" in html  # demo is a ServerAdmin
    # a server with a public IP shows it
    public = next(s for s in servers if any(ip.get("public") for ip in s["details"]["ipAddresses"]))
    page = text_of(demo.get(f"/servers/{public['id']}/"))
    assert next(ip["public"] for ip in public["details"]["ipAddresses"] if ip.get("public")) in page


def test_credentials_only_on_explicit_post_and_never_cached(demo, simulator):
    session = simulator.session("demo")
    sid = next(s["id"] for s in sim_servers(session, "ca3") if s["status"] == "active")
    secret = session.get(f"{simulator.url}/v2/servers/demo/{sid}/credentials").json()
    page = demo.get(f"/servers/{sid}/")
    assert secret["password"] not in page.content.decode()
    confirm = demo.get(f"/servers/{sid}/credentials/")
    assert confirm.status_code == 200 and secret["password"] not in confirm.content.decode()
    shown = demo.post(f"/servers/{sid}/credentials/")
    assert shown.status_code == 200
    assert secret["password"] in shown.content.decode() and secret["userName"] in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]


# --- roles --------------------------------------------------------------------------------------
def test_viewer_sees_no_action_buttons(client, clc_settings, simulator):
    sign_in(client, "viewer")
    session = simulator.session("viewer")
    tree = sim_tree(session, "wa1")
    sid = server_ids(find_group(tree, "Web"))[0]
    for url in ("/datacenters/wa1/", f"/groups/{tree['id']}/", f"/servers/{sid}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = Page(response.content.decode())
        assert page.actions() == set(), (url, page.actions())
        assert "data-credentials" not in response.content.decode()
    assert client.post(f"/servers/{sid}/credentials/").status_code == 403


def test_operator_sees_power_buttons_but_no_credentials(client, clc_settings, simulator):
    sign_in(client, "operator")
    session = simulator.session("operator")
    servers = sim_servers(session, "wa1")
    started = next(s for s in servers if s["status"] == "active" and s["details"]["powerState"] == "started")
    stopped = next(s for s in servers if s["status"] == "active" and s["details"]["powerState"] == "stopped")
    on = client.get(f"/servers/{started['id']}/")
    actions = Page(on.content.decode()).actions()
    assert {"shutDown", "powerOff", "reboot", "pause"} <= actions and "powerOn" not in actions
    assert "data-credentials" not in on.content.decode()
    off = Page(client.get(f"/servers/{stopped['id']}/").content.decode()).actions()
    assert "powerOn" in off and "powerOff" not in off
    buttons = [b for b in Page(on.content.decode()).buttons if b.get("data-action")]
    assert buttons and not any("disabled" in b for b in buttons)  # working actions (apps/actions)
    assert client.post(f"/servers/{started['id']}/credentials/").status_code == 403


def test_archived_server_offers_restore_not_power(demo, simulator):
    session = simulator.session("demo")
    archived = next(s for s in sim_servers(session, "wa1") if s["status"] == "archived")
    actions = Page(demo.get(f"/servers/{archived['id']}/").content.decode()).actions()
    assert "restore" in actions and not actions & {"powerOn", "powerOff", "shutDown"}


# --- not found ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    ["/datacenters/zz9/", "/groups/0000deadbeef/", "/servers/WA1DEMONOPE99/", "/datacenters/wa1/?group=nope"],
)
def test_unknown_ids_are_a_friendly_404(demo, url):
    response = demo.get(url)
    assert response.status_code == 404
    text = text_of(response)
    assert "Not found" in text and "It may have been deleted" in text and "Back to the dashboard" in text


def test_unknown_path_uses_the_404_template(demo):
    response = demo.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_another_accounts_ids_are_404(client, clc_settings, simulator):
    session = simulator.session("demo")
    tree = sim_tree(session, "wa1")
    sid = server_ids(find_group(tree, "Web"))[0]
    sign_in(client, "other")
    assert client.get(f"/servers/{sid}/").status_code == 404
    assert client.get(f"/servers/{sid}/credentials/").status_code == 404
    assert client.post(f"/servers/{sid}/credentials/").status_code == 404
    assert client.get(f"/groups/{tree['id']}/").status_code == 404
    assert client.get("/datacenters/wa1/").status_code == 404
    assert client.get("/datacenters/va1/").status_code == 200


def test_pages_need_sign_in(client, clc_settings):
    for url in ("/", "/datacenters/wa1/", "/groups/x/", "/servers/x/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


# --- upstream down ----------------------------------------------------------------------------------
def test_upstream_down_degrades_to_a_banner_not_a_trace(demo, simulator, settings):
    simulator.control("config", errorRate=1)
    first = demo.get("/")
    assert first.status_code == 503
    # one failing call and its retries; the top bar doesn't ask the failing upstream again
    calls = int(re.search(r'upstream;desc="(\d+) calls"', first["Server-Timing"]).group(1))
    assert calls == 1 + settings.CLC_GET_RETRIES
    for url in ("/", "/datacenters/wa1/", "/groups/abc123/", "/servers/wa1demoweb01/"):
        response = demo.get(url)
        assert response.status_code in (200, 503), (url, response.status_code)
        text = text_of(response)
        assert "Cloud API unavailable" in text or "unavailable" in text
        assert "Traceback" not in text
        assert 'class="topbar"' in response.content.decode()  # still the portal's page
    simulator.control("config", errorRate=0)
    assert demo.get("/datacenters/wa1/").status_code == 200


def test_static_assets_are_served_from_the_app(demo):
    html = demo.get("/datacenters/wa1/").content.decode()
    for asset in ("css/inventory.css", "js/inventory.js", "js/has-js.js"):
        assert f"/static/{asset}" in html
    assert "http://" not in re.sub(r'href="http://[^"]*/(servers|groups)', "", html.split("<body", 1)[0])
    assert settings.STATIC_URL == "/static/"


def test_pages_are_cached_per_person_and_refresh_rereads(demo):
    assert upstream_calls(demo.get("/")) > 0
    assert upstream_calls(demo.get("/")) == 0  # warm: from the per-person cache
    assert upstream_calls(demo.get("/datacenters/wa1/")) == 0  # the dashboard filled it
    assert upstream_calls(demo.get("/?refresh=1")) > 6  # the data centers are read again
    assert upstream_calls(demo.get("/datacenters/wa1/?refresh=1")) == 1  # its tree with every server


def test_the_server_cells_carry_no_class_and_the_css_follows_the_columns():
    """A thousand rows don't repeat each cell's class: the headers have it, and every
    ``td:nth-child(n) /* class */`` rule of inventory.css is the column at that place."""
    from pathlib import Path

    from apps.inventory.server_table import COLUMNS

    css = (Path(__file__).resolve().parents[1] / "static/css/inventory.css").read_text()
    rules = re.findall(r"table\.servers td:nth-child\((\d+)\) /\* ([\w-]+) \*/", css)
    assert len(rules) >= 8
    for place, css_class in rules:
        assert css_class in COLUMNS[int(place) - 1].css.split(), (place, css_class)
    styled = {c for _p, c in rules}
    assert styled == {c.css for c in COLUMNS if c.css and c.css not in ("col-group",)}
