"""A claimed network appears live (issue #11): in a real browser, with the portal under uvicorn
(``/events/`` streams), a real Celery worker following the claim at its experimental status link,
and the simulator. The data center's networks page shows the claim in progress and, when it ends,
the new network with its addresses — without a reload. Screenshots: screenshots/networks-live-*.png.
Fixtures: tests/browser/live/conftest.py."""

import re

import pytest

from ..conftest import screenshot, sign_in
from .conftest import mark, not_reloaded

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_claimed_network_appears_live_with_its_addresses(asgi_portal, simulator, open_page):
    simulator.control("config", speed=1, durationSeconds=3)
    page = open_page(1440)
    sign_in(page, asgi_portal, username="netadmin", next_path="/datacenters/wa1/networks/")
    assert page.locator("table#networks tbody tr").count() == 3
    with page.expect_navigation():
        page.click('button[data-action="claimNetwork"]')
    page.wait_for_url(re.compile(r"/datacenters/wa1/networks/$"))
    page.wait_for_function("document.documentElement.dataset.live === 'sse'", timeout=15000)
    mark(page)
    assert "Claim a network queued" in page.locator(".messages").text_content()
    assert page.locator(".claims [data-activity-id]").count() == 1
    screenshot(page, "networks-live-claiming-1440")

    page.wait_for_function("document.querySelectorAll('table#networks tbody tr').length === 4", timeout=30000)
    assert not_reloaded(page)
    assert page.locator(".claims").count() == 0
    new = page.locator("table#networks tbody tr").last
    assert re.search(r"0 claimed · \d+ free", new.text_content())
    screenshot(page, "networks-live-claimed-1440")
