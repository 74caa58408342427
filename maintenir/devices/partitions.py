"""Readings on PostgreSQL: one table partitioned by day of `time`, plus a DEFAULT partition.

A day per partition, because retention drops whole partitions (see `retention`): with
MAINTENIR_READINGS_RAW_DAYS of 31, about 40 partitions live at once, and at most the day that holds
the cutoff is compacted row by row; a month per partition would keep up to a month more of raw
readings, or delete it row by row. Partitions are named `<table>_pYYYYMMDD` and cover that UTC day.

`ensure_partitions` creates the days of the raw window and DAYS_AHEAD days ahead; the migrations end
with it, the poller calls it at start and the periodic compaction every run. A reading of a day
without its partition (a device whose clock is wrong) goes to the DEFAULT partition, never lost: it is
moved into its day's partition when that one is created, or rolled up by the compaction once old.

No pg_partman: its retention drops a partition without rolling it up first, which must happen in the
same transaction, and creating days ahead is the little below; one extension less to install.

SQLite keeps one plain table: every function here does nothing there.
"""

import dataclasses
import datetime
import logging
import re

from django.conf import settings
from django.db import connection, transaction

from maintenir.devices.models import Reading

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)
DAYS_AHEAD = 7
LOCK_TIMEOUT = "10s"
COLUMNS = "id, point_id, time, value, quality"
# Held by whoever creates a partition, so concurrent callers (several pollers, the periodic task)
# neither both create it nor race the move out of the DEFAULT partition.
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('maintenir: partitions of the readings'))"


@dataclasses.dataclass
class PartitionReport:
    created: list[str] = dataclasses.field(default_factory=list)
    moved: int = 0  # readings moved out of the DEFAULT partition into the partitions created
    in_default: int = 0  # readings left in the DEFAULT partition: of days without a partition


def partitioned() -> bool:
    """Whether the readings' table is partitioned (PostgreSQL, once migrated)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [connection.ops.quote_name(table())])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def table() -> str:
    return Reading._meta.db_table


def default_partition() -> str:
    return f"{table()}_default"


def partition_name(day: datetime.date) -> str:
    return f"{table()}_p{day:%Y%m%d}"


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)


def day_partitions() -> dict[datetime.date, str]:
    """The partitions attached to the readings' table, by the UTC day each covers (not the DEFAULT one)."""
    pattern = re.compile(re.escape(table()) + r"_p(\d{8})")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class AS child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = %s::regclass",
            [connection.ops.quote_name(table())],
        )
        names = [name for (name,) in cursor.fetchall()]
    return {
        datetime.datetime.strptime(match[1], "%Y%m%d").date(): name
        for name in names
        if (match := pattern.fullmatch(name))
    }


def ensure_partitions(now: datetime.datetime) -> PartitionReport:
    """Create the missing day partitions from the oldest raw day to DAYS_AHEAD days after `now`.

    Idempotent, and safe with concurrent callers."""
    report = PartitionReport()
    if not partitioned():
        return report
    first = (now - datetime.timedelta(days=settings.MAINTENIR_READINGS_RAW_DAYS)).astimezone(datetime.UTC).date()
    last = now.astimezone(datetime.UTC).date() + datetime.timedelta(days=DAYS_AHEAD)
    existing = day_partitions()
    day = first
    while day <= last:
        if day not in existing:
            moved = create_partition(day)
            if moved is not None:
                report.created.append(partition_name(day))
                report.moved += moved
        day += DAY
    report.in_default = readings_in_default()
    if report.in_default:
        logger.warning(
            "%d readings are in %s: their day has no partition (a device's clock may be wrong)",
            report.in_default,
            default_partition(),
        )
    return report


@transaction.atomic
def create_partition(day: datetime.date) -> int | None:
    """Create and attach the partition of `day`, with the readings of that day the DEFAULT partition
    held; how many it moved, None if another caller created it first.

    Created apart then attached: ATTACH locks the parent table less than CREATE … PARTITION OF
    (ingestion and charts go on), and a new partition's range may not be in the DEFAULT one's rows."""
    quote = connection.ops.quote_name
    name, parent, default = quote(partition_name(day)), quote(table()), quote(default_partition())
    start, end = day_start(day), day_start(day + DAY)
    with connection.cursor() as cursor:
        cursor.execute(LOCK_SQL)
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return None
        cursor.execute(f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE time >= %s AND time < %s RETURNING {COLUMNS}) "  # noqa: S608
            f"INSERT INTO {name} ({COLUMNS}) SELECT {COLUMNS} FROM moved",
            [start, end],
        )
        moved = cursor.rowcount
        # Bounds written as literals: DDL takes no parameters; both are datetimes made here.
        cursor.execute(
            f"ALTER TABLE {parent} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    return moved


def readings_in_default() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(default_partition())}")  # noqa: S608
        return int(cursor.fetchone()[0])


def detach_and_drop(name: str) -> None:
    """Detach then drop a partition, within the caller's transaction. The detach waits at most
    LOCK_TIMEOUT for the running queries on the readings (then fails, and the caller's transaction
    with it): a late reading waiting for this very partition would otherwise wait on us forever."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"ALTER TABLE {quote(table())} DETACH PARTITION {quote(name)}")
        cursor.execute(f"DROP TABLE {quote(name)}")
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")
