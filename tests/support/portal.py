"""Helpers the portal's tests share: signing in through the real ``/login/`` view, what a response
shows (text, idempotency key, upstream calls), the simulator read directly (the truth pages must
show), Redis keys and environment variables scoped to a test.

    client = signed_in("demo")                     # a fresh Client, signed in (asserts the 302)
    client, user = signed_in_user("viewer")        # ... and the portal's User row
    api = signed_in("demo", REMOTE_ADDR="198.51.100.4")   # options go to django.test.Client

The fixtures (``own_cache_namespace``, ``demo``) live in tests/support/fixtures.py.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import threading

import redis
import requests

from tests.support.simulator import free_port, wait_until

# --- signing in -------------------------------------------------------------------------------


def sign_in(client, username: str, password: str | None = None):
    """Sign ``client`` in through ``/login/`` (password = username for the demo users); -> client."""
    data = {"username": username, "password": username if password is None else password}
    response = client.post("/login/", data)
    assert response.status_code == 302, response.content[:500]
    return client


def signed_in(name: str, **client_options):
    """A fresh ``django.test.Client(**client_options)`` signed in as ``name``."""
    from django.test import Client

    return sign_in(Client(**client_options), name)


def signed_in_user(name: str, **client_options):
    """``(client, user)``: ``signed_in(name)`` and the portal's User the sign-in made or updated."""
    from apps.accounts.models import User

    client = signed_in(name, **client_options)
    return client, User.objects.get(cloud_username__iexact=name)


TOKEN_VALUE = re.compile(r"clcp_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}")  # a personal API token


def create_token(client, name: str = "script", **extra) -> str:
    """A personal API token made on the token page by a signed-in client; -> its value (shown once,
    on the page the create redirects to)."""
    created = client.post("/profile/tokens/", {"name": name, **extra})
    assert created.status_code == 303 and created["Location"] == "/profile/tokens/", created.content[:500]
    response = client.get(created["Location"])
    assert response.status_code == 200, response.content[:500]
    [value] = set(TOKEN_VALUE.findall(response.content.decode()))
    return value


def script_client(value: str, **client_options):
    """A client that calls the API as a script does: ``Authorization: Bearer <personal token>``."""
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {value}", **client_options)


# --- what a response shows ----------------------------------------------------------------------


def text_of(response) -> str:
    """The page's text: tags dropped, white space folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def key_of(html: str) -> str:
    """The idempotency key a form carries."""
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html).group(1)


def upstream_calls(response) -> int:
    """How many upstream calls the portal made for this response (its ``Server-Timing`` header)."""
    match = re.search(r'upstream;desc="(\d+) calls?"', response["Server-Timing"])
    assert match, response["Server-Timing"]
    return int(match.group(1))


def served_calls(response, ok=(200,)) -> int:
    """``upstream_calls`` of a response that was served (its status in ``ok``; else its body says why)."""
    assert response.status_code in ok, response.content[:500]
    return upstream_calls(response)


def fallback_reads(response) -> int:
    """Servers read one GET each because a group answer lacked their details (``Server-Timing``
    ``upstream-fallback``; 0 when absent)."""
    match = re.search(r'upstream-fallback;desc="(\d+) server reads"', response["Server-Timing"])
    return int(match.group(1)) if match else 0


def sse_messages(lines):
    """``(event, data)`` of each message of a Server-Sent Events stream (``/events/``), given its lines
    (``response.iter_lines(decode_unicode=True)``), as the blank line ending the message arrives.
    Comments (``: heartbeat``) and ``id`` lines are passed over; ``data`` is None in a message without."""
    event = data = None
    for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and event:
            yield event, data
            event = data = None


# --- what the portal sends upstream -------------------------------------------------------------


@contextlib.contextmanager
def upstream_writes():
    """Every upstream write (POST, PUT, PATCH, DELETE; not the sign-in) the portal sends in the block:
    a list of ``(method, path)``."""
    from apps.clc.client import ClcClient

    sent: list[tuple[str, str]] = []
    original = ClcClient.request

    def watched(self, method, path, *args, **kwargs):
        if method.upper() != "GET" and "/authentication/" not in path:
            sent.append((method.upper(), path))
        return original(self, method, path, *args, **kwargs)

    ClcClient.request = watched
    try:
        yield sent
    finally:
        ClcClient.request = original


# --- the simulator, read directly ---------------------------------------------------------------


def walk(group):
    """A group and all its descendants, depth first (a group body of ``/v2/groups/...``)."""
    yield group
    for child in group.get("groups") or ():
        yield from walk(child)


def find_group(tree, name: str):
    return next(g for g in walk(tree) if g["name"] == name)


def sim_root_id(session, dc: str = "wa1", alias: str = "demo") -> str:
    """The id of the data center's root group, read with a ``simulator.session()``."""
    body = session.get(f"{session.base}/v2/datacenters/{alias}/{dc}?groupLinks=true").json()
    return next(link["id"] for link in body["links"] if link["rel"] == "group")


