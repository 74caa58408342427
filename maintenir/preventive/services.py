"""Preventive maintenance: gamme versions, plan transitions, and the generator of due work orders.

The generator works set by set, not object by object: it loads every schedule state with its
trigger's rule in a few queries, asks `rules` what falls due, and writes the orders, their
checklists, their origins, transitions and change-log rows with bulk inserts, in one transaction.
"""

import contextlib
import datetime
import gc
import math
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.models import CounterReading, Equipment
from maintenir.core import bulk, formats
from maintenir.core.changelog import record_created_rows
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import (
    TransitionError,
    check_model_permission,
    check_permission,
    clean_row,
    save_restricted,
)
from maintenir.devices.models import Reading, ReadingRollup
from maintenir.preventive import rules
from maintenir.preventive.choices import (
    CALENDAR_KINDS,
    COUNTER_KINDS,
    MEASUREMENT_KINDS,
    SYSTEMATIC_KINDS,
    ConditionOperator,
    PlanStatus,
    TriggerKind,
)
from maintenir.preventive.models import (
    Gamme,
    GammePart,
    GammeStep,
    GammeStepRequirement,
    GammeVersion,
    MaintenancePlan,
    PreventiveOrder,
    Trigger,
    TriggerState,
)
from maintenir.stores.models import Part
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import ChecklistStep, WorkOrder, WorkOrderRequirement, WorkOrderTransition
from maintenir.workorders.signals import rows_written_in_bulk

# Generated orders are planned for the start of the working day, local time.
WORKDAY_START = datetime.time(8, 0)
# Ids per IN (…) list, well under SQLite's limit on query parameters.
QUERY_BATCH = 2000
CLOSED_STATUSES = frozenset({WorkOrderStatus.DONE, WorkOrderStatus.CLOSED, WorkOrderStatus.CANCELLED})
STEP_FIELDS = (
    "position",
    "instruction",
    "level",
    "duration_minutes",
    "technology",
    "safety_notes",
    "unit",
    "expected_min",
    "expected_max",
)
REQUIREMENT_FIELDS = ("skill_id", "min_level", "habilitation_type_id", "ccp_id")


# Gammes ---------------------------------------------------------------------------------------


@transaction.atomic
def publish_gamme(
    user: User,
    gamme: Gamme,
    steps: Sequence[dict[str, Any]],
    note: str = "",
    parts: Sequence[dict[str, Any]] | None = None,
) -> GammeVersion:
    """Save the gamme and publish its steps as a new version; orders already generated keep theirs.

    Steps are dicts of GammeStep fields, numbered in the given order; `parts` are dicts of GammePart
    fields (part, quantity, note), or None to keep the previous version's expected parts. A bad row raises
    a ValidationError naming it ("steps.2.expected_max", "parts.1.quantity") and nothing is written.
    """
    save_restricted(user, gamme)
    latest = gamme.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = GammeVersion(gamme=gamme, number=latest + 1, note=note, created_by=user)
    save_restricted(user, version)
    rows = []
    for position, fields in enumerate(steps, start=1):
        step = GammeStep(version=version, **{**fields, "position": position})
        clean_row(step, "steps", position, exclude=["version"])
        rows.append(step)
    GammeStep.objects.bulk_create(rows)
    _carry_requirements(version, rows)
    if parts is None:
        parts = version_parts(gamme.versions.filter(number=latest).first()) if latest else []
    _write_parts(user, version, parts)
    return version


def _write_parts(user: User, version: GammeVersion, parts: Sequence[dict[str, Any]]) -> None:
    rows: list[GammePart] = []
    for row, fields in enumerate(parts, start=1):
        expected = GammePart(version=version, **fields)
        clean_row(expected, "parts", row, exclude=["version"])
        if not Part.objects.restrict(user).filter(pk=expected.part_id).exists():
            raise ValidationError({f"parts.{row}.part": _("No such part.")})
        if any(other.part_id == expected.part_id for other in rows):
            raise ValidationError({f"parts.{row}.part": _("This part is already expected: give its total quantity.")})
        rows.append(expected)
    GammePart.objects.bulk_create(rows)


def version_parts(version: GammeVersion | None) -> list[dict[str, Any]]:
    """The expected parts of a version, as `publish_gamme` takes them."""
    if version is None:
        return []
    return [
        {"part": expected.part, "quantity": expected.quantity, "note": expected.note}
        for expected in version.parts.select_related("part")
    ]


@transaction.atomic
def set_gamme_parts(user: User, gamme: Gamme, parts: Sequence[dict[str, Any]], note: str = "") -> GammeVersion:
    """Publish a new version of the gamme with the same steps and these expected parts."""
    version = current_version(gamme)
    steps = [
        {name: value for name, value in step.items() if name != "position"}
        for step in (version_steps(version) if version else [])
    ]
    return publish_gamme(user, gamme, steps, note, parts)


def _carry_requirements(version: GammeVersion, steps: list[GammeStep]) -> None:
    """Give the new version's steps the requirements of the previous version's same step: the one with the
    same instruction, else the one at the same position (a safety requirement is never dropped silently)."""
    previous = GammeStepRequirement.objects.filter(
        step__version__gamme_id=version.gamme_id, step__version__number=version.number - 1
    ).select_related("step")
    if not previous:
        return
    by_instruction = {step.instruction: step for step in steps}
    by_position = {step.position: step for step in steps}
    copies = []
    for requirement in previous:
        step = by_instruction.get(requirement.step.instruction) or by_position.get(requirement.step.position)
        if step is not None:
            copies.append(
                GammeStepRequirement(
                    step=step,
                    skill_id=requirement.skill_id,
                    min_level=requirement.min_level,
                    habilitation_type_id=requirement.habilitation_type_id,
                    ccp_id=requirement.ccp_id,
                )
            )
    GammeStepRequirement.objects.bulk_create(copies)


