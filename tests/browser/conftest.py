"""Browser tests: Playwright driving the system's Chromium (no browser download) against
pytest-django's live server, which talks to the test simulator."""

import os
import shutil
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
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def open_page(browser):
    """``open_page(width=..)`` -> a fresh page in its own context; all closed after the test."""
    contexts = []

    def make(width=1280, height=900, **options):
        page = new_page(browser, width, height, **options)
        contexts.append(page.context)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base, username="demo", next_path="/", timeout=15000):
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", username)
    page.click("button[type=submit]", timeout=timeout)
    page.wait_for_url(f"{base}{next_path}", timeout=timeout)


def screenshot(page, name: str):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
