"""List pages: a capped count, numbered first pages, and cursors that walk every row once, in order."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.assets.models import Site
from maintenir.assets.tests.factories import SiteFactory
from maintenir.core import keyset
from maintenir.core.tests.factories import UserFactory
from maintenir.ui.pagination import Page, paginate
from maintenir.workorders.models import WorkOrder

DAY = datetime.date(2026, 12, 1)
# Few distinct values, so that many rows tie on the ordering's first columns.
rows = st.lists(
    st.tuples(st.integers(1, 3), st.none() | st.integers(0, 2).map(lambda days: DAY + datetime.timedelta(days))),
    max_size=25,
)
ORDERINGS = [(), ("-created", "-pk"), ("-due_date", "priority"), ("due_date",)]


def make_orders(site: Site, values: list[tuple[int, datetime.date | None]]) -> None:
    WorkOrder.objects.all().delete()
    WorkOrder.objects.bulk_create(
        WorkOrder(site=site, title=f"Order {number}", priority=priority, due_date=due)
        for number, (priority, due) in enumerate(values)
    )


def python_order(ordering: tuple[str, ...]) -> list[int]:
    """The list's order computed in Python, ties broken by the primary key, nulls where the database puts them."""
    nulls_last = keyset.nulls_largest(WorkOrder.objects.all())
    terms = ordering or ("priority", "due_date")
    terms = (*terms, "-pk" if terms[-1].startswith("-") else "pk")
    orders = list(WorkOrder.objects.all())

    def by(name: str) -> Callable[[WorkOrder], tuple[bool, Any]]:
        return lambda order: ((getattr(order, name) is None) == nulls_last, getattr(order, name) or 0)

    # Sorted by the last term first: each stable sort then keeps the order of the terms after it among ties.
    for term in reversed(terms):
        orders.sort(key=by(term.lstrip("-")), reverse=term.startswith("-"))
    return [order.pk for order in orders]


def page_at(query: str, ordering: tuple[str, ...], per_page: int) -> Page:
    request = RequestFactory().get("/", QueryDict(query.removeprefix("?")))
    queryset = WorkOrder.objects.order_by(*ordering) if ordering else WorkOrder.objects.all()
    return paginate(request, queryset, per_page)


def walk(ordering: tuple[str, ...], per_page: int) -> tuple[list[int], list[int], list[int]]:
    """The rows met following "Next" from the first page, then "Previous" back, and the page numbers shown."""
    page = page_at("", ordering, per_page)
    forward, numbers = [order.pk for order in page], [page.number]
    while page.next:
        page = page_at(page.next, ordering, per_page)
        forward += [order.pk for order in page]
        numbers.append(page.number)
    backward = [order.pk for order in reversed(page.object_list)]
    while page.previous:
        page = page_at(page.previous, ordering, per_page)
        backward += [order.pk for order in reversed(page.object_list)]
    return forward, backward[::-1], numbers


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=rows, ordering=st.sampled_from(ORDERINGS), per_page=st.integers(1, 4))
def test_next_and_previous_visit_every_row_once_in_order(values: Any, ordering: Any, per_page: int) -> None:
    site: Any = Site.objects.first() or SiteFactory()
    make_orders(site, values)
    queryset = WorkOrder.objects.order_by(*ordering) if ordering else WorkOrder.objects.all()
    columns = keyset.keys(queryset)
    assert columns is not None
    assert columns[-1].name == "pk"
    in_order = python_order(ordering)
    assert [order.pk for order in keyset.ordered(queryset, columns)] == in_order
    forward, backward, numbers = walk(ordering, per_page)
    assert forward == in_order
    assert backward == in_order
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.django_db
def test_missing_due_dates_sort_as_the_databases_index_does(site_a: Any) -> None:
    """Last on PostgreSQL, first on SQLite: either way the order comes from the index, and the walk is right."""
    make_orders(site_a, [(2, None), (2, DAY), (1, None)])
    page = paginate(RequestFactory().get("/"), WorkOrder.objects.all(), 10)
    shown = [(order.priority, order.due_date) for order in page]
    if keyset.nulls_largest(WorkOrder.objects.all()):
        assert shown == [(1, None), (2, DAY), (2, None)]
    else:
        assert shown == [(1, None), (2, None), (2, DAY)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor", ["garbage", "e30:1a2b3c", keyset.encode([], [], False)], ids=["garbage", "forged", "another-list"]
)
def test_a_cursor_not_ours_shows_the_first_page(site_a: Any, cursor: str) -> None:
    make_orders(site_a, [(1, None)] * 3)
    for name in ("after", "before"):
        page = paginate(RequestFactory().get("/", {name: cursor}), WorkOrder.objects.all(), 2)
        assert page.number == 1
        assert len(page) == 2


@pytest.mark.django_db
def test_the_count_stops_at_the_cap(site_a: Any) -> None:
    make_orders(site_a, [(1, None)] * 7)
    page = paginate(RequestFactory().get("/", {"page": "99"}), WorkOrder.objects.all(), 2, cap=5)
    assert page.capped
    assert page.num_pages is None
    # Numbered pages reach no further than the rows counted; cursors go on from there.
    assert page.number == 3
    assert page.next is not None
    assert "after=" in page.next


@pytest.mark.django_db
def test_a_list_without_a_cursor_goes_on_by_number_past_the_cap(site_a: Any) -> None:
    make_orders(site_a, [(1, None)] * 7)
    # Ordered through a relation: no keyset, page numbers only.
    queryset = WorkOrder.objects.order_by("site", "pk")
    assert keyset.keys(queryset) is None
    page = paginate(RequestFactory().get("/", {"page": "3"}), queryset, 2, cap=3)
    assert page.number == 3
    assert page.next == "?page=4"
    assert len(paginate(RequestFactory().get("/", {"page": "4"}), queryset, 2, cap=3)) == 1


@pytest.mark.django_db
def test_links_keep_the_filters_and_search(site_a: Any) -> None:
    make_orders(site_a, [(1, None)] * 5)
    page = paginate(
        RequestFactory().get("/", {"q": "pompe", "status": ["requested", "approved"]}), WorkOrder.objects.all(), 2
    )
    assert page.next is not None
    query = QueryDict(page.next.removeprefix("?"))
    assert query["q"] == "pompe"
    assert query.getlist("status") == ["requested", "approved"]
    following = paginate(RequestFactory().get("/", query), WorkOrder.objects.all(), 2)
    assert following.previous is not None
    assert "after" not in following.previous
    assert "page" not in following.previous


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Plus de 10\u00a0000 résultats"), ("en", "More than 10,000 results")]
)
def test_a_capped_count_reads_in_the_users_language(language: str, text: str) -> None:
    page = Page([], 1, keyset.COUNT_CAP + 1, 25)
    with translation.override(language):
        html = render_to_string("ui/includes/pagination.html", {"page": page})
    assert text in html


@pytest.mark.django_db
def test_the_order_list_walks_deep_with_its_filters(site_a: Any) -> None:
    manager: Any = UserFactory(role="manager")
    make_orders(site_a, [(priority, None) for priority in (1, 2, 3) * 20])
    client = Client()
    client.force_login(manager)
    url = reverse("workorder-list")
    seen: list[str] = []
    query: dict[str, Any] | QueryDict = {"priority": ["1", "3"]}
    for _page in range(10):
        response = client.get(url, query)
        assert response.status_code == 200
        seen += [order.title for order in response.context["object_list"]]
        link = response.context["page"].next
        if link is None:
            break
        query = QueryDict(link.removeprefix("?"))
    assert len(seen) == len(set(seen)) == 40
