"""Work requests, work orders and their execution, downtimes, and the ISO 14224 coded lists."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maintenir.api.common import (
    ChangeOut,
    Input,
    Pagination,
    acting_user,
    apply_changes,
    filter_schema,
    filtered,
    get_visible,
    named,
    partial_schema,
    resolve,
    resolve_coded,
    resolve_many,
    restricted,
)
from maintenir.assets.models import Equipment, Site
from maintenir.certification.models import ActivityType
from maintenir.core.changelog import changes_for
from maintenir.core.models import ObjectChange, User
from maintenir.core.services import save_restricted
from maintenir.devices.models import Point
from maintenir.people.choices import SkillLevel
from maintenir.people.models import HabilitationType, Skill
from maintenir.stores.models import Location, Part
from maintenir.workorders import commissioning, services
from maintenir.workorders.choices import DowntimeCause, Priority, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.filtersets import WorkOrderFilterSet, WorkRequestFilterSet
from maintenir.workorders.models import (
    SYMPTOM_MAX_LENGTH,
    SYSTEM_REPORTER,
    TEXT_MAX_LENGTH,
    ChecklistStep,
    CodedEntry,
    CommissioningCheck,
    CommissioningRun,
    DetectionMethod,
    Downtime,
    FailureCause,
    FailureMechanism,
    FailureMode,
    PartReservation,
    PartUsage,
    Remedy,
    Requirement,
    SignOff,
    TimeEntry,
    WorkOrder,
    WorkOrderRequirement,
    WorkOrderTransition,
    WorkRequest,
    WorkTypeRequirement,
)
from maintenir.workorders.qualifications import RELATED as REQUIREMENT_RELATED
from maintenir.workorders.qualifications import need_of
from maintenir.workorders.templatetags.workorder_tags import check_expectation

router = Router(tags=["work orders"])


# --- Schemas ---------------------------------------------------------------------------------


class WorkRequestIn(Input, model=WorkRequest):
    site: int
    symptom: str = Field(max_length=SYMPTOM_MAX_LENGTH)
    equipment: int | None = None
    urgency: Priority = Priority.NORMAL
    equipment_stopped: bool = False


class WorkRequestPatch(partial_schema(WorkRequestIn, only=("symptom", "urgency", "equipment"))):  # type: ignore[misc]
    """What a manager may correct in a request before deciding on it."""


class WorkRequestOut(Schema):
    id: int
    reference: str
    site: int = Field(alias="site_id")
    site_name: str = Field(alias="site.name")
    equipment: int | None = Field(None, alias="equipment_id")
    equipment_code: str | None = Field(None, alias="equipment.code")
    symptom: str
    urgency: int
    urgency_display: str = Field(alias="get_urgency_display")
    equipment_stopped: bool
    status: str
    status_display: str = Field(alias="get_status_display")
    reported_by: int | None = Field(None, alias="reported_by_id", description="Empty when raised by Maintenir.")
    reported_by_name: str
    decided_by: int | None = Field(None, alias="decided_by_id")
    decided_at: datetime.datetime | None
    rejection_reason: str
    work_order: int | None = Field(None, alias="work_order_id")
    created: datetime.datetime
    last_updated: datetime.datetime

    @staticmethod
    def resolve_reported_by_name(request: WorkRequest) -> str:
        return str(request.reported_by or SYSTEM_REPORTER)


class ApproveRequestIn(Input):
    work_type: WorkOrderType = WorkOrderType.CORRECTIVE
    priority: Priority | None = None
    due_date: datetime.date | None = None
    assignees: list[int] = []
    title: str = ""


class ReasonIn(Input):
    reason: str = Field(max_length=TEXT_MAX_LENGTH)


class StepIn(Input, model=ChecklistStep):
    instruction: str
    unit: str = ""
    requires_measurement: bool = False
    expected_min: Decimal | None = None
    expected_max: Decimal | None = None


class WorkOrderIn(Input, model=WorkOrder):
    site: int
    title: str
    equipment: int | None = None
    work_type: WorkOrderType = WorkOrderType.CORRECTIVE
    description: str = Field("", max_length=TEXT_MAX_LENGTH)
    priority: Priority = Priority.NORMAL
    due_date: datetime.date | None = None
    planned_start: datetime.datetime | None = None
    estimated_hours: Decimal | None = None
    steps: list[StepIn] = []


class WorkOrderPatch(
    partial_schema(  # type: ignore[misc]
        WorkOrderIn,
        only=("title", "description", "priority", "due_date", "planned_start", "estimated_hours", "work_type"),
    )
):
    """A PATCH edits the description only: the status moves through the transition endpoints."""


class WorkOrderOut(Schema):
    id: int
    reference: str
    site: int = Field(alias="site_id")
    site_name: str = Field(alias="site.name")
    equipment: int | None = Field(None, alias="equipment_id")
    equipment_code: str | None = Field(None, alias="equipment.code")
    work_type: str
    work_type_display: str
    title: str
    description: str
    priority: int
    priority_display: str
    status: str
    status_display: str
    due_date: datetime.date | None
    planned_start: datetime.datetime | None
    estimated_hours: Decimal | None
    assignees: list[int]
    requested_by: int | None = Field(None, alias="requested_by_id")
    started_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    findings: str
    failure_mode: int | None = Field(None, alias="failure_mode_id")
    failure_mechanism: int | None = Field(None, alias="failure_mechanism_id")
    failure_cause: int | None = Field(None, alias="failure_cause_id")
    remedy: int | None = Field(None, alias="remedy_id")
    detection_method: int | None = Field(None, alias="detection_method_id")
    created: datetime.datetime
    last_updated: datetime.datetime

    @staticmethod
    def resolve_assignees(order: WorkOrder) -> list[int]:
        return [user.pk for user in order.assignees.all()]

    # The labels from the choices themselves: Django's get_FOO_display() rebuilds the field's choices into a
    # dict on every call, translating each label, which cost a list of 50 orders a sixth of its time.
    @staticmethod
    def resolve_work_type_display(order: WorkOrder) -> str:
        return str(WorkOrderType(order.work_type).label)

    @staticmethod
    def resolve_priority_display(order: WorkOrder) -> str:
        return str(Priority(order.priority).label)

    @staticmethod
    def resolve_status_display(order: WorkOrder) -> str:
        return str(WorkOrderStatus(order.status).label)


class AssignIn(Input):
    assignees: list[int]


class WorkOrderPlanIn(AssignIn):
    planned_start: datetime.datetime | None = None


class CompleteIn(Input):
    findings: str | None = Field(None, max_length=TEXT_MAX_LENGTH)


class StepOut(Schema):
    id: int
    position: int
    instruction: str
    unit: str
    requires_measurement: bool
    expected_min: Decimal | None
    expected_max: Decimal | None
    measured_value: Decimal | None
    is_done: bool
    remark: str
    done_by: int | None = Field(None, alias="done_by_id")
    done_at: datetime.datetime | None
    out_of_range: bool


class StepRecordIn(Input):
    is_done: bool = True
    measured_value: Decimal | None = None
    remark: str = Field("", max_length=TEXT_MAX_LENGTH)


class TimeIn(Input, model=TimeEntry):
    hours: Decimal
    date: datetime.date | None = None
    technician: int | None = None
    note: str = ""


class TimeOut(Schema):
    id: int
    work_order: int = Field(alias="work_order_id")
    technician: int = Field(alias="technician_id")
    date: datetime.date
    hours: Decimal
    note: str


class PartIn(Input, model=PartUsage):
    description: str
    quantity: Decimal = Decimal(1)
    unit_cost: Decimal | None = None


class PartOut(Schema):
    id: int
    work_order: int = Field(alias="work_order_id")
    description: str
    quantity: Decimal
    unit_cost: Decimal | None


class StockPartIn(Input):
    part: int
    location: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)


class IssuedPartIn(StockPartIn):
    instead_of: int | None = Field(None, description="The part the work called for, when an equivalent is fitted.")


class ReservationOut(Schema):
    id: int
    work_order: int = Field(alias="work_order_id")
    part: int = Field(alias="part_id")
    location: int = Field(alias="location_id")
    quantity: Decimal


class IssuedPartOut(PartOut):
    part: int | None = Field(None, alias="part_id")
    movement: int | None = Field(None, alias="movement_id")
    instead_of: int | None = Field(None, alias="instead_of_id")


class FailureCodingIn(Input):
    """Each coded-list entry by its id or by its code."""

    failure_mode: int | str | None = None
    failure_mechanism: int | str | None = None
    failure_cause: int | str | None = None
    remedy: int | str | None = None
    detection_method: int | str | None = None
    findings: str | None = None


class SignOffIn(Input, model=SignOff):
    role: SignOffRole
    name: str
    signature: str = ""
    reservations: str = Field("", description="Required while a commissioning check has not passed.")


class SignOffOut(Schema):
    id: int
    work_order: int = Field(alias="work_order_id")
    role: str
    role_display: str = Field(alias="get_role_display")
    name: str
    signed_at: datetime.datetime
    reservations: str
    user: int | None = Field(None, alias="user_id")


class CheckIn(Input, model=CommissioningCheck):
    """A commissioning check: expect either `expected_value` (± `tolerance`) or a range."""

    name: str
    point: int = Field(description="The point read: on a device of the order's equipment or its sub-equipment.")
    command_point: int | None = Field(None, description="A writable point written first.")
    command_value: float | None = None
    expected_value: float | None = None
    tolerance: float = 0
    expected_min: float | None = None
    expected_max: float | None = None
    timeout: float = Field(5, description="Seconds the point may take to read as expected.")


class CheckPatch(partial_schema(CheckIn)):  # type: ignore[misc]
    """A changed check must run again: its earlier runs no longer count."""


class RunOut(Schema):
    id: int
    check: int = Field(alias="commissioning_check_id")
    status: str
    status_display: str = Field(alias="get_status_display")
    measured_value: float | None
    message: str
    run_by: int = Field(alias="run_by_id")
    run_at: datetime.datetime


class CheckOut(Schema):
    id: int
    position: int
    name: str
    point: int = Field(alias="point_id")
    point_name: str = Field(alias="point.name")
    command_point: int | None = Field(None, alias="command_point_id")
    command_value: float | None
    expected_value: float | None
    tolerance: float
    expected_min: float | None
    expected_max: float | None
    timeout: float
    expectation: str
    status: str
    status_display: str = Field(alias="get_status_display")
    last_run: RunOut | None

    @staticmethod
    def resolve_expectation(check: CommissioningCheck) -> str:
        return check_expectation(check)


class TransitionOut(Schema):
    id: int
    from_status: str
    to_status: str
    user: int | None = Field(None, alias="user_id")
    user_name: str
    time: datetime.datetime
    note: str

    @staticmethod
    def resolve_user_name(transition: WorkOrderTransition) -> str:
        return str(transition.user) if transition.user else ""


class DowntimeIn(Input, model=Downtime):
    cause: DowntimeCause
    started_at: datetime.datetime | None = None
    work_order: int | None = None
    note: str = ""


class DowntimeEndIn(Input):
    ended_at: datetime.datetime | None = None


class DowntimeOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    work_order: int | None = Field(None, alias="work_order_id")
    cause: str
    cause_display: str = Field(alias="get_cause_display")
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    duration_hours: float | None
    note: str


class CodedEntryOut(Schema):
    id: int
    code: str
    name: str
    name_fr: str
    label: str
    description: str
    is_active: bool


class WorkRequestFilters(filter_schema(WorkRequestFilterSet)):  # type: ignore[misc]
    """The work-request list filters of the pages, as query parameters."""


class WorkOrderFilters(filter_schema(WorkOrderFilterSet)):  # type: ignore[misc]
    """The work-order list filters of the pages, as query parameters."""


LOCATION_KEYS: dict[str, type[Model]] = {"site": Site, "equipment": Equipment}


# --- Work requests ---------------------------------------------------------------------------


def _requests(request: HttpRequest) -> QuerySet[WorkRequest]:
    return restricted(WorkRequest, request).select_related("site", "equipment", "reported_by")


def _request(request: HttpRequest, request_id: int) -> WorkRequest:
    return get_visible(_requests(request), request_id)


@router.get("/work-requests", response=list[WorkRequestOut])
@paginate(Pagination)
def list_work_requests(request: HttpRequest, filters: Query[WorkRequestFilters]) -> QuerySet[WorkRequest]:
    return filtered(WorkRequestFilterSet, request, _requests(request), filters)


@router.get("/work-requests/{request_id}", response=WorkRequestOut)
def get_work_request(request: HttpRequest, request_id: int) -> WorkRequest:
    return _request(request, request_id)


@router.post("/work-requests", response={201: WorkRequestOut})
def submit_work_request(request: HttpRequest, payload: WorkRequestIn) -> WorkRequest:
    site = resolve(Site, request, payload.site, "site")
    assert site is not None  # the schema requires it
    return services.submit_work_request(
        acting_user(request),
        site,
        payload.symptom,
        equipment=resolve(Equipment, request, payload.equipment, "equipment"),
        urgency=payload.urgency,
        equipment_stopped=payload.equipment_stopped,
    )


@router.patch("/work-requests/{request_id}", response=WorkRequestOut)
def update_work_request(request: HttpRequest, request_id: int, payload: WorkRequestPatch) -> WorkRequest:
    changes = payload.model_dump(exclude_unset=True)
    work_request = apply_changes(request, _request(request, request_id), changes, LOCATION_KEYS)
    save_restricted(acting_user(request), work_request)
    return work_request


@router.post("/work-requests/{request_id}/approve", response=WorkOrderOut)
def approve_work_request(request: HttpRequest, request_id: int, payload: ApproveRequestIn) -> WorkOrder:
    work_request = _request(request, request_id)
    return services.approve_work_request(
        acting_user(request),
        work_request,
        work_type=payload.work_type,
        priority=payload.priority,
        due_date=payload.due_date,
        assignees=resolve_many(User, request, payload.assignees, "assignees"),
        title=payload.title,
    )


@router.post("/work-requests/{request_id}/reject", response=WorkRequestOut)
def reject_work_request(request: HttpRequest, request_id: int, payload: ReasonIn) -> WorkRequest:
    return services.reject_work_request(acting_user(request), _request(request, request_id), payload.reason)


# --- Work orders -----------------------------------------------------------------------------


def _orders(request: HttpRequest) -> QuerySet[WorkOrder]:
    return restricted(WorkOrder, request).select_related("site", "equipment").prefetch_related("assignees")


def _order(request: HttpRequest, order_id: int) -> WorkOrder:
    return get_visible(_orders(request), order_id)


@router.get("/work-orders", response=list[WorkOrderOut])
@paginate(Pagination)
def list_work_orders(request: HttpRequest, filters: Query[WorkOrderFilters]) -> QuerySet[WorkOrder]:
    return filtered(WorkOrderFilterSet, request, _orders(request), filters)


@router.get("/work-orders/{order_id}", response=WorkOrderOut)
def get_work_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return _order(request, order_id)


@router.post("/work-orders", response={201: WorkOrderOut})
def create_work_order(request: HttpRequest, payload: WorkOrderIn) -> WorkOrder:
    order = apply_changes(request, WorkOrder(), payload.model_dump(exclude={"steps"}), LOCATION_KEYS)
    steps = [step.model_dump() for step in payload.steps]
    return services.create_work_order(acting_user(request), order, steps)


@router.patch("/work-orders/{order_id}", response=WorkOrderOut)
def update_work_order(request: HttpRequest, order_id: int, payload: WorkOrderPatch) -> WorkOrder:
    order = _order(request, order_id)
    return services.update_work_order(acting_user(request), order, **payload.model_dump(exclude_unset=True))


@router.post("/work-orders/{order_id}/approve", response=WorkOrderOut)
def approve_work_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return services.approve_work_order(acting_user(request), _order(request, order_id))


@router.post("/work-orders/{order_id}/plan", response=WorkOrderOut)
def plan_work_order(request: HttpRequest, order_id: int, payload: WorkOrderPlanIn) -> WorkOrder:
    order = _order(request, order_id)
    assignees = resolve_many(User, request, payload.assignees, "assignees")
    return services.plan_work_order(acting_user(request), order, assignees, payload.planned_start)


@router.post("/work-orders/{order_id}/assign", response=WorkOrderOut)
def assign_work_order(request: HttpRequest, order_id: int, payload: AssignIn) -> WorkOrder:
    order = _order(request, order_id)
    assignees = resolve_many(User, request, payload.assignees, "assignees")
    return services.assign_work_order(acting_user(request), order, assignees)


@router.post("/work-orders/{order_id}/start", response=WorkOrderOut)
def start_work_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return services.start_work_order(acting_user(request), _order(request, order_id))


@router.post("/work-orders/{order_id}/hold", response=WorkOrderOut)
def hold_work_order(request: HttpRequest, order_id: int, payload: ReasonIn) -> WorkOrder:
    return services.hold_work_order(acting_user(request), _order(request, order_id), payload.reason)


@router.post("/work-orders/{order_id}/resume", response=WorkOrderOut)
def resume_work_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return services.resume_work_order(acting_user(request), _order(request, order_id))


@router.post("/work-orders/{order_id}/complete", response=WorkOrderOut)
def complete_work_order(request: HttpRequest, order_id: int, payload: CompleteIn) -> WorkOrder:
    return services.complete_work_order(acting_user(request), _order(request, order_id), payload.findings)


@router.post("/work-orders/{order_id}/close", response=WorkOrderOut)
def close_work_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return services.close_work_order(acting_user(request), _order(request, order_id))


@router.post("/work-orders/{order_id}/cancel", response=WorkOrderOut)
def cancel_work_order(request: HttpRequest, order_id: int, payload: ReasonIn) -> WorkOrder:
    return services.cancel_work_order(acting_user(request), _order(request, order_id), payload.reason)


@router.get("/work-orders/{order_id}/transitions", response=list[TransitionOut])
def list_transitions(request: HttpRequest, order_id: int) -> QuerySet[WorkOrderTransition]:
    return _order(request, order_id).transitions.select_related("user")


@router.get("/work-orders/{order_id}/changes", response=list[ChangeOut])
@paginate(Pagination)
def work_order_changes(request: HttpRequest, order_id: int) -> QuerySet[ObjectChange]:
    return changes_for(_order(request, order_id))


# --- Execution -------------------------------------------------------------------------------


def _steps(request: HttpRequest, order_id: int) -> QuerySet[ChecklistStep]:
    return restricted(ChecklistStep, request).filter(work_order=_order(request, order_id))


@router.get("/work-orders/{order_id}/steps", response=list[StepOut])
def list_steps(request: HttpRequest, order_id: int) -> QuerySet[ChecklistStep]:
    return _steps(request, order_id)


@router.post("/work-orders/{order_id}/steps/{step_id}", response=StepOut)
def record_step(request: HttpRequest, order_id: int, step_id: int, payload: StepRecordIn) -> ChecklistStep:
    step = get_visible(_steps(request, order_id).select_related("work_order"), step_id)
    return services.record_step(acting_user(request), step, payload.is_done, payload.measured_value, payload.remark)


@router.post("/work-orders/{order_id}/time", response={201: TimeOut})
def log_time(request: HttpRequest, order_id: int, payload: TimeIn) -> TimeEntry:
    order = _order(request, order_id)
    technician = resolve(User, request, payload.technician, "technician")
    return services.log_time(acting_user(request), order, payload.hours, payload.date, technician, payload.note)


@router.post("/work-orders/{order_id}/parts", response={201: PartOut})
def add_part(request: HttpRequest, order_id: int, payload: PartIn) -> PartUsage:
    order = _order(request, order_id)
    return services.add_part(acting_user(request), order, payload.description, payload.quantity, payload.unit_cost)


@router.post("/work-orders/{order_id}/reservations", response={201: ReservationOut})
def reserve_part(request: HttpRequest, order_id: int, payload: StockPartIn) -> PartReservation:
    order = _order(request, order_id)
    part = named(Part, request, payload.part, "part")
    location = named(Location, request, payload.location, "location")
    return services.reserve_part(acting_user(request), order, part, location, payload.quantity)


@router.post("/work-orders/{order_id}/stock-parts", response={201: IssuedPartOut})
def issue_part(request: HttpRequest, order_id: int, payload: IssuedPartIn) -> PartUsage:
    """Fit a part from stock: it is issued from the location, the order's reservation there used first."""
    order = _order(request, order_id)
    part = named(Part, request, payload.part, "part")
    location = named(Location, request, payload.location, "location")
    instead_of = resolve(Part, request, payload.instead_of, "instead_of")
    return services.issue_part(acting_user(request), order, part, location, payload.quantity, instead_of)


