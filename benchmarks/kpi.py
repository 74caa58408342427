"""Reliability KPIs over many work orders, against pandas.

Run with `maintenir bench kpi [--orders N] [--database URL] [--json]`. N work orders (default one
million) over one year go to up to 50 000 equipment on SITES sites: six in ten are corrective,
five of those six with its failure downtime (at random hours, so some stops of an equipment overlap)
and the sixth without a stop, half of those with a failure mode coded (a failure) and half without (a
corrective order that is not a failure), three in ten preventive with a shorter stop, one in ten
improvement work; a quarter of the orders have
hours booked and a tenth a part. Timed: the KPIs of every equipment (`kpis(..., GroupBy.EQUIPMENT)`)
and the totals of one site (the median of SITE_RUNS runs), as the pages and the API compute them.
The reference, measured in the same run, loads the downtime and corrective order rows into pandas,
picks the failures among them (a failure mode coded or a downtime caused by a failure) and computes
MTBF and MTTR per equipment (the same union of downtime intervals); its loading and its
computation are reported apart, and the two results are compared equipment by equipment.

Then the monthly figures: the time to compute them all from the rows (`monthly.refresh`, what a
bulk load or the migration does), and, over the same year in the local time zone (whole months), the
KPIs of every equipment, of everything and of one site read from them against the same computed
from the rows (`direct=True`), with the number of equipment whose figures differ.
"""

import datetime
import math
import random
import statistics
import time
from typing import Any

import pandas as pd
from django.db import connection, transaction

from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core import bulk
from maintenir.core.models import Organisation, User
from maintenir.reliability import monthly
from maintenir.reliability.choices import GroupBy
from maintenir.reliability.services import Figures, Period, kpis, totals
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import Downtime, FailureMode, PartUsage, TimeEntry, WorkOrder

