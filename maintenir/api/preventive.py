"""Gammes, maintenance plans, triggers, the preventive forecast and the generator."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maintenir.api.common import (
    CsvIn,
    CsvText,
    ImportOut,
    Input,
    Integer,
    Pagination,
    acting_user,
    answers,
    apply_changes,
    filter_schema,
    filtered,
    get_visible,
    named,
    partial_schema,
    resolve_many,
    restricted,
    text_limit,
)
from maintenir.assets.choices import CounterKind, Technology
from maintenir.assets.models import Equipment, EquipmentType, ProductionLine, Site
from maintenir.core.choices import Action
from maintenir.core.csvio import ImportReport
from maintenir.core.models import User
from maintenir.core.services import check_model_permission, save_restricted
from maintenir.devices.models import Point
from maintenir.preventive import services, training, transfer
from maintenir.preventive.choices import Anchor, ConditionOperator, IntervalUnit, PlanStatus, TriggerKind
from maintenir.preventive.filtersets import (
    GammeFilterSet,
    MaintenancePlanFilterSet,
    TrainingSessionFilterSet,
    TriggerFilterSet,
)
from maintenir.preventive.models import (
    Gamme,
    GammePart,
    GammeStep,
    GammeVersion,
    MaintenancePlan,
    TrainingSession,
    Trigger,
    TriggerState,
)
from maintenir.stores.models import Part
from maintenir.workorders.choices import Priority

router = Router(tags=["preventive"])


# --- Schemas ---------------------------------------------------------------------------------


class GammeStepIn(Input, model=GammeStep):
    instruction: str
    level: int = Field(2, ge=1, le=5)
    duration_minutes: int = Field(15, ge=0)
    technology: Technology | Literal[""] = ""
    safety_notes: str = ""
    unit: str = ""
    expected_min: Decimal | None = None
    expected_max: Decimal | None = None


class GammeStepOut(GammeStepIn):
    position: int


class GammeIn(Input, model=Gamme):
    code: str
    name: str
    description: str = ""
    equipment_type: int | None = None
    steps: list[GammeStepIn]
    note: str = Field("", description="What this version changes.", max_length=text_limit(GammeVersion, "note"))


class GammePatch(partial_schema(GammeIn)):  # type: ignore[misc]
    """Only the fields sent are changed; `steps`, when sent, publish a new version."""


class GammePartIn(Input, model=GammePart):
    part: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    note: str = ""


class GammePartOut(Schema):
    part: int
    part_reference: str
    quantity: Decimal
    note: str


class GammeVersionOut(Schema):
    number: int
    note: str
    created: datetime.datetime
    steps: list[GammeStepOut]
    parts: list[GammePartOut] = Field(description="The spare parts reserved when an order following it is planned.")

    @staticmethod
    def resolve_steps(version: GammeVersion) -> list[dict[str, Any]]:
        return services.version_steps(version)

    @staticmethod
    def resolve_parts(version: GammeVersion, context: dict[str, Any]) -> list[dict[str, Any]]:
        return _parts_out(context["request"], version)


class GammeOut(Schema):
    id: int
    code: str
    name: str
    description: str
    equipment_type: int | None = Field(None, alias="equipment_type_id")
    version: GammeVersionOut | None

    @staticmethod
    def resolve_version(gamme: Gamme) -> GammeVersion | None:
        return services.current_version(gamme)


class MaintenancePlanIn(Input, model=MaintenancePlan):
    site: int
    production_line: int | None = None
    name: str
    description: str = ""


class MaintenancePlanPatch(partial_schema(MaintenancePlanIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


PLAN_KEYS: dict[str, type[Model]] = {"site": Site, "production_line": ProductionLine}


class MaintenancePlanOut(Schema):
    id: int
    site: int = Field(alias="site_id")
    site_name: str = Field(alias="site.name")
    production_line: int | None = Field(None, alias="production_line_id")
    name: str
    description: str
    status: PlanStatus
    status_display: str = Field(alias="get_status_display")
    created: datetime.datetime
    last_updated: datetime.datetime


class TriggerIn(Input):
    plan: int
    gamme: int
    equipment: int | None = None
    equipment_type: int | None = None
    kind: TriggerKind
    priority: Priority = Priority.NORMAL
    is_active: bool = True
    interval: int | None = None
    interval_unit: IntervalUnit = IntervalUnit.MONTH
    anchor: Anchor = Anchor.SCHEDULE
    start_date: datetime.date | None = None
    skip_non_working_days: bool = False
    tolerance_days: int = Field(0, ge=0)
    counter_kind: CounterKind | Literal[""] = ""
    point: int | None = Field(None, description="Device point watched by a condition or predictive trigger.")
    counter_interval: Decimal | None = None
    lead_percent: int = Field(90, ge=1, le=100)
    operator: ConditionOperator | Literal[""] = ""
    threshold: float | None = None
    threshold_high: float | None = None
    hold_minutes: int = Field(0, ge=0)
    horizon_days: int = Field(30, ge=0)
    window_days: int = Field(90, ge=1)


class TriggerPatch(partial_schema(TriggerIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


TRIGGER_KEYS: dict[str, type[Model]] = {
    "plan": MaintenancePlan,
    "gamme": Gamme,
    "equipment": Equipment,
    "equipment_type": EquipmentType,
    "point": Point,
}


class TriggerStateOut(Schema):
    equipment: int = Field(alias="equipment_id")
    next_due: datetime.date | None = Field(
        description="As the pages show it: for a counter, estimated from its recent usage (see `next_due_estimated`)."
    )
    next_due_estimated: bool
    next_counter: Decimal | None
    open_order: int | None = Field(None, alias="open_order_id")
    skipped: int
    last_completed_at: datetime.datetime | None
    forecast_at: datetime.datetime | None

    @staticmethod
    def resolve_next_due(state: TriggerState) -> datetime.date | None:
        return state.due.date if state.due else None  # type: ignore[attr-defined]

    @staticmethod
    def resolve_next_due_estimated(state: TriggerState) -> bool:
        return bool(state.due and state.due.estimated)  # type: ignore[attr-defined]


class TriggerOut(Schema):
    id: int
    plan: int = Field(alias="plan_id")
    gamme: int = Field(alias="gamme_id")
    gamme_code: str = Field(alias="gamme.code")
    equipment: int | None = Field(None, alias="equipment_id")
    equipment_type: int | None = Field(None, alias="equipment_type_id")
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    priority: int
    is_active: bool
    interval: int | None
    interval_unit: str
    anchor: str
    start_date: datetime.date | None
    skip_non_working_days: bool
    tolerance_days: int
    counter_kind: str
    point: int | None = Field(None, alias="point_id")
    counter_interval: Decimal | None
    lead_percent: int
    operator: str
    threshold: float | None
    threshold_high: float | None
    hold_minutes: int
    horizon_days: int
    window_days: int
    schedules: list[TriggerStateOut] = Field(description="Where the trigger stands on each equipment it covers.")

    @staticmethod
    def resolve_schedules(trigger: Trigger) -> list[TriggerState]:
        return services.with_next_due(list(trigger.states.all()), timezone.localdate())


class TriggerFilters(filter_schema(TriggerFilterSet)):  # type: ignore[misc]
    """The trigger list filters, as query parameters."""


class GammeFilters(filter_schema(GammeFilterSet)):  # type: ignore[misc]
    """The gamme list filters, as query parameters."""


class MaintenancePlanFilters(filter_schema(MaintenancePlanFilterSet)):  # type: ignore[misc]
    """The maintenance plan list filters, as query parameters."""


class LoadOut(Schema):
    site: int
    site_name: str
    technology: str = Field(description='Technology of the steps; "" for steps that name none.')
    hours: list[Decimal] = Field(description="Planned hours per week, in the order of `weeks`.")


class DueDateOut(Schema):
    trigger: int = Field(alias="trigger_id")
    equipment: int = Field(alias="equipment_id")
    equipment_code: str
    site: int = Field(alias="site_id")
    gamme: str
    kind: str
    date: datetime.date | None
    counter_value: Decimal | None
    estimated: bool = Field(description="The date is estimated from the counter's recent usage.")
    open_order: int | None = Field(None, alias="open_order_id")


class ComplianceOut(Schema):
    start: datetime.date
    end: datetime.date
    due: int = Field(description="Preventive orders whose due date (the end of their tolerance) is in the period.")
    on_time: int = Field(description="Those done by their due date.")
    rate: Decimal | None = Field(description="on_time ÷ due, in %.")


class ForecastOut(Schema):
    weeks: list[datetime.date] = Field(description="Monday of each week.")
    load: list[LoadOut]
    totals: list[Decimal]
    due_dates: list[DueDateOut]
    compliance: ComplianceOut = Field(description="Schedule compliance over the 90 days up to yesterday.")


class GenerateIn(Input):
    until: datetime.date | None = None
    dry_run: bool = False


class GeneratedOrderOut(Schema):
    trigger: int = Field(alias="trigger_id")
    equipment: int = Field(alias="equipment_id")
    equipment_code: str
    title: str
    work_type: str
    scheduled_for: datetime.date
    tolerance_end: datetime.date
    forecast_at: datetime.datetime | None


class GenerationOut(Schema):
    until: datetime.date
    dry_run: bool
    orders: list[GeneratedOrderOut]
    skipped: int
    completions: int


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Gammes ----------------------------------------------------------------------------------


def _gammes(request: HttpRequest) -> QuerySet[Gamme]:
    return restricted(Gamme, request)


@router.get("/gammes", response=list[GammeOut])
@paginate(Pagination)
def list_gammes(request: HttpRequest, filters: Query[GammeFilters]) -> QuerySet[Gamme]:
    return filtered(GammeFilterSet, request, _gammes(request), filters)


@router.get("/gammes/export", response={200: CsvText})
def export_gammes(request: HttpRequest) -> HttpResponse:
    """All gammes as CSV, one row per step of the current version."""
    return _csv_response(transfer.export_gammes(acting_user(request)), "gammes.csv")


@router.post("/gammes/import", response=ImportOut)
def import_gammes(request: HttpRequest, payload: CsvIn) -> ImportReport:
    """Create or update gammes from CSV, all or nothing; errors name the line and the column."""
    return transfer.import_gammes(acting_user(request), payload.csv)


@router.get("/gammes/{gamme_id}", response=GammeOut)
def get_gamme(request: HttpRequest, gamme_id: int) -> Gamme:
    return get_visible(_gammes(request), gamme_id)


@router.get("/gammes/{gamme_id}/versions", response=list[GammeVersionOut])
def gamme_versions(request: HttpRequest, gamme_id: int) -> QuerySet[GammeVersion]:
    return get_visible(_gammes(request), gamme_id).versions.order_by("-number")


def _publish(request: HttpRequest, gamme: Gamme, changes: dict[str, Any]) -> Gamme:
    steps = changes.pop("steps", None)
    note = changes.pop("note", None) or ""
    apply_changes(request, gamme, changes, {"equipment_type": EquipmentType})
    user = acting_user(request)
    with transaction.atomic():
        if steps is None:
            save_restricted(user, gamme)
        else:
            services.publish_gamme(user, gamme, steps, note)
    return gamme


@router.post("/gammes", response={201: GammeOut})
def create_gamme(request: HttpRequest, payload: GammeIn) -> Gamme:
    return _publish(request, Gamme(), payload.model_dump())


@router.patch("/gammes/{gamme_id}", response=GammeOut)
def update_gamme(request: HttpRequest, gamme_id: int, payload: GammePatch) -> Gamme:
    gamme = get_visible(_gammes(request), gamme_id)
    return _publish(request, gamme, payload.model_dump(exclude_unset=True))


def _parts_out(request: HttpRequest, version: GammeVersion | None) -> list[dict[str, Any]]:
    """The version's expected parts that the caller sees (a client's own part is that client's only)."""
    visible = set(restricted(Part, request).values_list("pk", flat=True))
    return [
        {
            "part": row["part"].pk,
            "part_reference": row["part"].reference,
            "quantity": row["quantity"],
            "note": row["note"],
        }
        for row in services.version_parts(version)
        if row["part"].pk in visible
    ]


