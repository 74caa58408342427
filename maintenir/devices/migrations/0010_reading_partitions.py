"""Readings on PostgreSQL in a table partitioned by day of their time (see devices/partitions.py).

The table is rebuilt: a partitioned one under the same name, a partition for each day the readings
have, the readings copied over, then the indexes built once. Its primary key becomes (id, time), since
a partitioned table's key must hold the partition key; nothing refers to a reading by its id alone.
One transaction: ingestion waits for it (minutes at hundreds of millions of readings). SQLite keeps
its one table: nothing to do.
"""

import datetime
from typing import Any

from django.db import migrations

TABLE = "devices_reading"
OLD = "devices_reading_unpartitioned"
INDEX = "devices_rea_point_i_e3432e_idx"
SEQUENCE = "devices_reading_id_seq"
COLUMNS = "id, point_id, time, value, quality"
ONE_DAY = datetime.timedelta(days=1)


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {OLD}_pkey")
        cursor.execute(f"ALTER INDEX {INDEX} RENAME TO {OLD}_point_time")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {OLD}")  # noqa: S608
        next_id = cursor.fetchone()[0]
        # Its id sequence goes, so that the new table's takes its name (and pg_get_serial_sequence finds it).
        cursor.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
        # An identity column cannot be partitioned on PostgreSQL < 17: a sequence owned by the column.
        cursor.execute(f"CREATE SEQUENCE {SEQUENCE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (id bigint NOT NULL DEFAULT nextval('{SEQUENCE}'), "
            "time timestamp with time zone NOT NULL, value double precision NULL, "
            "quality varchar(20) NOT NULL, point_id bigint NOT NULL) PARTITION BY RANGE (time)"
        )
        cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute("SELECT setval(%s, %s, false)", [SEQUENCE, next_id])
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT DISTINCT (time AT TIME ZONE 'UTC')::date FROM {OLD}")  # noqa: S608
        for (day,) in cursor.fetchall():
            # Bounds written as literals (DDL takes no parameters), of dates read from the database.
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{day:%Y%m%d} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{day.isoformat()} 00:00+00') TO ('{day + ONE_DAY} 00:00+00')"
            )
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}")  # noqa: S608
        cursor.execute(f"DROP TABLE {OLD}")
        # Built once over the copied readings, and on each partition attached later.
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, time)")
        cursor.execute(f"CREATE INDEX {INDEX} ON {TABLE} (point_id, time DESC)")
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0009_application_tutor"),
    ]

    # The table keeps its columns and its (point, -time) index: Django's state does not change.
    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