MAX_EQUIPMENT = 50_000
ORDERS_PER_EQUIPMENT = 20
SITES = 50
SITE_RUNS = 5
CHUNK = 100_000
YEAR = Period(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
LOCAL_YEAR = Period.of_days(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
HOURS = 365 * 24


def build(orders: int) -> list[int]:
    """The sites, equipment and orders; returns the ids of the sites."""
    rng = random.Random(7)  # noqa: S311 -- reproducible bench data, not a secret
    organisation = Organisation.objects.create(name="Bench", code="bench")
    sites = Site.objects.bulk_create(
        Site(organisation=organisation, code=f"s{n}", name=f"Site {n}") for n in range(SITES)
    )
    machine = EquipmentType.objects.create(name="Machine")
    mode = FailureMode.objects.create(code="bench-wear", name="Wear")
    count = max(1, min(MAX_EQUIPMENT, orders // ORDERS_PER_EQUIPMENT))
    equipment_ids = bulk.reserve_ids(Equipment, count)
    with transaction.atomic():
        bulk.insert(
            Equipment,
            [
                {
                    "id": pk,
                    "site_id": sites[n % SITES].pk,
                    "code": f"EQ{n}",
                    "name": f"Machine {n}",
                    "equipment_type_id": machine.pk,
                }
                for n, pk in enumerate(equipment_ids)
            ],
        )
    technician = User.objects.create(username="bench-technician")
    hour = [YEAR.start + datetime.timedelta(hours=n) for n in range(HOURS + 24)]
    site_of = {pk: sites[n % SITES].pk for n, pk in enumerate(equipment_ids)}
    for first in range(0, orders, CHUNK):
        size = min(CHUNK, orders - first)
        ids = bulk.reserve_ids(WorkOrder, size)
        rows, downtimes, entries, parts = [], [], [], []
        for n, pk in enumerate(ids, start=first):
            equipment = equipment_ids[n % count]
            # Each equipment's successive orders go through the kinds in turn.
            kind = (n // count) % 10
            start = rng.randrange(HOURS)
            work_type = (
                WorkOrderType.CORRECTIVE
                if kind < 6
                else WorkOrderType.PREVENTIVE_SYSTEMATIC
                if kind < 9
                else WorkOrderType.IMPROVEMENT
            )
            rows.append(
                {
                    "id": pk,
                    "site_id": site_of[equipment],
                    "equipment_id": equipment,
                    "work_type": work_type,
                    "title": "Bench",
                    "status": WorkOrderStatus.CLOSED if n % 50 else WorkOrderStatus.PLANNED,
                    "estimated_hours": 2,
                    "created": hour[start],
                    "due_date": hour[start].date(),
                    "completed_at": hour[start + rng.randrange(24)],
                    # Of the stops without a downtime, every other round has its failure coded.
                    "failure_mode_id": mode.pk if kind < 5 or (kind == 5 and n // (10 * count) % 2 == 0) else None,
                }
            )
            if kind < 9 and kind != 5:
                length = rng.randrange(1, 9) if kind < 6 else rng.randrange(1, 3)
                downtimes.append(
                    {
                        "equipment_id": equipment,
                        "work_order_id": pk,
                        "cause": DowntimeCause.FAILURE if kind < 6 else DowntimeCause.PREVENTIVE,
                        "started_at": hour[start],
                        "ended_at": hour[start + length],
                    }
                )
            if n % 4 == 0:
                entries.append(
                    {"work_order_id": pk, "technician_id": technician.pk, "date": hour[start].date(), "hours": 1.5}
                )
            if n % 10 == 0:
                parts.append(
                    {
                        "work_order_id": pk,
                        "description": "Bearing",
                        "quantity": 1,
                        "unit_cost": 42,
                        "created": hour[start],
                    }
                )
        with transaction.atomic():
            bulk.insert(WorkOrder, rows)
            bulk.insert(Downtime, downtimes)
            bulk.insert(TimeEntry, entries)
            bulk.insert(PartUsage, parts)
    # As autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would after a load of this size: the
    # planner needs the tables' statistics to choose the equipment indexes, and PostgreSQL reads a
    # covering index alone only once vacuum has marked the freshly written pages all-visible.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return [site.pk for site in sites]


def reference() -> tuple[float, float, pd.DataFrame]:
    """Seconds to load the downtime and failure rows into pandas, seconds to compute MTBF and MTTR
    per equipment from them, and the result."""
    started = time.perf_counter()
    downtime_rows = Downtime.objects.filter(started_at__lt=YEAR.end, ended_at__gt=YEAR.start).values_list(
        "equipment_id", "cause", "started_at", "ended_at", "pk", "work_order_id"
    )
    down = pd.DataFrame.from_records(
        list(downtime_rows), columns=["equipment", "cause", "start", "end", "pk", "work_order"]
    )
    corrective_rows = (
        WorkOrder.objects.filter(work_type=WorkOrderType.CORRECTIVE, created__gte=YEAR.start, created__lt=YEAR.end)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .values_list("pk", "equipment_id", "failure_mode_id")
    )
    corrective = pd.DataFrame.from_records(list(corrective_rows), columns=["pk", "equipment", "mode"])
    equipment = pd.Index(list(Equipment.objects.values_list("pk", flat=True)), name="equipment")
    loaded = time.perf_counter()
    # A failure: a failure mode coded, or a stop caused by a failure (EN 13306).
    stopped = corrective["pk"].isin(down.loc[down["cause"] == DowntimeCause.FAILURE, "work_order"])
    failed = corrective[corrective["mode"].notna() | stopped]
    down = down.assign(start=down["start"].clip(lower=YEAR.start), end=down["end"].clip(upper=YEAR.end)).sort_values(
        ["equipment", "start", "pk"]
    )
    covered = down.groupby("equipment")["end"].cummax().groupby(down["equipment"]).shift()
    begin = down["start"].where(covered.isna() | (down["start"] > covered), covered)
    down["hours"] = ((down["end"] - begin).dt.total_seconds() / 3600).clip(lower=0)
    per = pd.DataFrame(index=equipment)
    per["downtime"] = down.groupby("equipment")["hours"].sum().reindex(equipment, fill_value=0.0)
    per["repair"] = (
        down[down["cause"] == DowntimeCause.FAILURE]
        .groupby("equipment")["hours"]
        .sum()
        .reindex(equipment, fill_value=0.0)
    )
    per["failures"] = failed.groupby("equipment").size().reindex(equipment, fill_value=0)
    has_failed = per["failures"] > 0
    per["mtbf"] = ((YEAR.hours - per["downtime"]) / per["failures"]).where(has_failed)
    per["mttr"] = (per["repair"] / per["failures"]).where(has_failed)
    done = time.perf_counter()
    return loaded - started, done - loaded, per


def _agree(mine: float | None, theirs: float) -> bool:
    if mine is None:
        return math.isnan(theirs)
    return math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-6)


def run(orders: int) -> dict[str, Any]:
    started = time.perf_counter()
    site_ids = build(orders)
    build_seconds = time.perf_counter() - started

    load_seconds, compute_seconds, expected = reference()
    reference_seconds = load_seconds + compute_seconds
    started = time.perf_counter()
    rows = kpis(Equipment.objects.all(), YEAR, GroupBy.EQUIPMENT, now=YEAR.end)
    all_seconds = time.perf_counter() - started
    site_timings = []
    # A site's page is opened again and again: the median of a few computations.
    for _ in range(SITE_RUNS):
        started = time.perf_counter()
        site = totals(Equipment.objects.filter(site_id=site_ids[0]), YEAR, now=YEAR.end)
        site_timings.append(time.perf_counter() - started)
    site_seconds = statistics.median(site_timings)

    disagreements = sum(
        1
        for row in rows
        if not (
            row.failures == expected.at[row.key, "failures"]
            and _agree(row.mtbf, expected.at[row.key, "mtbf"])
            and _agree(row.mttr, expected.at[row.key, "mttr"])
        )
    )
    base = {
        "database": connection.vendor,
        "orders": orders,
        "equipment": len(rows),
        "downtimes": Downtime.objects.count(),
        "build_seconds": round(build_seconds, 2),
        "kpi_all_equipment_ms": round(all_seconds * 1000, 1),
        "reference_load_ms": round(load_seconds * 1000, 1),
        "reference_compute_ms": round(compute_seconds * 1000, 1),
        "reference_ms": round(reference_seconds * 1000, 1),
        "ratio_to_reference": round(all_seconds / reference_seconds, 2) if reference_seconds else None,
        "ratio_to_reference_compute": round(all_seconds / compute_seconds, 1) if compute_seconds else None,
        "kpi_one_site_ms": round(site_seconds * 1000, 1),
        "site_equipment": site.equipment,
        "site_failures": site.failures,
        "equipment_disagreeing_with_reference": disagreements,
    }
    return {**base, **monthly_figures(site_ids[0])}


def _timed(compute: Any) -> tuple[float, Any]:
    """The median of SITE_RUNS runs, in milliseconds, and the result."""
    timings = []
    for _ in range(SITE_RUNS):
        started = time.perf_counter()
        result = compute()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 1), result


def _same(mine: Figures, theirs: Figures) -> bool:
    ours, other = mine.as_dict(), theirs.as_dict()
    return all(
        _agree(ours[name], other[name] if other[name] is not None else math.nan)
        if isinstance(other[name], float | int) or other[name] is None
        else ours[name] == other[name]
        for name in other
        if name != "downtime"
    ) and all(_agree(ours["downtime"][cause], hours) for cause, hours in other["downtime"].items())


def monthly_figures(site_id: int) -> dict[str, Any]:
    started = time.perf_counter()
    with transaction.atomic():
        monthly.refresh()
    refresh_seconds = time.perf_counter() - started
    everything, site = Equipment.objects.all(), Equipment.objects.filter(site_id=site_id)
    now = LOCAL_YEAR.end
    timings: dict[str, float] = {}
    differing = 0
    for name, compute in (
        ("all_by_equipment", lambda direct: kpis(everything, LOCAL_YEAR, GroupBy.EQUIPMENT, now, direct)),
        ("all_totals", lambda direct: [totals(everything, LOCAL_YEAR, now, direct)]),
        ("one_site_totals", lambda direct: [totals(site, LOCAL_YEAR, now, direct)]),
    ):
        timings[f"monthly_{name}_ms"], read = _timed(lambda compute=compute: compute(False))
        timings[f"direct_{name}_ms"], computed = _timed(lambda compute=compute: compute(True))
        by_key = {row.key: row for row in computed}
        differing += sum(1 for row in read if not _same(row, by_key[row.key]))
    return {
        "monthly_rows": monthly.MonthlyFigures.objects.count(),
        "monthly_refresh_seconds": round(refresh_seconds, 2),
        **timings,
        "monthly_groups_differing_from_direct": differing,
    }