@transaction.atomic
def add_gamme_part(user: User, gamme: Gamme, part: Part, quantity: Decimal, note: str = "") -> GammeVersion:
    """Expect `quantity` of the part (replacing what was expected of it) in a new version of the gamme."""
    kept = [row for row in version_parts(current_version(gamme)) if row["part"].pk != part.pk]
    return set_gamme_parts(user, gamme, [*kept, {"part": part, "quantity": quantity, "note": note}])


@transaction.atomic
def remove_gamme_part(user: User, gamme: Gamme, part: Part) -> GammeVersion:
    """A new version of the gamme that no longer expects the part."""
    parts = version_parts(current_version(gamme))
    kept = [row for row in parts if row["part"].pk != part.pk]
    if len(kept) == len(parts):
        raise ValidationError({"part": _("The gamme does not expect %(part)s.") % {"part": part.reference}})
    return set_gamme_parts(user, gamme, kept)


def current_version(gamme: Gamme) -> GammeVersion | None:
    return gamme.versions.order_by("-number").first()


def version_steps(version: GammeVersion) -> list[dict[str, Any]]:
    return list(version.steps.order_by("position").values(*STEP_FIELDS))


# Plans ----------------------------------------------------------------------------------------


PLAN_ALLOWED_FROM = {
    "activate": frozenset({PlanStatus.DRAFT, PlanStatus.SUSPENDED}),
    "suspend": frozenset({PlanStatus.ACTIVE}),
    "archive": frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.SUSPENDED}),
}


def _move_plan(user: User, plan: MaintenancePlan, transition: str, to: str) -> MaintenancePlan:
    check_permission(user, Action.CHANGE, plan)
    if plan.status not in PLAN_ALLOWED_FROM[transition]:
        raise TransitionError(
            {
                "status": _("A plan that is %(status)s cannot become %(to)s.")
                % {"status": plan.get_status_display(), "to": PlanStatus(to).label}
            }
        )
    plan.status = to
    save_restricted(user, plan)
    return plan


@transaction.atomic
def activate_plan(user: User, plan: MaintenancePlan) -> MaintenancePlan:
    """Start generating from the plan (a suspended plan resumes where its series stand)."""
    _move_plan(user, plan, "activate", PlanStatus.ACTIVE)
    _create_missing_states(timezone.localdate(), _live_triggers().filter(plan=plan))
    return plan


@transaction.atomic
def suspend_plan(user: User, plan: MaintenancePlan) -> MaintenancePlan:
    """Stop generating until the plan is activated again; occurrences meanwhile are not generated."""
    return _move_plan(user, plan, "suspend", PlanStatus.SUSPENDED)


@transaction.atomic
def archive_plan(user: User, plan: MaintenancePlan) -> MaintenancePlan:
    """Retire the plan for good; its orders and history stay."""
    return _move_plan(user, plan, "archive", PlanStatus.ARCHIVED)


PLAN_TRANSITIONS = {"activate": activate_plan, "suspend": suspend_plan, "archive": archive_plan}

# Changing one of these restarts the trigger's calendar series.
SCHEDULE_FIELDS = ("kind", "interval", "interval_unit", "anchor", "start_date")


@transaction.atomic
def save_trigger(user: User, trigger: Trigger) -> Trigger:
    """Create or change a trigger; a changed rule takes effect from each equipment's next due date."""
    before = None if trigger._state.adding else Trigger.objects.get(pk=trigger.pk)
    save_restricted(user, trigger)
    if before is not None:
        _follow_rule_change(before, trigger)
    # Scheduled at once, so the forecast shows it before the generator's next run.
    _create_missing_states(timezone.localdate(), _live_triggers().filter(pk=trigger.pk))
    return trigger


def _follow_rule_change(before: Trigger, after: Trigger) -> None:
    """Bring the schedule states in line with a changed trigger; counts of skipped occurrences are kept."""
    states = TriggerState.objects.filter(trigger=after)
    if (before.equipment_id, before.equipment_type_id) != (after.equipment_id, after.equipment_type_id):
        # Other equipment: the generator starts new series; states with an open order wait for it.
        states.filter(open_order__isnull=True).delete()
    if any(getattr(before, name) != getattr(after, name) for name in SCHEDULE_FIELDS):
        new_start = after.start_date if after.start_date != before.start_date else None
        states.update(
            anchor_date=Coalesce(
                Value(new_start, output_field=DateField()),
                F("next_due"),
                Value(timezone.localdate(), output_field=DateField()),
            ),
            occurrence=0,
        )
    if before.counter_kind != after.counter_kind:
        states.update(next_counter=None)
    elif before.counter_interval and after.counter_interval and before.counter_interval != after.counter_interval:
        states.filter(next_counter__isnull=False).update(
            next_counter=F("next_counter") - before.counter_interval + after.counter_interval
        )


# Generator ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriggerRule:
    """A trigger's rules, built once per trigger from its row."""

    kind: str
    gamme_id: int
    title: str
    priority: int
    tolerance_days: int
    counter_kind: str
    point_id: int | None
    calendar: rules.CalendarRule | None
    counter: rules.CounterRule | None
    condition: rules.ConditionRule | None
    limit: float | None
    rising: bool
    horizon: datetime.timedelta
    window: datetime.timedelta

    @property
    def lookback(self) -> datetime.timedelta:
        """How far back readings matter: a condition's holding time, a trend's window."""
        return self.condition.hold if self.condition is not None else self.window

    @property
    def work_type(self) -> str:
        if self.kind in SYSTEMATIC_KINDS:
            return WorkOrderType.PREVENTIVE_SYSTEMATIC
        return WorkOrderType.PREVENTIVE_CONDITIONAL


