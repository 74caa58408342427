"""The indexes that let a search find a word inside a text without reading the whole table.

Both databases index what search compares, each column's text without accents and in lower case
(`maintenir_normalise`), cut into trigrams (every run of three characters), so that a word of three
characters or more is found anywhere in the text from the index:

- PostgreSQL: a GIN index of `pg_trgm` trigrams over `maintenir_normalise(column)`, an immutable
  wrapper of `unaccent` (itself only stable, so not indexable). The planner serves
  `maintenir_normalise(column) LIKE '%word%'` from it; nothing else changes in the query.
- SQLite: an FTS5 table with the trigram tokenizer, `<table>_search`, holding the normalised columns
  under the row's id. Triggers keep it in step with every insert, update and delete, whatever writes
  them (the ORM, bulk paths, raw SQL on a Django connection). It stores no copy of the text
  (contentless), so a deletion hands the trigger's old values back to it.

A word without three letters or digits in a row ("ab", "n°2") has no trigram: it is compared row by
row, as before, which on a large table reads it all unless another word of the search narrows it.
"""
# Every statement here is made of table and column names from the migrations, never of user input.
# ruff: noqa: S608

import re
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.models.fields import AutoFieldMixin

# The same name on both databases: a Python function on SQLite, an SQL one on PostgreSQL.
FUNCTION = "maintenir_normalise"
SUFFIX = "_search"
# Three letters or digits in a row: the least from which both indexes draw a trigram. (pg_trgm cuts
# text at anything else; from a word without one, it would read its whole index.)
INDEXABLE = re.compile(r"[^\W_]{3}")

CREATE_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""
DROP_POSTGRESQL_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION}(text)"


def indexable(word: str) -> bool:
    """Whether the indexes can find the normalised `word`."""
    return INDEXABLE.search(word) is not None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgresql_expression(column_sql: str) -> str:
    """What search compares of a column, as the index holds it: accents off first, since LOWER leaves
    accented capitals alone under some collations (the wrapper does both, in that order)."""
    return f"{FUNCTION}({column_sql}::text)"


def _postgresql_create(table: str, columns: Sequence[str]) -> list[str]:
    indexed = ", ".join(f"{postgresql_expression(_quote(column))} gin_trgm_ops" for column in columns)
    return [f"CREATE INDEX IF NOT EXISTS {_quote(table + SUFFIX)} ON {_quote(table)} USING gin ({indexed})"]


def _postgresql_drop(table: str) -> list[str]:
    return [f"DROP INDEX IF EXISTS {_quote(table + SUFFIX)}"]


def _values(row: str, columns: Sequence[str]) -> str:
    return ", ".join(f"{FUNCTION}({row}.{_quote(column)})" for column in columns)


def _sqlite_triggers(table: str, pk: str, columns: Sequence[str]) -> list[str]:
    fts, names = _quote(table + SUFFIX), ", ".join(map(_quote, columns))
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {_values('new', columns)});"
    # A contentless table forgets a row only when given back the very values it indexed.
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {_values('old', columns)});"
    watched = ", ".join(map(_quote, [pk, *columns]))
    return [
        f"CREATE TRIGGER {_quote(table + SUFFIX + '_insert')} AFTER INSERT ON {_quote(table)} BEGIN {insert} END",
        f"CREATE TRIGGER {_quote(table + SUFFIX + '_delete')} AFTER DELETE ON {_quote(table)} BEGIN {delete} END",
        f"CREATE TRIGGER {_quote(table + SUFFIX + '_update')} AFTER UPDATE OF {watched} ON {_quote(table)} "
        f"BEGIN {delete} {insert} END",
    ]


