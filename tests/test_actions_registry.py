"""The walking test: every registered action (``registry.actions()``), with its example from
tests/support/action_examples.py, against the simulator:

(a) its page route: the GET shows the form or the question (200), the POST succeeds (a redirect with
    a message that is not an error) and leaves a ``success`` audit entry;
(b) its API route (``/api/v1/<route>actions/<name>/``) succeeds (202 or 200) on a fresh world;
(c) the confirm rule: a destructive or many-resource action asks first, and a POST without
    ``confirmed`` sends nothing upstream;
(d) for each demo role, ``allowed()`` on the resource the portal loads for that role says yes
    exactly where the cloud's links for that role say yes, and where they don't it gives a role
    reason (a role the cloud refuses the read gets no page at all);
(e) a viewer's POST is refused (403), sends nothing and leaves a ``denied`` audit entry.
"""

import uuid

import pytest
from django.contrib.messages import constants, get_messages
from django.test import RequestFactory
from django.urls import reverse

from apps.actions import registry
from apps.audit.models import AuditEntry
from apps.clc import errors as clc_errors
from apps.clc.client import ClcClient
from apps.inventory import cache
from tests.support.action_examples import Demo, example_for, offers
from tests.support.portal import key_of, sign_in, signed_in_user, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

ACTIONS = registry.actions()
ROLES = ("demo", "operator", "viewer", "netadmin", "security", "billing")


def _id(action) -> str:
    return action.audit_action


# --- helpers ------------------------------------------------------------------------------------
class Writes(list):
    """Every upstream write (not GET) the portal sends while installed."""

    def install(self, monkeypatch):
        original = ClcClient.request

        def watched(client, method, path, *args, **kwargs):
            if method.upper() != "GET" and "/authentication/" not in path:
                self.append((method.upper(), path))
            return original(client, method, path, *args, **kwargs)

        monkeypatch.setattr(ClcClient, "request", watched)
        return self


def audited(action) -> str:
    """The audit entry's action: ``<target type>.<name>`` (servers in bulk are audited per server)."""
    return f"{registry.target(action.target).audit_name}.{action.name}"


def route_kwargs(action, kwargs: dict) -> dict:
    """The URL kwargs of the action's route, out of what the example picked (which may say more)."""
    from django.urls import get_resolver

    names = set()
    for pattern in get_resolver().reverse_dict.getlist(f"{action.target}-action"):
        for _, params in pattern[0]:
            names.update(params)
    return {k: v for k, v in kwargs.items() if k in names and k != "action"}


def page_url(action, kwargs: dict) -> str:
    route = route_kwargs(action, kwargs)
    return reverse(f"{action.target}-action", kwargs={**route, "action": action.name})


def api_url(action, kwargs: dict) -> str:
    route = route_kwargs(action, kwargs)
    return reverse(f"api-{action.target}-{action.name}", kwargs=route)


def query(action, kwargs: dict, data: dict) -> dict:
    """What a page's GET carries: the selection (bulk) and the item a form selects (a snapshot...)."""
    out = {"ids": kwargs["ids"]} if "ids" in kwargs else {}
    for name in getattr(action.form, "selects", ()):
        if name in data:
            out[name] = data[name]
    return out


def post_data(action, kwargs: dict, data: dict, key: str) -> dict:
    out = {**data, "idempotency_key": key}
    if "ids" in kwargs:
        out["ids"] = kwargs["ids"]
    return out


def fresh_world(simulator, keep_tokens=False):
    simulator.control("reset", seed=simulator.seed, keepTokens=keep_tokens)
    cache.invalidate_account("DEMO")
    return Demo(simulator)


def prepared(simulator, example, *, reset=True):
    """The example's resource in a fresh demo world (the ``simulator`` fixture gave the test one;
    a reset keeps the tokens: the person stays signed in)."""
    demo = fresh_world(simulator, keep_tokens=True) if reset else Demo(simulator)
    if example.prepare is not None:
        example.prepare(demo)
        cache.invalidate_account("DEMO")
    return demo, example.pick(demo)


# --- every action has an example; the confirm rule ----------------------------------------------
def test_every_action_has_an_example():
    missing = []
    for action in ACTIONS:
        try:
            example_for(action)
        except LookupError as exc:
            missing.append(str(exc))
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("action", ACTIONS, ids=_id)
def test_destructive_and_many_resource_actions_ask_first(action):
    if action.danger or registry.target(action.target).many:
        assert action.asks_first(), f"{action.audit_action} is destructive or acts on many: it must ask first"
    if action.asks_first():
        assert action.question, f"{action.audit_action} asks first: give it a question"