TRIGGER_FIELDS = (
    "id",
    "kind",
    "gamme_id",
    "gamme__name",
    "priority",
    "tolerance_days",
    "interval",
    "interval_unit",
    "anchor",
    "skip_non_working_days",
    "counter_kind",
    "point_id",
    "counter_interval",
    "lead_percent",
    "operator",
    "threshold",
    "threshold_high",
    "hold_minutes",
    "horizon_days",
    "window_days",
    "start_date",
)


def _rule(row: dict[str, Any]) -> TriggerRule:
    kind = row["kind"]
    calendar = counter = condition = None
    if kind in CALENDAR_KINDS:
        calendar = rules.CalendarRule(
            row["interval"], row["interval_unit"], row["anchor"], row["skip_non_working_days"]
        )
    if kind in COUNTER_KINDS:
        counter = rules.CounterRule(row["counter_interval"], row["lead_percent"])
    if kind == TriggerKind.CONDITION:
        condition = rules.ConditionRule(
            row["operator"], row["threshold"], row["threshold_high"], datetime.timedelta(minutes=row["hold_minutes"])
        )
    return TriggerRule(
        kind=kind,
        gamme_id=row["gamme_id"],
        title=row["gamme__name"],
        priority=row["priority"],
        tolerance_days=row["tolerance_days"],
        counter_kind=row["counter_kind"],
        point_id=row["point_id"],
        calendar=calendar,
        counter=counter,
        condition=condition,
        limit=row["threshold"],
        rising=row["operator"] != ConditionOperator.BELOW,
        horizon=datetime.timedelta(days=row["horizon_days"]),
        window=datetime.timedelta(days=row["window_days"]),
    )


class WatchedPoints:
    """The points some condition or predictive trigger watches. Most readings are of none: knowing them,
    looked up again every few seconds, spares the trigger query for those readings' batches. A trigger
    saved in this process is seen at once; one saved by another process within `ttl` seconds."""

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self.checked_at = -math.inf
        self.points: frozenset[int] = frozenset()

    def get(self) -> frozenset[int]:
        if time.monotonic() - self.checked_at > self.ttl:
            self.points = frozenset(
                Trigger.objects.filter(kind__in=MEASUREMENT_KINDS, point__isnull=False).values_list(
                    "point_id", flat=True
                )
            )
            self.checked_at = time.monotonic()
        return self.points

    def forget(self, **kwargs: Any) -> None:
        self.checked_at = -math.inf


watched_points = WatchedPoints()


def measurement_rules(point_ids: Collection[int]) -> dict[int, TriggerRule]:
    """The rules of the active condition and predictive triggers watching these points, by trigger id."""
    rows = Trigger.objects.filter(
        point_id__in=point_ids, kind__in=MEASUREMENT_KINDS, is_active=True, plan__status=PlanStatus.ACTIVE
    ).values(*TRIGGER_FIELDS)
    return {row["id"]: _rule(row) for row in rows}


@dataclass(frozen=True)
class PlannedOrder:
    """An order the generator creates (or, in a dry run, would create)."""

    state_id: int
    trigger_id: int
    equipment_id: int
    site_id: int
    equipment_code: str
    title: str
    work_type: str
    priority: int
    scheduled_for: datetime.date
    tolerance_end: datetime.date
    forecast_at: datetime.datetime | None
    gamme_version_id: int


@dataclass
class GenerationReport:
    until: datetime.date
    dry_run: bool
    orders: list[PlannedOrder] = field(default_factory=list)
    skipped: int = 0
    completions: int = 0
    # Triggers whose gamme has no published version: nothing can be generated from them.
    without_gamme: set[int] = field(default_factory=set)


class _DryRun(Exception):
    pass


def default_until(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.MAINTENIR_PREVENTIVE_HORIZON_DAYS)


def generate(
    until: datetime.date | None = None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    trigger_ids: Sequence[int] | None = None,
    fresh_readings: Mapping[int, Sequence[rules.Reading]] | None = None,
) -> GenerationReport:
    """Create the work orders that fall due by `until` (default: today + the generation horizon),
    for every live trigger or only those of `trigger_ids`; `fresh_readings` (point id → readings) are
    readings just stored, which condition triggers see whatever their holding time.

    Idempotent: a second run creates nothing new. A dry run computes the same report and writes nothing.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = GenerationReport(until=until or default_until(today), dry_run=dry_run)
    triggers = _live_triggers() if trigger_ids is None else _live_triggers().filter(pk__in=trigger_ids)
    try:
        with _without_cyclic_gc(), transaction.atomic():
            _lock_generator()
            _create_missing_states(today, triggers)
            report.completions = _record_completions(triggers)
            _advance_states(report, today, now, triggers, fresh_readings or {})
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while a run allocates millions of short-lived, acyclic dicts and tuples.

    Its passes over them cost about a tenth of a large run (`maintenir bench preventive`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lock_generator() -> None:
    """One generator at a time (beat, command, API). SQLite already serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('maintenir.preventive.generate'))")


def _live_triggers() -> Any:
    return Trigger.objects.filter(is_active=True, plan__status=PlanStatus.ACTIVE)


def _create_missing_states(today: datetime.date, triggers: Any) -> None:
    """A schedule state per trigger of `triggers` and equipment it covers, started on its first due date."""
    known_state = TriggerState.objects.filter(trigger=OuterRef("pk"), equipment=OuterRef("equipment"))
    missing = triggers.filter(equipment__isnull=False).exclude(Exists(known_state))
    pairs = list(missing.values_list("pk", "equipment_id", "start_date"))
    for trigger in triggers.filter(equipment_type__isnull=False).select_related("plan"):
        covered = Equipment.objects.filter(site_id=trigger.plan.site_id, equipment_type_id=trigger.equipment_type_id)
        if trigger.plan.production_line_id:
            covered = covered.filter(production_line_id=trigger.plan.production_line_id)
        known = TriggerState.objects.filter(trigger=trigger).values("equipment_id")
        pairs += [
            (trigger.pk, pk, trigger.start_date) for pk in covered.exclude(pk__in=known).values_list("pk", flat=True)
        ]
    bulk.insert(
        TriggerState,
        [
            {"trigger_id": trigger_id, "equipment_id": equipment_id, "anchor_date": start or today}
            for trigger_id, equipment_id, start in pairs
        ],
    )


