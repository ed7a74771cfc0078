"""Every action a test performs through the portal leaves an audit entry (issue: "an audit entry exists
for every action the tests performed").

An autouse fixture watches every upstream write the portal sends while it handles a request (a page,
a form, the API; ``ClcClient.request`` with a method other than GET, sign-in excluded) during each
database test. Before the test's database is rolled back it checks the audit log: each server or group
id a write names (in its path, or in the body of a bulk operation) must be the target of an audit
entry, and any other write (a server or group create) needs at least one operation entry. Writes a test
makes below the request layer (calling a service or the client directly) are not actions taken
through the portal and are not counted.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.core.signals import request_finished, request_started

NON_OPERATION_ACTIONS = ("sign_in", "sign_out", "sign_in_failed", "token.")
SERVER_PATH = re.compile(r"/v2(?:-experimental)?/servers/[^/]+/([^/?]+)", re.I)
GROUP_PATH = re.compile(r"/v2(?:-experimental)?/groups/[^/]+/([^/?]+)", re.I)
BULK_PATH = re.compile(r"/v2/operations/[^/]+/servers/", re.I)
# A load balancer's write names it; a pool's (and its nodes') names the pool.
BALANCER_PATH = re.compile(r"/v2/sharedLoadBalancers/[^/]+/[^/]+/([^/?]+)(?:/pools/([^/?]+))?", re.I)


def named_targets(path: str, body) -> set[str]:
    """The server, group, load balancer or pool ids one upstream write acts on (empty for a create)."""
    if BULK_PATH.search(path):
        ids = body.get("serverIds", []) if isinstance(body, dict) else body or []
        if isinstance(body, dict) and "servers" in body:  # setMaintenance: [{"id", "inMaintenanceMode"}]
            ids = [s.get("id") for s in body["servers"] if isinstance(s, dict)]
        return {str(i).lower() for i in ids}
    balancer = BALANCER_PATH.search(path)
    if balancer:
        return {(balancer.group(2) or balancer.group(1)).lower()}
    match = SERVER_PATH.search(path) or GROUP_PATH.search(path)
    return {match.group(1).lower()} if match else set()


@pytest.fixture(autouse=True)
def audit_coverage(request, monkeypatch):
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = marker.kwargs.get("transaction") or "transactional_db" in request.fixturenames
    request.getfixturevalue("transactional_db" if transactional else "db")  # our teardown runs first

    from apps.clc.client import ClcClient

    writes: list[tuple[str, str, object]] = []
    original = ClcClient.request
    handling = threading.local()  # set while this thread serves a request (test client or live server)

    def started(**kwargs):
        handling.active = True

    def finished(**kwargs):
        handling.active = False

    def watched(self, method, path, *args, **kwargs):
        if getattr(handling, "active", False) and method.upper() != "GET" and "/authentication/" not in path:
            writes.append((method.upper(), path, kwargs.get("json")))
        return original(self, method, path, *args, **kwargs)

    request_started.connect(started, dispatch_uid="audit_coverage.started")
    request_finished.connect(finished, dispatch_uid="audit_coverage.finished")
    monkeypatch.setattr(ClcClient, "request", watched)
    try:
        yield
    finally:
        request_started.disconnect(dispatch_uid="audit_coverage.started")
        request_finished.disconnect(dispatch_uid="audit_coverage.finished")
    if not writes:
        return

    from apps.audit.models import AuditEntry

    entries = [
        e
        for e in AuditEntry.objects.values("action", "target_id", "detail")
        if not e["action"].startswith(NON_OPERATION_ACTIONS)
    ]
    audited = " ".join(f"{e['target_id']} {e['detail']}" for e in entries).lower()
    missing = []
    for method, path, body in writes:
        targets = named_targets(path, body)
        if targets:
            missing += [f"{method} {path} ({t})" for t in sorted(targets) if t not in audited]
        elif not entries:
            missing.append(f"{method} {path}")
    assert not missing, "upstream writes without an audit entry: " + "; ".join(missing)
