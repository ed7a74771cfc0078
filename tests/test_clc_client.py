"""The upstream client: error mapping, retries (GET only), timeouts, fan-out, metrics, redaction."""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.clc import client as clc_client
from apps.clc import datacenters, errors, metrics, operations, servers
from apps.clc.auth import login
from apps.clc.client import ClcClient
from apps.clc.fanout import fan_out
from apps.clc.links import Link, find_link, parse_links, verbs_for
from apps.clc.redaction import RedactTokensFilter
from tests.support.simulator import free_port

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0dXNlciJ9.c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ"


class Upstream:
    """A tiny scripted HTTP server: answers from a queue per request, records every request."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []
        self.script: list[tuple[int, object, float]] = []
        self.default = (200, {"ok": True}, 0.0)
        self.lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with upstream.lock:
                    upstream.requests.append((self.command, self.path, self.headers.get("Authorization", "")))
                    status, body, delay = upstream.script.pop(0) if upstream.script else upstream.default
                if delay:
                    time.sleep(delay)
                payload = b"" if body is None else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, *responses):
        """Queue responses: (status, body) or (status, body, delay_seconds)."""
        for response in responses:
            status, body, *delay = response
            self.script.append((status, body, delay[0] if delay else 0.0))

    def count(self, method=None):
        return sum(1 for m, _p, _a in self.requests if method is None or m == method)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream(settings):
    server = Upstream()
    settings.CLC_API_URL = server.url
    settings.CLC_GET_RETRIES = 2
    settings.CLC_RETRY_BACKOFF = 0.01
    settings.CLC_READ_TIMEOUT = 2.0
    yield server
    server.stop()


@pytest.fixture
def delays(monkeypatch):
    """Record the backoff delays instead of sleeping."""
    recorded = []
    monkeypatch.setattr(clc_client, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def tally():
    tally, token = metrics.start_tally()
    yield tally
    metrics.end_tally(token)


def make_client(upstream):
    return ClcClient(TOKEN, "DEMO", base_url=upstream.url)


# --- error mapping ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, exc_type",
    [
        (400, errors.BadRequest),
        (401, errors.Unauthorized),
        (403, errors.Forbidden),
        (404, errors.NotFound),
        (409, errors.Conflict),
        (500, errors.UpstreamUnavailable),
        (503, errors.UpstreamUnavailable),
    ],
)
def test_status_codes_become_typed_errors(upstream, delays, status, exc_type):
    upstream.default = (status, {"message": "The name is already in use."}, 0)
    with pytest.raises(exc_type) as caught:
        make_client(upstream).post("/v2/groups/{alias}", json={"name": "x"})
    assert caught.value.status == status
    if status == 400:
        assert caught.value.message == "The name is already in use."
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_path_alias_is_filled_and_token_sent_only_in_header(upstream):
    upstream.answer(
        (
            200,
            [
                {
                    "id": "WA1",
                    "name": "Seattle",
                    "links": [{"rel": "self", "href": "/v2/datacenters/demo/wa1"}],
                }
            ],
        )
    )
    dcs = datacenters.list_datacenters(make_client(upstream))
    assert dcs[0].id == "WA1" and dcs[0].link("self").href == "/v2/datacenters/demo/wa1"
    method, path, auth = upstream.requests[0]
    assert (method, path, auth) == ("GET", "/v2/datacenters/demo", f"Bearer {TOKEN}")
    # The shared pooled session never carries anyone's token.
    assert "Authorization" not in clc_client.get_session().headers


def test_read_timeout_becomes_upstream_timeout(upstream, delays, settings):
    settings.CLC_READ_TIMEOUT = 0.2
    settings.CLC_GET_RETRIES = 0
    upstream.default = (200, {}, 1.0)
    with pytest.raises(errors.UpstreamTimeout) as caught:
        make_client(upstream).get("/v2/datacenters/{alias}")
    assert isinstance(caught.value, errors.UpstreamUnavailable)


def test_connection_refused_is_upstream_unavailable(settings, delays, tally):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(errors.UpstreamUnavailable) as caught:
        ClcClient(TOKEN, "DEMO", base_url=url).get("/v2/datacenters/{alias}")
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    # Retried (GET): 1 + CLC_GET_RETRIES attempts, all counted.
    assert tally.calls == 1 + settings.CLC_GET_RETRIES
    assert len(delays) == settings.CLC_GET_RETRIES


# --- retries ------------------------------------------------------------------------------------
def test_get_retried_on_5xx_with_growing_backoff(upstream, delays, tally, settings):
    settings.CLC_GET_RETRIES = 3
    settings.CLC_RETRY_BACKOFF = 0.1
    upstream.answer((500, {"message": "boom"}), (502, None), (503, {}), (200, {"status": "succeeded"}))
    status = operations.get_status(make_client(upstream), "wa1-1")
    assert status.status == "succeeded" and status.is_done
    assert upstream.count("GET") == 4
    assert tally.calls == 4
    assert len(delays) == 3
    # Exponential with jitter: attempt n waits within [base*2^n/2, base*2^n].
    for n, delay in enumerate(delays):
        assert 0.1 * 2**n / 2 <= delay <= 0.1 * 2**n
    assert delays[2] > delays[0]


def test_get_gives_up_after_the_retries(upstream, delays, tally):
    upstream.default = (500, {"message": "down"}, 0)
    with pytest.raises(errors.UpstreamUnavailable):
        make_client(upstream).get("/v2/servers/{alias}/wa1demoweb01")
    assert upstream.count("GET") == 3 and tally.calls == 3


def test_get_not_retried_on_4xx(upstream, delays):
    upstream.default = (404, {"message": "The requested resource does not exist."}, 0)
    with pytest.raises(errors.NotFound):
        make_client(upstream).get("/v2/servers/{alias}/nope")
    assert upstream.count() == 1 and delays == []


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
@pytest.mark.parametrize("failure", [(500, {"message": "boom"}), (503, None)])
def test_writes_are_sent_exactly_once(upstream, delays, tally, method, failure):
    upstream.default = (*failure, 0)
    with pytest.raises(errors.UpstreamUnavailable):
        make_client(upstream).request(method, "/v2/servers/{alias}/wa1demoweb01", json=[])
    assert upstream.count() == 1
    assert tally.calls == 1
    assert delays == []


def test_write_timing_out_is_not_resent(upstream, delays, settings):
    settings.CLC_READ_TIMEOUT = 0.2
    upstream.default = (200, {}, 1.0)
    with pytest.raises(errors.UpstreamTimeout):
        make_client(upstream).post("/v2/operations/{alias}/servers/powerOn", json=["WA1DEMOWEB01"])
    assert upstream.count("POST") == 1


def test_write_against_the_simulator_with_errors_is_sent_once(simulator, clc_settings, delays, tally):
    token = simulator.login("demo")["bearerToken"]
    client = ClcClient(token, "DEMO")
    simulator.control("config", errorRate=1)
    with pytest.raises(errors.UpstreamUnavailable):
        operations.server_operation(client, "powerOn", ["WA1DEMOWEB01"])
    assert tally.calls == 1
    with pytest.raises(errors.UpstreamUnavailable):
        datacenters.list_datacenters(client)
    assert tally.calls == 1 + 1 + clc_settings.CLC_GET_RETRIES


# --- the simulator ------------------------------------------------------------------------------
def test_against_the_simulator(simulator, clc_settings):
    result = login("demo", "demo")
    assert result.account_alias == "DEMO" and "AccountAdmin" in result.roles
    assert result.bearer_token not in repr(result)
    client = ClcClient(result.bearer_token, result.account_alias)
    dcs = datacenters.list_datacenters(client)
    assert {"WA1", "VA1"} <= {dc.id for dc in dcs}
    wa1 = datacenters.get_datacenter(client, "wa1", group_links=True)
    assert wa1.root_group_id and wa1.root_group.name == "WA1 Hardware"
    with pytest.raises(errors.NotFound):
        datacenters.get_datacenter(client, "zz9")
    caps = datacenters.deployment_capabilities(client, "WA1")
    assert caps.templates and caps.networks


def test_bad_credentials_carry_the_upstream_message(simulator, clc_settings):
    with pytest.raises(errors.BadRequest) as caught:
        login("demo", "wrong")
    assert "didn't recognize the username or password" in caught.value.message


def test_expired_token_is_unauthorized(simulator, clc_settings):
    client = ClcClient(simulator.login("demo")["bearerToken"], "DEMO")
    simulator.control("expire-tokens")
    with pytest.raises(errors.Unauthorized):
        datacenters.list_datacenters(client)


def test_missing_token_fails_without_a_call(upstream, tally):
    with pytest.raises(errors.Unauthorized):
        ClcClient(None, "DEMO", base_url=upstream.url).get("/v2/datacenters/{alias}")
    assert upstream.count() == 0 and tally.calls == 0


# --- fan-out ------------------------------------------------------------------------------------
def test_fan_out_is_concurrent_bounded_and_counted(upstream, settings, tally):
    settings.CLC_FANOUT_WORKERS = 4
    delay = 0.2
    upstream.default = (200, {"id": "X", "name": "X", "details": {"powerState": "started"}}, delay)
    ids = [f"WA1DEMOWEB{i:02d}" for i in range(8)]
    started = time.perf_counter()
    result = servers.get_servers(make_client(upstream), ids)
    elapsed = time.perf_counter() - started
    assert len(result) == 8 and all(s.power_state == "started" for s in result)
    # 8 calls of 0.2 s with 4 at once: about 2 rounds, far less than 8 sequential.
    assert 2 * delay <= elapsed < 6 * delay
    assert tally.calls == 8
    assert [p.rsplit("/", 1)[-1] for _m, p, _a in upstream.requests] != [] and upstream.count() == 8


def test_fan_out_errors(upstream, tally, delays):
    upstream.answer((200, {"id": "A"}), (404, {"message": "gone"}), (200, {"id": "C"}))
    results = fan_out(
        lambda sid: servers.get_server(make_client(upstream), sid),
        ["a", "b", "c"],
        workers=1,
        return_exceptions=True,
    )
    assert isinstance(results[1], errors.NotFound) and results[0].id == "A"
    upstream.answer((404, {"message": "gone"}))
    with pytest.raises(errors.NotFound):
        fan_out(lambda sid: servers.get_server(make_client(upstream), sid), ["b"])


# --- links --------------------------------------------------------------------------------------
def test_links_helpers():
    links = parse_links(
        [
            {"rel": "self", "href": "/v2/servers/demo/x", "verbs": ["GET", "PATCH", "DELETE"]},
            {"rel": "group", "href": "/v2/groups/demo/g1", "id": "g1"},
        ]
    )
    assert find_link(links, "SELF").allows("patch")
    assert verbs_for(links, "group") == ("GET",)  # no verbs listed = GET only
    assert verbs_for(links, "billing") == ()
    assert Link("x", "/x").allowed_verbs == ("GET",)


# --- redaction ----------------------------------------------------------------------------------
def test_token_never_in_logs(upstream, delays, caplog):
    caplog.set_level(logging.DEBUG)
    upstream.default = (500, {"message": f"echo Bearer {TOKEN}"}, 0)
    client = make_client(upstream)
    logger = logging.getLogger("apps.clc.test")
    try:
        client.get("/v2/datacenters/{alias}")
    except errors.UpstreamUnavailable:
        logger.exception("call failed with %r", client)
    filt = RedactTokensFilter()
    for record in caplog.records:
        filt.filter(record)
        assert TOKEN not in record.getMessage()
        assert TOKEN not in (record.exc_text or "")
    assert TOKEN not in repr(client)


def test_resource_modules_parse_the_simulator(simulator, clc_settings, tally):
    from apps.clc import billing, groups
    from tests.support.simulator import wait_until

    client = ClcClient(simulator.login("demo")["bearerToken"], "DEMO")
    root_id = datacenters.get_datacenter(client, "WA1", group_links=True).root_group_id
    root = groups.get_group(client, root_id)
    assert {"Archive", "Default Group", "Templates"} <= {g.name for g in root.groups}
    ids = [sid for g in root.walk() for sid in g.server_ids]
    assert ids and root.servers_count >= len(set(ids))
    calls_before = tally.calls
    details = servers.get_servers(client, ids)
    assert tally.calls - calls_before == len(ids)
    assert all(s.id == sid.upper() and s.links for s, sid in zip(details, ids, strict=True))
    started = next(s for s in details if s.power_state == "started" and not s.in_maintenance_mode)
    assert started.allows("self", "PATCH") and started.verbs("group") == ("GET",)

    results = operations.server_operation(client, "powerOff", [started.id])
    assert results[0].is_queued and results[0].operation_id
    wait_until(lambda: operations.get_status(client, results[0].operation_id).is_done, timeout=20)
    assert servers.get_server(client, started.id).power_state == "stopped"

    summary = billing.group_billing(client, root_id)
    assert summary.monthly_estimate >= 0

    viewer = ClcClient(simulator.login("viewer")["bearerToken"], "DEMO")
    with pytest.raises(errors.Forbidden):
        operations.server_operation(viewer, "powerOn", [started.id])


def test_log_redaction_covers_personal_tokens_and_token_headers():
    from apps.clc.redaction import redact

    line = "token expired; Authorization: Token abcdefghijabcdefghij12; key clcp_ab12cd34_secretpart"
    cleaned = redact(line)
    assert "abcdefghijabcdefghij12" not in cleaned
    assert "secretpart" not in cleaned
    assert cleaned.startswith("token expired;")  # ordinary words stay readable
