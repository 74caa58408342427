"""Free-text search, shared by the list filters and the global search.

Text is compared without accents and case (`verin` finds "Vérin", `VÉRIN` finds "vérin") on both
databases: PostgreSQL through its `unaccent` extension (created by a core migration), SQLite through
`normalise`, registered on each of its connections. A reference is found however it is written:
`OT-000014`, `ot14`, `OT 14`, `#14`, `000014`, `14`.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.lookups import Contains

SQLITE_FUNCTION = "maintenir_normalise"
# Long enough for any name or reference; a longer text is refused rather than searched word by word.
SEARCH_MAX_LENGTH = 100
# Letters that are not a letter plus an accent, so Unicode decomposition leaves them whole (as unaccent does not).
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
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

    function = SQLITE_FUNCTION
    arity = 1
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        # Accents off first: LOWER leaves accented capitals alone under some collations.
        return self.as_sql(compiler, connection, template="LOWER(UNACCENT(%(expressions)s::text))", **extra)


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, normalise, deterministic=True)


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


def contains(field: str, word: str) -> Q:
    return Q(Contains(Normalised(F(field)), Normalised(Value(word))))


def matches(fields: Sequence[str], text: str, references: Mapping[str, str] | None = None) -> Q:
    """Rows where each word of `text` is in one of `fields`, or the row the reference `text` names.

    `references` maps a reference prefix to the field that holds its number; a bare number is
    looked up under the first prefix (a work order's list reads `000014` as OT-000014).
    """
    words = text.split()
    query = Q()
    for word in words:
        query &= Q.create([contains(field, word) for field in fields], connector=Q.OR)
    reference = parse_reference(text) if references else None
    if reference is not None and references:
        prefix = reference.prefix or next(iter(references))
        if prefix in references:
            query |= Q(**{references[prefix]: reference.number})
    return query


def filter_text(
    queryset: QuerySet, fields: Sequence[str], text: str, references: Mapping[str, str] | None = None
) -> QuerySet:
    """`queryset` narrowed to the rows `text` matches (see `matches`), each once.

    The match runs in a subquery, so fields across many-valued relations (assignees) neither
    repeat a row nor change the counts annotated on `queryset`.
    """
    if not text.strip():
        return queryset
    found = queryset.model._default_manager.filter(matches(fields, text, references)).values("pk")
    return queryset.filter(pk__in=found)
