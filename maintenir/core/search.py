"""Free-text search, shared by the list filters and the global search.

Text is compared without accents and case (`verin` finds "Vérin", `VÉRIN` finds "vérin") on both
databases, through `maintenir_normalise`: on PostgreSQL an immutable wrapper of its `unaccent`
extension, on SQLite `normalise`, registered on each of its connections. A word is found anywhere in
a text, from a trigram index where the table has one (see `maintenir.core.text_indexes`). A
reference is found however it is written: `OT-000014`, `ot14`, `OT 14`, `#14`, `000014`, `14`.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, Expression, F, Func, Model, Q, QuerySet, Subquery, TextField, Value
from django.db.models.lookups import Contains

from maintenir.core.text_indexes import FUNCTION, SUFFIX, indexable, postgresql_expression, sqlite_indexes

# Long enough for any name or reference; a longer text is refused rather than searched word by word.
SEARCH_MAX_LENGTH = 100
# Letters that are not a letter plus an accent, so Unicode decomposition leaves them whole (as unaccent does not).
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
# Up to this many related rows matching a word are named in the query, more are left to a subquery.
FEW_RELATED = 500
# A prefix of two letters, then the number with or without its leading zeros.
REFERENCE = re.compile(r"#?(?:(?P<prefix>[a-z]{2})\s*[-_./#]?\s*)?0*(?P<number>\d{1,18})", re.IGNORECASE)


def normalise(text: str | None) -> str | None:
    """`text` without accents, in lower case: what search compares."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().translate(LIGATURES)


class Normalised(Func):
    """A text expression without accents and in lower case, as `normalise` gives it."""

    function = FUNCTION
    arity = 1
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        # Exactly the expression the trigram indexes hold, so that the planner can use them.
        return self.as_sql(compiler, connection, template=postgresql_expression("%(expressions)s"), **extra)


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, normalise, deterministic=True)


def connect_signals() -> None:
    connection_created.connect(register_sqlite_function, dispatch_uid="maintenir-search-normalise")


@dataclass(frozen=True)
class Reference:
    prefix: str | None  # upper case, e.g. "OT"; None for a bare number
    number: int


def parse_reference(text: str) -> Reference | None:
    """The reference `text` is written as, if it is one: `OT-000014` → ("OT", 14), `000014` → (None, 14)."""
    match = REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    prefix = match["prefix"]
    return Reference(prefix.upper() if prefix else None, int(match["number"]))


class Mentions(Expression):
    """Rows where one of `columns`, of the queried table itself, holds `word`, accents and case aside.

    Compared row by row, unless the table has a text index: PostgreSQL's planner then finds the
    trigram index of the very same comparison by itself; on SQLite the comparison is asked of the
    table's FTS index by name.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, columns: Sequence[str], word: str) -> None:
        super().__init__()
        self.word = word
        self.pk: Any = F("pk")
        self.lookups = [Contains(Normalised(F(column)), Normalised(Value(word))) for column in columns]

    def get_source_expressions(self) -> list[Any]:
        return [self.pk, *self.lookups]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.pk, *self.lookups = exprs

    def _any(self, compiler: Any, terms: Sequence[tuple[str, Sequence[Any]]]) -> tuple[str, list[Any]]:
        params = [param for _, term_params in terms for param in term_params]
        return "(" + " OR ".join(sql for sql, _ in terms) + ")", params

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> Any:
        return self._any(compiler, [compiler.compile(lookup) for lookup in self.lookups])

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list[Any]]:
        if indexable(normalise(self.word) or ""):
            return self.as_sql(compiler, connection)
        # The planner would take even this LIKE to the trigram index, and read all of it: `strpos`, the
        # same comparison, it compares row by row (along the list's order, it may stop early).
        terms = []
        for lookup in self.lookups:
            text_sql, text_params = compiler.compile(lookup.lhs)
            word_sql, word_params = compiler.compile(lookup.rhs)
            terms.append((f"strpos({text_sql}, {word_sql}) > 0", [*text_params, *word_params]))
        return self._any(compiler, terms)

    def as_sqlite(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list[Any]]:
        word = normalise(self.word) or ""
        table = self.pk.target.model._meta.db_table
        indexed = sqlite_indexes(connection).get(table, ())
        columns = [lookup.lhs.source_expressions[0].target.column for lookup in self.lookups]
        found = [column for column in columns if column in indexed]
        if not indexable(word) or not found:
            return self.as_sql(compiler, connection)
        pk_sql, pk_params = compiler.compile(self.pk)
        fts = connection.ops.quote_name(table + SUFFIX)
        # A phrase in double quotes is taken literally by FTS5, once its own double quotes are doubled.
        phrase = word.replace('"', '""')
        query = f'{{{" ".join(found)}}} : "{phrase}"'
        # Identifiers only (the table's own name); the searched words go as a parameter.
        terms = [(f"{pk_sql} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [*pk_params, query])]  # noqa: S608
        unindexed = [lookup for lookup, column in zip(self.lookups, columns, strict=True) if column not in found]
        terms += [compiler.compile(lookup) for lookup in unindexed]
        return self._any(compiler, terms)


class Among(Expression):
    """`column IN (rows)`; on PostgreSQL `column = ANY(ARRAY(rows))`, which an index serves even inside an
    OR (an IN there is checked row by row, so the whole table would be read)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, rows: QuerySet) -> None:
        super().__init__()
        self.column: Any = F(column)
        self.rows: Any = Subquery(rows.order_by())  # a model's ordering would join tables for nothing

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.rows]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.rows = exprs

    def _sql(self, compiler: Any, template: str) -> tuple[str, list[Any]]:
        column_sql, column_params = compiler.compile(self.column)
        rows_sql, rows_params = compiler.compile(self.rows)
        return template % (column_sql, rows_sql), [*column_params, *rows_params]

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> Any:
        return self._sql(compiler, "%s IN %s")

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list[Any]]:
        return self._sql(compiler, "%s = ANY(ARRAY%s)")