def _expected_parts(request: HttpRequest, gamme: Gamme) -> list[dict[str, Any]]:
    return _parts_out(request, services.current_version(gamme))


@router.get("/gammes/{gamme_id}/parts", response=list[GammePartOut])
def gamme_parts(request: HttpRequest, gamme_id: int) -> list[dict[str, Any]]:
    """The spare parts the gamme's current version expects."""
    return _expected_parts(request, get_visible(_gammes(request), gamme_id))


@router.post("/gammes/{gamme_id}/parts", response={201: list[GammePartOut]})
def add_gamme_part(request: HttpRequest, gamme_id: int, payload: GammePartIn) -> Status[list[dict[str, Any]]]:
    """Expect a part (or change how many of it): publishes a new version of the gamme."""
    gamme = get_visible(_gammes(request), gamme_id)
    user = acting_user(request)
    check_model_permission(user, Action.CHANGE, Gamme)
    part = named(Part, request, payload.part, "part")
    services.add_gamme_part(user, gamme, part, payload.quantity, payload.note)
    return Status(201, _expected_parts(request, gamme))


@router.delete("/gammes/{gamme_id}/parts/{part_id}", response={204: None})
def remove_gamme_part(request: HttpRequest, gamme_id: int, part_id: int) -> Status[None]:
    """No longer expect the part: publishes a new version of the gamme."""
    gamme = get_visible(_gammes(request), gamme_id)
    user = acting_user(request)
    check_model_permission(user, Action.CHANGE, Gamme)
    part = get_visible(restricted(Part, request).filter(gamme_parts__version=services.current_version(gamme)), part_id)
    services.remove_gamme_part(user, gamme, part)
    return Status(204, None)


