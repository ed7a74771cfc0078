"""Smoke tests of the simulator's framework: login, isolation, control, bad input."""

import requests


def test_login_json_and_form(simulator):
    body = simulator.login("demo")
    assert body["accountAlias"] == "DEMO"
    assert body["roles"] == ["AccountAdmin", "ServerAdmin"]
    form = requests.post(
        f"{simulator.url}/v2/authentication/login",
        data={"username": "Viewer", "password": "viewer"},
        headers={"Content-Type": "APPLICATION/X-WWW-FORM-URLENCODED"},
        timeout=5,
    )
    assert form.status_code == 200
    assert form.json()["roles"] == ["AccountViewer"]


def test_bad_credentials_is_documented_400(simulator):
    response = requests.post(
        f"{simulator.url}/v2/authentication/login",
        json={"username": "demo", "password": "wrong"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "We didn't recognize the username or password you entered. Please try again."
    }


def test_missing_and_expired_tokens_get_401(simulator):
    assert requests.get(f"{simulator.url}/v2/datacenters/demo", timeout=5).status_code == 401
    session = simulator.session("demo")
    assert session.get(f"{simulator.url}/v2/datacenters/DEMO").status_code == 200
    simulator.control("expire-tokens")
    assert session.get(f"{simulator.url}/v2/datacenters/DEMO").status_code == 401


def test_other_account_is_not_found(simulator):
    other = simulator.session("other")
    response = other.get(f"{simulator.url}/v2/datacenters/DEMO/WA1")
    assert response.status_code == 404
    assert response.json() == {"message": "The requested resource does not exist."}


def test_malformed_json_is_400_not_500(simulator):
    response = requests.post(
        f"{simulator.url}/v2/authentication/login",
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert "message" in response.json()


def test_error_rate_injects_500s(simulator):
    session = simulator.session("demo")
    simulator.control("config", errorRate=1)
    response = session.get(f"{simulator.url}/v2/datacenters/DEMO")
    assert response.status_code == 500
    assert "message" in response.json()
    simulator.control("config", errorRate=0)
    assert session.get(f"{simulator.url}/v2/datacenters/DEMO").status_code == 200