@router.post("/work-orders/{order_id}/failure-coding", response=WorkOrderOut)
def code_failure(request: HttpRequest, order_id: int, payload: FailureCodingIn) -> WorkOrder:
    order = _order(request, order_id)
    return services.code_failure(
        acting_user(request),
        order,
        resolve_coded(FailureMode, request, payload.failure_mode, "failure_mode"),
        resolve_coded(FailureMechanism, request, payload.failure_mechanism, "failure_mechanism"),
        resolve_coded(FailureCause, request, payload.failure_cause, "failure_cause"),
        resolve_coded(Remedy, request, payload.remedy, "remedy"),
        resolve_coded(DetectionMethod, request, payload.detection_method, "detection_method"),
        payload.findings,
    )


@router.post("/work-orders/{order_id}/sign-offs", response={201: SignOffOut})
def sign_off(request: HttpRequest, order_id: int, payload: SignOffIn) -> SignOff:
    order = _order(request, order_id)
    return services.sign_off(
        acting_user(request), order, payload.role, payload.name, payload.signature, payload.reservations
    )


# --- Commissioning ---------------------------------------------------------------------------

CHECK_POINTS = ("point", "command_point")


def _check_fields(request: HttpRequest, changes: dict[str, Any]) -> dict[str, Any]:
    """The payload's values, point ids turned into points the user may see (else a 422 on the field)."""
    return {
        name: resolve(Point, request, value, name) if name in CHECK_POINTS else value for name, value in changes.items()
    }


