"""Portal URLs are written by name: templates use ``{% url %}`` (a literal ``href="/servers/…"`` breaks
silently when a route moves), the live-update script reads its URLs from data attributes rendered with
``{% url %}``, and the named routes the templates and scripts rely on reverse to the pages people use."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.support.portal import signed_in

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted((ROOT / "apps").glob("*/templates"))]
# An attribute whose value is a literal absolute path: href="/…", action='/…', hx-get="/…", data-url="/…"
LITERAL = re.compile(r"""\b(?:href|action|formaction|src|hx-[a-z]+|data-[a-z-]+)\s*=\s*["']/(?!/)""")
ALLOWED = ("static/", "media/")  # collected and uploaded files, never a route
# A string literal in a script that starts like a portal path ("/servers/", "/api/v1/…").
JS_PATH = re.compile(r"""["'`]/(?!/)[a-z]""")


def _templates():
    found = [path for folder in TEMPLATE_DIRS for path in sorted(folder.rglob("*.html"))]
    assert len(found) > 50, TEMPLATE_DIRS  # the scan reads the portal's templates, not an empty folder
    return found


def test_templates_write_internal_urls_with_the_url_tag():
    found = []
    for path in _templates():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if any(not line.startswith(ALLOWED, m.end()) for m in LITERAL.finditer(line)):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "Write these with {% url 'name' args %}:\n" + "\n".join(found)


def test_the_scan_catches_a_literal_href_and_spares_static_files():
    static = '<img src="/static/logo.png">'
    assert static.startswith(ALLOWED, LITERAL.search(static).end())
    assert LITERAL.search('<a href="/servers/{{ s.id }}/">')
    assert LITERAL.search("<form action='/profile/tokens/'>")
    assert LITERAL.search('<div hx-get="/activities/">')
    assert not LITERAL.search("<a href=\"{% url 'server' s.id %}\">")
    assert not LITERAL.search('<a href="//example.com/">')


def test_scripts_take_portal_paths_from_the_page():
    found = []
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    assert "live.js" in {path.name for path in scripts}, scripts  # the scan reads the portal's scripts
    for path in scripts:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("//", 1)[0] if not line.lstrip().startswith(("/*", "*")) else ""
            if JS_PATH.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "Read these from a data-url-* attribute rendered with {% url %}:\n" + "\n".join(found)


@pytest.mark.django_db
def test_the_live_script_gets_every_url_it_reads(clc_settings, simulator):
    page = signed_in("demo").get(reverse("dashboard")).content.decode()
    wanted = re.findall(r'urlOf\("([a-z-]+)"', (ROOT / "static" / "js" / "live.js").read_text())
    assert wanted, "live.js reads no URL through urlOf: the check below would hold for nothing"
    attrs = dict(re.findall(r'data-url-([a-z-]+)="([^"]*)"', page))
    assert set(wanted) <= set(attrs), set(wanted) - set(attrs)
    assert attrs["server"] == reverse("server", args=["__id__"]) == "/servers/__id__/"
    assert attrs["activity"] == "/activities/__id__/"
    assert attrs["events"] == "/events/" and attrs["api-activities"] == "/api/v1/activities/"