def _counter_value_at(time_field: str | None) -> Subquery:
    """The latest reading of the state's equipment counter of the trigger's kind (up to `time_field`)."""
    readings = CounterReading.objects.filter(
        counter__equipment=OuterRef("equipment"), counter__kind=OuterRef("trigger__counter_kind")
    )
    if time_field:
        readings = readings.filter(read_at__lte=OuterRef(time_field))
    return Subquery(readings.order_by("-read_at").values("value")[:1])


def _record_completions(triggers: Any) -> int:
    """Close the series of states whose open order was done (or cancelled) since the last run."""
    finished = TriggerState.objects.filter(trigger__in=triggers, open_order__status__in=CLOSED_STATUSES).annotate(
        value_at_completion=_counter_value_at("open_order__completed_at")
    )
    rows: list[Mapping[str, Any]] = list(
        finished.values(
            "id",
            "trigger_id",
            "anchor_date",
            "occurrence",
            "next_counter",
            "skipped",
            "last_completed_at",
            "open_order__status",
            "open_order__completed_at",
            "value_at_completion",
        )
    )
    triggers = _trigger_rules({row["trigger_id"] for row in rows})
    updates: list[dict[str, Any]] = []
    completions = 0
    for row in rows:
        rule = triggers[row["trigger_id"]]
        state = _schedule_state(row, has_open_order=True)
        completed_at = row["open_order__completed_at"]
        if row["open_order__status"] == WorkOrderStatus.CANCELLED or completed_at is None:
            state.has_open_order = False
            completed_at = None
        else:
            completions += 1
            rules.complete(
                state, timezone.localdate(completed_at), rule.calendar, rule.counter, row["value_at_completion"]
            )
        updates.append(
            {
                "id": row["id"],
                **_state_fields(state),
                "open_order_id": None,
                "last_completed_at": completed_at or row["last_completed_at"],
            }
        )
    bulk.update(TriggerState, [*STATE_FIELDS, "open_order_id", "last_completed_at"], updates)
    return completions


STATE_FIELDS = ("anchor_date", "occurrence", "next_counter", "skipped")


def _state_fields(state: rules.ScheduleState) -> dict[str, Any]:
    return {
        "anchor_date": state.anchor_date,
        "occurrence": state.occurrence,
        "next_counter": state.next_counter,
        "skipped": state.skipped,
    }


def _trigger_rules(trigger_ids: Iterable[int]) -> dict[int, TriggerRule]:
    ids = list(trigger_ids)
    result: dict[int, TriggerRule] = {}
    for start in range(0, len(ids), QUERY_BATCH):
        for row in Trigger.objects.filter(pk__in=ids[start : start + QUERY_BATCH]).values(*TRIGGER_FIELDS):
            result[row["id"]] = _rule(row)
    return result


def _schedule_state(row: Mapping[str, Any], has_open_order: bool) -> rules.ScheduleState:
    return rules.ScheduleState(
        anchor_date=row["anchor_date"],
        occurrence=row["occurrence"],
        next_counter=row["next_counter"],
        has_open_order=has_open_order,
        skipped=row["skipped"],
    )


def _advance_states(
    report: GenerationReport,
    today: datetime.date,
    now: datetime.datetime,
    triggers: Any,
    fresh_readings: Mapping[int, Sequence[rules.Reading]],
) -> None:
    states = (
        TriggerState.objects.filter(trigger__in=triggers)
        .exclude(equipment__status=EquipmentStatus.OUT_OF_SERVICE)
        .annotate(counter_value=_counter_value_at(None))
        .values(
            "id",
            "trigger_id",
            "equipment_id",
            "equipment__site_id",
            "equipment__code",
            "anchor_date",
            "occurrence",
            "next_counter",
            "open_order_id",
            "skipped",
            "last_completed_at",
            "next_due",
            "forecast_at",
            "counter_value",
        )
        .order_by("id")
    )
    rows: list[Mapping[str, Any]] = list(states)
    triggers = _trigger_rules({row["trigger_id"] for row in rows})
    versions = current_versions({rule.gamme_id for rule in triggers.values()})
    readings = _measurement_readings(rows, triggers, now, fresh_readings)
    changed: list[dict[str, Any]] = []
    for row in rows:
        rule = triggers[row["trigger_id"]]
        state = _schedule_state(row, has_open_order=row["open_order_id"] is not None)
        forecast_at = None
        if rule.kind in SYSTEMATIC_KINDS:
            value = row["counter_value"]
            if rule.counter is not None and state.next_counter is None and value is not None:
                # The first reading starts the counter series: N units from now.
                state.next_counter = value + rule.counter.interval
            occurrence = rules.advance(state, today, report.until, rule.calendar, rule.counter, value)
        else:
            series = readings.get(_measured_source(rule, row["equipment_id"]), [])
            # Readings before the last completion belong to the previous episode.
            since = row["last_completed_at"] or datetime.datetime.min.replace(tzinfo=datetime.UTC)
            occurrence, forecast_at = _measured_occurrence(
                rule, state, [reading for reading in series if reading[0] > since], today, now
            )
        if occurrence is not None:
            if rule.gamme_id not in versions:
                report.without_gamme.add(row["trigger_id"])
                continue
            report.orders.append(_planned_order(row, rule, occurrence, forecast_at, versions[rule.gamme_id]))
        report.skipped += state.skipped - row["skipped"]
        update = {
            "id": row["id"],
            **_state_fields(state),
            "next_due": _next_due(rule, state),
            "forecast_at": forecast_at if rule.kind == TriggerKind.PREDICTIVE else row["forecast_at"],
            "open_order_id": row["open_order_id"],
        }
        if occurrence is not None or any(
            update[name] != row[name] for name in (*STATE_FIELDS, "next_due", "forecast_at")
        ):
            changed.append(update)
    order_ids = dict(zip((order.state_id for order in report.orders), _create_orders(report.orders), strict=True))
    for update in changed:
        update["open_order_id"] = order_ids.get(update["id"], update["open_order_id"])
    bulk.update(TriggerState, [*STATE_FIELDS, "next_due", "forecast_at", "open_order_id"], changed)


