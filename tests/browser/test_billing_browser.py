"""The billing page in a real browser (issue #13): ``billing``/``billing`` (a Billing Manager alone)
signs in and lands on the invoices with the cost chart, moves to last month, exports it as CSV and
finds no inventory page. Screenshots at 1440 and 375 px go to screenshots/."""

import re

import pytest
import requests

from apps.billing.selectors import Month

from .conftest import SCREENSHOTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def top_screenshot(page, name: str, height: int = 1400):
    """The first ``height`` CSS pixels of the page (the picker, totals and chart), to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )


def sign_in_billing(page, base):
    page.goto(f"{base}/login/")
    page.fill("#id_username", "billing")
    page.fill("#id_password", "billing")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/billing/")


def test_billing_manager_walk(portal, open_page, simulator):
    page = open_page(1440)
    sign_in_billing(page, portal)
    assert page.locator("svg.chart polyline").count() >= 1
    assert page.locator(".dc-switcher").count() == 0
    screenshot(page, "billing-1440")

    last = Month.current().shift(-1)
    page.get_by_role("link", name=f"‹ {last.label}").click()
    page.wait_for_url(re.compile(rf"month={last.key}"))
    truth = requests.get(f"{simulator.url}/control/invoice/DEMO/{last.year}/{last.month}", timeout=10).json()
    assert page.locator("[data-total]").get_attribute("data-total") == f"{truth['totalAmount']:.2f}"
    assert page.locator("tbody.line").count() == len(truth["lines"])
    screenshot(page, "billing-last-month-1440")
    top_screenshot(page, "billing-last-month-top-1440", 1100)

    with page.expect_download() as download:
        page.locator("a[data-csv]").click()
    path = download.value.path()
    assert download.value.suggested_filename == f"invoice-DEMO-{last.key}.csv"
    text = open(path, encoding="utf-8").read()
    assert text.startswith("month,line_item,kind,data_center")
    assert f"Total,,,,,{truth['totalAmount']:.2f}" in text

    page.goto(f"{portal}/datacenters/wa1/")
    assert page.locator("[data-not-for-role]").is_visible()
    screenshot(page, "billing-no-inventory-1440")
    page.locator("[data-not-for-role] a", has_text="Billing").click()
    page.wait_for_url(f"{portal}/billing/")


def test_phone_width(portal, open_page, simulator):
    page = open_page(375, 812, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in_billing(page, portal)
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, "billing-375")
    top_screenshot(page, "billing-top-375", 1500)
    last = Month.current().shift(-1)
    page.goto(f"{portal}/billing/?month={last.key}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, "billing-last-month-375")
    page.locator("#lines-h").scroll_into_view_if_needed()
    top_screenshot(page, "billing-lines-375", 2600)
