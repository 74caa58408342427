"""Sites, equipment, equipment types and counters."""

import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
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
    partial_schema,
    restricted,
)
from maintenir.assets.choices import Criticality, ServiceLot, Technology
from maintenir.assets.filtersets import EquipmentFilterSet, SiteFilterSet
from maintenir.assets.models import (
    Building,
    Counter,
    CounterReading,
    Equipment,
    EquipmentType,
    Floor,
    ProductionLine,
    Site,
    Space,
)
from maintenir.assets.services import record_counter_reading, save_equipment
from maintenir.core.changelog import changes_for
from maintenir.core.models import ObjectChange, Organisation
from maintenir.core.services import save_restricted

router = Router(tags=["assets"])


# --- Schemas ---------------------------------------------------------------------------------


class SiteIn(Input, model=Site):
    organisation: int
    code: str
    name: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "FR"
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str = ""


class SitePatch(partial_schema(SiteIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


SITE_KEYS: dict[str, type[Model]] = {"organisation": Organisation}


class SiteOut(Schema):
    id: int
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    code: str
    name: str
    address: str
    postcode: str
    city: str
    country: str
    latitude: Decimal | None
    longitude: Decimal | None
    description: str
    created: datetime.datetime
    last_updated: datetime.datetime


class EquipmentIn(Input, model=Equipment):
    site: int
    code: str
    name: str
    equipment_type: int
    parent: int | None = None
    building: int | None = None
    floor: int | None = None
    space: int | None = None
    production_line: int | None = None
    manufacturer: str = ""
    model: str = ""
    serial_number: str = ""
    installation_date: datetime.date | None = None
    warranty_end: datetime.date | None = None
    criticality: Criticality = Criticality.MEDIUM
    service_lot: ServiceLot | Literal[""] = ""
    technologies: list[Technology] | None = None
    description: str = ""


class EquipmentPatch(partial_schema(EquipmentIn)):  # type: ignore[misc]
    """Only the fields sent are changed; `technologies`, when sent, replaces the list."""


EQUIPMENT_KEYS: dict[str, type[Model]] = {
    "site": Site,
    "equipment_type": EquipmentType,
    "parent": Equipment,
    "building": Building,
    "floor": Floor,
    "space": Space,
    "production_line": ProductionLine,
}


class EquipmentOut(Schema):
    id: int
    site: int = Field(alias="site_id")
    site_name: str = Field(alias="site.name")
    code: str
    name: str
    equipment_type: int = Field(alias="equipment_type_id")
    equipment_type_name: str = Field(alias="equipment_type.name")
    parent: int | None = Field(None, alias="parent_id")
    building: int | None = Field(None, alias="building_id")
    floor: int | None = Field(None, alias="floor_id")
    space: int | None = Field(None, alias="space_id")
    production_line: int | None = Field(None, alias="production_line_id")
    manufacturer: str
    model: str
    serial_number: str
    installation_date: datetime.date | None
    warranty_end: datetime.date | None
    criticality: str
    criticality_display: str = Field(alias="get_criticality_display")
    service_lot: str
    technologies: list[str]
    status: str
    status_display: str = Field(alias="get_status_display")
    description: str
    created: datetime.datetime
    last_updated: datetime.datetime

    @staticmethod
    def resolve_technologies(equipment: Equipment) -> list[str]:
        return [tag.code for tag in equipment.technologies.all()]


class EquipmentTypeOut(Schema):
    id: int
    name: str
    description: str


class CounterOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    unit: str
    value: Decimal | None = Field(None, alias="current_value")


class CounterReadingIn(Input):
    value: Decimal
    read_at: datetime.datetime | None = None


class CounterReadingOut(Schema):
    id: int
    counter: int = Field(alias="counter_id")
    value: Decimal
    read_at: datetime.datetime
    source: str
    recorded_by: int | None = Field(None, alias="recorded_by_id")


class SiteFilters(filter_schema(SiteFilterSet)):  # type: ignore[misc]
    """The site list filters of the pages, as query parameters."""


class EquipmentFilters(filter_schema(EquipmentFilterSet)):  # type: ignore[misc]
    """The equipment list filters of the pages, as query parameters."""


# --- Sites -----------------------------------------------------------------------------------


def _sites(request: HttpRequest) -> QuerySet[Site]:
    return restricted(Site, request).select_related("organisation")


@router.get("/sites", response=list[SiteOut])
@paginate(Pagination)
def list_sites(request: HttpRequest, filters: Query[SiteFilters]) -> QuerySet[Site]:
    return filtered(SiteFilterSet, request, _sites(request), filters)


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request: HttpRequest, site_id: int) -> Site:
    return get_visible(_sites(request), site_id)


@router.post("/sites", response={201: SiteOut})
def create_site(request: HttpRequest, payload: SiteIn) -> Site:
    site = apply_changes(request, Site(), payload.model_dump(), SITE_KEYS)
    save_restricted(acting_user(request), site)
    return site


@router.patch("/sites/{site_id}", response=SiteOut)
def update_site(request: HttpRequest, site_id: int, payload: SitePatch) -> Site:
    site = get_visible(_sites(request), site_id)
    apply_changes(request, site, payload.model_dump(exclude_unset=True), SITE_KEYS)
    save_restricted(acting_user(request), site)
    return site


# --- Equipment -------------------------------------------------------------------------------


def _equipment(request: HttpRequest) -> QuerySet[Equipment]:
    return restricted(Equipment, request).select_related("site", "equipment_type").prefetch_related("technologies")


@router.get("/equipment", response=list[EquipmentOut])
@paginate(Pagination)
def list_equipment(request: HttpRequest, filters: Query[EquipmentFilters]) -> QuerySet[Equipment]:
    return filtered(EquipmentFilterSet, request, _equipment(request), filters)


@router.get("/equipment/{equipment_id}", response=EquipmentOut)
def get_equipment(request: HttpRequest, equipment_id: int) -> Equipment:
    return get_visible(_equipment(request), equipment_id)


def _save_equipment(request: HttpRequest, equipment: Equipment, changes: dict[str, object]) -> Equipment:
    technologies = changes.pop("technologies", None)
    apply_changes(request, equipment, changes, EQUIPMENT_KEYS)
    save_equipment(acting_user(request), equipment, technologies)  # type: ignore[arg-type]
    return equipment


@router.post("/equipment", response={201: EquipmentOut})
def create_equipment(request: HttpRequest, payload: EquipmentIn) -> Equipment:
    return _save_equipment(request, Equipment(), payload.model_dump())


@router.patch("/equipment/{equipment_id}", response=EquipmentOut)
def update_equipment(request: HttpRequest, equipment_id: int, payload: EquipmentPatch) -> Equipment:
    equipment = get_visible(_equipment(request), equipment_id)
    return _save_equipment(request, equipment, payload.model_dump(exclude_unset=True))


@router.get("/equipment/{equipment_id}/changes", response=list[ChangeOut])
@paginate(Pagination)
def equipment_changes(request: HttpRequest, equipment_id: int) -> QuerySet[ObjectChange]:
    return changes_for(get_visible(restricted(Equipment, request), equipment_id))


@router.get("/equipment-types", response=list[EquipmentTypeOut])
@paginate(Pagination)
def list_equipment_types(request: HttpRequest) -> QuerySet[EquipmentType]:
    return restricted(EquipmentType, request)


# --- Counters --------------------------------------------------------------------------------


def _counters(request: HttpRequest, equipment_id: int) -> QuerySet[Counter]:
    equipment = get_visible(restricted(Equipment, request), equipment_id)
    latest = CounterReading.objects.filter(counter=OuterRef("pk")).order_by("-read_at").values("value")[:1]
    return restricted(Counter, request).filter(equipment=equipment).annotate(current_value=Subquery(latest))


@router.get("/equipment/{equipment_id}/counters", response=list[CounterOut])
def list_counters(request: HttpRequest, equipment_id: int) -> QuerySet[Counter]:
    return _counters(request, equipment_id)


@router.post("/equipment/{equipment_id}/counters/{counter_id}/readings", response={201: CounterReadingOut})
def record_reading(
    request: HttpRequest, equipment_id: int, counter_id: int, payload: CounterReadingIn
) -> CounterReading:
    counter = get_visible(_counters(request, equipment_id), counter_id)
    return record_counter_reading(acting_user(request), counter, payload.value, payload.read_at)