def _planned_order(
    row: Mapping[str, Any],
    rule: TriggerRule,
    occurrence: rules.Occurrence,
    forecast_at: datetime.datetime | None,
    version_id: int,
) -> PlannedOrder:
    """The order for one occurrence; a forecast sets its deadline to the day the limit is reached."""
    tolerance_end = occurrence.scheduled_for + datetime.timedelta(days=rule.tolerance_days)
    if forecast_at is not None:
        tolerance_end = max(occurrence.scheduled_for, timezone.localdate(forecast_at))
    return PlannedOrder(
        state_id=row["id"],
        trigger_id=row["trigger_id"],
        equipment_id=row["equipment_id"],
        site_id=row["equipment__site_id"],
        equipment_code=row["equipment__code"],
        title=rule.title,
        work_type=rule.work_type,
        priority=rule.priority,
        scheduled_for=occurrence.scheduled_for,
        tolerance_end=tolerance_end,
        forecast_at=forecast_at,
        gamme_version_id=version_id,
    )


def _measured_occurrence(
    rule: TriggerRule,
    state: rules.ScheduleState,
    series: list[rules.Reading],
    today: datetime.date,
    now: datetime.datetime,
) -> tuple[rules.Occurrence | None, datetime.datetime | None]:
    """Condition: the rule has held long enough. Predictive: the trend reaches the limit within the horizon."""
    if rule.kind == TriggerKind.CONDITION:
        assert rule.condition is not None
        due = not state.has_open_order and rule.condition.is_met(series, now)
        if due:
            state.has_open_order = True
        return (rules.Occurrence(scheduled_for=today) if due else None), None
    if rule.limit is None:
        return None, None
    crossing = rules.forecast_crossing(series, rule.limit, rule.rising)
    if crossing is None or state.has_open_order or crossing > now + rule.horizon:
        return None, crossing
    state.has_open_order = True
    return rules.Occurrence(scheduled_for=today), crossing


def _next_due(rule: TriggerRule, state: rules.ScheduleState) -> datetime.date | None:
    if rule.calendar is None or state.anchor_date is None:
        return None
    return rule.calendar.scheduled(rule.calendar.nominal(state.anchor_date, state.occurrence))


def current_versions(gamme_ids: set[int]) -> dict[int, int]:
    """The id of the latest version of each gamme, by gamme id."""
    versions: dict[int, int] = {}
    for gamme_id, version_id in (
        GammeVersion.objects.filter(gamme_id__in=gamme_ids).order_by("gamme_id", "number").values_list("gamme_id", "id")
    ):
        versions[gamme_id] = version_id
    return versions


def _measured_source(rule: TriggerRule, equipment_id: int) -> tuple[str, int, str]:
    """Where a condition or predictive trigger reads its value: a device point, or the equipment's counter."""
    if rule.point_id is not None:
        return ("point", rule.point_id, "")
    return ("counter", equipment_id, rule.counter_kind)


def _measurement_readings(
    rows: list[Mapping[str, Any]],
    triggers: dict[int, TriggerRule],
    now: datetime.datetime,
    fresh_readings: Mapping[int, Sequence[rules.Reading]],
) -> dict[tuple[str, int, str], list[rules.Reading]]:
    """The readings that feed condition and predictive triggers, by source, oldest first."""
    wanted = {
        _measured_source(triggers[row["trigger_id"]], row["equipment_id"])
        for row in rows
        if triggers[row["trigger_id"]].kind not in SYSTEMATIC_KINDS
    }
    if not wanted:
        return {}
    since = now - max(rule.window for rule in triggers.values() if rule.kind not in SYSTEMATIC_KINDS)
    series: dict[tuple[str, int, str], list[rules.Reading]] = defaultdict(list)
    equipment_ids = sorted({key for source, key, _kind in wanted if source == "counter"})
    for start in range(0, len(equipment_ids), QUERY_BATCH):
        readings = CounterReading.objects.filter(
            counter__equipment_id__in=equipment_ids[start : start + QUERY_BATCH], read_at__gt=since
        ).order_by("read_at")
        for equipment_id, kind, read_at, value in readings.values_list(
            "counter__equipment_id", "counter__kind", "read_at", "value"
        ):
            if ("counter", equipment_id, kind) in wanted:
                series[("counter", equipment_id, kind)].append((read_at, float(value)))
    lookback: dict[int, datetime.timedelta] = {}
    for rule in triggers.values():
        if rule.point_id is not None and rule.kind not in SYSTEMATIC_KINDS:
            lookback[rule.point_id] = max(lookback.get(rule.point_id, datetime.timedelta(0)), rule.lookback)
    point_ids = sorted({key for source, key, _kind in wanted if source == "point"})
    # A failed read (no value) says nothing about the equipment's state; an out-of-range one does.
    valued = Reading.objects.filter(value__isnull=False)
    for start in range(0, len(point_ids), QUERY_BATCH):
        chunk = point_ids[start : start + QUERY_BATCH]
        oldest = now - max(lookback[point_id] for point_id in chunk)
        # Hours whose readings were compacted (devices.retention) count by their mean, at mid-hour;
        # they are older than the raw readings left.
        compacted = ReadingRollup.objects.filter(point_id__in=chunk, start__gt=oldest, mean__isnull=False)
        for point_id, period_start, seconds, mean in compacted.order_by("start").values_list(
            "point_id", "start", "seconds", "mean"
        ):
            measured_at = period_start + datetime.timedelta(seconds=seconds / 2)
            if measured_at > now - lookback[point_id]:
                series[("point", point_id, "")].append((measured_at, float(mean or 0)))
        recent = valued.filter(point_id__in=chunk, time__gt=oldest).order_by("time")
        for point_id, measured_at, measured in recent.values_list("point_id", "time", "value"):
            if measured_at > now - lookback[point_id]:
                series[("point", point_id, "")].append((measured_at, float(measured or 0)))
    for point_id in point_ids:
        # The last reading before the lookback tells whether a condition already held when it began.
        before = (
            valued.filter(point_id=point_id, time__lte=now - lookback[point_id])
            .order_by("-time")
            .values_list("time", "value")
            .first()
        )
        if before is not None:
            series[("point", point_id, "")].insert(0, (before[0], float(before[1] or 0)))
        if point_id in fresh_readings:
            key = ("point", point_id, "")
            series[key] = sorted(set(series[key]) | set(fresh_readings[point_id]))
    return series


