"""An action's failure in a real browser: an upstream 500 on a write is said as such, and a resubmit of
the same form says the same without sending again. Screenshots at 1440 and 375 px in screenshots/."""

import pytest

from tests.support.portal import started_servers

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 375])
def test_an_upstream_500_on_a_write_is_said_as_such_and_a_resubmit_says_the_same(
    portal, open_page, simulator, monkeypatch, width
):
    from apps.clc.client import ClcClient

    original = ClcClient.request
    sent = []

    def request(self, method, path, *args, **kwargs):  # the live server runs in this process
        if method.upper() == "GET" or "/authentication/" in path:
            return original(self, method, path, *args, **kwargs)
        sent.append(path)
        simulator.control("config", errorRate=1)
        try:
            return original(self, method, path, *args, **kwargs)
        finally:
            simulator.control("config", errorRate=0)

    monkeypatch.setattr(ClcClient, "request", request)
    [sid] = started_servers(simulator)
    page = open_page(width)
    sign_in(page, portal, next_path=f"/servers/{sid.lower()}/")
    form = page.locator('form:has(button[data-action="reboot"])').first
    fields = {
        n: form.locator(f"input[name={n}]").input_value() for n in ("csrfmiddlewaretoken", "idempotency_key")
    }
    page.click('button[data-action="reboot"]')
    page.wait_for_selector(".messages li.message.error")
    text = page.locator(".messages li.message.error").inner_text()
    assert "The cloud answered with an error (HTTP 500)" in text and "did not answer in time" not in text, (
        text
    )
    screenshot(page, f"write-http-500-{width}")
    # The same form sent again (a double click, a resubmit): the same answer, nothing sent again.
    again = page.request.post(f"{portal}/servers/{sid.lower()}/actions/reboot/", form=fields, max_redirects=0)
    assert again.status == 302
    page.goto(f"{portal}{again.headers['location']}")
    assert page.locator(".messages li.message.error").inner_text() == text
    assert len(sent) == 1
