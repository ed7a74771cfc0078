"""Operations started through /api/v1/ leave one audit entry per server (success, failure, denied)."""

import pytest

from apps.audit.models import AuditEntry
from tests.support.portal import signed_in

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.4"  # the client address the audit entries must show


def entries(action_prefix="server."):
    return list(
        AuditEntry.objects.filter(action__startswith=action_prefix)
        .order_by("id")
        .values("username", "action", "target_id", "result", "channel", "address", "detail")
    )


def test_api_operations_are_audited(clc_settings):
    demo = signed_in("demo", REMOTE_ADDR=ADDRESS)
    response = demo.post(
        "/api/v1/servers/wa1demoweb01/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    activity_id = response.json()["activity"]["id"]
    [e] = entries()
    assert (e["username"].lower(), e["action"], e["target_id"], e["result"], e["channel"], e["address"]) == (
        "demo",
        "server.powerOff",
        "WA1DEMOWEB01",
        "success",
        "api",
        "198.51.100.4",
    )
    assert e["detail"]["outcome"] == "queued" and e["detail"]["activities"] == [activity_id]

    # A replay of the same Idempotency-Key adds nothing.
    for _ in range(2):
        demo.post(
            "/api/v1/servers/operations/",
            {"operation": "powerOn", "servers": ["WA1DEMOWEB02"]},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
    assert [x["target_id"] for x in entries()] == ["WA1DEMOWEB01", "WA1DEMOWEB02"]

    # Refused by the roles (viewer): denied.
    viewer = signed_in("viewer", REMOTE_ADDR=ADDRESS)
    refused = viewer.post(
        "/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"}, content_type="application/json"
    )
    assert refused.status_code == 403
    last = entries()[-1]
    assert (last["username"].lower(), last["result"], last["target_id"]) == (
        "viewer",
        "denied",
        "WA1DEMOWEB01",
    )
    assert "needs Account Administrator" in last["detail"]["message"]  # the reason, naming the role