def _create_orders(planned: list[PlannedOrder]) -> list[int]:
    """Write the orders with their checklists, origins, first transition and change-log rows."""
    if not planned:
        return []
    steps_by_version: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for step in (
        GammeStep.objects.filter(version_id__in={order.gamme_version_id for order in planned})
        .order_by("version_id", "position")
        .values("version_id", *STEP_FIELDS)
    ):
        steps_by_version[step.pop("version_id")].append(step)
    requirements_by_version: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for version_id, position, *values in (
        GammeStepRequirement.objects.filter(step__version_id__in=steps_by_version)
        .order_by("step__position", "pk")
        .values_list("step__version_id", "step__position", *REQUIREMENT_FIELDS)
    ):
        requirements_by_version[version_id].append((position, dict(zip(REQUIREMENT_FIELDS, values, strict=True))))
    hours = {
        version_id: (Decimal(sum(step["duration_minutes"] for step in steps)) / 60).quantize(Decimal("0.01"))
        for version_id, steps in steps_by_version.items()
    }
    orders = bulk.with_ids(
        WorkOrder,
        (
            {
                "site_id": order.site_id,
                "equipment_id": order.equipment_id,
                "work_type": order.work_type,
                "title": order.title,
                "description": _forecast_note(order.forecast_at),
                "priority": order.priority,
                "status": WorkOrderStatus.APPROVED,
                "due_date": order.tolerance_end,
                "planned_start": timezone.make_aware(datetime.datetime.combine(order.scheduled_for, WORKDAY_START)),
                "estimated_hours": hours.get(order.gamme_version_id, Decimal(0)),
            }
            for order in planned
        ),
    )
    checklist = bulk.with_ids(
        ChecklistStep,
        (
            {
                "work_order_id": work_order["id"],
                "position": step["position"],
                "instruction": step["instruction"],
                "level": step["level"],
                "safety_notes": step["safety_notes"],
                "unit": step["unit"],
                "requires_measurement": bool(step["unit"]),
                "expected_min": step["expected_min"],
                "expected_max": step["expected_max"],
            }
            for work_order, order in zip(orders, planned, strict=True)
            for step in steps_by_version[order.gamme_version_id]
        ),
    )
    requirements = bulk.with_ids(
        WorkOrderRequirement,
        (
            {
                "work_order_id": work_order["id"],
                "source": _("gamme step %(position)s") % {"position": position},
                **requirement,
            }
            for work_order, order in zip(orders, planned, strict=True)
            for position, requirement in requirements_by_version[order.gamme_version_id]
        ),
    )
    bulk.insert(WorkOrder, orders)
    rows_written_in_bulk.send(
        WorkOrder, equipment_ids={order["equipment_id"] for order in orders if order["equipment_id"]}
    )
    bulk.insert(ChecklistStep, checklist)
    bulk.insert(WorkOrderRequirement, requirements)
    bulk.insert(
        PreventiveOrder,
        [
            {
                "work_order_id": work_order["id"],
                "trigger_id": order.trigger_id,
                "gamme_version_id": order.gamme_version_id,
                "scheduled_for": order.scheduled_for,
                "tolerance_end": order.tolerance_end,
                "forecast_at": order.forecast_at,
            }
            for work_order, order in zip(orders, planned, strict=True)
        ],
    )
    note = _("Generated by the maintenance plan.")
    bulk.insert(
        WorkOrderTransition,
        [
            {"work_order_id": work_order["id"], "from_status": "", "to_status": WorkOrderStatus.APPROVED, "note": note}
            for work_order in orders
        ],
    )
    record_created_rows(WorkOrder, orders)
    # The requirements copied from the gamme are not logged one by one: they name their gamme step.
    record_created_rows(ChecklistStep, checklist)
    return [order["id"] for order in orders]


def _forecast_note(forecast_at: datetime.datetime | None) -> str:
    if forecast_at is None:
        return ""
    return _("The trend of the measured value reaches its limit around %(date)s.") % {
        "date": formats.moment(forecast_at)
    }


def check_may_generate(user: User) -> None:
    """Running the generator by hand is a manager's decision."""
    check_model_permission(user, Action.ADD, MaintenancePlan)


# Forecast -------------------------------------------------------------------------------------

OPEN_STATUSES = (
    WorkOrderStatus.REQUESTED,
    WorkOrderStatus.APPROVED,
    WorkOrderStatus.PLANNED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.ON_HOLD,
)
# Counter usage is estimated from the readings of this period.
USAGE_WINDOW = datetime.timedelta(days=90)
NO_TECHNOLOGY = ""