def _sqlite_fill(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(map(_quote, columns))
    return (
        f"INSERT INTO {_quote(table + SUFFIX)}(rowid, {names}) "
        f"SELECT rowid, {_values(_quote(table), columns)} FROM {_quote(table)}"
    )


def _sqlite_create(table: str, pk: str, columns: Sequence[str]) -> list[str]:
    names = ", ".join(map(_quote, columns))
    return [
        f"CREATE VIRTUAL TABLE {_quote(table + SUFFIX)} USING fts5({names}, content='', tokenize='trigram')",
        *_sqlite_triggers(table, pk, columns),
        _sqlite_fill(table, columns),
    ]


def _sqlite_drop(table: str) -> list[str]:
    triggers = [f"DROP TRIGGER IF EXISTS {_quote(table + SUFFIX + '_' + event)}" for event in TRIGGER_EVENTS]
    return [*triggers, f"DROP TABLE IF EXISTS {_quote(table + SUFFIX)}"]


TRIGGER_EVENTS = ("insert", "delete", "update")


def sqlite_indexes(connection: BaseDatabaseWrapper) -> dict[str, tuple[str, ...]]:
    """The tables of an SQLite database that have a text index, with the columns it holds.

    Read from the database once per connection (and again after a migration): the indexes are what
    the migrations made, so the database itself is where they are listed."""
    cached = getattr(connection, "_maintenir_text_indexes", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s ESCAPE '\\' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%%fts5%%'",
                ["%" + SUFFIX.replace("_", "\\_")],
            )
            tables = [name for (name,) in cursor.fetchall()]
            cached = {}
            for name in tables:
                cursor.execute(f"PRAGMA table_info({_quote(name)})")
                cached[name.removesuffix(SUFFIX)] = tuple(row[1] for row in cursor.fetchall())
        connection._maintenir_text_indexes = cached  # type: ignore[attr-defined]
    return cached


def forget_sqlite_indexes(connection: BaseDatabaseWrapper) -> None:
    connection.__dict__.pop("_maintenir_text_indexes", None)


def repair_sqlite_indexes(connection: BaseDatabaseWrapper) -> None:
    """Puts back the triggers of every text index whose table lost them, and refills its index.

    SQLite alters a table by copying it into a new one (Django's "remake"), which drops the old
    table's triggers: after any migration, each index is checked and, when its triggers are gone,
    rebuilt from the rows, which were copied as they were."""
    forget_sqlite_indexes(connection)
    with connection.cursor() as cursor:
        for table, columns in sqlite_indexes(connection).items():
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name LIKE %s",
                [table, table + SUFFIX + "%"],
            )
            if cursor.fetchone()[0] == len(TRIGGER_EVENTS):
                continue
            cursor.execute(f"SELECT name FROM pragma_table_info({_quote(table)}) WHERE pk = 1")
            (pk,) = cursor.fetchone()
            fts = _quote(table + SUFFIX)
            for statement in [
                *_sqlite_drop(table)[:-1],
                f"INSERT INTO {fts}({fts}) VALUES ('delete-all')",
                *_sqlite_triggers(table, pk, columns),
                _sqlite_fill(table, columns),
            ]:
                cursor.execute(statement)


class CreateTextIndex(Operation):
    """Indexes `fields` of `model_name` for search (see the module's docstring); undone by dropping it."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, fields: Sequence[str]) -> None:
        self.model_name = model_name
        self.fields = tuple(fields)

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass  # an index of the database's own, not of the models

    def describe(self) -> str:
        return f"Create the text search index of {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_text_search"

    def _run(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState, create: bool) -> None:
        model = state.apps.get_model(app_label, self.model_name)
        connection = schema_editor.connection
        if not self.allow_migrate_model(connection.alias, model):
            return
        # The index answers with the row's rowid, which only an integer primary key is.
        pk, pk_column = model._meta.pk, model._meta.pk.column
        assert isinstance(pk, AutoFieldMixin), "a text index needs an integer primary key"
        table = model._meta.db_table
        columns = [model._meta.get_field(name).column for name in self.fields]
        statements: dict[str, list[str]] = {
            "postgresql": _postgresql_create(table, columns) if create else _postgresql_drop(table),
            "sqlite": _sqlite_create(table, pk_column, columns) if create else _sqlite_drop(table),
        }
        for statement in statements.get(connection.vendor, []):
            schema_editor.execute(statement, params=None)
        forget_sqlite_indexes(connection)

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._run(app_label, schema_editor, to_state, create=True)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._run(app_label, schema_editor, from_state, create=False)


def create_postgresql_function(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """For a migration's RunPython: the immutable normalising function the indexes are made of."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_POSTGRESQL_FUNCTION, params=None)


def drop_postgresql_function(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_POSTGRESQL_FUNCTION, params=None)


def after_migrate(sender: Any, using: str, **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        repair_sqlite_indexes(connection)
