"""A write whose answer is uncertain (the cloud answered HTTP 500, or nothing in time) is said as
what happened, answers 503, and the same idempotency key replayed answers exactly the same (status
and message) without sending anything again: pages, the action API and the operation endpoints.

The simulator answers the write itself with a real HTTP 500 (its ``errorRate`` switched on for that
one request only), or takes longer than the portal's read timeout.
"""

import re
import uuid

import pytest

from apps.clc.client import ClcClient
from tests.support.portal import key_of, sim_operations, started_servers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

HTTP_500 = "The cloud answered with an error (HTTP 500)"
NO_ANSWER = "The cloud did not answer in time"


@pytest.fixture
def writes_fail(monkeypatch, simulator):
    """``writes_fail("500" | "timeout")``: every upstream write the portal sends from then on gets a
    real HTTP 500 from the simulator (or no answer within the read timeout); reads are untouched.
    Returns the list of writes sent."""
    sent = []
    original = ClcClient.request

    def fail(mode):
        def request(self, method, path, *args, **kwargs):
            if method.upper() == "GET":
                return original(self, method, path, *args, **kwargs)
            sent.append((method.upper(), path))
            if mode == "500":
                simulator.control("config", errorRate=1)
            else:
                simulator.control("config", latencyMs=1500)
            try:
                return original(self, method, path, *args, **kwargs)
            finally:
                simulator.control("config", errorRate=0, latencyMs=0)

        monkeypatch.setattr(ClcClient, "request", request)
        return sent

    return fail


def flash_of(client, response) -> str:
    assert response.status_code == 302, response.content[:300]
    html = client.get(response["Location"]).content.decode()
    return " ".join(
        re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<li class="message[^"]*">(.*?)</li>', html, re.S)
    )


def test_page_says_the_cloud_answered_500_and_a_replay_says_the_same(demo, simulator, writes_fail):
    [server] = started_servers(simulator)
    url = f"/servers/{server.lower()}/actions/reboot/"
    key = key_of(demo.get(url).content.decode())
    sent = writes_fail("500")
    before = sim_operations(simulator)
    first = flash_of(demo, demo.post(url, {"idempotency_key": key}))
    assert HTTP_500 in first and "may or may not have been queued" in first, first
    assert NO_ANSWER not in first
    again = flash_of(demo, demo.post(url, {"idempotency_key": key}))
    assert again == first
    assert len(sent) == 1 and sim_operations(simulator) == before


@pytest.mark.parametrize(
    "endpoint",
    [
        "/api/v1/servers/{id}/operations/",
        "/api/v1/servers/operations/",
        "/api/v1/servers/{id}/actions/reboot/",
    ],
)
def test_api_uncertain_write_answers_503_and_its_replay_the_same_503(demo, simulator, writes_fail, endpoint):
    [server] = started_servers(simulator)
    body = {"operation": "reboot", "servers": [server]} if "{id}" not in endpoint else {"operation": "reboot"}
    url = endpoint.format(id=server.lower())
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    sent = writes_fail("500")
    first = demo.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 503, first.content
    assert first.json()["message"].startswith(HTTP_500), first.json()
    again = demo.post(url, body, content_type="application/json", **headers)
    assert (again.status_code, again.json()["message"]) == (503, first.json()["message"]), again.content
    assert len(sent) == 1  # the replay sent nothing


def test_group_operation_replay_of_an_uncertain_write_is_the_same_503(demo, simulator, writes_fail):
    from tests.support.portal import named_group

    group = named_group(simulator, "Web")
    url = f"/api/v1/groups/{group['id']}/operations/"
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    sent = writes_fail("500")
    first = demo.post(url, {"operation": "reboot"}, content_type="application/json", **headers)
    again = demo.post(url, {"operation": "reboot"}, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 503, (first.content, again.content)
    assert first.json() == again.json() and first.json()["message"].startswith(HTTP_500)
    assert len(sent) == 1


def test_a_write_without_an_answer_in_time_says_so(demo, simulator, writes_fail, settings):
    settings.CLC_READ_TIMEOUT = 0.5
    [server] = started_servers(simulator)
    url = f"/api/v1/servers/{server.lower()}/operations/"
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    writes_fail("timeout")
    first = demo.post(url, {"operation": "reboot"}, content_type="application/json", **headers)
    again = demo.post(url, {"operation": "reboot"}, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 503
    assert first.json()["message"].startswith(NO_ANSWER) and again.json() == first.json()


def test_recipe_launch_page_replay_of_an_uncertain_create_answers_as_the_first(demo, simulator, writes_fail):
    from tests.test_recipes_pages import make_recipe

    recipe = make_recipe(simulator)
    url = f"/recipes/{recipe.pk}/"
    key = key_of(demo.get(url).content.decode())
    sent = writes_fail("500")
    first = demo.post(f"{url}launch/", {"idempotency_key": key, "name": "unsure"})
    again = demo.post(f"{url}launch/", {"idempotency_key": key, "name": "unsure"})
    assert first.status_code == again.status_code == 503, (first.status_code, again.status_code)
    assert HTTP_500 in first.content.decode() and HTTP_500 in again.content.decode()
    assert len(sent) == 1