@dataclass(frozen=True)
class DueDate:
    """When a trigger next falls due on one equipment."""

    state_id: int
    trigger_id: int
    equipment_id: int
    equipment_code: str
    site_id: int
    gamme: str
    kind: str
    date: datetime.date | None
    # For counter triggers: the counter value it falls due at, and whether the date is estimated from usage.
    counter_value: Decimal | None
    estimated: bool
    open_order_id: int | None


@dataclass
class Forecast:
    """The planned preventive load, in hours, per week, site and technology."""

    weeks: list[datetime.date]
    # (site id, technology) → hours per week, in the order of `weeks`.
    hours: dict[tuple[int, str], list[Decimal]]
    site_names: dict[int, str]
    due_dates: list[DueDate]

    def total(self, week_index: int) -> Decimal:
        return sum((hours[week_index] for hours in self.hours.values()), Decimal(0))


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def forecast(
    user: User, start: datetime.date, weeks: int = 8, site_id: int | None = None, equipment_id: int | None = None
) -> Forecast:
    """Open preventive orders at their planned date, and the triggers' next occurrences, up to `weeks` ahead."""
    first = _monday(start)
    end = first + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
    week_starts = [first + datetime.timedelta(weeks=n) for n in range(weeks)]
    triggers = Trigger.objects.restrict(user).filter(is_active=True, plan__status=PlanStatus.ACTIVE)
    states = TriggerState.objects.filter(trigger__in=triggers).exclude(equipment__status=EquipmentStatus.OUT_OF_SERVICE)
    if site_id is not None:
        states = states.filter(equipment__site_id=site_id)
    if equipment_id is not None:
        states = states.filter(equipment_id=equipment_id)
    rows, rules_by_trigger, usage = _due_inputs(states, start)
    versions = current_versions({rule.gamme_id for rule in rules_by_trigger.values()})
    hours_by_version = _hours_by_technology(set(versions.values()))
    result = Forecast(
        weeks=week_starts,
        hours={},
        site_names={row["equipment__site_id"]: row["equipment__site__name"] for row in rows},
        due_dates=[],
    )

    def add(row: Mapping[str, Any], day: datetime.date, rule: TriggerRule) -> None:
        if not first <= day <= end:
            return
        week = (day - first).days // 7
        for technology, hours in hours_by_version.get(versions.get(rule.gamme_id, 0), {}).items():
            key = (row["equipment__site_id"], technology)
            result.hours.setdefault(key, [Decimal(0)] * weeks)[week] += hours

    for row in rows:
        rule = rules_by_trigger[row["trigger_id"]]
        if row["open_order_id"] is not None and row["open_order__status"] in OPEN_STATUSES:
            planned = row["open_order__planned_start"]
            add(row, max(start, timezone.localdate(planned)) if planned else start, rule)
        dates, estimated = _occurrences(row, rule, usage.get((row["equipment_id"], rule.counter_kind)), start, end)
        for day in dates:
            add(row, day, rule)
        result.due_dates.append(_due_date(row, rule, dates, estimated))
    result.due_dates.sort(key=lambda due: (due.date is None, due.date or start, due.equipment_code))
    return result


def due_occurrences(
    states: QuerySet[TriggerState], start: datetime.date, end: datetime.date
) -> Iterator[tuple[Mapping[str, Any], TriggerRule, list[datetime.date]]]:
    """Each schedule state's row, its trigger's rule, and its occurrences from `start` to `end`, as the
    forecast places them."""
    rows, rules_by_trigger, usage = _due_inputs(states, start)
    for row in rows:
        rule = rules_by_trigger[row["trigger_id"]]
        dates, _estimated = _occurrences(row, rule, usage.get((row["equipment_id"], rule.counter_kind)), start, end)
        yield row, rule, [day for day in dates if start <= day <= end]


def next_due_dates(states: QuerySet[TriggerState], today: datetime.date) -> dict[int, DueDate]:
    """The next due date of each schedule state (by state id), as the forecast computes it: every page
    and the API show this one, so a counter trigger's estimated date is the same wherever it is read."""
    rows, rules_by_trigger, usage = _due_inputs(states, today)
    result = {}
    for row in rows:
        rule = rules_by_trigger[row["trigger_id"]]
        dates, estimated = _occurrences(row, rule, usage.get((row["equipment_id"], rule.counter_kind)), today, today)
        result[row["id"]] = _due_date(row, rule, dates, estimated)
    return result


def with_next_due(states: Sequence[TriggerState], today: datetime.date) -> list[TriggerState]:
    """The states, each with its next due date as `state.due` (see `next_due_dates`), for pages and API."""
    due_dates = next_due_dates(TriggerState.objects.filter(pk__in=[state.pk for state in states]), today)
    for state in states:
        state.due = due_dates.get(state.pk)  # type: ignore[attr-defined]
    return list(states)


def _due_inputs(
    states: QuerySet[TriggerState], today: datetime.date
) -> tuple[list[Mapping[str, Any]], dict[int, TriggerRule], dict[tuple[int, str], Decimal]]:
    """The states' rows, their triggers' rules and the counters' daily usage that due dates are computed from."""
    rows: list[Mapping[str, Any]] = list(
        states.annotate(counter_value=_counter_value_at(None)).values(
            "id",
            "trigger_id",
            "equipment_id",
            "equipment__code",
            "equipment__site_id",
            "equipment__site__name",
            "anchor_date",
            "occurrence",
            "next_counter",
            "open_order_id",
            "open_order__planned_start",
            "open_order__status",
            "counter_value",
            "trigger__gamme__code",
        )
    )
    rules_by_trigger = _trigger_rules({row["trigger_id"] for row in rows})
    usage = _daily_usage([row for row in rows if rules_by_trigger[row["trigger_id"]].counter is not None], today)
    return rows, rules_by_trigger, usage