# --- Maintenance plans -----------------------------------------------------------------------


def _plans(request: HttpRequest) -> QuerySet[MaintenancePlan]:
    return restricted(MaintenancePlan, request).select_related("site")


@router.get("/maintenance-plans", response=list[MaintenancePlanOut])
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[MaintenancePlanFilters]) -> QuerySet[MaintenancePlan]:
    return filtered(MaintenancePlanFilterSet, request, _plans(request), filters)


@router.get("/maintenance-plans/{plan_id}", response=MaintenancePlanOut)
def get_plan(request: HttpRequest, plan_id: int) -> MaintenancePlan:
    return get_visible(_plans(request), plan_id)


@router.post("/maintenance-plans", response={201: MaintenancePlanOut})
def create_plan(request: HttpRequest, payload: MaintenancePlanIn) -> MaintenancePlan:
    plan = apply_changes(request, MaintenancePlan(), payload.model_dump(), PLAN_KEYS)
    save_restricted(acting_user(request), plan)
    return plan


@router.patch("/maintenance-plans/{plan_id}", response=MaintenancePlanOut)
def update_plan(request: HttpRequest, plan_id: int, payload: MaintenancePlanPatch) -> MaintenancePlan:
    plan = get_visible(_plans(request), plan_id)
    apply_changes(request, plan, payload.model_dump(exclude_unset=True), PLAN_KEYS)
    save_restricted(acting_user(request), plan)
    return plan


