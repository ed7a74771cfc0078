"""The audit log: sign-in/out entries, append-only, who sees what, filters, CSV, retention."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, InternalError, connection, transaction
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.audit import services
from apps.audit.models import AppendOnlyError, AuditEntry
from tests.support.portal import signed_in_user

pytestmark = pytest.mark.django_db


def make_user(name, alias="DEMO", roles=("ServerOperator",)):
    return User.objects.create(
        username=f"{alias}/{name}", cloud_username=name, account_alias=alias, roles=list(roles)
    )


def entry(user, action="server.powerOff", target="WA1DEMOWEB01", result="success", at=None, **kw):
    e = services.record(user=user, action=action, target_type="server", target_id=target, result=result, **kw)
    assert e is not None
    if at is not None:  # back-date through SQL: the model refuses updates
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            cursor.execute("UPDATE audit_auditentry SET at = %s WHERE id = %s", [at, e.pk])
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    return e


def server_rows(rows):
    return sorted(r["target_id"] for r in rows if r["target_type"] != "user")


def test_sign_in_sign_out_and_failed_sign_in_are_recorded(clc_settings):
    from django.core.cache import cache

    from apps.accounts import throttle

    cache.delete_many([f"{k}:{s}" for k in throttle._keys("ghost", "192.0.2.7") for s in ("n", "until")])
    throttle.clear_user("demo")
    client = Client(REMOTE_ADDR="192.0.2.7")
    assert client.post("/login/", {"username": "ghost", "password": "nope"}).status_code == 400
    assert client.post("/login/", {"username": "demo", "password": "demo"}).status_code == 302
    assert client.post("/logout/").status_code == 302
    assert client.post("/login/", {"username": "demo", "password": "wrong"}).status_code == 400
    fields = ("action", "result", "username", "address", "account_alias", "user_id")
    rows = list(AuditEntry.objects.order_by("id").values(*fields))
    assert [(r["action"], r["result"]) for r in rows] == [
        ("sign_in", "failure"),
        ("sign_in", "success"),
        ("sign_out", "success"),
        ("sign_in", "failure"),
    ]
    assert {r["address"] for r in rows} == {"192.0.2.7"}
    demo = User.objects.get(cloud_username__iexact="demo")
    assert rows[1]["user_id"] == rows[2]["user_id"] == demo.pk and rows[1]["account_alias"] == "DEMO"
    # Failed attempts name what was tried and are nobody's act; one against a known person is
    # attributed to that person's account (so its admin sees it), an unknown name to none.
    assert (rows[0]["username"], rows[0]["account_alias"], rows[0]["user_id"]) == ("ghost", "", None)
    assert (rows[3]["username"], rows[3]["account_alias"], rows[3]["user_id"]) == ("demo", "DEMO", None)
    # The account admin sees it on the page.
    page, _ = signed_in_user("demo")
    body = page.get("/audit/", {"result": "failure"}).content.decode()
    assert "192.0.2.7" in body and "ghost" not in body


def test_a_failed_sign_in_on_a_signed_in_session_is_nobodys_act(clc_settings):
    """The person signed in on the browser did not make the failed attempt: the entry names what was
    tried, with no person attached (``record`` with an ``AnonymousUser``)."""
    client, demo = signed_in_user("demo", REMOTE_ADDR="192.0.2.8")
    assert client.post("/login/", {"username": "operator", "password": "wrong"}).status_code == 400
    failed = AuditEntry.objects.get(action="sign_in", result="failure")
    operator = User.objects.filter(cloud_username__iexact="operator").values_list("account_alias", flat=True)
    alias = operator[0] if len(operator) == 1 else ""
    assert (failed.username, failed.user_id, failed.account_alias) == ("operator", None, alias)
    assert (failed.target_type, failed.target_id, failed.channel, failed.address) == (
        "user",
        "operator",
        "web",
        "192.0.2.8",
    )


def test_x_forwarded_for_only_when_trusted(rf, settings):
    user = make_user("ann")
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    request.user = user
    settings.TRUSTED_PROXIES = []
    assert (
        services.record(request=request, action="a", target_type="t", target_id="1", result="success").address
        == "10.0.0.1"
    )
    settings.TRUSTED_PROXIES = ["10.0.0.1"]  # the proxy's own entry is the rightmost; 6.6.6.6 was forged
    e = services.record(request=request, action="a", target_type="t", target_id="1", result="success")
    assert e.address == "203.0.113.9" and e.user == user and e.channel == "web"


def test_entries_are_append_only():
    e = entry(make_user("ann"))
    e.result = "failure"
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        e.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=e.pk).update(result="failure")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=e.pk).result == "success"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL-only")
def test_database_refuses_update_and_delete():
    e = entry(make_user("ann"))
    for sql in (
        "UPDATE audit_auditentry SET result = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises((InternalError, IntegrityError, Exception)) as info:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [e.pk])
        assert "append-only" in str(info.value)
    assert AuditEntry.objects.filter(pk=e.pk, result="success").exists()


def test_deleting_a_person_keeps_their_history():
    ann = make_user("ann")
    e = entry(ann)
    ann.delete()
    kept = AuditEntry.objects.get(pk=e.pk)
    assert kept.username == "ann" and kept.account_alias == "DEMO"


def test_account_admin_sees_the_team_others_their_own(clc_settings):
    admin_page, admin = signed_in_user("demo")  # AccountAdmin of DEMO
    op_page, operator = signed_in_user("operator")  # ServerOperator of DEMO
    other_page, other = signed_in_user("other")  # AccountAdmin of OTHR
    entry(admin, target="WA1DEMOAAA01")
    entry(operator, target="WA1DEMOBBB01")
    entry(other, target="WA1OTHRCCC01")

    def seen(client, *args):
        response = client.get(*args)
        assert response.status_code == 200
        return response

    body = seen(op_page, "/audit/").content.decode()
    assert "WA1DEMOBBB01" in body and "WA1DEMOAAA01" not in body and "WA1OTHRCCC01" not in body
    body = seen(admin_page, "/audit/").content.decode()
    assert "WA1DEMOAAA01" in body and "WA1DEMOBBB01" in body and "WA1OTHRCCC01" not in body
    assert server_rows(seen(admin_page, "/api/v1/audit/").json()["results"]) == [
        "WA1DEMOAAA01",
        "WA1DEMOBBB01",
    ]
    assert server_rows(seen(op_page, "/api/v1/audit/").json()["results"]) == ["WA1DEMOBBB01"]
    assert server_rows(seen(other_page, "/api/v1/audit/").json()["results"]) == ["WA1OTHRCCC01"]
    # Sign-ins too: the admin sees both DEMO people's, the operator only their own.
    people = {
        r["person"].lower()
        for r in seen(admin_page, "/api/v1/audit/", {"action": "sign_in"}).json()["results"]
    }
    assert people == {"demo", "operator"}
    people = {
        r["person"].lower() for r in seen(op_page, "/api/v1/audit/", {"action": "sign_in"}).json()["results"]
    }
    assert people == {"operator"}


def test_filters_on_page_and_api(clc_settings):
    api, admin = signed_in_user("demo")
    _, ann = signed_in_user("operator")
    now = timezone.now()
    entry(ann, action="server.powerOff", target="WA1DEMOWEB01", at=now - timedelta(days=10))
    entry(ann, action="server.powerOn", target="WA1DEMOWEB02", result="failure")
    entry(admin, action="group.delete", target="g-1")

    def ids(**params):
        response = api.get("/api/v1/audit/", params)
        assert response.status_code == 200, response.content
        return server_rows(response.json()["results"])

    assert ids(person="OPERATOR") == ["WA1DEMOWEB01", "WA1DEMOWEB02"]
    assert ids(action="server") == ["WA1DEMOWEB01", "WA1DEMOWEB02"]
    assert ids(action="server.powerOn") == ["WA1DEMOWEB02"]
    assert ids(target="web02") == ["WA1DEMOWEB02"]
    assert ids(target="server:WA1DEMOWEB01") == ["WA1DEMOWEB01"]
    assert ids(result="failure") == ["WA1DEMOWEB02"]
    assert ids(since=(now - timedelta(days=1)).date().isoformat()) == ["WA1DEMOWEB02", "g-1"]
    assert ids(until=(now - timedelta(days=5)).date().isoformat()) == ["WA1DEMOWEB01"]
    assert ids(since=(now - timedelta(days=11)).isoformat(), until=(now - timedelta(days=9)).isoformat()) == [
        "WA1DEMOWEB01"
    ]
    bad = api.get("/api/v1/audit/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()["message"]
    assert api.get("/api/v1/audit/", {"limit": "0"}).status_code == 400
    assert api.get("/api/v1/audit/", {"format": "xml"}).status_code == 400
    # Paging: 3 actions + 2 sign-ins
    first = api.get("/api/v1/audit/", {"limit": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    rest = api.get("/api/v1/audit/" + first["next"]).json()
    assert len(rest["results"]) == 2 and rest["next"] is None
    # The page filters the same way and answers 400 for bad input
    page = api.get("/audit/", {"result": "failure"})
    assert page.status_code == 200 and "WA1DEMOWEB02" in page.content.decode()
    assert "WA1DEMOWEB01" not in page.content.decode()
    assert api.get("/audit/", {"until": "soon"}).status_code == 400


def test_csv_export_streams_escaped_rows_with_formula_guard(clc_settings):
    client, ann = signed_in_user("operator")
    entry(ann, target='=HYPERLINK("http://evil","x")', detail={"note": 'a "quoted", comma'})
    entry(ann, target="+1+1", result="failure", detail="-2")
    entry(ann, target="@SUM(A1)", detail="line\nbreak")
    for url in ("/audit/?format=csv&target=server", "/api/v1/audit/?format=csv&target=server"):
        response = client.get(url)
        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        text = b"".join(response.streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 3
        targets = {r["target_id"] for r in rows}
        assert targets == {'\'=HYPERLINK("http://evil","x")', "'+1+1", "'@SUM(A1)"}
        details = {r["detail"] for r in rows}
        assert (
            '{"note": "a \\"quoted\\", comma"}' in details and "'-2" in details and "line\nbreak" in details
        )
        assert all(not r[k].startswith(("=", "+", "-", "@")) for r in rows for k in r)
    everything = client.get("/audit/", {"format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(b"".join(everything.streaming_content).decode())))) == 4
    filtered = client.get("/audit/", {"format": "csv", "result": "failure"})
    assert len(list(csv.DictReader(io.StringIO(b"".join(filtered.streaming_content).decode())))) == 1


def test_prune_respects_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    ann = make_user("ann")
    now = timezone.now()
    old = entry(ann, target="old", at=now - timedelta(days=31))
    edge = entry(ann, target="recent", at=now - timedelta(days=29))
    fresh = entry(ann, target="fresh")
    out = io.StringIO()
    call_command("prune_audit", "--dry-run", stdout=out)
    assert "1 audit entries" in out.getvalue() and AuditEntry.objects.count() == 3
    call_command("prune_audit", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {edge.pk, fresh.pk}
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    # Still append-only afterwards (the prune's permission was for its own transaction)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=edge.pk).delete()
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [edge.pk])


def test_record_never_breaks_the_caller(caplog):
    # An absurd detail that JSON cannot encode is logged, not raised.
    assert (
        services.record(action="x", target_type="t", target_id="1", result="success", detail={"x": object()})
        is None
    )
    assert "could not record" in caplog.text


def test_pages_need_sign_in():
    assert Client().get("/audit/").status_code == 302
    assert Client().get("/team/").status_code == 302
    assert Client().get("/api/v1/audit/").status_code in (401, 403)
