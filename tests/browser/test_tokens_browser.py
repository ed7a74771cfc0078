"""Personal API tokens in a real browser: the value is shown once, focused and selected, and a reload
after creating a token creates no second one. Screenshots in screenshots/."""

import re

import pytest

from apps.tokens.models import PersonalToken

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