def sim_tree(session, dc: str = "wa1", alias: str = "demo"):
    """The data center's root group with its whole subtree, read with a ``simulator.session()``."""
    return session.get(f"{session.base}/v2/groups/{alias}/{sim_root_id(session, dc, alias)}").json()


def named_group(simulator, name: str, dc: str = "wa1"):
    """DEMO's group called ``name`` in ``dc`` (with its subtree), read from the simulator as demo."""
    return find_group(sim_tree(simulator.session("demo"), dc), name)


def sim_servers(session, dc: str = "wa1", group=None, alias: str = "demo") -> list[dict]:
    """Every server body under ``group`` (default: the data center's root group), in tree order."""
    tree = group or sim_tree(session, dc, alias)
    ids = [link["id"] for g in walk(tree) for link in g["links"] if link["rel"] == "server"]
    return [session.get(f"{session.base}/v2/servers/{alias}/{i}").json() for i in ids]


def seeded_started_servers(count: int, seed: str = "demo") -> list[str]:
    """The first ``count`` active, started DEMO servers of a seed, read without HTTP (the simulator
    builds the same world from the same seed)."""
    from apps.simulator.seed import build_world

    ids = sorted(
        s.id
        for s in build_world(seed).servers.values()
        if s.alias == "DEMO" and s.status == "active" and s.power_state == "started" and not s.is_template
    )
    assert len(ids) >= count, f"only {len(ids)} started DEMO servers in {seed}"
    return ids[:count]


def started_servers(simulator, n: int = 1, dc: str = "wa1") -> list[str]:
    """The ids of the first ``n`` active, started servers of DEMO in ``dc``."""
    found = [
        s["id"]
        for s in sim_servers(simulator.session("demo"), dc)
        if s["status"] == "active" and s["details"]["powerState"] == "started"
    ]
    if len(found) < n:
        raise AssertionError(f"not enough started servers in {dc.upper()}")
    return found[:n]


def operation_status(sim, session, op_id: str, alias: str = "DEMO") -> str:
    """An operation's status from ``/v2/operations/{alias}/status/{id}`` (asserting the 200)."""
    response = session.get(f"{sim.url}/v2/operations/{alias}/status/{op_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["status"]


def wait_operation(sim, session, op_id: str, alias: str = "DEMO") -> str:
    """Poll an operation until it succeeded or failed; -> that status."""
    return wait_until(
        lambda: (s := operation_status(sim, session, op_id, alias)) in ("succeeded", "failed") and s,
        timeout=15,
        message=f"operation {op_id} to finish",
    )


def sim_operations(simulator) -> int:
    """How many operations the simulator has queued since its reset."""
    return requests.get(f"{simulator.url}/control", timeout=10).json()["operations"]


# Custom field definitions of every type, two of them required, for a test to set on the account:
# ``simulator.control("custom-fields", alias="DEMO", fields=CUSTOM_FIELDS)``.
CUSTOM_FIELDS = [
    {"id": "0wner0000000000000000000000000001", "name": "Owner", "type": "text", "isRequired": True},
    {"id": "backup00000000000000000000000001", "name": "Backed up", "type": "checkbox", "isRequired": False},
    {
        "id": "tier0000000000000000000000000001",
        "name": "Tier",
        "type": "option",
        "isRequired": True,
        "options": [{"name": "Gold", "value": "gold"}, {"name": "Silver", "value": "silver"}],
    },
]


# --- the portal's forms -------------------------------------------------------------------------


def create_server_form(group_id: str, name: str, password: str, description: str) -> dict:
    """The create-server page's fields for a server in ``group_id``: the Ubuntu 22 template, 2 CPUs,
    4 GB, standard storage, no network chosen."""
    return {
        "group": group_id,
        "name": name,
        "description": description,
        "template": "UBUNTU-22-64-TEMPLATE",
        "cpu": "2",
        "memory_gb": "4",
        "network": "",
        "storage_type": "standard",
        "password": password,
        "password_confirm": password,
    }


# --- the portal served over HTTP ----------------------------------------------------------------


@contextlib.contextmanager
def served_asgi(app, **options):
    """``app`` under uvicorn in a thread of this process (the test's settings and database), on a
    free port; -> its base URL. ``options`` go to ``uvicorn.Config``. Stopped after the block."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout=15, interval=0.05, message="uvicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- Redis and the environment ------------------------------------------------------------------


def use_cache_prefix(settings, prefix: str) -> None:
    """Point the default cache at keys under ``prefix`` (``settings``: pytest-django's fixture)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches


def drop_keys(redis_url: str, prefix: str) -> None:
    """Delete every Redis key under ``prefix:``."""
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


def redis_test_url() -> str:
    """The Redis the tests use (db 15 unless ``TEST_REDIS_URL`` says otherwise)."""
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@contextlib.contextmanager
def environ(values: dict, restore=()):
    """``os.environ`` updated with ``values`` for the block; those and the ``restore`` names (set
    by the block itself) are put back as they were after it."""
    saved = {k: os.environ.get(k) for k in [*values, *restore]}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
