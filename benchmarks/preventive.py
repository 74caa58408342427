"""Preventive generator at scale: N triggers over 20 000 equipment, against a raw insert of the same rows.

Run with `maintenir bench preventive [--triggers N] [--database URL] [--json]`. The baseline writes
exactly the rows the generator wrote (orders, checklists, origins, transitions, change log,
schedule states) with the database's fastest raw path (executemany on SQLite, COPY on PostgreSQL)
into the same tables, in the same database, in the same run.
"""

import datetime
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from maintenir.assets.choices import CounterKind
from maintenir.assets.models import Counter, CounterReading, Equipment, EquipmentType, Site
from maintenir.core.models import ObjectChange, Organisation
from maintenir.preventive.choices import IntervalUnit, PlanStatus, TriggerKind
from maintenir.preventive.models import (
    Gamme,
    GammeStep,
    GammeVersion,
    MaintenancePlan,
    PreventiveOrder,
    Trigger,
    TriggerState,
)
from maintenir.preventive.services import generate
from maintenir.workorders.models import ChecklistStep, WorkOrder, WorkOrderTransition

EQUIPMENT = 20_000
SITES = 20
BATCH = 5_000
# Tables the generator writes, in foreign-key order for the baseline's inserts.
WRITTEN_MODELS = [WorkOrder, ChecklistStep, PreventiveOrder, WorkOrderTransition, ObjectChange, TriggerState]


def build(triggers: int, today: datetime.date) -> None:
    """Equipment with hour meters, one gamme of three steps, and `triggers` triggers all due today."""
    organisation = Organisation.objects.create(name="Bench", code="bench")
    sites = Site.objects.bulk_create(
        [Site(organisation=organisation, code=f"bench-{n}", name=f"Bench site {n}") for n in range(SITES)]
    )
    machine = EquipmentType.objects.create(name="Bench machine")
    equipment = Equipment.objects.bulk_create(
        [
            Equipment(site=sites[n % SITES], code=f"EQ-{n:05d}", name=f"Machine {n}", equipment_type=machine)
            for n in range(min(EQUIPMENT, triggers))
        ],
        batch_size=BATCH,
    )
    counters = Counter.objects.bulk_create(
        [Counter(equipment=item, kind=CounterKind.RUNNING_HOURS) for item in equipment], batch_size=BATCH
    )
    read_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(6)))
    CounterReading.objects.bulk_create(
        [CounterReading(counter=counter, value=Decimal(10_000), read_at=read_at) for counter in counters],
        batch_size=BATCH,
    )
    gamme = Gamme.objects.create(code="bench", name="Visite préventive")
    version = GammeVersion.objects.create(gamme=gamme, number=1)
    GammeStep.objects.bulk_create(
        [
            GammeStep(version=version, position=1, instruction="Consigner la machine", level=2, duration_minutes=10),
            GammeStep(
                version=version,
                position=2,
                instruction="Mesurer la pression",
                unit="bar",
                expected_min=Decimal(5),
                expected_max=Decimal(7),
            ),
            GammeStep(version=version, position=3, instruction="Graisser les guides", level=1, duration_minutes=20),
        ]
    )
    plans = MaintenancePlan.objects.bulk_create(
        [MaintenancePlan(site=site, name=f"Plan {site.code}", status=PlanStatus.ACTIVE) for site in sites]
    )
    kinds = [TriggerKind.CALENDAR, TriggerKind.COUNTER, TriggerKind.WHICHEVER_FIRST]
    rows = []
    for n in range(triggers):
        item = equipment[n % len(equipment)]
        kind = kinds[n % len(kinds)]
        rows.append(
            Trigger(
                plan=plans[n % len(equipment) % SITES],
                gamme=gamme,
                equipment=item,
                kind=kind,
                interval=1 + n % 12,
                interval_unit=IntervalUnit.MONTH,
                start_date=today,
                tolerance_days=7,
                counter_kind=CounterKind.RUNNING_HOURS if kind != TriggerKind.CALENDAR else "",
                counter_interval=Decimal(500) if kind != TriggerKind.CALENDAR else None,
            )
        )
    Trigger.objects.bulk_create(rows, batch_size=BATCH)
    # Counter series start 500 h back, so counter triggers are due now.
    TriggerState.objects.bulk_create(
        [
            TriggerState(trigger=trigger, equipment=trigger.equipment, anchor_date=today, next_counter=10_000)
            for trigger in rows
            if trigger.kind != TriggerKind.CALENDAR
        ],
        batch_size=BATCH,
    )


def _rows_written(model: type[Any], since: dict[str, int]) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns = [field.column for field in model._meta.concrete_fields]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table} WHERE id > %s",  # noqa: S608
            [since[model._meta.label]],
        )
        return columns, cursor.fetchall()


def _max_ids() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in WRITTEN_MODELS
    }


def baseline(written: list[tuple[type[Any], list[str], list[tuple[Any, ...]]]]) -> float:
    """Seconds to insert the same rows by the database's fastest raw path and commit, as the generator did:
    executemany on SQLite, COPY on PostgreSQL.

    The generator's rows are deleted first (not timed) and written back identical, so the
    database ends as the generator left it.
    """
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model, _, rows in reversed(written):
            if rows:
                cursor.execute(
                    f"DELETE FROM {quote(model._meta.db_table)} WHERE id >= %s",  # noqa: S608
                    [min(row[0] for row in rows)],
                )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for model, columns, rows in written:
            table = quote(model._meta.db_table)
            names = ", ".join(quote(column) for column in columns)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([Jsonb(value) if isinstance(value, dict | list) else value for value in row])
                continue
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
    return time.perf_counter() - started


def run(triggers: int) -> dict[str, Any]:
    today = timezone.localdate()
    started = time.perf_counter()
    build(triggers, today)
    build_seconds = time.perf_counter() - started
    since = _max_ids()
    # States of counter triggers exist before the run (the generator updates them, and creates the
    # others): the baseline writes every state row in its final form.
    since[TriggerState._meta.label] = 0

    started = time.perf_counter()
    report = generate(until=today)
    generator_seconds = time.perf_counter() - started

    written = [(model, *_rows_written(model, since)) for model in WRITTEN_MODELS]
    rows = sum(len(model_rows) for _, _, model_rows in written)
    baseline_seconds = baseline(written)
    second = generate(until=today)
    return {
        "database": connection.vendor,
        "triggers": triggers,
        "equipment": min(EQUIPMENT, triggers),
        "build_seconds": round(build_seconds, 2),
        "orders_created": len(report.orders),
        "rows_written": rows,
        "generator_seconds": round(generator_seconds, 3),
        "generator_rows_per_second": round(rows / generator_seconds),
        "baseline_seconds": round(baseline_seconds, 3),
        "baseline_rows_per_second": round(rows / baseline_seconds),
        "ratio": round(baseline_seconds / generator_seconds, 3),
        "second_run_orders": len(second.orders),
    }
