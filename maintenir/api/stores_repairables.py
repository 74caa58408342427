"""Where used, critical spares and repairable units (échange standard): the pages' operations, same permissions."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    Pagination,
    acting_user,
    filter_schema,
    filtered,
    get_visible,
    named,
    resolve,
    restricted,
)
from maintenir.assets.models import Equipment, EquipmentType
from maintenir.stores import fits, repairables
from maintenir.stores.filtersets import RepairableUnitFilterSet
from maintenir.stores.models import Location, Part, PartFit, RepairableEvent, RepairableUnit, Supplier

router = Router(tags=["stores"])

# --- Schemas ---------------------------------------------------------------------------------


class PartFitIn(Input, model=PartFit):
    part: int
    equipment: int | None = Field(None, description="The equipment it fits; or give `equipment_type`.")
    equipment_type: int | None = Field(None, description="Every equipment of this type.")
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=3)
    critical: bool = False
    minimum_stock: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=3)
    note: str = ""


class PartFitOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    equipment: int | None = Field(None, alias="equipment_id")
    equipment_type: int | None = Field(None, alias="equipment_type_id")
    quantity: Decimal
    critical: bool
    minimum_stock: Decimal
    note: str


class SpareLineOut(Schema):
    fit: int = Field(alias="fit.pk")
    equipment: int = Field(alias="equipment.pk")
    equipment_code: str = Field(alias="equipment.code")
    part: int = Field(alias="part.pk")
    part_reference: str = Field(alias="part.reference")
    quantity: Decimal = Field(alias="fit.quantity")
    critical: bool = Field(alias="fit.critical")
    minimum_stock: Decimal = Field(alias="fit.minimum_stock")
    available: Decimal = Field(description="On hand − reserved in the stores you see that serve the equipment.")
    equivalents_available: Decimal = Field(description="The same, of the parts that may replace it.")
    short: bool = Field(description="A critical spare whose part and equivalents are below the minimum.")
    missing: Decimal


class RepairableUnitIn(Input, model=RepairableUnit):
    part: int
    serial_number: str
    location: int
    unit_cost: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    reference: str = Field("", max_length=100)


class RepairableUnitOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    serial_number: str
    status: str
    status_display: str = Field(alias="get_status_display")
    location: int | None = Field(None, alias="location_id")
    equipment: int | None = Field(None, alias="equipment_id")
    unit_cost: Decimal
    owner: int | None = Field(None, alias="owner_id")


class RepairableEventOut(Schema):
    id: int
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    equipment: int | None = Field(None, alias="equipment_id")
    location: int | None = Field(None, alias="location_id")
    work_order: str
    repairer: int | None = Field(None, alias="repairer_id")
    repairer_name: str
    reference: str
    cost: Decimal | None
    note: str
    user: int | None = Field(None, alias="user_id")
    created: datetime.datetime


class UnitFitIn(Input, model=RepairableEvent):
    equipment: int
    work_order: str = ""


class UnitRemoveIn(Input, model=RepairableEvent):
    failed: bool
    location: int | None = Field(None, description="Where it goes back to stock, when removed in working order.")
    work_order: str = ""
    note: str = ""


class UnitRepairIn(Input, model=RepairableEvent):
    repairer: int | None = Field(None, description="A supplier of ours; or name the repairer.")
    repairer_name: str = ""
    reference: str = ""


class UnitReturnIn(Input, model=RepairableEvent):
    location: int
    cost: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    reference: str = ""


class UnitScrapIn(Input, model=RepairableEvent):
    note: str


class RepairableUnitFilters(filter_schema(RepairableUnitFilterSet)):  # type: ignore[misc]
    """Units of one part, in some statuses."""


# --- Where used and critical spares ----------------------------------------------------------


@router.get("/parts/{part_id}/where-used", response=list[PartFitOut])
def where_used(request: HttpRequest, part_id: int) -> QuerySet[PartFit]:
    """The equipment and equipment types the part fits."""
    part = get_visible(restricted(Part, request), part_id)
    return restricted(PartFit, request).filter(part=part)


@router.get("/equipment/{equipment_id}/spare-parts", response=list[SpareLineOut])
def spare_parts(request: HttpRequest, equipment_id: int) -> list[fits.SpareLine]:
    """The equipment's spare-parts list (its own and its type's), critical spares short first."""
    equipment = get_visible(restricted(Equipment, request).select_related("site"), equipment_id)
    return fits.spare_parts(acting_user(request), equipment)


@router.get("/critical-spares-short", response=list[SpareLineOut])
def critical_spares_short(request: HttpRequest) -> list[fits.SpareLine]:
    """Every critical spare below its minimum, on every equipment you see (managers)."""
    return fits.critical_short(acting_user(request))


@router.post("/part-fits", response={201: PartFitOut})
def add_fit(request: HttpRequest, payload: PartFitIn) -> PartFit:
    fields = payload.model_dump()
    fit = PartFit(
        part=named(Part, request, fields.pop("part"), "part"),
        equipment=resolve(Equipment, request, fields.pop("equipment"), "equipment"),
        equipment_type=resolve(EquipmentType, request, fields.pop("equipment_type"), "equipment_type"),
        **fields,
    )
    return fits.add_fit(acting_user(request), fit)


@router.delete("/part-fits/{fit_id}", response={204: None})
def remove_fit(request: HttpRequest, fit_id: int) -> Status[None]:
    fits.remove_fit(acting_user(request), get_visible(restricted(PartFit, request), fit_id))
    return Status(204, None)


# --- Repairable units ------------------------------------------------------------------------


def _unit(request: HttpRequest, unit_id: int) -> RepairableUnit:
    return get_visible(restricted(RepairableUnit, request), unit_id)


@router.get("/repairable-units", response=list[RepairableUnitOut])
@paginate(Pagination)
def list_units(request: HttpRequest, filters: Query[RepairableUnitFilters]) -> QuerySet[RepairableUnit]:
    return filtered(RepairableUnitFilterSet, request, restricted(RepairableUnit, request), filters)


@router.post("/repairable-units", response={201: RepairableUnitOut})
def receive_unit(request: HttpRequest, payload: RepairableUnitIn) -> RepairableUnit:
    """A new serial-numbered unit into stock, with its receipt in the ledger."""
    return repairables.receive(
        acting_user(request),
        named(Part, request, payload.part, "part"),
        payload.serial_number,
        named(Location, request, payload.location, "location"),
        payload.unit_cost,
        payload.reference,
    )


@router.get("/repairable-units/{unit_id}", response=RepairableUnitOut)
def get_unit(request: HttpRequest, unit_id: int) -> RepairableUnit:
    return _unit(request, unit_id)


@router.get("/repairable-units/{unit_id}/events", response=list[RepairableEventOut])
def unit_events(request: HttpRequest, unit_id: int) -> QuerySet[RepairableEvent]:
    """The unit's history, newest first: every equipment it was fitted on, every repair."""
    return restricted(RepairableEvent, request).filter(unit=_unit(request, unit_id))


