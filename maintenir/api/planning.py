"""Dispatch plans: propose one for the approved orders, read it per technician, accept or discard it; and
each technician's planned day. Staff records: client users and operators see none of them."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maintenir.api.common import Input, Pagination, acting_user, get_visible, restricted
from maintenir.core.choices import Action
from maintenir.core.services import check_model_permission
from maintenir.planning import services
from maintenir.planning.choices import DispatchPlanStatus, Solver
from maintenir.planning.models import DispatchPlan

router = Router(tags=["planning"])


class DispatchPlanFigures(Schema):
    placed: int
    unplaced: int
    weighted_lateness: int
    travel_minutes: int
    cost: int


class DispatchPlanOut(Schema):
    id: int
    start_date: datetime.date
    days: int
    solver: Solver
    status: DispatchPlanStatus
    created_by: int = Field(alias="created_by_id")
    created: datetime.datetime
    decided_by: int | None = Field(alias="decided_by_id")
    decided_at: datetime.datetime | None
    solve_seconds: float
    figures: DispatchPlanFigures


class VisitOut(Schema):
    work_order: int = Field(alias="work_order_id")
    technician: int = Field(alias="technician_id")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    travel_minutes: int
    return_minutes: int
    lateness_minutes: int


class UnplacedOut(Schema):
    work_order: int = Field(alias="work_order_id")
    reason: str


class DispatchPlanDetailOut(DispatchPlanOut):
    visits: list[VisitOut]
    unplaced: list[UnplacedOut]

    @staticmethod
    def resolve_visits(plan: DispatchPlan) -> Any:
        return plan.visits.order_by("technician", "starts_at")

    @staticmethod
    def resolve_unplaced(plan: DispatchPlan) -> Any:
        return plan.unplaced.all()


class DispatchPlanIn(Input):
    start: datetime.date
    days: int = Field(5, ge=1, le=31)
    solver: Solver = Solver.OPTIMISER
    time_limit: int = Field(30, ge=1, le=120, description="The optimiser's time limit in seconds.")


class DayOrderOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    priority: int
    planned_start: datetime.datetime | None
    site: int = Field(alias="site_id")
    equipment: int | None = Field(alias="equipment_id")


@router.get("/planning/plans", response=list[DispatchPlanOut])
@paginate(Pagination)
def list_plans(request: HttpRequest) -> Any:
    return restricted(DispatchPlan, request)


@router.get("/planning/plans/{plan_id}", response=DispatchPlanDetailOut)
def get_plan(request: HttpRequest, plan_id: int) -> DispatchPlan:
    return get_visible(restricted(DispatchPlan, request), plan_id)


@router.post("/planning/plans", response={201: DispatchPlanDetailOut})
def propose_plan(request: HttpRequest, payload: DispatchPlanIn) -> Status:
    check_model_permission(acting_user(request), Action.ADD, DispatchPlan)
    plan = services.propose_plan(
        acting_user(request), payload.start, payload.days, payload.solver, time_limit_seconds=payload.time_limit
    )
    return Status(201, plan)


@router.post("/planning/plans/{plan_id}/accept", response=DispatchPlanDetailOut)
def accept_plan(request: HttpRequest, plan_id: int) -> DispatchPlan:
    return services.accept_plan(acting_user(request), get_visible(restricted(DispatchPlan, request), plan_id))


@router.post("/planning/plans/{plan_id}/discard", response=DispatchPlanDetailOut)
def discard_plan(request: HttpRequest, plan_id: int) -> DispatchPlan:
    return services.discard_plan(acting_user(request), get_visible(restricted(DispatchPlan, request), plan_id))


class DayQuery(Input):
    day: datetime.date | None = Field(None, description="Default: today.")


@router.get("/planning/my-day", response=list[DayOrderOut])
def my_day(request: HttpRequest, query: Query[DayQuery]) -> Any:
    return services.my_day(acting_user(request), query.day or timezone.localdate())