def _move_plan(request: HttpRequest, plan_id: int, transition: str) -> MaintenancePlan:
    plan = get_visible(_plans(request), plan_id)
    return services.PLAN_TRANSITIONS[transition](acting_user(request), plan)


@router.post("/maintenance-plans/{plan_id}/activate", response=MaintenancePlanOut)
def activate_plan(request: HttpRequest, plan_id: int) -> MaintenancePlan:
    """Start generating from a draft or suspended plan."""
    return _move_plan(request, plan_id, "activate")


@router.post("/maintenance-plans/{plan_id}/suspend", response=MaintenancePlanOut)
def suspend_plan(request: HttpRequest, plan_id: int) -> MaintenancePlan:
    """Stop generating from an active plan until it is activated again."""
    return _move_plan(request, plan_id, "suspend")


@router.post("/maintenance-plans/{plan_id}/archive", response=MaintenancePlanOut)
def archive_plan(request: HttpRequest, plan_id: int) -> MaintenancePlan:
    """Retire a plan for good; its history stays."""
    return _move_plan(request, plan_id, "archive")


# --- Triggers --------------------------------------------------------------------------------


def _triggers(request: HttpRequest) -> QuerySet[Trigger]:
    return restricted(Trigger, request).select_related("gamme").prefetch_related("states")


