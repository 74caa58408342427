"""Cycle counts (inventaire tournant): plan, start, record each line, complete into the ledger."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    Pagination,
    acting_user,
    filter_schema,
    filtered,
    get_visible,
    named,
    restricted,
)
from maintenir.stores import counts
from maintenir.stores.filtersets import CycleCountFilterSet
from maintenir.stores.models import CycleCount, CycleCountLine, Location

router = Router(tags=["stores"])


class CycleCountLineOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    part_reference: str = Field(alias="part.reference")
    expected: Decimal | None = Field(None, description="On hand when counting started.")
    counted: Decimal | None
    difference: Decimal | None
    movement: int | None = Field(None, alias="movement_id", description="The COUNT movement of the ledger.")


class CycleCountOut(Schema):
    id: int
    reference: str
    location: int = Field(alias="location_id")
    planned_for: datetime.date
    status: str
    created_by: int | None = Field(None, alias="created_by_id")
    started_at: datetime.datetime | None
    completed_by: int | None = Field(None, alias="completed_by_id")
    completed_at: datetime.datetime | None
    lines: list[CycleCountLineOut] = Field(alias="lines.all")


class CycleCountIn(Input):
    location: int
    planned_for: datetime.date
    lines: int | None = Field(None, ge=1, description="Count the parts counted longest ago; every part if empty.")


class CountedIn(Input):
    counted: Decimal = Field(ge=0, max_digits=12, decimal_places=3)


class CycleCountFilters(filter_schema(CycleCountFilterSet)):  # type: ignore[misc]
    """Counts of one location, or in one status."""


def _counts(request: HttpRequest) -> QuerySet[CycleCount]:
    return restricted(CycleCount, request).select_related("location").prefetch_related("lines__part")


def _count(request: HttpRequest, count_id: int) -> CycleCount:
    return get_visible(_counts(request), count_id)


@router.get("/cycle-counts", response=list[CycleCountOut])
@paginate(Pagination)
def list_cycle_counts(request: HttpRequest, filters: Query[CycleCountFilters]) -> QuerySet[CycleCount]:
    return filtered(CycleCountFilterSet, request, _counts(request), filters)


@router.get("/cycle-counts/{count_id}", response=CycleCountOut)
def get_cycle_count(request: HttpRequest, count_id: int) -> CycleCount:
    return _count(request, count_id)


@router.post("/cycle-counts", response={201: CycleCountOut})
def plan_cycle_count(request: HttpRequest, payload: CycleCountIn) -> CycleCount:
    location = named(Location, request, payload.location, "location")
    count = counts.plan(acting_user(request), location, payload.planned_for, payload.lines)
    return _count(request, count.pk)


@router.post("/cycle-counts/{count_id}/start", response=CycleCountOut)
def start_cycle_count(request: HttpRequest, count_id: int) -> CycleCount:
    """Counting begins: each line keeps the on-hand quantity of now as what is expected."""
    counts.start(acting_user(request), _count(request, count_id))
    return _count(request, count_id)


@router.post("/cycle-counts/{count_id}/lines/{line_id}", response=CycleCountLineOut)
def record_cycle_count_line(request: HttpRequest, count_id: int, line_id: int, payload: CountedIn) -> CycleCountLine:
    line = get_visible(
        restricted(CycleCountLine, request).filter(cycle_count=_count(request, count_id)).select_related("part"),
        line_id,
    )
    return counts.record(acting_user(request), line, payload.counted)


@router.post("/cycle-counts/{count_id}/complete", response=CycleCountOut)
def complete_cycle_count(request: HttpRequest, count_id: int) -> CycleCount:
    """Each line's difference goes to the ledger as a COUNT movement; refused (409) while a line is uncounted."""
    counts.complete(acting_user(request), _count(request, count_id))
    return _count(request, count_id)
