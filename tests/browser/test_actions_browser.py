"""Small things a person notices in a real browser: no 404 for /favicon.ico on any page, the recipe
page's name check works (its ``pattern`` is a valid browser regular expression), creating an API
token does not post again on reload, and the audit log and team pages read as words and links.
Screenshots at 1440 and 375 px in screenshots/."""

import re
import uuid

import pytest

from apps.audit.models import AuditEntry
from apps.tokens.models import PersonalToken
from tests.support.portal import sim_operations, started_servers

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    """Every 4xx/5xx answer and console error the page gets, as it browses."""
    seen = {"bad": [], "console": []}
    page.on("response", lambda r: r.status >= 400 and seen["bad"].append((r.status, r.url)))
    page.on("console", lambda m: m.type in ("error", "warning") and seen["console"].append(m.text))
    return seen


def test_no_favicon_404_and_the_recipe_name_check_works(portal, open_page, simulator):
    from tests.test_recipes_pages import make_recipe

    recipe = make_recipe(simulator)
    page = open_page(1440)
    seen = watch(page)
    sign_in(page, portal)
    for path in ("/", f"/recipes/{recipe.pk}/", "/audit/", "/team/", "/profile/tokens/"):
        page.goto(f"{portal}{path}")
        page.wait_for_load_state("networkidle")
    assert not [b for b in seen["bad"] if "favicon" in b[1]], seen["bad"]
    assert page.request.get(f"{portal}/favicon.ico").status == 200

    page.goto(f"{portal}/recipes/{recipe.pk}/")
    field = page.locator(f"#launch-name-{recipe.pk}")
    assert page.evaluate("p => { new RegExp(p, 'v'); return true; }", field.get_attribute("pattern"))
    field.fill("bad name!")
    assert field.evaluate("el => el.validity.patternMismatch") is True
    before = sim_operations(simulator)
    page.click(".launch-form button[type=submit]")
    assert page.url.endswith(f"/recipes/{recipe.pk}/")  # the browser kept the form: nothing sent
    assert field.evaluate("el => el.matches(':invalid')") is True
    assert sim_operations(simulator) == before
    field.fill("web-2")
    assert field.evaluate("el => el.validity.valid") is True
    assert not [t for t in seen["console"] if "regular expression" in t], seen["console"]
    screenshot(page, "recipe-name-check-1440")


def test_creating_a_token_then_reloading_creates_one_token(portal, open_page):
    page = open_page(1440)
    sign_in(page, portal)
    page.goto(f"{portal}/profile/tokens/")
    page.fill("#id_name", "nightly")
    page.click("form[action='/profile/tokens/'] button[type=submit]")
    page.wait_for_load_state()
    value = page.locator("#new-token").input_value()
    assert re.fullmatch(r"clcp_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}", value)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'new-token'")
    selected = "(() => { const f = document.getElementById('new-token'); return f.value.slice(f.selectionStart, f.selectionEnd); })()"
    assert page.evaluate(selected) == value  # focused and selected, ready to copy (no inline handler)
    screenshot(page, "token-created-1440")
    page.reload()
    page.wait_for_load_state()
    assert PersonalToken.objects.count() == 1  # the reload did not post the form again
    assert page.locator("#new-token").count() == 0 and value not in page.content()  # shown once
    assert "nightly" in page.content()


@pytest.mark.parametrize("width", [1440, 375])
def test_audit_log_and_team_pages_read_as_words_and_links(portal, open_page, simulator, width):
    from django.test import Client

    from tests.support.portal import sign_in as sign_in_client

    [server] = started_servers(simulator)
    demo = sign_in_client(Client(), "demo")
    demo.post(f"/servers/{server.lower()}/actions/reboot/", {"idempotency_key": str(uuid.uuid4())})
    viewer = sign_in_client(Client(), "viewer")
    viewer.post(f"/servers/{server.lower()}/actions/reboot/", {"idempotency_key": str(uuid.uuid4())})
    assert AuditEntry.objects.filter(result="denied").exists()

    page = open_page(width)
    sign_in(page, portal)
    page.goto(f"{portal}/audit/")
    row = page.locator("table.audit-table tbody tr", has_text="server.reboot").filter(has_text="success")
    assert row.locator(f'a[href="/servers/{server.lower()}/"]').count() == 1
    assert row.locator('td.detail a[href^="/activities/"]').count() == 1
    assert "{" not in row.locator("td.detail").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, f"audit-log-{width}")
    page.goto(f"{portal}/team/")
    viewer_row = page.locator("table.team-table tbody tr", has_text="viewer")
    assert "server.reboot" not in viewer_row.inner_text()  # a refused attempt is not their action
    screenshot(page, f"team-{width}")
    assert overflow <= 0, f"the audit page is {overflow}px wider than the window"


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
