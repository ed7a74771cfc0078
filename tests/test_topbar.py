"""The top bar reaches every screen a signed-in person uses; each link answers 200."""

import re

import pytest

from tests.support.portal import signed_in

pytestmark = pytest.mark.django_db

LINKS = [
    "/activities/",
    "/recipes/",
    "/audit/",
    "/team/",
    "/profile/tokens/",
    "/notifications/",
    "/api/v1/docs/",
]


def test_top_bar_links_lead_to_working_pages(clc_settings):
    client = signed_in("viewer")
    page = client.get("/").content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    hrefs = set(re.findall(r'href="([^"?]+)', header))
    for link in LINKS:
        assert link in hrefs, f"top bar has no link to {link}"
        assert client.get(link).status_code == 200, link
    audit = client.get("/audit/").content.decode()
    assert re.search(r'<a href="/audit/"[^>]*aria-current="page"', audit), "the current screen is marked"