def _check(request: HttpRequest, order_id: int, check_id: int) -> CommissioningCheck:
    order = _order(request, order_id)
    return get_visible(commissioning.checks_of(order).select_related("work_order"), check_id)


@router.get("/work-orders/{order_id}/commissioning-checks", response=list[CheckOut])
def list_checks(request: HttpRequest, order_id: int) -> QuerySet[CommissioningCheck]:
    return commissioning.checks_of(_order(request, order_id))


@router.post("/work-orders/{order_id}/commissioning-checks", response={201: CheckOut})
def add_check(request: HttpRequest, order_id: int, payload: CheckIn) -> CommissioningCheck:
    order = _order(request, order_id)
    return commissioning.add_check(acting_user(request), order, **_check_fields(request, payload.model_dump()))


# Declared before the routes with a check id, so "run-all" is never taken for one.
@router.post("/work-orders/{order_id}/commissioning-checks/run-all", response=list[RunOut])
def run_all_checks(request: HttpRequest, order_id: int) -> list[CommissioningRun]:
    """Run every check in order; the results are recorded together."""
    return commissioning.run_all(acting_user(request), _order(request, order_id))


@router.patch("/work-orders/{order_id}/commissioning-checks/{check_id}", response=CheckOut)
def update_check(request: HttpRequest, order_id: int, check_id: int, payload: CheckPatch) -> CommissioningCheck:
    check = _check(request, order_id, check_id)
    fields = _check_fields(request, payload.model_dump(exclude_unset=True))
    return commissioning.update_check(acting_user(request), check, **fields)