# --- (a) (b) (c): the page and the API work against the simulator --------------------------------
@pytest.mark.parametrize("action", ACTIONS, ids=_id)
def test_page_and_api_routes_work(action, client, clc_settings, simulator, monkeypatch):
    example = example_for(action)
    demo, kwargs = prepared(simulator, example, reset=False)
    sign_in(client, "demo")
    data = example.data(demo, kwargs)
    url = page_url(action, kwargs)

    page = client.get(url, query(action, kwargs, data))
    assert page.status_code == 200, text_of(page)[:1500]
    key = key_of(page.content.decode())
    writes = Writes().install(monkeypatch)
    if action.asks_first():  # the question first: nothing is sent without the confirmation
        again = client.post(url, post_data(action, kwargs, data, key))
        assert again.status_code == 200, text_of(again)[:1500]
        assert 'name="confirmed" value="1"' in again.content.decode()
        assert writes == [], f"{action.audit_action} sent {writes} before it was confirmed"
        data = {**data, "confirmed": "1"}
    done = client.post(url, post_data(action, kwargs, data, key))
    assert done.status_code == 302, text_of(done)[:1500]
    assert writes, f"{action.audit_action} sent nothing upstream"
    said = list(get_messages(done.wsgi_request))  # a group's servers may refuse one by one: some did it
    assert said and said[0].level < constants.ERROR, [str(m) for m in said]
    assert AuditEntry.objects.filter(action=audited(action), result="success").exists()

    demo, kwargs = prepared(simulator, example)  # the API on a fresh world
    body = example.api_body(demo, kwargs)
    answer = client.post(
        api_url(action, kwargs), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert answer.status_code in (200, 202), answer.content[:1500]
    assert answer.json()["outcome"] in ("queued", "done", "notice"), answer.json()
    assert answer.json()["action"] == action.audit_action


# --- (d) (e): roles against the cloud's links; a viewer's refusal is audited -------------------------
def _read(sessions, simulator, role, action, kwargs):
    """The resource as the cloud returns it to ``role``: a body, a list (bulk), or None (403); each
    read once (``sessions`` keeps the role's session and what it read)."""
    session = sessions.setdefault(role, simulator.session(role))
    example = example_for(action)
    if example.read is not None:
        paths = [example.read(kwargs)]
    elif "ids" in kwargs:
        paths = [f"/v2/servers/demo/{i}" for i in kwargs["ids"]]
    elif "server_id" in kwargs:
        paths = [f"/v2/servers/demo/{kwargs['server_id']}"]
    else:
        paths = [f"/v2/groups/demo/{kwargs['group_id']}"]
    bodies = []
    for path in paths:
        if (role, path) not in sessions:
            response = session.get(f"{simulator.url}{path}", timeout=10)
            assert response.status_code in (200, 403), response.text
            sessions[(role, path)] = response.json() if response.status_code == 200 else None
        if sessions[(role, path)] is None:
            return None
        bodies.append(sessions[(role, path)])
    return bodies if "ids" in kwargs else bodies[0]


def _load(users, loaded, action, kwargs, role):
    """The resource as the portal loads it for ``role`` (``Target.load``, as the pages do), once per
    role and resource; None when the cloud refuses the read (a 403/404 page)."""
    kind = registry.target(action.target)
    key = (role, kind.name, repr(sorted(kwargs.items())))
    if key not in loaded:
        route = route_kwargs(action, kwargs)
        request = RequestFactory().get("/", {"ids": kwargs["ids"]} if "ids" in kwargs else {})
        request.user = users[role]
        try:
            loaded[key] = kind.load(request, **route)
        except (clc_errors.Forbidden, clc_errors.NotFound):
            loaded[key] = None
    return loaded[key]


def test_each_role_may_exactly_what_the_cloud_offers_it(clc_settings, simulator, monkeypatch):
    demo = fresh_world(simulator)
    for prepare in dict.fromkeys(e.prepare for e in map(example_for, ACTIONS) if e.prepare):
        prepare(demo)
    cache.invalidate_account("DEMO")
    clients, users = {}, {}
    for role in ROLES:
        clients[role], users[role] = signed_in_user(role)
    sessions, loaded, wrong = {}, {}, []
    for action in ACTIONS:
        example = example_for(action)
        kwargs = example.pick(demo)
        for role in ROLES:
            where = f"{action.audit_action} as {role}"
            body = _read(sessions, simulator, role, action, kwargs)
            resource = _load(users, loaded, action, kwargs, role)
            if body is None or resource is None:
                if (body is None) != (resource is None):
                    wrong.append(
                        f"{where}: the cloud {'refuses' if body is None else 'answers'} the read, the portal does not"
                    )
                continue
            cloud_says = offers(action, example, body)
            verdict = action.allowed(users[role], resource)
            if cloud_says and not verdict:
                wrong.append(f"{where}: the cloud offers it, allowed() says no ({verdict.reason})")
            elif not cloud_says and verdict:
                wrong.append(f"{where}: the cloud does not offer it, allowed() says yes")
            elif not cloud_says and verdict.kind != "role":
                wrong.append(f"{where}: refused for a {verdict.kind} reason ({verdict.reason}), not the role")

    writes = Writes().install(monkeypatch)
    viewer = clients["viewer"]
    for action in ACTIONS:
        example = example_for(action)
        kwargs = example.pick(demo)
        data = {**example.data(demo, kwargs), "confirmed": "1"}
        refused = viewer.post(page_url(action, kwargs), post_data(action, kwargs, data, str(uuid.uuid4())))
        if refused.status_code != 403 or "needs " not in text_of(refused):
            wrong.append(
                f"{action.audit_action}: a viewer's POST answers {refused.status_code}, naming no role"
            )
        if not AuditEntry.objects.filter(
            action=audited(action), result="denied", username__iexact="viewer"
        ).exists():
            wrong.append(f"{action.audit_action}: a viewer's refused POST left no 'denied' audit entry")
    assert writes == [], f"refused POSTs sent {writes}"
    assert not wrong, "\n".join(wrong)
