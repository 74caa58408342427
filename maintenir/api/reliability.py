"""Reliability KPIs, their Pareto and monthly trend (the same numbers as the pages), and production records."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    Pagination,
    acting_user,
    answers,
    filter_schema,
    filtered,
    get_visible,
    resolve,
    resolve_coded,
    restricted,
    text_limit,
)
from maintenir.assets.models import Equipment
from maintenir.core.services import save_restricted
from maintenir.reliability import proposals, services
from maintenir.reliability.choices import GroupBy, ModificationKind, ParetoBy
from maintenir.reliability.filtersets import ImprovementProposalFilterSet
from maintenir.reliability.forms import KpiForm
from maintenir.reliability.models import ImprovementProposal, ProductionRecord
from maintenir.workorders.models import FailureMode

router = Router(tags=["reliability"])


class PeriodQuery(Input):
    start: datetime.date | None = Field(None, description="First day (default: twelve months ago, from the 1st).")
    end: datetime.date | None = Field(None, description="Last day (default: the end of this month).")


# The kinds of scope: another one is a 422 naming `scope`.
Scope = Literal[(services.SCOPE_ALL, *(str(kind) for kind in services.SCOPE_LOOKUPS))]  # type: ignore[valid-type]


class ScopeQuery(PeriodQuery):
    scope: Scope = Field(services.SCOPE_ALL)  # type: ignore[valid-type]
    id: int | None = Field(None, description="The scope's object (not for `all`); not found: 404.")


class KpiQuery(ScopeQuery):
    group_by: GroupBy | None = None


class ParetoQuery(ScopeQuery):
    by: ParetoBy = ParetoBy.FAILURE_MODE


class FiguresOut(Schema):
    key: int | None
    label: str
    equipment: int
    required_hours: float
    downtime: dict[str, float] = Field(description="Hours by cause.")
    failures: int
    preventive_hours: float
    corrective_hours: float
    labour_hours: float
    labour_cost: float
    parts_cost: float
    backlog_hours: float
    backlog_orders: int
    preventive_due: int
    preventive_on_time: int
    planned_hours: float
    run_hours: float
    nominal_output: float
    output: int
    rejects: int
    downtime_hours: float
    operating_hours: float
    repair_hours: float
    mtbf: float | None
    mttr: float | None
    availability: float | None
    maintenance_availability: float | None
    pc_ratio: float | None
    compliance: float | None
    cost: float
    oee_availability: float | None
    performance: float | None
    quality: float | None
    oee: float | None


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date


class KpisOut(Schema):
    scope: str
    period: PeriodOut
    definitions: dict[str, str]
    totals: FiguresOut
    rows: list[FiguresOut]


class ParetoBarOut(Schema):
    key: int | None = Field(description="The failure mode, cause or equipment; empty for not coded and others.")
    label: str
    value: float
    share: float
    cumulative: float


class MonthOut(Schema):
    period: PeriodOut
    figures: FiguresOut


class ProductionRecordIn(Input):
    equipment: int
    date: datetime.date
    planned_hours: Decimal
    run_hours: Decimal
    nominal_rate: Decimal
    output: int = Field(ge=0)
    rejects: int = Field(0, ge=0)


class ProductionRecordOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    equipment_code: str = Field(alias="equipment.code")
    date: datetime.date
    planned_hours: Decimal
    run_hours: Decimal
    nominal_rate: Decimal
    output: int
    rejects: int


def period_of(start: datetime.date | None, end: datetime.date | None) -> services.Period:
    """The period of a query's dates, by default the last twelve months."""
    form = KpiForm({"start": start, "end": end})
    if not form.is_valid():
        # The page's form checks the dates, so both reject the same input the same way.
        raise ValidationError(form.errors.as_data())
    return form.period()


def _scope(request: HttpRequest, query: ScopeQuery) -> tuple[QuerySet[Equipment], str, services.Period]:
    period = period_of(query.start, query.end)
    equipment, name = services.scope_equipment(acting_user(request), query.scope, query.id)
    return equipment, name, period


def _period(period: services.Period) -> dict[str, Any]:
    return {"start": period.first_day, "end": period.last_day}


@router.get("/reliability/kpis", response=KpisOut)
@answers(404)  # the scope's object
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> dict[str, Any]:
    equipment, name, period = _scope(request, query)
    rows = services.kpis(equipment, period, query.group_by) if query.group_by else []
    return {
        "scope": name,
        "period": _period(period),
        "definitions": {key: str(text) for key, text in services.DEFINITIONS.items()},
        "totals": services.totals(equipment, period).as_dict(),
        "rows": [row.as_dict() for row in rows],
    }


@router.get("/reliability/pareto", response=list[ParetoBarOut])
@answers(404)  # the scope's object
def pareto(request: HttpRequest, query: Query[ParetoQuery]) -> list[services.ParetoBar]:
    equipment, _name, period = _scope(request, query)
    return services.pareto(equipment, period, query.by)


