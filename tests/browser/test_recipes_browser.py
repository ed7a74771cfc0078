"""Recipes in a real browser: the recipe page's name check works (its ``pattern`` is a valid browser
regular expression; a bad name is never sent), and no page answers 404 for /favicon.ico. Screenshots
in screenshots/."""

import pytest

from tests.support.portal import sim_operations
from tests.test_recipes_pages import make_recipe

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    """Every 4xx/5xx answer and console error the page gets, as it browses."""
    seen = {"bad": [], "console": []}
    page.on("response", lambda r: r.status >= 400 and seen["bad"].append((r.status, r.url)))
    page.on("console", lambda m: m.type in ("error", "warning") and seen["console"].append(m.text))
    return seen


def test_no_favicon_404_and_the_recipe_name_check_works(portal, open_page, simulator):
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
