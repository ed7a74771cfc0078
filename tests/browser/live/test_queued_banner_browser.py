"""A "… queued" banner never outlives its operation: in a real browser (the portal under uvicorn,
a real Celery worker, the simulator), the banner shown after an action turns into how the operation
ended — while the page is open, and also when it had already ended before the page loaded; for one
server and for a bulk action. Screenshots: screenshots/queued-banner-*.png."""

import re
from urllib.parse import urlencode

import pytest

from apps.activities.models import TERMINAL, Activity
from tests.support.portal import started_servers
from tests.support.simulator import wait_until

from ..conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BANNER = ".messages li.message"


def form_fields(page, selector) -> dict:
    form = page.locator(selector).first
    return {
        "csrfmiddlewaretoken": form.locator("input[name=csrfmiddlewaretoken]").input_value(),
        "idempotency_key": form.locator("input[name=idempotency_key]").input_value(),
    }


@pytest.mark.parametrize("width", [1440, 375])
def test_the_banner_turns_into_the_outcome_while_the_page_is_open(asgi_portal, simulator, open_page, width):
    simulator.control("config", speed=1, durationSeconds=3)
    [sid] = started_servers(simulator)
    page = open_page(width)
    sign_in(page, asgi_portal, next_path=f"/servers/{sid.lower()}/")
    with page.expect_navigation():
        page.click('button[data-action="reboot"]')
    banner = page.locator(BANNER).first
    assert re.search(r"Reboot queued", banner.inner_text()), banner.inner_text()
    assert banner.get_attribute("data-ended") is None
    page.wait_for_selector(f"{BANNER}[data-ended]", timeout=30000)
    text = banner.inner_text()
    assert text.startswith("Reboot succeeded") and "queued" not in text, text
    assert banner.locator('a[href^="/activities/"]').count() == 1
    screenshot(page, f"queued-banner-ended-{width}")


def test_an_operation_that_ended_before_the_page_loaded_is_shown_ended(asgi_portal, simulator, open_page):
    simulator.control("config", speed=50)
    ids = started_servers(simulator, 3)
    page = open_page(1440)
    sign_in(page, asgi_portal, next_path=f"/servers/{ids[0].lower()}/")
    # One server, posted without following the redirect; the page is opened once it has ended.
    fields = form_fields(page, 'form:has(button[data-action="reboot"])')
    posted = page.request.post(
        f"{asgi_portal}/servers/{ids[0].lower()}/actions/reboot/", form=fields, max_redirects=0
    )
    assert posted.status == 302
    wait_until(
        lambda: Activity.objects.filter(operation="reboot", status__in=TERMINAL).count() == 1,
        timeout=30,
        message="the reboot to end",
    )
    page.goto(f"{asgi_portal}{posted.headers['location']}")
    page.wait_for_selector(f"{BANNER}[data-ended]", timeout=15000)
    assert page.locator(BANNER).first.inner_text().startswith("Reboot succeeded")

    # Two servers in bulk: the banner counts how they ended.
    page.goto(f"{asgi_portal}/datacenters/wa1/")
    fields = form_fields(page, "form#bulk-servers")
    body = urlencode([*fields.items(), ("ids", ids[1]), ("ids", ids[2]), ("confirmed", "1")])
    posted = page.request.post(
        f"{asgi_portal}/servers/bulk/actions/reboot/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert posted.status == 302
    page.goto(f"{asgi_portal}{posted.headers['location']}")
    page.wait_for_selector(f"{BANNER}[data-ended]", timeout=30000)
    text = page.locator(BANNER).first.inner_text()
    assert text.startswith("Reboot finished for 2 servers: 2 succeeded"), text
    screenshot(page, "queued-banner-bulk-1440")
