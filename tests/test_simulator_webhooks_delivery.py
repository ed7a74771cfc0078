"""Webhook deliveries of the simulator, to a real HTTP listener the test starts.

Each test configures the DEMO account's webhooks through the API, makes a change through the API
(moving the simulator's clock so operations complete and retries fall due at once), and checks what
the listener received: signed POSTs (``Tier3-RsaSha1``) with the FAQ's payloads; retries with
backoff; the drop/duplicate/delay/reorder faults; key rotation.
"""

import base64
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from apps.simulator import routes  # noqa: F401  (registers the effects and the webhook listener)
from apps.simulator.models import Account
from apps.simulator.seed import build_demo
from apps.simulator.webhook_delivery import targets_for
from apps.simulator.webhook_store import store_of
from tests.support.simulator import wait_until

_DEMO = build_demo()  # the same deterministic seed the simulator runs
SIGNATURE = "Tier3-RsaSha1"


def started_server(skip=()):
    for server in _DEMO.servers.values():
        if (
            server.alias == "DEMO"
            and server.location == "WA1"
            and server.status == "active"
            and server.power_state == "started"
            and not server.in_maintenance
            and server.id not in skip
        ):
            return server
    raise LookupError("no started server in the demo seed")


def group_id(name):
    return next(
        g.id for g in _DEMO.groups.values() if g.alias == "DEMO" and g.location == "WA1" and g.name == name
    )


# --- a listener -------------------------------------------------------------------------------
@dataclass
class Received:
    path: str
    signature: str | None
    content_type: str | None
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Listener:
    """A threaded HTTP server recording every POST; answers ``statuses`` in turn, then 200."""

    def __init__(self, statuses=()):
        self.received: list[Received] = []
        self.statuses = list(statuses)
        self._lock = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with listener._lock:
                    listener.received.append(
                        Received(
                            self.path, self.headers.get(SIGNATURE), self.headers.get("Content-Type"), body
                        )
                    )
                    status = listener.statuses.pop(0) if listener.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        with self._lock:
            return [r.json for r in self.received]

    def wait_for(self, count: int, message: str = "deliveries") -> list[Received]:
        wait_until(lambda: len(self.received) >= count, timeout=15, message=message)
        with self._lock:
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


# --- helpers ----------------------------------------------------------------------------------
def configure(sim, session, event, uri, *, alias="DEMO"):
    response = session.put(
        f"{sim.url}/v2/webhooks/{alias}/{event}/configuration",
        json={"recursive": False, "targetUris": [{"targetUri": uri}]},
        timeout=10,
    )
    assert response.status_code == 204, response.text