def _holding(model: type[Model], name: str, rows: Q) -> Q:
    """Rows of `model` whose relation `name` leads to a row of its model matching `rows`.

    Each relation is a subquery of its own rather than a join: no row is repeated, and each table is
    searched through its own index."""
    field: Any = model._meta.get_field(name)
    related = field.related_model
    if field.concrete and not field.many_to_many:  # a foreign key or one-to-one held by `model`
        found = _matching(related, rows)
        return Q(**{f"{name}__in": found}) if isinstance(found, list) else Q(Among(name, found))
    if field.many_to_many:
        declared = field if field.concrete else field.field
        to_here, to_there = declared.m2m_field_name(), declared.m2m_reverse_field_name()
        if not field.concrete:
            to_here, to_there = to_there, to_here
        through = declared.remote_field.through._base_manager
        return Q(Among("pk", through.filter(**{f"{to_there}__in": _matching(related, rows)}).values(to_here)))
    # The other side of a foreign key or one-to-one: its rows name ours.
    return Q(Among("pk", related._base_manager.filter(rows).values(field.field.name)))


def _matching(model: type[Model], rows: Q) -> list[Any] | QuerySet:
    """The ids of the rows of `model` matching `rows`: asked at once when they are few, so that the
    planner knows them (or that there are none) and picks the right index, where from a subquery it
    would guess, say, that a site's orders are half the table; a subquery when they are many."""
    found = model._base_manager.filter(rows).values_list("pk", flat=True).order_by()
    ids = list(found[: FEW_RELATED + 1])
    return ids if len(ids) <= FEW_RELATED else found


def mentioning(model: type[Model], fields: Sequence[str], word: str) -> Q:
    """Rows of `model` where one of `fields` (across relations: `site__name`) holds `word`."""
    own = [name for name in fields if "__" not in name]
    across: defaultdict[str, list[str]] = defaultdict(list)
    for name in fields:
        if "__" in name:
            relation, rest = name.split("__", 1)
            across[relation].append(rest)
    query = Q(Mentions(own, word)) if own else Q()
    for relation, names in across.items():
        related: Any = model._meta.get_field(relation).related_model
        query |= _holding(model, relation, mentioning(related, names, word))
    return query


def matches(model: type[Model], fields: Sequence[str], text: str, references: Mapping[str, str] | None = None) -> Q:
    """Rows of `model` where each word of `text` is in one of `fields`, or the row the reference `text` names.

    `references` maps a reference prefix to the field that holds its number; a bare number is
    looked up under the first prefix (a work order's list reads `000014` as OT-000014).
    """
    query = Q()
    # A NUL is in no stored text (PostgreSQL refuses it even as a parameter): a word separator like a space.
    for word in text.replace("\x00", " ").split():
        query &= mentioning(model, fields, word)
    reference = parse_reference(text) if references else None
    if reference is not None and references:
        prefix = reference.prefix or next(iter(references))
        if prefix in references:
            query |= _numbered(model, references[prefix], reference.number)
    return query


def _numbered(model: type[Model], name: str, number: int) -> Q:
    """Rows of `model` whose `name` (its own "pk", or a relation) is the row numbered `number`."""
    return Q(pk=number) if name == "pk" else _holding(model, name, Q(pk=number))


def filter_text(
    queryset: QuerySet, fields: Sequence[str], text: str, references: Mapping[str, str] | None = None
) -> QuerySet:
    """`queryset` narrowed to the rows `text` matches (see `matches`).

    Fields across relations are matched in subqueries, so a row found through two of its assignees
    is neither repeated nor are the counts annotated on `queryset` changed.
    """
    if not text.strip():
        return queryset
    return queryset.filter(matches(queryset.model, fields, text, references))