@router.post("/work-orders/{order_id}/commissioning-checks/{check_id}/run", response=RunOut)
def run_check(request: HttpRequest, order_id: int, check_id: int) -> CommissioningRun:
    """Write the check's command, if any, then read its point until it is as expected or the timeout passes.
    An unreachable device is a result (status "error", with its message), not an HTTP error."""
    return commissioning.run_check(acting_user(request), _check(request, order_id, check_id))


# --- Downtimes -------------------------------------------------------------------------------


@router.post("/equipment/{equipment_id}/downtimes", response={201: DowntimeOut})
def start_downtime(request: HttpRequest, equipment_id: int, payload: DowntimeIn) -> Downtime:
    equipment = get_visible(restricted(Equipment, request), equipment_id)
    return services.start_downtime(
        acting_user(request),
        equipment,
        payload.cause,
        payload.started_at,
        resolve(WorkOrder, request, payload.work_order, "work_order"),
        payload.note,
    )


@router.post("/downtimes/{downtime_id}/end", response=DowntimeOut)
def end_downtime(request: HttpRequest, downtime_id: int, payload: DowntimeEndIn) -> Downtime:
    downtime = get_visible(restricted(Downtime, request).select_related("equipment"), downtime_id)
    return services.end_downtime(acting_user(request), downtime, payload.ended_at)


