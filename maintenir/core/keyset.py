"""Keyset pagination and capped counts: what a page of a list costs does not grow with the table.

A page is read as "the N rows after (or before) this row in the list's ordering", which an index on the ordering
answers by reading N entries, however deep the page; an OFFSET would read every row before it. The ordering must
be total, so `keys` ends it with the primary key. A position travels in the query string as a signed cursor: a
cursor altered by hand, or made for another ordering, is refused (`InvalidCursor`), never a 500.

Counts stop at `cap`: counting ten million rows to print "10,000,000 results" costs more than the page itself.
"""

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Model, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import OrderBy
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

COUNT_CAP = 10_000
SALT = "maintenir.keyset"


class InvalidCursor(ValueError):
    """A cursor that was not made by this list: altered, truncated, or for another ordering."""


@dataclass(frozen=True)
class Key:
    """One column of a list's ordering: a field's column ("site_id", "pk") or an annotation that is never null."""

    name: str
    descending: bool
    nullable: bool

    def order(self) -> OrderBy:
        # Nulls where the database's own indexes put them (see `nulls_largest`), so an index gives the order.
        return F(self.name).desc() if self.descending else F(self.name).asc()


def nulls_largest(queryset: QuerySet) -> bool:
    """Whether the database sorts nulls as the largest values (PostgreSQL) or the smallest (SQLite)."""
    return connections[queryset.db].vendor in ("postgresql", "oracle")


def keys(queryset: QuerySet) -> list[Key] | None:
    """The queryset's ordering as keyset columns, the primary key last; None if a term is not a plain column.

    An ordering on a relation ("site", which orders by the site's own ordering) or on an expression cannot be
    walked by keyset: such a list pages by number only (it is a small list, or it should be ordered otherwise).
    """
    query = queryset.query
    model = queryset.model
    terms = query.order_by or (model._meta.ordering if query.default_ordering else ())
    result: list[Key] = []
    for term in terms:
        if not isinstance(term, str):
            return None
        descending, name = term.startswith("-"), term.lstrip("-")
        if name in ("pk", model._meta.pk.name, model._meta.pk.attname):
            return [*result, Key("pk", descending, nullable=False)]
        if name in query.annotations:
            result.append(Key(name, descending, nullable=False))
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or (field.is_relation and name != field.attname):
            return None
        result.append(Key(name, descending, nullable=field.null))
    return [*result, Key("pk", result[-1].descending if result else False, nullable=False)]


def ordered(queryset: QuerySet, columns: Sequence[Key], backwards: bool = False) -> QuerySet:
    orders: list[Any] = [key.order() for key in columns]
    return queryset.order_by(*(order.reverse_ordering() if backwards else order for order in orders))


def values(row: Model, columns: Sequence[Key]) -> list[Any]:
    return [getattr(row, key.name) for key in columns]


def _beyond(key: Key, value: Any, larger: bool, nulls_largest: bool) -> list[Q]:
    """The rows whose `key` lies strictly on the `larger` side of `value`, as ranges in walking order."""
    if larger != nulls_largest:
        # Walking away from the nulls: every value is beyond a null, no null beyond a value.
        return [Q(**{f"{key.name}__isnull": False})] if value is None else [Q(**{f"{key.name}__{_cmp(larger)}": value})]
    if value is None:
        return []
    found = [Q(**{f"{key.name}__{_cmp(larger)}": value})]
    return [*found, Q(**{f"{key.name}__isnull": True})] if key.nullable else found


def _cmp(larger: bool) -> str:
    return "gt" if larger else "lt"


def _equal(key: Key, value: Any) -> Q:
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def ranges(columns: Sequence[Key], position: Sequence[Any], backwards: bool, nulls_largest: bool) -> list[Q]:
    """The rows strictly after `position` in the ordering (before it, `backwards`), as disjoint ranges in order.

    Columns all in one direction and never null compare as one row value, `(a, b, id) > (1, 2, 3)`: one range of
    an index on (a, b, id). Otherwise the rows equal on all the columns but the last and beyond it on the last,
    then those equal on all but the last two and beyond on the one before, and so on: each range an index reads
    from where it starts, where one condition joining them with OR would read the index from its beginning.
    """
    directions = {key.descending for key in columns}
    if len(directions) == 1 and not any(key.nullable for key in columns):
        lookup = TupleLessThan if directions.pop() != backwards else TupleGreaterThan
        return [Q(lookup(Tuple(*(F(key.name) for key in columns)), tuple(position)))]
    found = []
    for depth in reversed(range(len(columns))):
        equal = Q(*(_equal(key, value) for key, value in zip(columns[:depth], position[:depth], strict=True)))
        key = columns[depth]
        larger = key.descending == backwards
        found += [equal & beyond for beyond in _beyond(key, position[depth], larger, nulls_largest)]
    return found


def rows_after(
    queryset: QuerySet, columns: Sequence[Key], position: Sequence[Any], size: int, backwards: bool = False
) -> list[Any]:
    """Up to `size` rows after `position` (before it, `backwards`, nearest first): one query per range read."""
    # Related rows are fetched once for the page, not once for each range.
    walk = ordered(queryset, columns, backwards).prefetch_related(None)
    found: list[Any] = []
    for condition in ranges(columns, position, backwards, nulls_largest(queryset)):
        found += walk.filter(condition)[: size - len(found)]
        if len(found) >= size:
            break
    prefetch_related_objects(found, *queryset._prefetch_related_lookups)  # type: ignore[attr-defined]
    return found


def encode(columns: Sequence[Key], position: Sequence[Any], backwards: bool, **extra: Any) -> str:
    """A signed cursor to the rows after `position` (before it, `backwards`), with `extra` values carried along."""
    # Dates, times and decimals as strings, read back by each column's field; to the microsecond, as stored.
    payload = json.loads(json.dumps(list(position), default=_text))
    names = [key.name for key in columns]
    return signing.dumps({"k": names, "v": payload, "b": backwards, **extra}, salt=SALT, compress=True)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime.date | datetime.time) else str(value)


@dataclass(frozen=True)
class Cursor:
    position: list[Any]
    backwards: bool
    extra: dict[str, Any]


def decode(queryset: QuerySet, columns: Sequence[Key], cursor: str) -> Cursor:
    """The position a cursor made by `encode` for these columns holds; InvalidCursor if it is not one."""
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature as error:
        raise InvalidCursor(cursor) from error
    names = [key.name for key in columns]
    if not isinstance(data, dict) or data.get("k") != names or len(data.get("v", ())) != len(names):
        raise InvalidCursor(cursor)
    try:
        position = [_field(queryset, name).to_python(value) for name, value in zip(names, data["v"], strict=True)]
    except ValidationError as error:
        raise InvalidCursor(cursor) from error
    extra = {name: value for name, value in data.items() if name not in ("k", "v", "b")}
    return Cursor(position, bool(data.get("b")), extra)


def _field(queryset: QuerySet, name: str) -> Any:
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """The number of rows, counting no further than `cap` + 1: a result above `cap` means "more than `cap`"."""
    return int(queryset.order_by().values("pk")[: cap + 1].count())
