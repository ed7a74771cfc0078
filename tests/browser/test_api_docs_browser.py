"""/api/v1/docs/ in Chromium: Swagger UI (from the drf-spectacular-sidecar package) renders every
operation under the page's strict CSP, and "Try it out" answers with the signed-in session.
Screenshots go to screenshots/ (git-ignored) at 1440 and 375 px."""

import pytest

from .conftest import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(page, name: str):
    """What a reader sees first (the whole page is a very long list of schemas)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def watch_problems(page) -> list[str]:
    """Console errors (a CSP refusal is one) and uncaught exceptions of the page, as they come."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


# The virtualized list's drawn items cover the part of it in the window (no bare padding in view).
DRAWN = """() => {
    const list = document.querySelector(".operations-virtual__list");
    if (!list) return true;  // not virtualized: everything is drawn
    const items = list.querySelectorAll(":scope > .operations-virtual__item");
    const box = list.getBoundingClientRect();
    const top = Math.max(0, box.top), bottom = Math.min(innerHeight, box.bottom);
    if (top >= bottom) return true;  // the list is out of view
    return items.length > 0 && items[0].getBoundingClientRect().top <= top
        && items[items.length - 1].getBoundingClientRect().bottom >= bottom;
}"""


def rendered_operations(page) -> set[tuple[str, str]]:
    """Every operation Swagger UI draws, as (METHOD, path), scrolling down the whole page: from 150
    tags plus operations on, Swagger UI (5.3x) virtualizes the list and keeps only the operations
    near the viewport in the document, so a count of what is there at once falls short."""
    seen: set[tuple[str, str]] = set()
    while True:
        seen.update(
            tuple(pair)
            for pair in page.evaluate(
                """() => Array.from(document.querySelectorAll(".swagger-ui .opblock"), block => [
                    block.querySelector(".opblock-summary-method").textContent.trim(),
                    block.querySelector(".opblock-summary [data-path]").getAttribute("data-path"),
                ])"""
            )
        )
        if not page.evaluate("(y => (scrollBy(0, innerHeight / 2), scrollY > y))(scrollY)"):
            break  # the bottom of the page
        page.wait_for_function(DRAWN)  # the virtualizer draws the next operations on the scroll event
    page.evaluate("scrollTo(0, 0)")
    page.wait_for_function(DRAWN)  # the top of the list again, for what the test reads next
    return seen


def test_swagger_ui_renders_every_operation_and_tries_one(portal, open_page, client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    operations = {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in ("get", "post", "delete")
    }

    page = open_page(1440)
    sign_in(page, portal)
    problems = watch_problems(page)
    page.goto(f"{portal}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("CLC Portal API")
    assert rendered_operations(page) == operations
    assert page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/datacenters/").count() >= 1
    screenshot(page, "api-docs-1440")

    # "Try it out" on the data center list: the portal session (same origin) answers 200
    block = page.locator("#operations-datacenters-datacenters_list")
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    block.scroll_into_view_if_needed()
    assert status.inner_text().strip().startswith("200")
    assert (
        '"server_count"'
        in block.locator(".live-responses-table .response .response-col_description").inner_text()
    )
    screenshot(page, "api-docs-tried-1440")
    assert problems == []

    phone = open_page(375, 800)
    problems = watch_problems(phone)
    phone.goto(f"{portal}/api/v1/docs/")
    phone.wait_for_selector(".swagger-ui .opblock")
    width = phone.evaluate("document.documentElement.scrollWidth")
    screenshot(phone, "api-docs-375")
    assert width <= 375 + 1, width
    assert problems == []
