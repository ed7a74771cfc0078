"""The Webhooks API of the simulator over HTTP: get, set, add/delete a target URI, delete; roles,
validation, account isolation."""

import pytest
import requests

from apps.clc.webhooks import EVENTS  # the ten events, in the documented order


def hooks(sim, session, alias="DEMO"):
    response = session.get(f"{sim.url}/v2/webhooks/{alias}", timeout=10)
    assert response.status_code == 200, response.text
    return {item["name"]: item for item in response.json()["items"]}


def config_url(sim, event, alias="DEMO"):
    return f"{sim.url}/v2/webhooks/{alias}/{event}/configuration"


def put(sim, session, event, body, alias="DEMO"):
    return session.put(config_url(sim, event, alias), json=body, timeout=10)


def test_every_event_is_listed_unconfigured_with_its_configuration_link(simulator):
    session = simulator.session("demo")
    response = session.get(f"{simulator.url}/v2/webhooks/demo", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["items"]] == list(EVENTS)
    assert body["links"] == [{"rel": "self", "href": "/v2/webhooks/DEMO"}]
    for item in body["items"]:
        assert "configuration" not in item
        assert item["links"] == [
            {
                "rel": "configuration",
                "href": f"/v2/webhooks/DEMO/{item['name']}/configuration",
                "verbs": ["DELETE", "PUT"],
            }
        ]


def test_set_replaces_the_configuration(simulator):
    session = simulator.session("demo")
    body = {
        "recursive": True,
        "targetUris": [
            {"targetUri": "https://hooks.example/created"},
            {"targetUri": "https://hooks.example/created"},  # kept once
            {"targetUri": "http://10.0.0.5:8080/clc?x=1"},
        ],
    }
    response = put(simulator, session, "server.created", body)  # event names in any case
    assert response.status_code == 204 and response.content == b""
    assert hooks(simulator, session)["Server.Created"]["configuration"] == {
        "recursive": True,
        "targetUris": [
            {"targetUri": "https://hooks.example/created"},
            {"targetUri": "http://10.0.0.5:8080/clc?x=1"},
        ],
    }
    assert put(simulator, session, "Server.Created", {"recursive": "false"}).status_code == 204
    assert hooks(simulator, session)["Server.Created"]["configuration"] == {
        "recursive": False,
        "targetUris": [],
    }
    # A form body works too.
    form = {"recursive": "true", "targetUris": "https://hooks.example/form"}
    assert session.put(config_url(simulator, "User.Created"), data=form, timeout=10).status_code == 204
    assert hooks(simulator, session)["User.Created"]["configuration"]["targetUris"] == [
        {"targetUri": "https://hooks.example/form"}
    ]


def test_add_and_delete_target_uris_then_the_whole_webhook(simulator):
    session = simulator.session("demo")
    targets = f"{config_url(simulator, 'Account.Created')}/targetUris"
    for uri in ("https://a.example/x", "https://b.example/y", "https://a.example/x"):
        response = session.post(targets, json={"targetUri": uri}, timeout=10)
        assert response.status_code == 204 and response.content == b""
    assert hooks(simulator, session)["Account.Created"]["configuration"] == {
        "recursive": False,
        "targetUris": [{"targetUri": "https://a.example/x"}, {"targetUri": "https://b.example/y"}],
    }
    response = session.delete(targets, params={"targetUri": "https://a.example/x"}, timeout=10)
    assert response.status_code == 204
    assert hooks(simulator, session)["Account.Created"]["configuration"]["targetUris"] == [
        {"targetUri": "https://b.example/y"}
    ]
    again = session.delete(targets, params={"targetUri": "https://a.example/x"}, timeout=10)
    assert again.status_code == 404 and again.json()["message"]
    assert session.delete(config_url(simulator, "Account.Created"), timeout=10).status_code == 204
    assert "configuration" not in hooks(simulator, session)["Account.Created"]
    assert session.delete(config_url(simulator, "Account.Created"), timeout=10).status_code == 204


