"""Monitoring in a real browser (issue 12, part 2): the server page's four charts for each range of
the picker (links: no JavaScript needed, and none in the test — the picker is clicked), the group
page's picker, and a schedule added through the group page's form that the simulator runs when its
clock is fast-forwarded. Screenshots at 1440 and 375 px go to screenshots/."""

import re
from datetime import datetime, timedelta

import pytest
import requests

from tests.support.portal import named_group
from tests.support.simulator import wait_until

from .conftest import SCREENSHOTS, no_sideways_scroll, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVER = "WA1DEMOWEB01"
RANGES = (
    ("hour", "Last hour", 12),
    ("day", "Last day", 24),
    ("week", "Last week", 42),
    ("14d", "Last 14 days", 41),
)


def drawn(page) -> dict:
    """Each chart's title and how many samples its first line has, as the browser laid it out."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.monitoring-charts svg.chart')).map(svg => {
            const line = svg.querySelector('polyline');
            const box = svg.getBoundingClientRect();
            return [svg.getAttribute('aria-label'), line ? line.getAttribute('points').trim().split(/\\s+/).length : 0,
                    Math.round(box.width), Math.round(box.height)];
        })"""
    )


@pytest.mark.parametrize("width", [1440, 375])
def test_server_charts_for_each_range(portal, open_page, width):
    page = open_page(width, 900) if width > 400 else open_page(375, 812, is_mobile=True, has_touch=True)
    sign_in(page, portal, next_path=f"/servers/{SERVER}/")
    for key, label, samples in RANGES:
        page.locator(".range-picker").get_by_role("link", name=label).click()
        page.wait_for_url(re.compile(rf"\?range={key}"))
        assert page.locator(".range-picker [aria-current=page]").text_content() == label
        charts = drawn(page)
        assert [c[0] for c in charts] == ["CPU", "Memory", "Disk used (GB)", "Network (kbps)"]
        for _title, points, box_w, box_h in charts:
            assert points in (samples, samples - 1) and box_w > 200 and box_h > 80
        assert page.locator(".monitoring-charts .legend li").count() == 3 + 2  # network: in and out
        no_sideways_scroll(page)
        screenshot(page, f"monitoring-server-{key}-{width}")
        page.locator(".monitoring-charts").screenshot(
            path=str(SCREENSHOTS / f"monitoring-charts-{key}-{width}.png")
        )


def test_group_picker_and_a_schedule_from_the_form(portal, open_page, simulator):
    canary = named_group(simulator, "Canary")
    page = open_page(1440, 900)
    sign_in(page, portal, next_path=f"/groups/{canary['id']}/")
    assert [c[0] for c in drawn(page)] == ["CPU", "Memory", "Disk used (GB)", "Network in + out (kbps)"]
    page.locator(".group-automation").screenshot(
        path=str(SCREENSHOTS / "monitoring-group-automation-1440.png")
    )
    page.locator(".range-picker").get_by_role("link", name="Last week").click()
    page.wait_for_url(re.compile(r"\?range=week"))
    assert all(points in (41, 42) for _t, points, _w, _h in drawn(page))

    now = datetime.fromisoformat(
        requests.get(f"{simulator.url}/control/clock", timeout=10).json()["now"].replace("Z", "+00:00")
    )
    off_at = now.replace(hour=20, minute=0, second=0, microsecond=0)
    off_at = off_at if off_at > now else off_at + timedelta(days=1)
    page.locator('button[data-action="createSchedule"]').click()
    page.select_option("#id_type", "shutdown")
    page.fill("#id_begin", off_at.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_repeat", "daily")
    screenshot(page, "monitoring-schedule-form-1440")
    page.get_by_role("button", name="Add schedule").click()
    page.wait_for_url(re.compile(r"/schedules/$"))
    assert "Schedule added." in page.locator(".messages").text_content()
    assert "every day at 20:00 (UTC+00:00)" in page.locator("table.schedules").text_content()
    screenshot(page, "monitoring-schedules-1440")

    moved = requests.post(
        f"{simulator.url}/control/clock", json={"to": (off_at + timedelta(minutes=1)).isoformat()}, timeout=10
    )
    assert moved.status_code == 200, moved.text

    def canary_shown_stopped():
        page.goto(f"{portal}/groups/{canary['id']}/?refresh=1")
        rows = page.locator("#group-servers tbody")  # the table's rows only: the filters name "stopped" too
        return rows.count() and rows.text_content().count("stopped") >= 2

    wait_until(
        canary_shown_stopped,
        timeout=20,
        interval=0.3,
        message="the portal to show the Canary servers stopped",
    )
    screenshot(page, "monitoring-group-after-run-1440")
    page.locator(".group-automation").screenshot(
        path=str(SCREENSHOTS / "monitoring-group-automation-after-1440.png")
    )


def test_group_page_at_phone_width(portal, open_page, simulator):
    web = named_group(simulator, "Web")
    page = open_page(375, 812, is_mobile=True, has_touch=True)
    sign_in(page, portal, next_path=f"/groups/{web['id']}/")
    page.locator(".range-picker").get_by_role("link", name="Last hour").click()
    page.wait_for_url(re.compile(r"\?range=hour"))
    no_sideways_scroll(page)
    screenshot(page, "monitoring-group-375")
    page.locator(".group-automation").screenshot(
        path=str(SCREENSHOTS / "monitoring-group-automation-375.png")
    )
