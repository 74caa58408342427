"""Bulk writes at the speed of the database driver, for generators and imports of many rows.

`bulk_create` builds a model instance and compiles every value of every row through the ORM,
which costs more than the insert itself at hundreds of thousands of rows. `insert` takes plain
dicts of field values (`insert_rows`, tuples), converts them with one adapter per column where
the driver needs it, and sends them with `executemany` (SQLite) or the binary `COPY`
(PostgreSQL); `reserve_ids` hands out primary keys first, so
child rows can refer to their parent in the same batch. Callers run inside a transaction and
validate their values beforehand.
"""

import datetime
import functools
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH_SIZE = 5000
_scratch_numbers = itertools.count()


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, which no other writer will use."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The UPDATE takes SQLite's write lock before reading, so the range stays ours.
            cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
            cursor.execute(
                f"SELECT MAX(id) FROM (SELECT MAX(id) AS id FROM {connection.ops.quote_name(table)} "  # noqa: S608
                "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
                [table],
            )
            first = (cursor.fetchone()[0] or 0) + 1
            ids = list(range(first, first + count))
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, ids[-1]])
            return ids
    raise NotImplementedError(f"reserve_ids does not support {connection.vendor}")


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of `field` is passed to the driver; None when it goes as it is."""
    ops = connection.ops
    if connection.vendor == "postgresql":
        # psycopg adapts dates, times, decimals and UUIDs itself; JSON needs wrapping, and the binary
        # COPY takes no float for a numeric column.
        if isinstance(field, models.JSONField):
            return lambda value: field.get_db_prep_save(value, connection)
        return _decimal if isinstance(field, models.DecimalField) else None
    if isinstance(field, models.DateTimeField):
        # Memoised: generated rows share a few timestamps (now, the start of a day).
        return functools.lru_cache(maxsize=4096)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return functools.lru_cache(maxsize=4096)(ops.adapt_datefield_value)
    if isinstance(field, models.DecimalField):
        return functools.lru_cache(maxsize=4096)(
            lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        )
    if isinstance(field, models.JSONField):
        # SQLite keeps JSON as text; the values are JSON types already (see `json_ready`).
        return functools.partial(json.dumps, check_circular=False, separators=(",", ":"))
    if isinstance(field, models.UUIDField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _decimal(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float) else value


def _default(field: models.Field, now: datetime.datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"{field.model._meta.label}.{field.name} needs a value")


def insert(model: type[models.Model], records: Sequence[dict[str, Any]]) -> None:
    """Insert `records`, dicts keyed by field attname; missing fields are filled in with their default."""
    if not records:
        return
    now = timezone.now()
    fields = [field for field in model._meta.concrete_fields if not (field.primary_key and "id" not in records[0])]
    # Records all carry the same keys: the fields missing from the first take their default.
    defaults = {field.attname: _default(field, now) for field in fields if field.attname not in records[0]}
    for record in records:
        record.update(defaults)
    _insert(model, fields, map(_getter(fields), records))


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows`, tuples of the values of the fields `names` (attnames) in that order: the cheapest
    form for the caller that has its values in tuples already (readings)."""
    if rows:
        fields: list[Any] = [model._meta.get_field(name) for name in names]
        _insert(model, fields, iter(rows))


def _insert(model: type[models.Model], fields: Sequence[models.Field], rows: Iterator[Sequence[Any]]) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    if connection.vendor == "postgresql":
        _copy(table, columns, fields, rows)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    _execute(sql, fields, rows)


def update(model: type[models.Model], names: Sequence[str], records: Sequence[dict[str, Any]]) -> None:
    """Set the fields `names` (attnames) of each record's row, found by its "id"."""
    if not records:
        return
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY the new values into a scratch table, then one UPDATE … FROM it.
        scratch = quote(f"bulk_{next(_scratch_numbers)}")
        columns = ", ".join(["id", *(quote(field.column) for field in fields)])
        with_pk = [model._meta.pk, *fields]
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
            )
            _copy(scratch, columns, with_pk, map(_getter(with_pk), records))
            assignments = ", ".join(f"{quote(field.column)} = {scratch}.{quote(field.column)}" for field in fields)
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {scratch} WHERE {table}.id = {scratch}.id")  # noqa: S608
            cursor.execute(f"DROP TABLE {scratch}")
        return
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
    with_pk_last = [*fields, model._meta.pk]
    _execute(sql, with_pk_last, map(_getter(with_pk_last), records))


def _getter(fields: Sequence[models.Field]) -> Callable[[dict[str, Any]], Sequence[Any]]:
    """A record's values of `fields`, as a tuple."""
    names = [field.attname for field in fields]
    return operator.itemgetter(*names) if len(names) > 1 else (lambda record: (record[names[0]],))


def _converted(fields: Sequence[models.Field], rows: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The rows, their values converted for the driver where the field needs it."""
    conversions = [(index, adapt) for index, adapt in enumerate(map(_adapter, fields)) if adapt is not None]
    if not conversions:
        yield from rows
        return
    for values in rows:
        row = list(values)
        for index, adapt in conversions:
            if row[index] is not None:
                row[index] = adapt(row[index])
        yield row


def _execute(sql: str, fields: Sequence[models.Field], rows: Iterator[Sequence[Any]]) -> None:
    """Run `sql` once per row, in batches."""
    converted = _converted(fields, rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(converted, BATCH_SIZE)):
            cursor.executemany(sql, batch)


def _copy(table: str, columns: str, fields: Sequence[models.Field], rows: Iterator[Sequence[Any]]) -> None:
    """PostgreSQL's COPY: one stream for all the rows, several times faster than one INSERT per row.

    In the binary format: the text form of some values (a date and time above all) costs the client
    and the server more to write and to read than the value itself."""
    # Asked before the COPY starts: the connection answers nothing else during it.
    types = _type_oids(tuple(field.db_type(connection) or "" for field in fields))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in _converted(fields, rows):
            copy.write_row(row)


@functools.cache
def _type_oids(db_types: tuple[str, ...]) -> list[int]:
    """The PostgreSQL type of each column type, as the binary COPY needs them (built-in types: the same
    in every database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type::regtype::oid FROM unnest(%s::text[]) WITH ORDINALITY AS t(type, n) ORDER BY n",
            [list(db_types)],
        )
        return [row[0] for row in cursor.fetchall()]


def with_ids(model: type[models.Model], records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records, each given a reserved primary key under "id"."""
    records = list(records)
    for record, pk in zip(records, reserve_ids(model, len(records)), strict=True):
        record["id"] = pk
    return records
