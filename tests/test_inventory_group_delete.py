"""The group action bar offers "Delete group" exactly when the group's ``self`` link allows DELETE,
and never on a data center's root group: checked against the links the simulator returns."""

import pytest

from tests.support.portal import find_group, sim_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache_namespace")]

DELETE_BUTTON = 'data-action="deleteGroup"'


def self_verbs(group: dict) -> list[str]:
    return next(link.get("verbs") or ["GET"] for link in group["links"] if link["rel"] == "self")


def has_parent(group: dict) -> bool:
    return any(link["rel"] == "parentGroup" for link in group["links"])


def action_bar(html: str) -> str:
    return html.split('aria-label="Group actions"', 1)[1].split("</div>", 1)[0]


def test_deletable_group_page_offers_delete(demo, simulator):
    session = simulator.session("demo")
    web = find_group(sim_tree(session), "Web")
    body = session.get(f"{simulator.url}/v2/groups/demo/{web['id']}").json()
    assert has_parent(body) and "DELETE" in self_verbs(body)  # the simulator lets demo delete it

    page = demo.get(f"/groups/{web['id']}/")
    assert page.status_code == 200
    assert DELETE_BUTTON in action_bar(page.content.decode())
    assert f'action="/groups/{web["id"].lower()}/actions/deleteGroup/"' in page.content.decode()
    # The data center page with the group selected shows the same bar.
    selected = demo.get(f"/datacenters/wa1/?group={web['id']}").content.decode()
    assert DELETE_BUTTON in action_bar(selected)
    # And the confirmation page it leads to is there (not the 403 page).
    assert demo.get(f"/groups/{web['id']}/actions/deleteGroup/").status_code == 200


def test_root_group_page_never_offers_delete(demo, simulator):
    session = simulator.session("demo")
    root = sim_tree(session)
    assert not has_parent(root) and "DELETE" not in self_verbs(root)

    page = demo.get(f"/groups/{root['id']}/").content.decode()
    assert 'aria-label="Group actions"' in page  # demo may act on the root group (create...)
    assert DELETE_BUTTON not in action_bar(page)
    assert DELETE_BUTTON not in action_bar(demo.get("/datacenters/wa1/").content.decode())
    assert demo.get(f"/groups/{root['id']}/actions/deleteGroup/").status_code == 403
