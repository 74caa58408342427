"""Spare parts and stock: the catalogue, locations, balances, the ledger and its movements."""

import datetime
from decimal import Decimal

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    Pagination,
    acting_user,
    apply_changes,
    filter_schema,
    filtered,
    get_visible,
    named,
    resolve,
    restricted,
)
from maintenir.assets.choices import Criticality, Technology
from maintenir.assets.models import Site
from maintenir.core.models import Organisation, User
from maintenir.core.services import save_restricted
from maintenir.stores import purchasing, services
from maintenir.stores.choices import LocationKind, Unit
from maintenir.stores.filtersets import BalanceFilterSet, LocationFilterSet, MovementFilterSet, PartFilterSet
from maintenir.stores.models import Location, Part, StockBalance, StockMovement

router = Router(tags=["stores"])


# --- Schemas ---------------------------------------------------------------------------------


class SparePartIn(Input):
    reference: str
    description: str
    manufacturer: str = ""
    manufacturer_reference: str = ""
    unit: Unit = Unit.PIECE
    category: str = ""
    technology: Technology | None = None
    criticality: Criticality = Criticality.MEDIUM
    barcode: str = ""
    superseded_by: int | None = None
    owner: int | None = None


class SparePartOut(Schema):
    id: int
    reference: str
    description: str
    manufacturer: str
    manufacturer_reference: str
    unit: str
    category: str
    technology: str
    criticality: str
    barcode: str
    superseded_by: int | None = Field(None, alias="superseded_by_id")
    owner: int | None = Field(None, alias="owner_id")


class LocationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    parent: int | None = Field(None, alias="parent_id")
    site: int | None = Field(None, alias="site_id")
    technician: int | None = Field(None, alias="technician_id")
    owner: int | None = Field(None, alias="owner_id")


class BalanceOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    location: int = Field(alias="location_id")
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    average_cost: Decimal
    on_order: Decimal = Field(description="Ordered from suppliers for this part and location, not yet received.")


class MovementOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    location: int = Field(alias="location_id")
    kind: str
    quantity: Decimal
    unit_cost: Decimal
    user: int | None = Field(None, alias="user_id")
    counterpart: int | None = Field(None, alias="counterpart_id")
    reference: str
    note: str
    created: datetime.datetime


class OfferOut(Schema):
    part: int = Field(alias="part.pk")
    part_reference: str = Field(alias="part.reference")
    location: int = Field(alias="location.pk")
    location_name: str = Field(alias="location.name")
    available: Decimal
    condition: str
    is_equivalent: bool


class LocationIn(Input):
    code: str
    name: str
    kind: LocationKind
    parent: int | None = None
    site: int | None = None
    technician: int | None = None
    owner: int | None = None


LOCATION_KEYS: dict[str, type[Model]] = {
    "parent": Location,
    "site": Site,
    "technician": User,
    "owner": Organisation,
}


class CountIn(Input):
    part: int
    location: int
    counted: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    reference: str = ""


class AdjustmentIn(Input):
    part: int
    location: int
    quantity: Decimal = Field(max_digits=12, decimal_places=3, description="Positive adds, negative removes.")
    note: str


class ReceiptIn(Input):
    part: int
    location: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_cost: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    reference: str = ""


class IssueIn(Input):
    part: int
    location: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    reference: str = ""


class TransferIn(Input):
    part: int
    source: int
    destination: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    reference: str = ""


class PartFilters(filter_schema(PartFilterSet)):  # type: ignore[misc]
    """The parts list filters of the pages, as query parameters."""


class LocationFilters(filter_schema(LocationFilterSet)):  # type: ignore[misc]
    """The stock location filters, as query parameters."""


class BalanceFilters(filter_schema(BalanceFilterSet)):  # type: ignore[misc]
    """Balances of one part, or of one location."""


class MovementFilters(filter_schema(MovementFilterSet)):  # type: ignore[misc]
    """Ledger rows of one part, location or kind."""


class OfferQuery(Input):
    technician: int | None = Field(None, description="Whose van counts as nearest (default: you).")
    site: int | None = Field(None, description="The site whose store comes next.")


# --- Catalogue -------------------------------------------------------------------------------


@router.get("/parts", response=list[SparePartOut])
@paginate(Pagination)
def list_parts(request: HttpRequest, filters: Query[PartFilters]) -> QuerySet[Part]:
    return filtered(PartFilterSet, request, restricted(Part, request), filters)