# --- Coded lists -----------------------------------------------------------------------------


def _coded_list(path: str, model: type[CodedEntry]) -> None:
    """A read-only, paginated list of one ISO 14224 coded list."""

    @router.get(path, response=list[CodedEntryOut], operation_id=f"list_{model._meta.model_name}")
    @paginate(Pagination)
    def list_entries(request: HttpRequest) -> QuerySet[CodedEntry]:
        return restricted(model, request)


for _path, _model in (
    ("/failure-modes", FailureMode),
    ("/failure-mechanisms", FailureMechanism),
    ("/failure-causes", FailureCause),
    ("/remedies", Remedy),
    ("/detection-methods", DetectionMethod),
):
    _coded_list(_path, _model)


# --- Requirements ----------------------------------------------------------------------------


class RequirementIn(Input):
    """Exactly one of a skill (with its minimum level), a habilitation type, a CCP."""

    skill: int | None = None
    min_level: SkillLevel | None = None
    habilitation_type: int | None = None
    ccp: int | None = None


class RequirementOut(Schema):
    id: int
    skill: int | None = Field(None, alias="skill_id")
    min_level: int | None
    habilitation_type: int | None = Field(None, alias="habilitation_type_id")
    ccp: int | None = Field(None, alias="ccp_id")
    label: str

    @staticmethod
    def resolve_label(requirement: Requirement) -> str:
        return need_of(requirement).label


