"""Every route the simulator serves has a contract case (issue #17): a route without one fails.

The cases are those of ``test_simulator_contract*.py`` (each compared with its documented example
and its page's field tables) and the Webhooks contract's calls (``COVERED`` there). A case names its
call by its api.json URL template, or by ``path`` when it is a pages-only endpoint; the router says
which route serves it. Control calls (``/control/...``) are test aids, not the API, and are left out.
"""

import re

from apps.simulator import router
from apps.simulator.app import SimulatorApp  # noqa: F401  (importing it registers every route)
from tests import test_simulator_contract as main
from tests import test_simulator_contract_more as more
from tests import test_simulator_contract_network as network
from tests import test_simulator_webhooks_contract as webhooks


def all_cases():
    return main.CASES + main.NO_CONTENT + network.CASES + more.CASES


def sample(template: str) -> str:
    """A concrete path from a template: every ``{param}`` becomes ``x``."""
    return re.sub(r"\{[^}]+\}", "x", template.split("?", 1)[0]).rstrip("/")


def covered_routes() -> set:
    found = set()
    calls = [(c.method, c.path or c.doc_path) for c in all_cases()] + list(webhooks.COVERED)
    for method, path in calls:
        assert path.startswith("/"), f"a case names no path: {method} {path}"
        route, _ = router.resolve(method.upper(), sample(path))
        assert route is not None, f"no route serves the case {method} {path}"
        found.add(route)
    return found


def api_routes():
    import apps.simulator.routes  # noqa: F401

    return [r for r in router.ROUTES if not r.pattern.pattern.startswith("^/control")]


def test_every_route_the_simulator_serves_has_a_contract_case():
    covered = covered_routes()
    missing = [f"{r.method} {r.pattern.pattern}" for r in api_routes() if r not in covered]
    assert not missing, "routes without a contract case:\n  " + "\n  ".join(missing)


def test_the_coverage_check_sees_a_missing_route():
    covered = covered_routes()
    assert len(covered) > 100
    stray = router.Route("GET", re.compile("^/v2/nowhere/?$", re.I), lambda req: None, True)
    assert stray not in covered
