"""/api/v1/docs/: served by the app (Swagger UI from the drf-spectacular-sidecar package), nothing loaded
from anywhere else, no inline script; every documented response of the schema has an example (the
audit API's 401 and CSV answer among them)."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.support.portal import create_token, named_group, script_client
from tests.test_inventory_selectors import fail_upstream  # noqa: F401  (a shared fixture)

pytestmark = pytest.mark.django_db


def test_docs_page_renders_with_local_assets_only(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy.get("script-src", policy["default-src"]) == "'self'"  # this origin's files only
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))  # no inline script
    assert 'data-schema-url="/api/v1/schema/"' in html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(ref.startswith(("/", "data:")) for ref in refs), refs
    assert not re.search(r"https?://", html)
    for ref in refs:
        if ref.startswith("/static/"):
            assert finders.find(ref.removeprefix("/static/")), ref
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in refs
    init = open(finders.find("js/api-docs.js")).read()
    assert "validatorUrl: null" in init  # the default would call an outside validator
    css = open(finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")).read()
    assert not re.search(r"url\((?!\"?data:)", css) and "@import" not in css


def test_schema_documents_the_token_and_error_responses(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["personalToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"personalToken": []} in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)
            assert any(
                "examples" in content
                for response in operation["responses"].values()
                for content in response.get("content", {}).values()
            ), (method, path)


# --- every documented response has an example -----------------------------------------------------

# Responses documented without an example, in endpoints written before examples were required. The
# set may only shrink: a new endpoint or response without an example fails.
KNOWN_WITHOUT_EXAMPLE = {
    ("group_detail", "200"),
    ("group_operation_start", "200"),
    ("group_operation_start", "202"),
    ("server_detail", "200"),
    ("server_operation_start", "200"),
    ("server_operation_start", "404"),
    ("servers_operation_start", "200"),
    ("servers_operation_start", "202"),
}


def test_every_documented_response_has_an_example(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    missing = set()
    for item in schema["paths"].values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    if "examples" not in content and "example" not in content:
                        missing.add((operation["operationId"], code))
    assert missing <= KNOWN_WITHOUT_EXAMPLE, sorted(missing - KNOWN_WITHOUT_EXAMPLE)

    audit = schema["paths"]["/api/v1/audit/"]["get"]["responses"]
    assert set(audit["200"]["content"]) == {"application/json", "text/csv"}
    assert audit["200"]["content"]["text/csv"]["examples"]
    assert {"CloudSessionExpired", "BadToken"} <= set(audit["401"]["content"]["application/json"]["examples"])
    launch_202 = schema["paths"]["/api/v1/recipes/{recipe_id}/launch/"]["post"]["responses"]["202"]
    ref = launch_202["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "ttl" in schema["components"]["schemas"][ref]["properties"]


def test_every_401_example_says_what_the_api_sends(client):
    """A script's author reads the 401 examples to match on the message: each is one the portal
    really answers (a cloud session that expired, a bad personal token), not a paraphrase."""
    from apps.accounts.middleware import API_EXPIRED_MESSAGE, CLOUD_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE

    sent = {API_EXPIRED_MESSAGE, CLOUD_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE}
    schema = client.get("/api/v1/schema/?format=json").json()
    seen = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation.get("responses", {}).get("401", {})
            for media in answer.get("content", {}).values():
                for name, example in media.get("examples", {}).items():
                    message = (example.get("value") or {}).get("message")
                    if message is not None:
                        seen.append((f"{method.upper()} {path} {name}", message))
    assert len(seen) > 20
    assert [(where, m) for where, m in seen if m not in sent] == []


# --- every GET's documented answer has the shape of a real one --------------------------------------

ZONE = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def _resolved(schema: dict, node: dict) -> dict:
    while "$ref" in node or len(node.get("allOf", ())) == 1:  # a component; a nullable one
        node = node["allOf"][0] if "allOf" in node else node
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def drift(schema: dict, node: dict, example, answer, where: str = "") -> list[str]:
    """Where an example or a real answer parts from the schema ``node`` (an object's keys: each
    required one and no other; a list) or from each other (a date-time's zone, ``Z`` or ``+00:00``).
    Lists by their first items; an object without properties (an audit entry's detail) is free."""
    if example is None and answer is None:  # nothing to compare (and no end to a recursive schema)
        return []
    node, found = _resolved(schema, node), []
    pair = {"example": example, "answer": answer}
    if "properties" in node:
        known, required = set(node["properties"]), set(node.get("required", ()))
        for name, value in pair.items():
            if value is not None and not (isinstance(value, dict) and required <= value.keys() <= known):
                has = sorted(value) if isinstance(value, dict) else f"a {type(value).__name__}"
                found.append(f"{where or '/'}: the {name} has {has}, the schema {sorted(known)}")
        for key, sub in node["properties"].items():
            parts = [v.get(key) if isinstance(v, dict) else None for v in pair.values()]
            found += drift(schema, sub, *parts, f"{where}/{key}")
    elif node.get("type") == "array":
        for name, value in pair.items():
            if value is not None and not isinstance(value, list):
                found.append(f"{where or '/'}: the {name} is no list")
        firsts = [v[0] if isinstance(v, list) and v else None for v in pair.values()]
        found += drift(schema, node["items"], *firsts, f"{where}/0")
    elif node.get("format") == "date-time" and isinstance(example, str) and isinstance(answer, str):
        if ZONE.search(example)[0] != ZONE.search(answer)[0]:
            found.append(f"{where}: the example writes {example}, the answer {answer}")
    return found


def test_every_401_documents_the_answers_a_real_401_is(demo, simulator):
    """The four ways an API call is refused with 401, each triggered for real: a browser session
    whose cloud session expired, a personal token whose owner's cloud session expired, a bad personal
    token, no credentials. Every operation's documented 401 has exactly the members they have (each
    fits its schema: ``login`` only sometimes), and quotes the first three as its examples."""
    from django.test import Client

    value = create_token(demo)
    simulator.control("expire-tokens")  # the cloud revokes the person's token
    refused = {
        "cloud session expired": demo.get("/api/v1/servers/WA1DEMOWEB01/?fresh=1"),
        "personal token, cloud session expired": script_client(value).get("/api/v1/activities/"),
        "bad personal token": script_client("clcp_AAAAAAAA_" + "A" * 40).get("/api/v1/activities/"),
        "no credentials": Client().get("/api/v1/activities/"),
    }
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 401)
    answers = {name: r.json() for name, r in refused.items()}
    assert answers["cloud session expired"]["login"] == "/login/"
    members = set().union(*answers.values())
    quoted = [answers[n] for n in ("cloud session expired", "personal token, cloud session expired")]
    quoted.append(answers["bad personal token"])

    schema = Client().get("/api/v1/schema/?format=json").json()
    found, operations = [], 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path} 401"
            content = operation["responses"]["401"]["content"]["application/json"]
            documented = set(_resolved(schema, content["schema"]).get("properties", ()))
            if documented != members:
                found.append(f"{where}: documents {sorted(documented)}, a 401 has {sorted(members)}")
            for name, answer in answers.items():
                found += [f"{where} ({name}) {p}" for p in drift(schema, content["schema"], None, answer)]
            examples = [e["value"] for e in content.get("examples", {}).values()]
            for example in examples:
                found += [f"{where} example {p}" for p in drift(schema, content["schema"], example, None)]
            found += [f"{where}: no example of {a}" for a in quoted if a not in examples]
            operations += 1
    assert operations > 100
    assert not found, "\n".join(found[:40])


