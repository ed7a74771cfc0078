"""Browser tests: Playwright driving the system's Chromium (no browser download) against
pytest-django's live server, which talks to the test simulator."""

import functools
import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module. Playwright's sync API runs an event loop in this thread while it
    lives, so Django's synchronous ORM calls from tests are allowed only meanwhile, and the loop is
    gone before other modules' tests (asyncio.run, subprocesses reading the environment) run."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        # Never a silent skip; `make test` says so before the suite starts (portal/testenv.py).
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) or set "
            "CHROMIUM_PATH, or leave browser tests out with -m 'not browser'"
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def own_cache_namespace(own_cache_namespace):
    """tests/support/fixtures.py's cache namespace, for every browser test (a module may replace it)."""
    return own_cache_namespace


@pytest.fixture
def portal(live_server, clc_settings, transactional_db):
    """The live portal's base URL, pointed at the test simulator."""
    return live_server.url


def new_page(browser, width=1280, height=900, **options):
    """A page in a context of its own. The portal's Content-Security-Policy stays on: every message
    the browser logs about a violation, on any page of the context, is kept in
    ``context.csp_violations`` (``open_page`` fails the test on any). ``page.wait_for_function``
    polls through ``page.evaluate`` (DevTools, outside the page's CSP): Playwright's own evaluates
    the predicate with ``eval`` in the page, which a policy without 'unsafe-eval' forbids."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.csp_violations = []
    context.on("page", _guard)  # pages the test opens itself (context.new_page()) too
    page = context.new_page()
    _guard(page)
    page.set_default_timeout(15000)
    return page


def _guard(page):
    if getattr(page, "_csp_guarded", False):
        return
    page._csp_guarded = True
    violations = page.context.csp_violations
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    page.wait_for_function = functools.partial(_wait_for_function, page)


def _wait_for_function(page, expression, *, arg=None, timeout=None, polling=None):
    """``page.wait_for_function`` without ``eval`` in the page: the predicate's truthy value, or a
    Playwright TimeoutError after ``timeout`` ms (the page's default timeout)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    timeout_ms = 15000 if timeout is None else timeout
    interval = polling if isinstance(polling, (int, float)) and polling > 0 else 50
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            value = page.evaluate(expression, arg)
        except PlaywrightError as exc:  # the page is navigating: ask the next document (as Playwright does)
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise PlaywrightTimeout(f"Timeout {timeout_ms}ms exceeded waiting for {expression!r}")
        page.wait_for_timeout(interval)  # lets the page's own work run meanwhile


@pytest.fixture
def open_page(browser):
    """``open_page(width=..)`` -> a fresh page in its own context; all closed after the test, which
    fails if the browser reported a Content-Security-Policy violation on any of them."""
    contexts = []

    def make(width=1280, height=900, **options):
        page = new_page(browser, width, height, **options)
        contexts.append(page.context)
        return page

    yield make
    violations = [text for context in contexts for text in context.csp_violations]
    for context in contexts:
        context.close()
    assert not violations, violations


def sign_in(page, base, username="demo", next_path="/", timeout=15000):
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", username)
    page.click("button[type=submit]", timeout=timeout)
    page.wait_for_url(f"{base}{next_path}", timeout=timeout)


def screenshot(page, name: str):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    """Nothing but the tables' own scrolling regions is wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def hold_script(page, glob: str):
    """Hold back the page's request for the script matching ``glob`` (as on a slow page, where a
    person types before the script has run). Returns ``release()``: it waits (with a deadline) until
    the page has asked for the script, then lets it through."""
    held = []
    page.route(glob, lambda route: held.append(route))

    def release():
        deadline = time.monotonic() + 10
        while not held and time.monotonic() < deadline:  # Playwright hands the request over as it runs
            page.wait_for_timeout(20)
        assert held, f"the page never asked for {glob}"
        held[0].continue_()

    return release