def _due_date(row: Mapping[str, Any], rule: TriggerRule, dates: list[datetime.date], estimated: bool) -> DueDate:
    return DueDate(
        state_id=row["id"],
        trigger_id=row["trigger_id"],
        equipment_id=row["equipment_id"],
        equipment_code=row["equipment__code"],
        site_id=row["equipment__site_id"],
        gamme=row["trigger__gamme__code"],
        kind=rule.kind,
        date=dates[0] if dates else None,
        counter_value=row["next_counter"] if rule.counter is not None else None,
        estimated=estimated,
        open_order_id=row["open_order_id"] if row["open_order__status"] in OPEN_STATUSES else None,
    )


def _occurrences(
    row: Mapping[str, Any],
    rule: TriggerRule,
    per_day: Decimal | None,
    start: datetime.date,
    end: datetime.date,
) -> tuple[list[datetime.date], bool]:
    """The trigger's coming occurrences up to `end` (at least the next one), and whether the first
    is estimated from the counter's usage. Whichever first: one order covers both series, at the earlier."""
    calendar_dates: list[datetime.date] = []
    if rule.calendar is not None and row["anchor_date"] is not None:
        occurrence = row["occurrence"]
        for _ in range(rules.MAX_CATCH_UP):
            day = max(start, rule.calendar.scheduled(rule.calendar.nominal(row["anchor_date"], occurrence)))
            if calendar_dates and day > end:
                break
            calendar_dates.append(day)
            occurrence += 1
    counter_dates: list[datetime.date] = []
    value, next_value = row["counter_value"], row["next_counter"]
    if rule.counter is not None and per_day and value is not None and next_value is not None:
        day = start + datetime.timedelta(days=max(0, int((next_value - value) / per_day)))
        step = datetime.timedelta(days=max(1, int(rule.counter.interval / per_day)))
        while not counter_dates or day <= end:
            counter_dates.append(day)
            day += step
    if calendar_dates and counter_dates:
        earlier = min(calendar_dates[0], counter_dates[0])
        return [earlier], earlier != calendar_dates[0]
    return (calendar_dates or counter_dates), bool(counter_dates)


def _daily_usage(rows: list[Mapping[str, Any]], today: datetime.date) -> dict[tuple[int, str], Decimal]:
    """Counter units per day over the usage window, by (equipment, counter kind)."""
    if not rows:
        return {}
    since = timezone.make_aware(datetime.datetime.combine(today, datetime.time())) - USAGE_WINDOW
    first: dict[tuple[int, str], tuple[datetime.datetime, Decimal]] = {}
    last: dict[tuple[int, str], tuple[datetime.datetime, Decimal]] = {}
    equipment_ids = sorted({row["equipment_id"] for row in rows})
    for start in range(0, len(equipment_ids), QUERY_BATCH):
        for equipment_id, kind, read_at, value in (
            CounterReading.objects.filter(
                counter__equipment_id__in=equipment_ids[start : start + QUERY_BATCH], read_at__gte=since
            )
            .order_by("read_at")
            .values_list("counter__equipment_id", "counter__kind", "read_at", "value")
        ):
            first.setdefault((equipment_id, kind), (read_at, value))
            last[(equipment_id, kind)] = (read_at, value)
    usage = {}
    for key, (first_at, first_value) in first.items():
        last_at, last_value = last[key]
        days = Decimal((last_at - first_at).total_seconds()) / 86400
        if days > 0 and last_value > first_value:
            usage[key] = (last_value - first_value) / days
    return usage


def _hours_by_technology(version_ids: set[int]) -> dict[int, dict[str, Decimal]]:
    hours: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for version_id, technology, minutes in GammeStep.objects.filter(version_id__in=version_ids).values_list(
        "version_id", "technology", "duration_minutes"
    ):
        hours[version_id][technology or NO_TECHNOLOGY] += Decimal(minutes) / 60
    return hours


PREVENTIVE_TYPES = (WorkOrderType.PREVENTIVE_SYSTEMATIC, WorkOrderType.PREVENTIVE_CONDITIONAL)


def fell_due(first: datetime.date, last: datetime.date) -> Q:
    """The preventive work orders that fell due from `first` to `last`: not cancelled, with their due date
    (for a generated order, the end of its tolerance) in the window. Every count of preventive work due,
    and schedule compliance wherever it is shown (here, the reliability KPIs, the API), uses this."""
    return Q(work_type__in=PREVENTIVE_TYPES, due_date__gte=first, due_date__lte=last) & ~Q(
        status=WorkOrderStatus.CANCELLED
    )


def done_on_time(completed_day: str) -> Q:
    """Of the orders due, those done by their due date; `completed_day` names an alias holding the
    local date the order was completed."""
    return Q(completed_at__isnull=False, **{f"{completed_day}__lte": F("due_date")})


@dataclass(frozen=True)
class Compliance:
    """Schedule compliance (EN 15341): preventive orders done by their due date ÷ those that fell due."""

    due: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(100) * self.on_time / self.due).quantize(Decimal("0.1")) if self.due else None


def schedule_compliance(user: User, start: datetime.date, end: datetime.date, site_id: int | None = None) -> Compliance:
    """Over the preventive orders that fell due between `start` and `end` (`fell_due`): done by their
    due date counts as on time; done later, or still open, as late."""
    orders = WorkOrder.objects.restrict(user).filter(fell_due(start, end))
    if site_id is not None:
        orders = orders.filter(site_id=site_id)
    counts = orders.alias(completed_day=TruncDate("completed_at")).aggregate(
        due=Count("pk"), on_time=Count("pk", filter=done_on_time("completed_day"))
    )
    return Compliance(due=counts["due"], on_time=counts["on_time"])


COMPLIANCE_DAYS = 90


def recent_compliance(
    user: User, today: datetime.date, site_id: int | None = None
) -> tuple[datetime.date, datetime.date, Compliance]:
    """Schedule compliance over the COMPLIANCE_DAYS up to yesterday (an order due today may still be on time)."""
    end = today - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=COMPLIANCE_DAYS - 1)
    return start, end, schedule_compliance(user, start, end, site_id)
