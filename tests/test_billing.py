"""The billing page and API against the simulator (issue #13, Invoices): ``billing``/``billing``
(BillingAdmin alone) signs in, lands on the invoices, sees no inventory page, exports a month as CSV;
the figures agree with the simulator's own (``/control/invoice``); roles that may not see billing are
refused without asking the cloud."""

import csv
import io

import pytest
import requests

from apps.billing.exports import csv_rows
from apps.billing.selectors import InvoiceView, Month
from apps.clc.billing import AccountInvoice
from tests.support.portal import sign_in, text_of, upstream_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

NOW = Month.current()
LAST = NOW.shift(-1)


def control(simulator, month: Month) -> dict:
    url = f"{simulator.url}/control/invoice/DEMO/{month.year}/{month.month}"
    return requests.get(url, timeout=10).json()


@pytest.fixture
def billing(client, clc_settings):
    return sign_in(client, "billing")


def money(value: float) -> str:
    return f"${value:,.2f}"


# --- a Billing Manager --------------------------------------------------------------------------
def test_billing_manager_lands_on_the_invoices(billing, simulator):
    home = billing.get("/")
    assert home.status_code == 302 and home["Location"] == "/billing/"
    assert upstream_calls(home) == 0
    page = billing.get("/billing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="dc-switcher"' not in html  # no data center reads for them
    assert '<a href="/billing/" aria-current="page">Billing</a>' in html
    assert '<svg class="chart"' in html and "Cost per month (USD)" in html
    assert f"{NOW.label} so far (running month)" in text_of(page)


def test_the_invoice_agrees_with_the_simulators_figures(billing, simulator):
    truth = control(simulator, LAST)
    assert truth["complete"] and truth["totalAmount"] > 0
    page = billing.get(f"/billing/?month={LAST.key}")
    assert page.status_code == 200
    html, text = page.content.decode(), text_of(page)
    assert f'data-total="{truth["totalAmount"]:.2f}"' in html
    for dc, total in truth["dataCenters"].items():
        assert f'data-dc-total="{dc}">{money(total)}<' in html
    for line in truth["lines"]:
        assert f'data-line="{line["description"]}"' in html
    web = next(line for line in truth["lines"] if line["description"] == "Server Group: Web - WA1")
    for server_id in truth["servers"]:
        assert f'data-server="{server_id}"' in html
    assert money(web["itemTotal"]) in text
    # servers are plain text for a Billing Manager (they can't open server pages)
    assert 'href="/servers/' not in html


def test_the_running_month_agrees_too(billing, simulator):
    page = billing.get("/billing/")
    truth = control(simulator, NOW)
    html = page.content.decode()
    shown = float(html.split('data-total="', 1)[1].split('"', 1)[0])
    assert abs(shown - truth["totalAmount"]) <= 0.05  # usage accrues by the second meanwhile
    for line in truth["lines"]:
        assert f'data-line="{line["description"]}"' in html


def test_no_inventory_page_for_a_billing_manager(billing, simulator):
    for path in (
        "/datacenters/wa1/",
        "/servers/WA1DEMOWEB01/",
        "/groups/anything/",
        "/servers/WA1DEMOWEB01/credentials/",
    ):
        response = billing.get(path)
        assert response.status_code == 403, path
        assert upstream_calls(response) == 0
        html = response.content.decode()
        assert "Not for your role" in html and '<a href="/billing/">Billing</a>' in html
    assert billing.get("/api/v1/datacenters/").status_code == 403  # the cloud refuses, we say so


def test_csv_export_of_a_month(billing, simulator):
    truth = control(simulator, LAST)
    response = billing.get(f"/billing/?month={LAST.key}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="invoice-DEMO-{LAST.key}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "month",
        "line_item",
        "kind",
        "data_center",
        "quantity",
        "unit_cost",
        "line_total",
        "server",
        "server_cost",
    ]
    body, total = rows[1:-1], rows[-1]
    assert total[1] == "Total" and float(total[6]) == truth["totalAmount"]
    assert {r[7] for r in body if r[7]} == set(truth["servers"])
    by_server = {r[7]: float(r[8]) for r in body if r[7]}
    assert all(by_server[s] == v["cost"] for s, v in truth["servers"].items())
    lines = {r[1]: float(r[6]) for r in body}
    assert lines == {line["description"]: line["itemTotal"] for line in truth["lines"]}


def test_csv_cells_never_start_a_formula():
    invoice = AccountInvoice.from_api(
        {
            "totalAmount": 3,
            "lineItems": [
                {
                    "description": '=HYPERLINK("http://x")',
                    "quantity": 1,
                    "unitCost": 1,
                    "itemTotal": 1,
                    "serviceLocation": "WA1",
                    "itemDetails": [{"description": "+SUM(A1)", "cost": 1}],
                },
                {
                    "description": "@cmd",
                    "quantity": 2,
                    "unitCost": 1,
                    "itemTotal": 2,
                    "serviceLocation": "-1",
                },
            ],
        },
        2026,
        6,
    )
    text = "".join(csv_rows(InvoiceView.of(Month(2026, 6), invoice, Month(2026, 7))))
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert (
        '\'=HYPERLINK("http://x")' in cells and "'+SUM(A1)" in cells and "'@cmd" in cells and "'-1" in cells
    )
    assert not any(cell.startswith(("=", "+", "@", "-")) for cell in cells)


def test_month_picker_refuses_what_is_no_month(billing, simulator):
    for value, message in (
        ("abc", "four-digit year"),
        ("2026-13", "01 to 12"),
        (NOW.shift(1).key, "has not begun"),
    ):
        response = billing.get(f"/billing/?month={value}")
        assert response.status_code == 400 and message in text_of(response), value
        csv_answer = billing.get(f"/billing/?month={value}&format=csv")
        assert csv_answer.status_code == 400 and message in csv_answer.json()["message"]


def test_upstream_calls_of_the_billing_page(billing, simulator):
    # one invoice per month of the chart (the shown month among them), fanned out; nothing else
    assert upstream_calls(billing.get("/billing/")) == 12
    assert upstream_calls(billing.get("/billing/")) == 0
    assert upstream_calls(billing.get(f"/billing/?month={LAST.key}")) == 0  # every month is cached
    older = NOW.shift(-14)
    assert upstream_calls(billing.get(f"/billing/?month={older.key}")) == 1


# --- other roles ----------------------------------------------------------------------------------
def test_roles_that_may_not_see_billing_are_refused_without_asking(client, clc_settings, simulator):
    sign_in(client, "operator")
    response = client.get("/billing/")
    assert response.status_code == 403 and upstream_calls(response) == 1  # the top bar's data centers
    assert "Account Administrator, Account Viewer or Billing Manager" in text_of(response)
    assert 'href="/billing/"' not in client.get("/activities/").content.decode()  # no top-bar link
    api = client.get(f"/api/v1/billing/invoices/{LAST.year}/{LAST.month}/")
    assert api.status_code == 403 and "Billing Manager" in api.json()["message"]


def test_a_viewer_sees_billing_with_links_to_servers(client, clc_settings, simulator):
    sign_in(client, "viewer")
    page = client.get(f"/billing/?month={LAST.key}")
    assert page.status_code == 200
    assert '<a href="/servers/wa1demoweb01/">WA1DEMOWEB01</a>' in page.content.decode()


# --- the API -------------------------------------------------------------------------------------
def test_api_invoice_and_history(billing, simulator):
    truth = control(simulator, LAST)
    body = billing.get(f"/api/v1/billing/invoices/{LAST.year}/{LAST.month}/").json()
    assert body["total_amount"] == truth["totalAmount"] and body["complete"] is True
    assert body["datacenters"] == truth["dataCenters"]
    assert [(li["description"], li["total"]) for li in body["line_items"]] == [
        (line["description"], line["itemTotal"]) for line in truth["lines"]
    ]
    web = next(li for li in body["line_items"] if li["description"] == "Server Group: Web - WA1")
    assert web["kind"] == "group" and web["title"] == "Web"
    assert {s["server"] for s in web["servers"]} <= set(truth["servers"])
    history = billing.get("/api/v1/billing/history/?months=3").json()["months"]
    assert [(m["year"], m["month"]) for m in history] == [
        (m.year, m.month) for m in (NOW.shift(-2), LAST, NOW)
    ]
    assert history[1]["total_amount"] == truth["totalAmount"] and history[2]["complete"] is False
    future = NOW.shift(1)
    assert billing.get(f"/api/v1/billing/invoices/{future.year}/{future.month}/").status_code == 400
    assert billing.get(f"/api/v1/billing/invoices/{NOW.year}/13/").status_code == 400
    assert billing.get("/api/v1/billing/history/?months=0").status_code == 400
    # "³": a digit to str.isdigit() that int() refuses
    assert billing.get("/api/v1/billing/history/?months=%C2%B3").status_code == 400