@router.post("/repairable-units/{unit_id}/fit", response=RepairableUnitOut)
def fit_unit(request: HttpRequest, unit_id: int, payload: UnitFitIn) -> RepairableUnit:
    unit = _unit(request, unit_id)
    equipment = named(Equipment, request, payload.equipment, "equipment")
    return repairables.fit(acting_user(request), unit, equipment, payload.work_order)


@router.post("/repairable-units/{unit_id}/remove", response=RepairableUnitOut)
def remove_unit(request: HttpRequest, unit_id: int, payload: UnitRemoveIn) -> RepairableUnit:
    unit = _unit(request, unit_id)
    location = resolve(Location, request, payload.location, "location")
    return repairables.remove(acting_user(request), unit, payload.failed, payload.note, location, payload.work_order)


@router.post("/repairable-units/{unit_id}/send-for-repair", response=RepairableUnitOut)
def send_unit_for_repair(request: HttpRequest, unit_id: int, payload: UnitRepairIn) -> RepairableUnit:
    unit = _unit(request, unit_id)
    repairer = resolve(Supplier, request, payload.repairer, "repairer")
    return repairables.send_for_repair(acting_user(request), unit, repairer, payload.repairer_name, payload.reference)


@router.post("/repairable-units/{unit_id}/return-from-repair", response=RepairableUnitOut)
def return_unit_from_repair(request: HttpRequest, unit_id: int, payload: UnitReturnIn) -> RepairableUnit:
    unit = _unit(request, unit_id)
    location = named(Location, request, payload.location, "location")
    return repairables.return_from_repair(acting_user(request), unit, location, payload.cost, payload.reference)


@router.post("/repairable-units/{unit_id}/scrap", response=RepairableUnitOut)
def scrap_unit(request: HttpRequest, unit_id: int, payload: UnitScrapIn) -> RepairableUnit:
    """A unit beyond repair (managers)."""
    return repairables.scrap(acting_user(request), _unit(request, unit_id), payload.note)
