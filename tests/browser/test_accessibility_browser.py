"""Every page of the portal (tests/support/page_walk.py: the URL conf's pages, the demo seed's detail
and action pages, error pages, the sign-in page signed out) passes axe-core's WCAG 2.0/2.1 A and AA
rules at 1280 and 375 px, and none scrolls sideways at 375 px (a wide table scrolls inside its own
frame). The skip link and the confirmation dialog are checked by hand as well.

axe-core comes from the pinned ``axe-playwright-python`` package (its bundled ``axe.min.js``), run
through DevTools so the pages' Content-Security-Policy stays as it is."""

import os

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.support.page_walk import SIGNED_OUT, demo_pages
from tests.support.portal import started_servers

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TAGS = os.environ.get("A11Y_TAGS", "").split(",") if os.environ.get("A11Y_TAGS") else WCAG_TAGS
RUN_AXE = "options => axe.run(document, options)"
NARROW = 375


@pytest.fixture
def pages(portal, simulator):
    """The demo person's pages, with an activity, a recipe and an API token to show."""
    return demo_pages(simulator)[1]


READY = {"api-docs": ".swagger-ui .info"}  # pages drawn by a script: what shows they are drawn
OPEN_MENUS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def visit(page, url, route=""):
    page.goto(url)
    page.wait_for_load_state("load")
    if route in READY:
        page.wait_for_selector(READY[route])


def axe_violations(page) -> list[dict]:
    """axe's WCAG A/AA violations on the page as it is, with every menu (<details>) open."""
    page.evaluate(OPEN_MENUS)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        RUN_AXE, {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    )
    return result["violations"]


def report(found: list[tuple[str, dict]]) -> str:
    lines, per_rule = [], {}
    for where, violation in found:
        for node in violation["nodes"]:
            per_rule[violation["id"]] = per_rule.get(violation["id"], 0) + 1
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"{violation['id']} ({violation['impact']}) {target} on {where}")
    summary = ", ".join(f"{rule}: {n}" for rule, n in sorted(per_rule.items()))
    return f"{len(lines)} violations ({summary}):\n" + "\n".join(lines)


def walk(page, portal, pages, check):
    """``check(page, "path [route]", route)`` on the sign-in pages signed out, then on every page
    signed in as demo; -> everything the checks returned, in order."""
    found = []
    for path, route in SIGNED_OUT:
        visit(page, portal + path, route)
        found += check(page, f"{path} [{route}]", route)
    sign_in(page, portal)
    for path, route in pages:
        visit(page, portal + path, route)
        found += check(page, f"{path} [{route}]", route)
    return found


def axe_check(page, where, route):
    return [(where, v) for v in axe_violations(page)]


def test_every_page_passes_axe_wcag_a_and_aa(portal, open_page, pages):
    found = walk(open_page(1280), portal, pages, axe_check)
    if os.environ.get("A11Y_REPORT"):
        print(f"{len(pages) + len(SIGNED_OUT)} pages:", *(p for p, _ in pages), sep="\n")
        print(report(found))
    assert not found, report(found)


def test_at_375px_no_page_scrolls_sideways_and_axe_passes(portal, open_page, pages):
    """The page may not be wider than the window (a wide table scrolls in its own frame, which
    takes keyboard focus: axe again at this width)."""

    def check(page, where, route):
        if route in ("create-server", "audit"):
            screenshot(page, f"narrow-{route}{'-form' if '?' in where else ''}-{NARROW}")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = [(where, f"{width}px wide")] if width > NARROW else []
        return wide + axe_check(page, where, route)

    found = walk(open_page(NARROW, 800), portal, pages, check)
    wide = [f"{where} is {what}" for where, what in found if isinstance(what, str)]
    violations = [(where, v) for where, v in found if isinstance(v, dict)]
    total = len(pages) + len(SIGNED_OUT)
    if os.environ.get("A11Y_REPORT"):
        print(f"{len(wide)} of {total} pages wider than {NARROW}px:", *wide, sep="\n")
        print(report(violations))
    assert not wide, f"{len(wide)} of {total} pages scroll sideways at {NARROW}px:\n" + "\n".join(wide)
    assert not violations, report(violations)


def test_the_skip_link_is_the_first_stop_and_lands_past_the_top_bar(portal, open_page):
    page = open_page(1280)
    sign_in(page, portal)
    page.goto(f"{portal}/datacenters/wa1/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and skip.is_visible(), "the focused skip link is on screen"
    screenshot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is in the page's content, not the top bar
    assert page.evaluate(
        "!!document.activeElement.closest('main') && !document.activeElement.closest('header')"
    )


def test_the_confirmation_dialog_is_a_labelled_modal_dialog(portal, open_page, simulator):
    [server] = started_servers(simulator)
    page = open_page(1280)
    sign_in(page, portal, next_path=f"/servers/{server.lower()}/")
    opener = page.locator("form[data-confirm] button").first
    opener.click()
    dialog = page.locator("dialog.confirm-dialog[open]")
    dialog.wait_for()
    assert page.evaluate("document.querySelector('dialog[open]').matches(':modal')")
    label = page.evaluate(
        "document.getElementById(document.querySelector('dialog[open]').getAttribute('aria-labelledby')).textContent"
    )
    assert f"{server}?" in label, label  # the question names the server
    assert page.evaluate("document.querySelector('dialog[open]').contains(document.activeElement)")
    screenshot(page, "confirm-dialog")
    found = [("server page, confirmation open", v) for v in axe_violations(page)]
    assert not found, report(found)
    page.keyboard.press("Escape")
    assert dialog.count() == 0
    assert page.evaluate("document.activeElement.closest('form[data-confirm]') !== null")  # back where it was
