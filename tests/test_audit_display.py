"""The audit log page says what happened in words and links (no raw JSON; the target and the
activities are links), and the team page's "What" is a person's last action, never a refused attempt."""

import re
import uuid

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.activities.models import Activity
from apps.audit.services import record
from tests.support.portal import sign_in, signed_in, started_servers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]


def rows(html: str) -> list[str]:
    body = re.search(r'<table class="audit-table">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def cells(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def test_an_action_row_links_its_target_and_activity_and_shows_no_json(demo, simulator):
    [server] = started_servers(simulator)
    response = demo.post(f"/servers/{server.lower()}/actions/reboot/", {"idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 302
    activity = Activity.objects.get(operation="reboot")
    html = demo.get("/audit/?action=server.reboot").content.decode()
    [row] = rows(html)
    _when, _who, action, target, result, _address, detail = cells(row)
    assert "server.reboot" in action and "success" in result
    assert f'<a href="/servers/{server.lower()}/">{server.upper()}</a>' in target
    assert f'<a href="/activities/{activity.pk}/">#{activity.pk}</a>' in detail
    assert "Reboot queued" in detail
    assert "{" not in detail and "&quot;" not in detail  # words, not JSON


def test_a_denied_row_reads_as_a_sentence(client, clc_settings, simulator):
    sign_in(client, "viewer")
    [server] = started_servers(simulator)
    assert (
        client.post(f"/servers/{server}/actions/reboot/", {"idempotency_key": str(uuid.uuid4())}).status_code
        == 403
    )
    [row] = rows(client.get("/audit/?action=server.reboot").content.decode())
    detail = cells(row)[-1]
    assert "needs" in detail and "{" not in detail and "&quot;message&quot;" not in detail


def test_team_what_is_the_last_action_not_a_refused_attempt(clc_settings):
    page = signed_in("demo")
    ann = User.objects.create(
        username="DEMO/ann", cloud_username="ann", account_alias="DEMO", roles=["ServerOperator"]
    )
    bob = User.objects.create(
        username="DEMO/bob", cloud_username="bob", account_alias="DEMO", roles=["AccountViewer"]
    )
    record(user=ann, action="server.powerOn", target_type="server", target_id="WA1X1", result="success")
    record(user=ann, action="server.delete", target_type="server", target_id="WA1X1", result="denied")
    record(user=bob, action="server.reboot", target_type="server", target_id="WA1X2", result="denied")
    html = page.get("/team/").content.decode()
    row_of = {
        re.search(r"<td>([^<]+)", r).group(1).strip(): r
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)[1:]
    }
    assert "server.powerOn" in row_of["ann"] and "server.delete" not in row_of["ann"]
    assert "server.reboot" not in row_of["bob"]
    assert Client().get("/team/").status_code == 302  # still for signed-in people only
