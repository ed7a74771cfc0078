"""/team/: the account's people who used the portal, their roles and last activity; no other account."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.activities.models import Activity
from apps.audit.services import record
from tests.support.portal import signed_in

pytestmark = pytest.mark.django_db


def test_team_lists_teammates_sorted_by_last_activity(clc_settings):
    page = signed_in("demo")
    signed_in("operator")
    signed_in("other")  # another account
    ann = User.objects.create(
        username="DEMO/ann", cloud_username="ann", account_alias="DEMO", roles=["AccountViewer"]
    )
    operator = User.objects.get(cloud_username__iexact="operator")
    # ann acted (an audit entry) after everyone signed in; then the operator started an activity.
    assert record(user=ann, action="server.powerOn", target_type="server", target_id="X", result="success")
    Activity.objects.create(
        user=operator, account_alias="DEMO", operation="reboot", resource_ids=["WA1DEMOWEB01"]
    )

    body = page.get("/team/").content.decode()
    names = [r.strip() for r in re.findall(r"<tr[^>]*>\s*<td>([^<]+)", body)]
    assert names == ["operator", "ann", "demo"]
    assert "reboot (queued)" in body and "server.powerOn" in body
    assert "ServerOperator" in body and "AccountAdmin" in body and "AccountViewer" in body
    # Someone who never did anything comes last.
    User.objects.create(username="DEMO/newbie", cloud_username="newbie", account_alias="DEMO", roles=[])
    rows = re.findall(r"<tr[^>]*>\s*<td>([^<]+)", page.get("/team/").content.decode())
    assert rows[-1].strip() == "newbie"


def test_other_account_sees_only_its_people(clc_settings):
    signed_in("demo")
    signed_in("operator")
    other = signed_in("other")
    body = other.get("/team/").content.decode()
    assert [r.strip() for r in re.findall(r"<tr[^>]*>\s*<td>([^<]+)", body)] == ["other"]
    assert "Team of OTHR" in body


def test_team_order_uses_latest_of_activity_and_audit():
    from apps.activities.views_team import team_members

    now = timezone.now()
    a = User.objects.create(username="DEMO/a", cloud_username="a", account_alias="DEMO", roles=[])
    b = User.objects.create(username="DEMO/b", cloud_username="b", account_alias="DEMO", roles=[])
    User.objects.create(username="OTHR/c", cloud_username="c", account_alias="OTHR", roles=[])
    act = Activity.objects.create(user=a, account_alias="DEMO", operation="powerOff")
    Activity.objects.filter(pk=act.pk).update(created_at=now - timedelta(hours=2))
    record(user=b, action="sign_in", target_type="user", target_id="DEMO/b", result="success")
    members = team_members(a)
    assert [m.cloud_username for m in members] == ["b", "a"]
    assert members[0].last_action == "sign_in" and members[1].last_action == "powerOff (queued)"


def test_the_team_page_links_the_last_activity_to_its_page(clc_settings):
    page = signed_in("demo")
    demo = User.objects.get(cloud_username__iexact="demo")
    activity = Activity.objects.create(
        user=demo, account_alias="DEMO", operation="reboot", resource_ids=["WA1DEMOWEB01"]
    )
    body = page.get("/team/").content.decode()
    assert f'href="/activities/{activity.pk}/">reboot (queued)</a>' in body
    assert page.get(f"/activities/{activity.pk}/").status_code == 200