def public_key(sim):
    pem = requests.get(f"{sim.url}/control/webhooks/public-key", timeout=10).json()["publicKey"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    return serialization.load_pem_public_key(pem.encode())


def verifies(key, received: Received) -> bool:
    try:
        key.verify(base64.b64decode(received.signature), received.body, padding.PKCS1v15(), hashes.SHA1())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def deliveries(sim, **params):
    response = requests.get(f"{sim.url}/control/webhooks/deliveries", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


def faults(sim, **body):
    response = requests.post(f"{sim.url}/control/webhooks/faults", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def advance(sim, seconds):
    sim.control("clock", advance=seconds)


def power_off(sim, session, server_id):
    response = session.post(f"{sim.url}/v2/operations/DEMO/servers/powerOff", json=[server_id], timeout=10)
    assert response.status_code == 200 and response.json()[0]["isQueued"], response.text


def describe(sim, session, server_id, text):
    body = [{"op": "set", "member": "description", "value": text}]
    response = session.patch(f"{sim.url}/v2/servers/DEMO/{server_id}", json=body, timeout=10)
    assert response.status_code == 204, response.text


# --- the three server events ------------------------------------------------------------------
def test_power_off_is_a_signed_server_updated_post(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Updated", f"{listener.url}/hooks/updated")
    server = started_server()
    power_off(simulator, session, server.id)
    advance(simulator, 600)
    (received,) = listener.wait_for(1, "the Server.Updated delivery")
    assert received.path == "/hooks/updated"
    assert received.content_type.startswith("application/json")
    assert verifies(public_key(simulator), received), "the signature does not verify with the public key"
    body = received.json
    assert body["id"] == server.id and body["name"] == server.id and body["accountAlias"] == "DEMO"
    assert body["details"]["powerState"] == "stopped"
    assert body["event"] == "Server.Updated" and body["eventId"] and body["eventTime"].endswith("Z")
    assert {"groupId", "locationId", "osType", "status", "changeInfo", "links"} <= set(body)
    # A tampered body no longer verifies.
    tampered = Received(received.path, received.signature, received.content_type, received.body + b" ")
    assert not verifies(public_key(simulator), tampered)
    (delivery,) = deliveries(simulator, event="Server.Updated")
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1 and delivery["lastStatus"] == 200


def test_create_and_delete_announce_server_created_and_deleted(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Created", f"{listener.url}/created")
    configure(simulator, session, "Server.Deleted", f"{listener.url}/deleted")
    created = session.post(
        f"{simulator.url}/v2/servers/DEMO",
        json={
            "name": "HOOK",
            "groupId": group_id("Default Group"),
            "sourceServerId": "UBUNTU-22-64-TEMPLATE",
            "cpu": 1,
            "memoryGB": 2,
            "type": "standard",
        },
        timeout=10,
    )
    assert created.status_code == 202, created.text
    assert listener.received == []  # nothing until the build completes
    advance(simulator, 600)
    (first,) = listener.wait_for(1, "Server.Created")
    body = first.json
    assert first.path == "/created" and body["event"] == "Server.Created"
    assert body["id"].startswith("WA1DEMOHOOK") and body["status"] == "active"
    assert body["details"]["powerState"] == "started"

    response = session.delete(f"{simulator.url}/v2/servers/DEMO/{body['id']}", timeout=10)
    assert response.status_code == 202, response.text
    advance(simulator, 600)
    second = listener.wait_for(2, "Server.Deleted")[1]
    gone = second.json
    assert second.path == "/deleted"
    # The FAQ: only accountAlias and name (plus the simulator's event fields).
    assert {k: gone[k] for k in ("accountAlias", "name")} == {"accountAlias": "DEMO", "name": body["id"]}
    assert set(gone) == {"accountAlias", "name", "event", "eventId", "eventTime"}
    assert verifies(public_key(simulator), second)


def test_only_the_configured_event_and_account_get_deliveries(simulator, listener):
    demo, other = simulator.session("demo"), simulator.session("other")
    configure(simulator, demo, "Server.Created", f"{listener.url}/created")  # not Server.Updated
    configure(simulator, other, "Server.Updated", f"{listener.url}/other", alias="OTHR")
    describe(simulator, demo, started_server().id, "no one listens")
    configure(simulator, demo, "Server.Updated", f"{listener.url}/updated")
    describe(simulator, demo, started_server().id, "now someone does")
    (received,) = listener.wait_for(1)
    assert received.path == "/updated" and received.json["description"] == "now someone does"
    assert [d["target"] for d in deliveries(simulator)] == [f"{listener.url}/updated"]


# --- retries ----------------------------------------------------------------------------------
def test_a_failing_listener_gets_retries_with_backoff_then_success(simulator):
    listener = Listener(statuses=[500, 503])
    try:
        session = simulator.session("demo")
        configure(simulator, session, "Server.Updated", f"{listener.url}/flaky")
        describe(simulator, session, started_server().id, "retry me")
        listener.wait_for(1, "the first attempt")
        wait_until(lambda: deliveries(simulator)[0]["status"] == "retrying", message="a retry armed")
        advance(simulator, 1)  # the first backoff
        listener.wait_for(2, "the second attempt")
        wait_until(
            lambda: deliveries(simulator)[0]["attempts"] == 2
            and deliveries(simulator)[0]["status"] == "retrying"
        )
        advance(simulator, 2)  # the second backoff, twice as long
        received = listener.wait_for(3, "the third attempt")
        wait_until(lambda: deliveries(simulator)[0]["status"] == "delivered", message="delivered")
        (delivery,) = deliveries(simulator)
        assert [a["status"] for a in delivery["history"]] == [500, 503, 200]
        assert [a["backoffSeconds"] for a in delivery["history"]] == [1.0, 2.0, None]
        assert len({r.body for r in received}) == 1  # the same body every time
        assert all(verifies(public_key(simulator), r) for r in received)
    finally:
        listener.close()


def test_deliveries_are_given_up_after_max_attempts(simulator):
    listener = Listener(statuses=[500] * 10)
    try:
        faults(simulator, maxAttempts=3, retryBaseMs=100)
        session = simulator.session("demo")
        configure(simulator, session, "Server.Updated", f"{listener.url}/down")
        describe(simulator, session, started_server().id, "never arrives")
        # Backoffs of 0.1 and 0.2 s: the simulator's ticker replays them without help.
        wait_until(lambda: deliveries(simulator)[0]["status"] == "failed", timeout=15, message="given up")
        (delivery,) = deliveries(simulator)
        assert delivery["attempts"] == 3 and delivery["lastStatus"] == 500 and delivery["lastError"]
        assert len(listener.received) == 3
    finally:
        listener.close()


def test_an_unreachable_listener_is_recorded_with_its_error(simulator):
    session = simulator.session("demo")
    dead = Listener()
    dead.close()  # nothing listens on that port any more
    faults(simulator, maxAttempts=1)
    configure(simulator, session, "Server.Updated", f"{dead.url}/gone")
    describe(simulator, session, started_server().id, "to nowhere")
    wait_until(lambda: deliveries(simulator)[0]["status"] == "failed", message="the failed attempt")
    (delivery,) = deliveries(simulator)
    assert delivery["lastStatus"] is None and "Connection" in delivery["lastError"]


# --- faults -----------------------------------------------------------------------------------
def test_drop_fault_loses_deliveries(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Updated", f"{listener.url}/u")
    server = started_server()
    faults(simulator, drop=1)
    describe(simulator, session, server.id, "lost")
    assert deliveries(simulator)[0]["status"] == "dropped"
    faults(simulator, drop=0)
    describe(simulator, session, server.id, "kept")
    listener.wait_for(1)
    wait_until(lambda: deliveries(simulator)[-1]["status"] == "delivered")
    assert [b["description"] for b in listener.bodies()] == ["kept"]


def test_duplicate_fault_sends_the_same_signed_body_twice(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Updated", f"{listener.url}/u")
    faults(simulator, duplicate=1)
    describe(simulator, session, started_server().id, "twice")
    first, second = listener.wait_for(2, "the duplicate")
    assert first.body == second.body and first.signature == second.signature
    wait_until(lambda: deliveries(simulator)[0]["duplicates"] == 1)


def test_delay_fault_holds_the_first_attempt_on_the_simulator_clock(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Updated", f"{listener.url}/u")
    faults(simulator, delayMs=60_000)
    describe(simulator, session, started_server().id, "later")
    (delivery,) = deliveries(simulator)
    assert delivery["status"] == "scheduled" and delivery["attempts"] == 0 and "delay" in delivery["faults"]
    assert listener.received == []
    advance(simulator, 61)
    (received,) = listener.wait_for(1, "the delayed delivery")
    assert received.json["description"] == "later"


def test_reorder_fault_delivers_the_later_change_first(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Updated", f"{listener.url}/u")
    faults(simulator, reorder=True)
    server = started_server()
    describe(simulator, session, server.id, "first")
    assert deliveries(simulator)[0]["status"] == "held"
    describe(simulator, session, server.id, "second")
    listener.wait_for(2)
    bodies = listener.bodies()
    assert [b["description"] for b in bodies] == ["second", "first"]
    # eventTime lets a receiver put them back in order.
    assert bodies[1]["eventTime"] <= bodies[0]["eventTime"]
    # Alone, a held delivery goes after the hold time; turning reorder off sends it at once.
    describe(simulator, session, server.id, "third")
    assert deliveries(simulator)[-1]["status"] == "held"
    faults(simulator, reorder=False)
    assert listener.wait_for(3)[2].json["description"] == "third"


def test_fault_settings_are_validated_and_reset(simulator):
    url = f"{simulator.url}/control/webhooks/faults"
    for body in (
        {"drop": 2},
        {"duplicate": -1},
        {"delayMs": "soon"},
        {"reorder": "yes"},
        {"maxAttempts": 0},
        {"bogus": 1},
    ):
        response = requests.post(url, json=body, timeout=10)
        assert response.status_code == 400 and response.json()["message"], body
    assert faults(simulator, drop=0.5, reorder=True)["drop"] == 0.5
    simulator.control("reset")
    assert requests.get(url, timeout=10).json() == {
        "drop": 0.0,
        "duplicate": 0.0,
        "delayMs": 0.0,
        "reorder": False,
        "maxAttempts": 5,
        "retryBaseMs": 1000.0,
    }


# --- keys -------------------------------------------------------------------------------------
def test_key_rotation_changes_the_key_that_verifies(simulator, listener):
    session = simulator.session("demo")
    configure(simulator, session, "Server.Updated", f"{listener.url}/u")
    server = started_server()
    old_key = public_key(simulator)
    describe(simulator, session, server.id, "old key")
    listener.wait_for(1)
    rotated = requests.post(f"{simulator.url}/control/webhooks/rotate-key", timeout=30).json()
    new_key = public_key(simulator)
    assert rotated["header"] == SIGNATURE
    assert new_key.public_numbers() != old_key.public_numbers()
    describe(simulator, session, server.id, "new key")
    first, second = listener.wait_for(2)
    assert verifies(old_key, first) and not verifies(new_key, first)
    assert verifies(new_key, second) and not verifies(old_key, second)


# --- other events -----------------------------------------------------------------------------
def test_user_account_and_alert_events_are_delivered(simulator, listener):
    session = simulator.session("demo")
    for event in ("User.Updated", "Account.Updated", "Alert.Notification"):
        configure(simulator, session, event, f"{listener.url}/{event}")
    emit = f"{simulator.url}/control/webhooks/emit"
    alert = {"accountAlias": "DEMO", "serverName": started_server().id, "triggers": []}
    for body in (
        {"event": "User.Updated", "alias": "DEMO", "userName": "viewer"},
        {"event": "Account.Updated", "alias": "DEMO"},
        {"event": "Alert.Notification", "alias": "DEMO", "payload": alert},
    ):
        assert requests.post(emit, json=body, timeout=10).status_code == 200
    received = {r.path: r.json for r in listener.wait_for(3)}
    user = received["/User.Updated"]
    assert {k: user[k] for k in ("uri", "accountAlias", "userName", "status")} == {
        "uri": "/v2/users/viewer",
        "accountAlias": "DEMO",
        "userName": "viewer",
        "status": "Active",
    }
    account = received["/Account.Updated"]
    assert account["accountAlias"] == "DEMO" and account["links"][0] == {
        "rel": "self",
        "href": "/v2/accounts/DEMO",
    }
    assert received["/Alert.Notification"]["serverName"] == alert["serverName"]
    bad = requests.post(emit, json={"event": "Alert.Notification", "alias": "DEMO"}, timeout=10)
    assert bad.status_code == 400


def test_recursive_configurations_of_parent_accounts_receive_sub_account_events():
    world = build_demo()
    world.accounts["SUBA"] = Account("SUBA")
    world.accounts["SUBA"].parent_alias = "DEMO"  # the simulator has no sub-accounts: made by hand
    store = store_of(world)
    store.set_config("SUBA", "Server.Updated", False, ["https://sub.example/hook"])
    store.set_config("DEMO", "Server.Updated", True, ["https://parent.example/hook"])
    store.set_config("DEMO", "Server.Created", False, ["https://parent.example/created"])
    assert targets_for(world, "Server.Updated", "SUBA") == [
        ("SUBA", "https://sub.example/hook"),
        ("DEMO", "https://parent.example/hook"),
    ]
    assert targets_for(world, "Server.Created", "SUBA") == []  # not recursive