class WorkOrderRequirementOut(RequirementOut):
    source: str


class WorkTypeRequirementIn(RequirementIn):
    work_type: WorkOrderType


class WorkTypeRequirementOut(RequirementOut):
    work_type: WorkOrderType


REQUIREMENT_KEYS: dict[str, type[Model]] = {"skill": Skill, "habilitation_type": HabilitationType, "ccp": ActivityType}


def _save_requirement(request: HttpRequest, requirement: Requirement, payload: Schema) -> Any:
    changes = apply_changes(request, requirement, payload.model_dump(), REQUIREMENT_KEYS)
    return services.save_requirement(acting_user(request), changes)


@router.get("/work-orders/{order_id}/requirements", response=list[WorkOrderRequirementOut])
def list_work_order_requirements(request: HttpRequest, order_id: int) -> QuerySet[WorkOrderRequirement]:
    """The order's own requirements; those of its work type are at /work-type-requirements."""
    order = get_visible(restricted(WorkOrder, request), order_id)
    return restricted(WorkOrderRequirement, request).filter(work_order=order).select_related(*REQUIREMENT_RELATED)


@router.post("/work-orders/{order_id}/requirements", response={201: WorkOrderRequirementOut})
def add_work_order_requirement(request: HttpRequest, order_id: int, payload: RequirementIn) -> WorkOrderRequirement:
    order = get_visible(restricted(WorkOrder, request), order_id)
    return _save_requirement(request, WorkOrderRequirement(work_order=order), payload)


@router.delete("/work-order-requirements/{requirement_id}", response={204: None})
def delete_work_order_requirement(request: HttpRequest, requirement_id: int) -> Status[None]:
    requirements = restricted(WorkOrderRequirement, request).select_related("work_order")
    services.delete_requirement(acting_user(request), get_visible(requirements, requirement_id))
    return Status(204, None)


@router.get("/work-type-requirements", response=list[WorkTypeRequirementOut])
@paginate(Pagination)
def list_work_type_requirements(request: HttpRequest) -> QuerySet[WorkTypeRequirement]:
    return restricted(WorkTypeRequirement, request).select_related(*REQUIREMENT_RELATED)


@router.post("/work-type-requirements", response={201: WorkTypeRequirementOut})
def add_work_type_requirement(request: HttpRequest, payload: WorkTypeRequirementIn) -> WorkTypeRequirement:
    return _save_requirement(request, WorkTypeRequirement(), payload)


@router.delete("/work-type-requirements/{requirement_id}", response={204: None})
def delete_work_type_requirement(request: HttpRequest, requirement_id: int) -> Status[None]:
    requirement = get_visible(restricted(WorkTypeRequirement, request), requirement_id)
    services.delete_requirement(acting_user(request), requirement)
    return Status(204, None)
