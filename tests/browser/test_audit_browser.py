"""The audit log and the team page in a real browser, at 1440 and 375 px: entries read as words and
links (the server, the activity), no raw JSON, no horizontal scroll; a refused attempt is not a
person's last action on the team page. Screenshots in screenshots/."""

import uuid

import pytest

from apps.audit.models import AuditEntry
from tests.support.portal import started_servers

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