@router.get("/parts/{part_id}", response=SparePartOut)
def get_part(request: HttpRequest, part_id: int) -> Part:
    return get_visible(restricted(Part, request), part_id)


@router.post("/parts", response={201: SparePartOut})
def create_part(request: HttpRequest, payload: SparePartIn) -> Part:
    fields = payload.model_dump()
    fields["technology"] = fields["technology"] or ""
    fields["superseded_by"] = resolve(Part, request, fields["superseded_by"], "superseded_by")
    fields["owner"] = resolve(Organisation, request, fields["owner"], "owner")
    part = Part(**fields)
    save_restricted(acting_user(request), part)
    return part


@router.get("/parts/{part_id}/offers", response=list[OfferOut])
def part_offers(request: HttpRequest, part_id: int, query: Query[OfferQuery]) -> list[services.Offer]:
    """Where the part, or else a part that may replace it, is available: your van first, then the site's store,
    then the central store."""
    part = get_visible(restricted(Part, request), part_id)
    user = acting_user(request)
    technician = resolve(User, request, query.technician, "technician") if query.technician else user
    site = resolve(Site, request, query.site, "site")
    return services.offers(user, part, technician, site)


# --- Locations and stock ---------------------------------------------------------------------


@router.get("/stock-locations", response=list[LocationOut])
@paginate(Pagination)
def list_locations(request: HttpRequest, filters: Query[LocationFilters]) -> QuerySet[Location]:
    return filtered(LocationFilterSet, request, restricted(Location, request), filters)


@router.post("/stock-locations", response={201: LocationOut})
def create_location(request: HttpRequest, payload: LocationIn) -> Location:
    location = apply_changes(request, Location(), payload.model_dump(), LOCATION_KEYS)
    save_restricted(acting_user(request), location)
    return location


@router.get("/stock-balances", response=list[BalanceOut])
@paginate(Pagination)
def list_balances(request: HttpRequest, filters: Query[BalanceFilters]) -> QuerySet[StockBalance]:
    balances = purchasing.with_on_order(restricted(StockBalance, request))
    return filtered(BalanceFilterSet, request, balances, filters)


@router.get("/stock-movements", response=list[MovementOut])
@paginate(Pagination)
def list_movements(request: HttpRequest, filters: Query[MovementFilters]) -> QuerySet[StockMovement]:
    return filtered(MovementFilterSet, request, restricted(StockMovement, request), filters)


@router.post("/stock-movements/receipts", response={201: MovementOut})
def receive(request: HttpRequest, payload: ReceiptIn) -> StockMovement:
    part = named(Part, request, payload.part, "part")
    location = named(Location, request, payload.location, "location")
    return services.receive(
        acting_user(request), part, location, payload.quantity, payload.unit_cost, reference=payload.reference
    )


@router.post("/stock-movements/issues", response={201: MovementOut})
def issue(request: HttpRequest, payload: IssueIn) -> StockMovement:
    """Take stock out for a use outside a work order (an order's parts are issued from the order)."""
    part = named(Part, request, payload.part, "part")
    location = named(Location, request, payload.location, "location")
    return services.issue(acting_user(request), part, location, payload.quantity, reference=payload.reference)


@router.post("/stock-movements/transfers", response={201: list[MovementOut]})
def transfer(request: HttpRequest, payload: TransferIn) -> list[StockMovement]:
    """Both rows of the transfer: out of the source, then into the destination."""
    part = named(Part, request, payload.part, "part")
    source = named(Location, request, payload.source, "source")
    destination = named(Location, request, payload.destination, "destination")
    return list(
        services.transfer(
            acting_user(request), part, source, destination, payload.quantity, reference=payload.reference
        )
    )


@router.post("/stock-movements/counts", response={201: MovementOut})
def count(request: HttpRequest, payload: CountIn) -> StockMovement:
    """What a count found: the ledger takes the difference (zero when the stock was right)."""
    part = named(Part, request, payload.part, "part")
    location = named(Location, request, payload.location, "location")
    return services.count(acting_user(request), part, location, payload.counted, reference=payload.reference)


@router.post("/stock-movements/adjustments", response={201: MovementOut})
def adjust(request: HttpRequest, payload: AdjustmentIn) -> StockMovement:
    part = named(Part, request, payload.part, "part")
    location = named(Location, request, payload.location, "location")
    return services.adjust(acting_user(request), part, location, payload.quantity, payload.note)
