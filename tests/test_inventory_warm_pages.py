"""Warm inventory pages reuse what they derive from a cached entry: the table's sorted rows and
their rendered markup are built once per entry and query (``server_table.table_context``), on the
data center's page and on a group's alike."""

import pytest

from apps.inventory import server_table
from apps.inventory.cache import invalidate_server
from tests.support.portal import find_group
from tests.test_inventory_selectors import inventory_cache, raw_tree  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch) -> list:
    """One item per time the server rows' markup is built."""
    built: list = []
    real = server_table._render_rows
    monkeypatch.setattr(server_table, "_render_rows", lambda *args: built.append(args) or real(*args))
    return built


def test_warm_pages_render_their_rows_once(demo, simulator, renders):
    _s, tree = raw_tree(simulator)
    web = find_group(tree, "Web")
    for _ in range(3):
        assert demo.get(f"/groups/{web['id']}/").status_code == 200
    assert len(renders) == 1
    for _ in range(3):
        assert demo.get("/datacenters/wa1/").status_code == 200
    assert len(renders) == 2
    assert demo.get("/datacenters/wa1/?sort=name&dir=desc").status_code == 200
    assert len(renders) == 3  # another query: its own rows


def test_a_changed_entry_renders_again(demo, renders):
    assert demo.get("/datacenters/wa1/").status_code == 200
    invalidate_server("DEMO", "WA1DEMOWEB01")
    assert demo.get("/datacenters/wa1/").status_code == 200
    assert len(renders) == 2  # the patched entry is a new object: nothing stale is reused
