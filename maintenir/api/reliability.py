"""Reliability KPIs, their Pareto and monthly trend (the same numbers as the pages), and production records."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from maintenir.api.common import acting_user, resolve, restricted
from maintenir.assets.models import Equipment
from maintenir.core.services import save_restricted
from maintenir.reliability import services
from maintenir.reliability.choices import GroupBy, ParetoBy
from maintenir.reliability.forms import KpiForm
from maintenir.reliability.models import ProductionRecord

router = Router(tags=["reliability"])


class ScopeQuery(Schema):
    scope: str = Field(
        services.SCOPE_ALL, description="all, organisation, site, production_line, equipment_type or equipment"
    )
    id: int | None = Field(None, description="The scope's object; not for `all`.")
    start: datetime.date | None = Field(None, description="First day (default: twelve months ago, from the 1st).")
    end: datetime.date | None = Field(None, description="Last day (default: the end of this month).")


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
    label: str
    value: float
    share: float
    cumulative: float


class MonthOut(Schema):
    period: PeriodOut
    figures: FiguresOut


class ProductionRecordIn(Schema):
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


def _scope(request: HttpRequest, query: ScopeQuery) -> tuple[QuerySet[Equipment], str, services.Period]:
    form = KpiForm({"start": query.start, "end": query.end})
    if not form.is_valid():
        # The page's form checks the dates, so both reject the same input the same way.
        raise ValidationError(form.errors.as_data())
    equipment, name = services.scope_equipment(acting_user(request), query.scope, query.id)
    return equipment, name, form.period()


def _period(period: services.Period) -> dict[str, Any]:
    return {"start": period.first_day, "end": period.last_day}


@router.get("/reliability/kpis", response=KpisOut)
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
def pareto(request: HttpRequest, query: Query[ParetoQuery]) -> list[services.ParetoBar]:
    equipment, _name, period = _scope(request, query)
    return services.pareto(equipment, period, query.by)


@router.get("/reliability/trend", response=list[MonthOut])
def trend(request: HttpRequest, query: Query[ScopeQuery]) -> list[dict[str, Any]]:
    equipment, _name, period = _scope(request, query)
    return [
        {"period": _period(month), "figures": figures.as_dict()} for month, figures in services.trend(equipment, period)
    ]


@router.get("/production-records", response=list[ProductionRecordOut])
@paginate(LimitOffsetPagination)
def list_production_records(request: HttpRequest) -> QuerySet[ProductionRecord]:
    return restricted(ProductionRecord, request).select_related("equipment")


@router.post("/production-records", response={201: ProductionRecordOut})
def add_production_record(request: HttpRequest, payload: ProductionRecordIn) -> ProductionRecord:
    record = ProductionRecord(**payload.dict(exclude={"equipment"}))
    record.equipment = resolve(Equipment, request, payload.equipment, "equipment")  # type: ignore[assignment]
    return save_restricted(acting_user(request), record)  # type: ignore[return-value]