def test_every_get_example_has_the_keys_and_time_format_of_a_real_answer(demo, simulator):
    """Each GET of the schema is asked for with real ids (an activity with its history, an audit
    entry, a recipe, a schedule...); its 200 examples and its answer must both fit the documented
    schema, and write times as it does. The audit CSV's example too."""
    from apps.audit.api import CSV_EXAMPLE
    from tests.test_recipes_pages import make_recipe

    def api(url, body=None):
        answer = demo.get(url) if body is None else demo.post(url, body, content_type="application/json")
        assert answer.status_code in (200, 202), (url, answer.content[:300])
        return answer.json()

    canary = named_group(simulator, "Canary")["id"]
    activity = api("/api/v1/servers/WA1DEMOWEB01/operations/", {"operation": "powerOff"})["activity"]
    api(f"/api/v1/groups/{canary}/schedules/actions/createSchedule/",
        {"type": "reboot", "begin": "2030-01-01T20:00", "repeat": "daily", "time_zone_offset": "+00:00",
         "expire": "never", "status": "on"})  # fmt: skip
    balancer = api("/api/v1/datacenters/wa1/load-balancers/")["results"][0]
    firewall = api("/api/v1/datacenters/wa1/firewall/")
    month = api("/api/v1/billing/history/")["months"][0]
    first = {
        "/api/v1/datacenters/{dc}/firewall/intra/{policy_id}/": firewall["intra"][0]["id"],
        "/api/v1/datacenters/{dc}/firewall/cross/{policy_id}/": firewall["cross"][0]["id"],
        **{
            f"/api/v1/policies/{kind}/{{policy_id}}/": api(f"/api/v1/policies/{kind}/")["results"][0]["id"]
            for kind in ("alert-policies", "anti-affinity", "autoscale")
        },
    }
    ids = {
        "dc": "wa1",
        "server_id": "WA1DEMOWEB01",
        "group_id": canary,
        "activity_id": activity["id"],
        "recipe_id": make_recipe(simulator).pk,
        "lb_id": balancer["id"],
        "pool_id": balancer["pools"][0]["id"],
        "network_id": api("/api/v1/datacenters/wa1/networks/")["results"][0]["network"]["id"],
        "year": month["year"],
        "month": month["month"],
    }

    schema = demo.get("/api/v1/schema/?format=json").json()
    found, asked = [], 0
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        url = path.format(**ids, policy_id=first.get(path))
        answer = api(url)
        content = item["get"]["responses"]["200"]["content"]["application/json"]
        examples = [e["value"] for e in content.get("examples", {}).values()] or [None]
        for example in examples:
            found += [
                f"GET {path} {problem}" for problem in drift(schema, content["schema"], example, answer)
            ]
        asked += 1
    assert asked >= 35
    assert not found, "\n".join(found)

    # The history's and the audit's answers were among them (with a real entry to compare with).
    assert api(f"/api/v1/activities/{activity['id']}/")["history"][0]["from"] is None
    entry = next(e for e in api("/api/v1/audit/")["results"] if e["action"] == "server.powerOff")
    example = schema["paths"]["/api/v1/audit/"]["get"]["responses"]["200"]["content"]
    documented = example["application/json"]["examples"]["Entries"]["value"]["results"][0]
    assert documented["detail"].keys() == entry["detail"].keys()  # what a power off's entry says
    csv = demo.get("/api/v1/audit/?format=csv").getvalue().decode().splitlines()
    header, row = CSV_EXAMPLE.splitlines()
    assert header == csv[0] and ZONE.search(row.split(",")[0])[0] == ZONE.search(csv[1].split(",")[0])[0]


def test_a_cloud_refusal_of_an_action_is_what_its_schema_documents(demo, fail_upstream):  # noqa: F811
    """The cloud refuses a reboot (409): the answer (the result's members, outcome error) and the
    documented example both fit the schema the action documents for 409."""
    servers = demo.get("/api/v1/datacenters/wa1/servers/").json()["results"]
    running = next(s["id"] for s in servers if s["power_state"] == "started" and s["status"] == "active")
    fail_upstream("/servers/reboot", 409)
    answer = demo.post(f"/api/v1/servers/{running}/actions/reboot/", {}, content_type="application/json")
    assert answer.status_code == 409 and answer.json()["outcome"] == "error", answer.content[:300]

    schema = demo.get("/api/v1/schema/?format=json").json()
    refused = schema["paths"]["/api/v1/servers/{server_id}/actions/reboot/"]["post"]["responses"]["409"]
    content = refused["content"]["application/json"]
    documented = content["examples"]["CloudRefused"]["value"]
    assert documented["outcome"] == "error"
    assert drift(schema, content["schema"], documented, answer.json()) == []