@router.get("/triggers", response=list[TriggerOut])
@paginate(Pagination)
def list_triggers(request: HttpRequest, filters: Query[TriggerFilters]) -> QuerySet[Trigger]:
    return filtered(TriggerFilterSet, request, _triggers(request), filters)


@router.get("/triggers/export", response={200: CsvText})
@answers(404)  # the plan named in the query
def export_triggers(request: HttpRequest, plan: Integer | None = None) -> HttpResponse:
    """The triggers (of one plan, or all) as CSV."""
    chosen = get_visible(_plans(request), plan) if plan is not None else None
    return _csv_response(transfer.export_triggers(acting_user(request), chosen), "triggers.csv")


@router.post("/triggers/import", response=ImportOut)
def import_triggers(request: HttpRequest, payload: CsvIn) -> ImportReport:
    """Create triggers (empty id) or update them (their id) from CSV, all or nothing."""
    return transfer.import_triggers(acting_user(request), payload.csv)


@router.get("/triggers/{trigger_id}", response=TriggerOut)
def get_trigger(request: HttpRequest, trigger_id: int) -> Trigger:
    return get_visible(_triggers(request), trigger_id)


@router.post("/triggers", response={201: TriggerOut})
def create_trigger(request: HttpRequest, payload: TriggerIn) -> Trigger:
    trigger = apply_changes(request, Trigger(), payload.model_dump(), TRIGGER_KEYS)
    return services.save_trigger(acting_user(request), trigger)


@router.patch("/triggers/{trigger_id}", response=TriggerOut)
def update_trigger(request: HttpRequest, trigger_id: int, payload: TriggerPatch) -> Trigger:
    trigger = get_visible(_triggers(request), trigger_id)
    apply_changes(request, trigger, payload.model_dump(exclude_unset=True), TRIGGER_KEYS)
    return services.save_trigger(acting_user(request), trigger)


# --- Forecast and generation -----------------------------------------------------------------


def _forecast_out(result: services.Forecast, compliance: dict[str, Any]) -> dict[str, Any]:
    return {
        "compliance": compliance,
        "weeks": result.weeks,
        "load": [
            {"site": site, "site_name": result.site_names[site], "technology": technology, "hours": hours}
            for (site, technology), hours in sorted(result.hours.items())
        ],
        "totals": [result.total(index) for index in range(len(result.weeks))],
        "due_dates": result.due_dates,
    }


@router.get("/preventive/forecast", response=ForecastOut)
@answers(404)  # the site named in the query
def preventive_forecast(
    request: HttpRequest,
    start: datetime.date | None = None,
    weeks: int = Query(8, ge=1, le=52),
    site: Integer | None = None,
) -> dict[str, Any]:
    """The planned preventive load per week, site and technology, and each equipment's next due dates."""
    if site is not None:
        get_visible(restricted(Site, request), site)
    user = acting_user(request)
    today = timezone.localdate()
    result = services.forecast(user, start or today, weeks, site_id=site)
    begin, end, compliance = services.recent_compliance(user, today, site)
    return _forecast_out(
        result,
        {"start": begin, "end": end, "due": compliance.due, "on_time": compliance.on_time, "rate": compliance.rate},
    )


@router.get("/equipment/{equipment_id}/next-due", response=list[DueDateOut])
def equipment_next_due(request: HttpRequest, equipment_id: int) -> list[services.DueDate]:
    equipment = get_visible(restricted(Equipment, request), equipment_id)
    return services.forecast(acting_user(request), timezone.localdate(), equipment_id=equipment.pk).due_dates


