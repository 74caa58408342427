"""A list page's rows, at a cost that does not grow with the table (see `core.keyset`).

The count stops at `COUNT_CAP` ("10,000+ results"). The first pages are numbered (`?page=3`, an OFFSET that
stays within the counted rows); "Next" and "Previous" carry a signed cursor (`?after=…` / `?before=…`) that
reads the rows after the last one shown, or before the first, from the index, however deep the page. A list
whose ordering is not a plain column (`core.keyset.keys` is None) pages by number only. A cursor that is not
one of ours shows the first page.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import formats

from maintenir.core import keyset

PAGE_PARAMS = ("page", "after", "before")


@dataclass
class Page:
    object_list: list[Any]
    number: int
    count: int  # capped: above `cap` means "more than `cap`"
    per_page: int
    cap: int = keyset.COUNT_CAP
    # The query strings of the pages around this one, with the request's filters and search ("?site=3&after=…").
    previous: str | None = field(default=None)
    next: str | None = field(default=None)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def num_pages(self) -> int | None:
        """The number of pages, None when the count was capped."""
        return None if self.capped else max(1, math.ceil(self.count / self.per_page))

    @property
    def shown_count(self) -> str:
        """The count as the reader writes numbers ("10 000" in French), the cap when the count went past it."""
        return formats.number_format(min(self.count, self.cap), force_grouping=True)

    def has_previous(self) -> bool:
        return self.previous is not None

    def has_next(self) -> bool:
        return self.next is not None

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _link(query: QueryDict, **params: Any) -> str:
    """The request's query string with its paging parameters replaced by `params` (those not None)."""
    query = query.copy()
    for name in PAGE_PARAMS:
        query.pop(name, None)
    query.update({name: value for name, value in params.items() if value is not None})
    # "?" alone, the page without parameters: an empty link would stay on this page.
    return f"?{query.urlencode()}"


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int, cap: int = keyset.COUNT_CAP) -> Page:
    """The page of `queryset` the request's `page`, `after` or `before` asks for (the first one otherwise)."""
    count = keyset.capped_count(queryset, cap)
    columns = keyset.keys(queryset)
    token = request.GET.get("after") or request.GET.get("before")
    if columns is not None and token:
        try:
            cursor = keyset.decode(queryset, columns, token)
        except keyset.InvalidCursor:
            pass
        else:
            return _keyset_page(request.GET, queryset, columns, cursor, count, per_page, cap)
    # Numbered pages reach no further than the rows counted, except on a list without a cursor (a list ordered
    # through a relation): its "Next" goes on by number past the count, as an OFFSET.
    last = max(1, math.ceil(min(count, cap) / per_page))
    asked = request.GET.get("page", "")
    number = int(asked) if asked.isdigit() and int(asked) > 0 else 1
    if columns is not None or count <= cap:
        number = min(number, last)
    start = (number - 1) * per_page
    found = list((keyset.ordered(queryset, columns) if columns else queryset)[start : start + per_page + 1])
    return _page(
        request.GET, columns, found[:per_page], number, count, per_page, cap, number > 1, len(found) > per_page
    )


def _keyset_page(
    query: QueryDict,
    queryset: QuerySet,
    columns: list[keyset.Key],
    cursor: keyset.Cursor,
    count: int,
    per_page: int,
    cap: int,
) -> Page:
    backwards = cursor.backwards
    found = keyset.rows_after(queryset, columns, cursor.position, per_page + 1, backwards)
    number = cursor.extra.get("n")
    number = number if isinstance(number, int) and number > 0 else 2
    if not backwards:
        return _page(query, columns, found[:per_page], number, count, per_page, cap, True, len(found) > per_page)
    # Read backwards: an extra row is one before this page's first; the cursor's own row follows its last.
    more_before = len(found) > per_page
    return _page(
        query, columns, found[:per_page][::-1], number if more_before else 1, count, per_page, cap, more_before, True
    )


def _page(
    query: QueryDict,
    columns: list[keyset.Key] | None,
    rows: list[Any],
    number: int,
    count: int,
    per_page: int,
    cap: int,
    more_before: bool,
    more_after: bool,
) -> Page:
    page = Page(rows, number, count, per_page, cap)
    if more_before:
        if number <= 2 or columns is None or not rows:
            page.previous = _link(query, page=number - 1 if number > 2 else None)
        else:
            first = keyset.encode(columns, keyset.values(rows[0], columns), backwards=True, n=number - 1)
            page.previous = _link(query, before=first)
    if more_after:
        if columns is None or not rows:
            page.next = _link(query, page=number + 1)
        else:
            page.next = _link(
                query, after=keyset.encode(columns, keyset.values(rows[-1], columns), False, n=number + 1)
            )
    return page
