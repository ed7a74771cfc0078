"""portal.table_sort.headers: the header cells every sortable table renders (templates/_sort_th.html)."""

from django.http import QueryDict
from django.template.loader import render_to_string

from portal.table_sort import headers

COLUMNS = (("name", "Name", "text", ""), ("cpu", "CPU", "num", "num"))


def test_the_sorted_column_links_to_the_other_direction_and_says_its_own():
    name, cpu = headers(COLUMNS, "cpu", "asc")
    assert name["href"] == "?sort=name&dir=asc" and name["aria_sort"] == "none"
    assert cpu["href"] == "?sort=cpu&dir=desc" and cpu["aria_sort"] == "ascending"
    name, cpu = headers(COLUMNS, "cpu", "desc")
    assert cpu["href"] == "?sort=cpu&dir=asc" and cpu["aria_sort"] == "descending"
    assert [h["aria_sort"] for h in headers(COLUMNS, "", "asc")] == ["none", "none"]


def test_links_keep_the_filters_they_are_given():
    keep = QueryDict("sort=cpu&dir=asc&q=web&power=started")
    name, cpu = headers(COLUMNS, "cpu", "asc", keep)
    assert name["href"] == "?sort=name&dir=asc&q=web&power=started"
    assert cpu["href"] == "?sort=cpu&dir=desc&q=web&power=started"
    assert keep["sort"] == "cpu"  # the page's own parameters are left as they are


def test_the_partial_renders_one_cell_and_nothing_after_it():
    cell = render_to_string("_sort_th.html", {"h": headers(COLUMNS, "cpu", "desc")[1]})
    assert cell == (
        '<th scope="col" aria-sort="descending" data-type="num" class="num">'
        '<a class="sort" href="?sort=cpu&amp;dir=asc">CPU</a></th>'
    )