@pytest.mark.parametrize("user", ["operator", "viewer"])
def test_other_roles_read_but_may_not_change(simulator, user):
    demo, session = simulator.session("demo"), simulator.session(user)
    assert (
        put(
            simulator,
            demo,
            "Server.Updated",
            {"recursive": False, "targetUris": [{"targetUri": "https://x.example"}]},
        ).status_code
        == 204
    )
    seen = hooks(simulator, session)
    assert seen["Server.Updated"]["configuration"]["targetUris"] == [{"targetUri": "https://x.example"}]
    assert all(item["links"] == [] for item in seen.values())  # no PUT/DELETE for them
    targets = f"{config_url(simulator, 'Server.Updated')}/targetUris"
    refused = [
        put(simulator, session, "Server.Updated", {"recursive": True}),
        session.delete(config_url(simulator, "Server.Updated"), timeout=10),
        session.post(targets, json={"targetUri": "https://y.example"}, timeout=10),
        session.delete(targets, params={"targetUri": "https://x.example"}, timeout=10),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert all(r.json()["message"] for r in refused)
    assert hooks(simulator, demo)["Server.Updated"]["configuration"]["targetUris"] == [
        {"targetUri": "https://x.example"}
    ]


def test_another_accounts_webhooks_are_404_and_separate(simulator):
    demo, other = simulator.session("demo"), simulator.session("other")
    assert (
        put(
            simulator, demo, "Server.Updated", {"recursive": False, "targetUris": ["https://demo.example"]}
        ).status_code
        == 204
    )
    assert other.get(f"{simulator.url}/v2/webhooks/DEMO", timeout=10).status_code == 404
    assert put(simulator, other, "Server.Updated", {"recursive": False}, alias="DEMO").status_code == 404
    assert other.delete(config_url(simulator, "Server.Updated"), timeout=10).status_code == 404
    assert "configuration" not in hooks(simulator, other, "OTHR")["Server.Updated"]
    assert requests.get(f"{simulator.url}/v2/webhooks/DEMO", timeout=10).status_code == 401


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"targetUris": []}, "recursive is required"),
        ({"recursive": "maybe"}, "recursive must be true or false"),
        ({"recursive": True, "targetUris": "ftp://files.example/x"}, "not an absolute http"),
        ({"recursive": True, "targetUris": [{"targetUri": "/relative/hook"}]}, "not an absolute http"),
        ({"recursive": True, "targetUris": [{"targetUri": "https://"}]}, "not an absolute http"),
        (
            {"recursive": True, "targetUris": [{"targetUri": "https://exa mple.com/x"}]},
            "not an absolute http",
        ),
        (
            {"recursive": True, "targetUris": [{"targetUri": "https://x.example:99999/"}]},
            "not an absolute http",
        ),
        ({"recursive": True, "targetUris": [{"nope": "https://x.example"}]}, "targetUri is required"),
        ({"recursive": True, "targetUris": {"a": 1}}, "targetUri is required"),
        ({"recursive": True, "targetUris": 5}, "must be a list"),
        ({"recursive": True, "targetUris": [f"https://x.example/{i}" for i in range(11)]}, "at most 10"),
        ({"recursive": True, "targetUris": ["https://x.example/" + "a" * 2048]}, "at most 2048"),
    ],
)
def test_set_rejects_bad_input(simulator, body, fragment):
    response = put(simulator, simulator.session("demo"), "Server.Updated", body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_unknown_events_and_missing_target_uris_are_400(simulator):
    session = simulator.session("demo")
    for response in (
        put(simulator, session, "Server.Exploded", {"recursive": False}),
        session.delete(config_url(simulator, "Nope"), timeout=10),
        session.post(
            f"{config_url(simulator, 'Group.Created')}/targetUris",
            json={"targetUri": "https://x.example"},
            timeout=10,
        ),
        session.post(f"{config_url(simulator, 'Server.Updated')}/targetUris", json={}, timeout=10),
        session.post(
            f"{config_url(simulator, 'Server.Updated')}/targetUris", json=["https://x.example"], timeout=10
        ),
        session.delete(f"{config_url(simulator, 'Server.Updated')}/targetUris", timeout=10),
        session.put(
            config_url(simulator, "Server.Updated"),
            data="{not json",
            headers={"Content-Type": "application/json"},
            timeout=10,
        ),
    ):
        assert response.status_code == 400, (response.request.method, response.request.url, response.text)
        assert response.json()["message"]
    message = put(simulator, session, "Server.Exploded", {"recursive": False}).json()["message"]
    assert "Server.Exploded" in message and "Server.Updated" in message


def test_add_refuses_an_eleventh_target(simulator):
    session = simulator.session("demo")
    uris = [f"https://x.example/{i}" for i in range(10)]
    assert (
        put(simulator, session, "Server.Updated", {"recursive": False, "targetUris": uris}).status_code == 204
    )
    targets = f"{config_url(simulator, 'Server.Updated')}/targetUris"
    assert session.post(targets, json={"targetUri": "https://x.example/3"}, timeout=10).status_code == 204
    extra = session.post(targets, json={"targetUri": "https://x.example/new"}, timeout=10)
    assert extra.status_code == 400 and "at most 10" in extra.json()["message"]


def test_reset_forgets_the_configurations(simulator):
    session = simulator.session("demo")
    assert (
        put(
            simulator, session, "Server.Updated", {"recursive": False, "targetUris": ["https://x.example"]}
        ).status_code
        == 204
    )
    simulator.control("reset")
    session = simulator.session("demo")
    assert "configuration" not in hooks(simulator, session)["Server.Updated"]