@router.post("/preventive/generate", response=GenerationOut)
def generate(request: HttpRequest, payload: GenerateIn) -> services.GenerationReport:
    """Run the generator now (managers); with `dry_run`, report what it would create."""
    services.check_may_generate(acting_user(request))
    return services.generate(until=payload.until, dry_run=payload.dry_run)


# --- Training of operators -------------------------------------------------------------------


class TrainingSessionIn(Input, model=TrainingSession):
    site: int
    topic: str
    date: datetime.date
    trainer: int | None = Field(None, description="A member of the maintenance team; by default the caller.")
    gammes: list[int] = Field(description="The level-1 gammes covered.")
    attendees: list[int] = Field(description="The operators trained, of the site's client.")
    notes: str = ""


class TrainingSessionPatch(partial_schema(TrainingSessionIn)):  # type: ignore[misc]
    """Only the fields sent are changed; `gammes` and `attendees`, when sent, replace the lists."""


class TrainingSessionOut(Schema):
    id: int
    site: int = Field(alias="site_id")
    site_name: str = Field(alias="site.name")
    topic: str
    date: datetime.date
    trainer: int = Field(alias="trainer_id")
    trainer_name: str
    gammes: list[int]
    attendees: list[int]
    notes: str
    created: datetime.datetime
    last_updated: datetime.datetime

    @staticmethod
    def resolve_trainer_name(session: TrainingSession) -> str:
        return str(session.trainer)

    @staticmethod
    def resolve_gammes(session: TrainingSession) -> list[int]:
        return [gamme.pk for gamme in session.gammes.all()]

    @staticmethod
    def resolve_attendees(session: TrainingSession) -> list[int]:
        return [person.pk for person in session.attendees.all()]


class TrainingSessionFilters(filter_schema(TrainingSessionFilterSet)):  # type: ignore[misc]
    """The training session list filters, as query parameters."""


TRAINING_KEYS: dict[str, type[Model]] = {"site": Site, "trainer": User}


def _trainings(request: HttpRequest) -> QuerySet[TrainingSession]:
    return (
        restricted(TrainingSession, request).select_related("site", "trainer").prefetch_related("gammes", "attendees")
    )


def _save_training(request: HttpRequest, session: TrainingSession, changes: dict[str, Any]) -> TrainingSession:
    # Refused roles learn so before the ids they may not look up are resolved.
    check_model_permission(
        acting_user(request), Action.ADD if session._state.adding else Action.CHANGE, TrainingSession
    )
    gamme_ids, attendee_ids = changes.pop("gammes", None), changes.pop("attendees", None)
    apply_changes(request, session, changes, TRAINING_KEYS)
    gammes = resolve_many(Gamme, request, gamme_ids, "gammes") if gamme_ids is not None else session.gammes.all()
    attendees = (
        resolve_many(User, request, attendee_ids, "attendees") if attendee_ids is not None else session.attendees.all()
    )
    training.save_training_session(acting_user(request), session, gammes, attendees)
    return _trainings(request).get(pk=session.pk)


@router.get("/training-sessions", response=list[TrainingSessionOut])
@paginate(Pagination)
def list_training_sessions(request: HttpRequest, filters: Query[TrainingSessionFilters]) -> QuerySet[TrainingSession]:
    return filtered(TrainingSessionFilterSet, request, _trainings(request), filters)


@router.get("/training-sessions/{session_id}", response=TrainingSessionOut)
def get_training_session(request: HttpRequest, session_id: int) -> TrainingSession:
    return get_visible(_trainings(request), session_id)


@router.post("/training-sessions", response={201: TrainingSessionOut})
def create_training_session(request: HttpRequest, payload: TrainingSessionIn) -> TrainingSession:
    """Record operators trained on level-1 gammes: from then on they may do those gammes' level-1 steps."""
    return _save_training(request, TrainingSession(), payload.model_dump())


@router.patch("/training-sessions/{session_id}", response=TrainingSessionOut)
def update_training_session(request: HttpRequest, session_id: int, payload: TrainingSessionPatch) -> TrainingSession:
    session = get_visible(_trainings(request), session_id)
    return _save_training(request, session, payload.model_dump(exclude_unset=True))