@router.get("/reliability/trend", response=list[MonthOut])
@answers(404)  # the scope's object
def trend(request: HttpRequest, query: Query[ScopeQuery]) -> list[dict[str, Any]]:
    equipment, _name, period = _scope(request, query)
    return [
        {"period": _period(month), "figures": figures.as_dict()} for month, figures in services.trend(equipment, period)
    ]


@router.get("/production-records", response=list[ProductionRecordOut])
@paginate(Pagination)
def list_production_records(request: HttpRequest) -> QuerySet[ProductionRecord]:
    return restricted(ProductionRecord, request).select_related("equipment")


@router.post("/production-records", response={201: ProductionRecordOut})
def add_production_record(request: HttpRequest, payload: ProductionRecordIn) -> ProductionRecord:
    record = ProductionRecord(**payload.dict(exclude={"equipment"}))
    record.equipment = resolve(Equipment, request, payload.equipment, "equipment")  # type: ignore[assignment]
    return save_restricted(acting_user(request), record)  # type: ignore[return-value]


# --- Improvement proposals -------------------------------------------------------------------


class ProposalIn(Input, model=ImprovementProposal):
    equipment: int
    failure_mode: int | str | None = Field(None, description="Id or code of the failure mode addressed.")
    title: str
    argument: str = Field("", description="Empty: the argument computed from the last 12 months.")
    kind: ModificationKind = ModificationKind.TECHNICAL
    modification: str
    cost: Decimal
    expected_gain: Decimal
    measure_after_days: int = 90


class ProposalDecisionIn(Input):
    note: str = Field("", max_length=text_limit(ImprovementProposal, "decision_note"))


class ProposalSummaryOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    failure_mode: int | None = Field(None, alias="failure_mode_id")
    title: str
    argument: str
    kind: str
    modification: str
    cost: Decimal
    expected_gain: Decimal
    payback_months: float | None
    measure_after_days: int
    status: str
    proposed_by: int = Field(alias="proposed_by_id")
    decided_by: int | None = Field(None, alias="decided_by_id")
    decided_at: datetime.datetime | None
    decision_note: str
    work_order: int | None = Field(None, alias="work_order_id")
    effect_measured_on: datetime.datetime | None = Field(
        description="When the period after the improvement work is over; null until the work is done."
    )


class ProposalOut(ProposalSummaryOut):
    effect: dict[str, Any] | None = Field(None, description="The KPIs before and after, once the work is done.")

    @staticmethod
    def resolve_effect(proposal: ImprovementProposal) -> dict[str, Any] | None:
        effect = proposals.effect(proposal)
        if effect is None:
            return None
        return {
            "complete": effect.complete,
            "before": {"period": _period(effect.before_period), "figures": effect.before.as_dict()},
            "after": {"period": _period(effect.after_period), "figures": effect.after.as_dict()},
        }


def _proposal(request: HttpRequest, proposal_id: int) -> ImprovementProposal:
    return get_visible(
        restricted(ImprovementProposal, request).select_related("equipment__site", "work_order"), proposal_id
    )


class ProposalFilters(filter_schema(ImprovementProposalFilterSet)):  # type: ignore[misc]
    """The improvement proposal list filters, as query parameters."""


@router.get("/improvement-proposals", response=list[ProposalSummaryOut])
@paginate(Pagination)
def list_proposals(request: HttpRequest, filters: Query[ProposalFilters]) -> QuerySet[ImprovementProposal]:
    """The proposals, without their effect: each effect is two KPI computations, read one proposal at a time."""
    visible = restricted(ImprovementProposal, request).select_related("work_order")
    return filtered(ImprovementProposalFilterSet, request, visible, filters)


@router.get("/improvement-proposals/{proposal_id}", response=ProposalOut)
def get_proposal(request: HttpRequest, proposal_id: int) -> ImprovementProposal:
    return _proposal(request, proposal_id)


@router.post("/improvement-proposals", response={201: ProposalOut})
def add_proposal(request: HttpRequest, payload: ProposalIn) -> ImprovementProposal:
    equipment = resolve(Equipment, request, payload.equipment, "equipment")
    assert equipment is not None  # the schema requires it
    data = payload.dict(exclude={"equipment", "failure_mode"})
    failure_mode = resolve_coded(FailureMode, request, payload.failure_mode, "failure_mode")
    return proposals.propose(acting_user(request), equipment, failure_mode=failure_mode, **data)


@router.post("/improvement-proposals/{proposal_id}/approve", response=ProposalOut)
def approve_proposal(request: HttpRequest, proposal_id: int, payload: ProposalDecisionIn) -> ImprovementProposal:
    return proposals.approve(acting_user(request), _proposal(request, proposal_id), payload.note)


@router.post("/improvement-proposals/{proposal_id}/reject", response=ProposalOut)
def reject_proposal(request: HttpRequest, proposal_id: int, payload: ProposalDecisionIn) -> ImprovementProposal:
    return proposals.reject(acting_user(request), _proposal(request, proposal_id), payload.note)


@router.post("/improvement-proposals/{proposal_id}/carry-out", response=ProposalOut)
def carry_out_proposal(request: HttpRequest, proposal_id: int) -> ImprovementProposal:
    return proposals.carry_out(acting_user(request), _proposal(request, proposal_id))
