"""Reorder and purchasing: suppliers, reorder rules and proposals, purchase requests and purchase orders.

Purchasing is the maintenance company's: its staff read it, its managers act on it, and a client's user is
refused (403) on every route. Statuses:

- purchase request: `requested` (open) → `ordered` (on a purchase order line) or `cancelled`;
- purchase order: `draft` → `sent` (e-mailed to the supplier with its PDF) → `partly_received` → `received`;
  a draft or sent order nothing was received on may be `cancelled`, which opens its requests again.
"""

import datetime
from decimal import Decimal

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    Pagination,
    PdfFile,
    acting_user,
    apply_changes,
    filter_schema,
    filtered,
    get_visible,
    named,
    resolve,
    resolve_many,
    restricted,
)
from maintenir.core.choices import Action
from maintenir.core.services import check_model_permission, save_restricted
from maintenir.reports.purchase_orders import purchase_order_pdf
from maintenir.reports.views import pdf_response
from maintenir.stores import purchasing, reorder
from maintenir.stores.models import (
    Location,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    ReorderRule,
    StockMovement,
    Supplier,
    SupplierPart,
)
from maintenir.stores.purchasing_forms import (
    PurchaseOrderFilterSet,
    PurchaseRequestFilterSet,
    ReorderRuleFilterSet,
    SupplierFilterSet,
)

router = Router(tags=["purchasing"])


def _company_only(request: HttpRequest, model: type[Model]) -> None:
    """A client's user is refused outright rather than shown an empty list."""
    check_model_permission(acting_user(request), Action.VIEW, model)


# --- Schemas ---------------------------------------------------------------------------------


class SupplierIn(Input, model=Supplier):
    name: str
    email: str = ""
    phone: str = ""


class SupplierOut(Schema):
    id: int
    name: str
    email: str
    phone: str


class SupplierPartIn(Input, model=SupplierPart):
    supplier: int
    part: int
    supplier_reference: str
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    minimum_order: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=3)
    lead_time_days: int = Field(0, ge=0, le=32767)


class SupplierPartOut(Schema):
    id: int
    supplier: int = Field(alias="supplier_id")
    part: int = Field(alias="part_id")
    supplier_reference: str
    price: Decimal
    minimum_order: Decimal
    lead_time_days: int


class ReorderRuleIn(Input):
    part: int
    location: int
    reorder_point: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    maximum: Decimal = Field(ge=0, max_digits=12, decimal_places=3, description="The stock an order brings back.")


class ReorderRuleOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    location: int = Field(alias="location_id")
    reorder_point: Decimal
    maximum: Decimal


class ReorderSuggestionOut(Schema):
    mean: float = Field(description="Mean daily demand over the last twelve months.")
    deviation: float = Field(description="Standard deviation of the daily demand.")
    lead_time_days: int
    service_level: float
    reorder_point: Decimal = Field(description="d·L + z·σ·√L, rounded up.")
    maximum: Decimal


class ReorderProposalOut(Schema):
    rule: int = Field(alias="rule_id")
    part: int = Field(alias="part_id")
    part_reference: str
    location: int = Field(alias="location_id")
    location_name: str
    available: Decimal
    on_order: Decimal
    needs: Decimal
    reorder_point: Decimal
    maximum: Decimal
    quantity: Decimal
    supplier: int | None = Field(None, alias="supplier_id")
    supplier_name: str
    unit_price: Decimal | None


class PurchaseRequestIn(Input, model=PurchaseRequest):
    part: int
    location: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    reason: str = ""
    supplier: int | None = None


class ReorderProposalsIn(Input):
    rules: list[int] = Field(description="The reorder rules whose current proposals to request.")


class PurchaseRequestOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    location: int = Field(alias="location_id")
    quantity: Decimal
    supplier: int | None = Field(None, alias="supplier_id")
    reason: str
    status: str = Field(description="requested, ordered or cancelled.")
    requested_by: int | None = Field(None, alias="requested_by_id")
    order_line: int | None = Field(None, alias="order_line_id")
    created: datetime.datetime


class PurchaseOrderLineOut(Schema):
    id: int
    part: int = Field(alias="part_id")
    location: int = Field(alias="location_id")
    supplier_reference: str
    quantity: Decimal
    received: Decimal
    unit_price: Decimal


class PurchaseOrderOut(Schema):
    id: int
    number: str
    supplier: int = Field(alias="supplier_id")
    status: str = Field(description="draft, sent, partly_received, received or cancelled.")
    created_by: int | None = Field(None, alias="created_by_id")
    sent_at: datetime.datetime | None
    expected: datetime.date | None
    created: datetime.datetime


class PurchaseOrderDetailOut(PurchaseOrderOut):
    lines: list[PurchaseOrderLineOut]

    @staticmethod
    def resolve_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
        return list(order.lines.all())


class OrderRequestsIn(Input):
    requests: list[int] = Field(description="Open purchase requests; one draft order per supplier.")


class PurchaseOrderSendIn(Input):
    message: str = Field("", max_length=2000)


class PurchaseReceiptIn(Input):
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_cost: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4, description="Default: the price.")
    reference: str = Field("", max_length=100, description="The delivery note.")


class ReceiptOut(Schema):
    id: int
    quantity: Decimal
    unit_cost: Decimal
    reference: str


class SupplierFilters(filter_schema(SupplierFilterSet)):  # type: ignore[misc]
    """Suppliers by name, e-mail or phone."""


class ReorderRuleFilters(filter_schema(ReorderRuleFilterSet)):  # type: ignore[misc]
    """The reorder rules of one part or location."""


class PurchaseRequestFilters(filter_schema(PurchaseRequestFilterSet)):  # type: ignore[misc]
    """Purchase requests by status, part or location."""


class PurchaseOrderFilters(filter_schema(PurchaseOrderFilterSet)):  # type: ignore[misc]
    """Purchase orders by status, supplier or number."""


class ReorderProposalQuery(Input):
    weeks: int = Field(reorder.NEEDS_WEEKS, ge=0, le=52, description="Weeks of coming needs to count.")


class ReorderSuggestionQuery(Input):
    part: int
    location: int


# --- Suppliers -------------------------------------------------------------------------------


@router.get("/suppliers", response=list[SupplierOut])
@paginate(Pagination)
def list_suppliers(request: HttpRequest, filters: Query[SupplierFilters]) -> QuerySet[Supplier]:
    _company_only(request, Supplier)
    return filtered(SupplierFilterSet, request, restricted(Supplier, request), filters)


@router.get("/suppliers/{supplier_id}", response=SupplierOut)
def get_supplier(request: HttpRequest, supplier_id: int) -> Supplier:
    return get_visible(restricted(Supplier, request), supplier_id)


@router.post("/suppliers", response={201: SupplierOut})
def create_supplier(request: HttpRequest, payload: SupplierIn) -> Supplier:
    supplier = Supplier(**payload.model_dump())
    save_restricted(acting_user(request), supplier)
    return supplier


@router.get("/suppliers/{supplier_id}/parts", response=list[SupplierPartOut])
def supplier_parts(request: HttpRequest, supplier_id: int) -> QuerySet[SupplierPart]:
    """What the supplier sells: its reference, price, minimum order and lead time for each part."""
    supplier = get_visible(restricted(Supplier, request), supplier_id)
    return restricted(SupplierPart, request).filter(supplier=supplier)


@router.post("/supplier-parts", response={201: SupplierPartOut})
def create_supplier_part(request: HttpRequest, payload: SupplierPartIn) -> SupplierPart:
    check_model_permission(acting_user(request), Action.ADD, SupplierPart)
    keys: dict[str, type[Model]] = {"supplier": Supplier, "part": Part}
    offer = apply_changes(request, SupplierPart(), payload.model_dump(), keys)
    save_restricted(acting_user(request), offer)
    return offer


# --- Reorder ---------------------------------------------------------------------------------


@router.get("/reorder-rules", response=list[ReorderRuleOut])
@paginate(Pagination)
def list_reorder_rules(request: HttpRequest, filters: Query[ReorderRuleFilters]) -> QuerySet[ReorderRule]:
    _company_only(request, ReorderRule)
    return filtered(ReorderRuleFilterSet, request, restricted(ReorderRule, request), filters)


@router.post("/reorder-rules", response={201: ReorderRuleOut})
def create_reorder_rule(request: HttpRequest, payload: ReorderRuleIn) -> ReorderRule:
    check_model_permission(acting_user(request), Action.ADD, ReorderRule)
    keys: dict[str, type[Model]] = {"part": Part, "location": Location}
    rule = apply_changes(request, ReorderRule(), payload.model_dump(), keys)
    save_restricted(acting_user(request), rule)
    return rule


@router.get("/reorder-suggestion", response=ReorderSuggestionOut)
def reorder_suggestion(request: HttpRequest, query: Query[ReorderSuggestionQuery]) -> reorder.Suggestion:
    """The reorder point the last twelve months of issues suggest for a part at a location, with the lead time
    of the supplier it would be bought from and the service level (MAINTENIR_STOCK_SERVICE_LEVEL)."""
    _company_only(request, ReorderRule)
    part = named(Part, request, query.part, "part")
    location = named(Location, request, query.location, "location")
    return reorder.suggest_reorder_point(part, location)


@router.get("/reorder-proposals", response=list[ReorderProposalOut])
def reorder_proposals(request: HttpRequest, query: Query[ReorderProposalQuery]) -> list[reorder.Proposal]:
    """Every reorder rule whose available stock, plus what is on order, less the coming weeks' needs, is at or
    below its reorder point: what to order, up to its maximum, and from which supplier."""
    _company_only(request, PurchaseRequest)
    return reorder.reorder_proposals(query.weeks, suggestions=False)


# --- Purchase requests -----------------------------------------------------------------------


@router.get("/purchase-requests", response=list[PurchaseRequestOut])
@paginate(Pagination)
def list_purchase_requests(request: HttpRequest, filters: Query[PurchaseRequestFilters]) -> QuerySet[PurchaseRequest]:
    _company_only(request, PurchaseRequest)
    return filtered(PurchaseRequestFilterSet, request, restricted(PurchaseRequest, request), filters)


@router.post("/purchase-requests", response={201: PurchaseRequestOut})
def create_purchase_request(request: HttpRequest, payload: PurchaseRequestIn) -> PurchaseRequest:
    """A request asked by hand; refused (409) when one is already open, or the part on order, there."""
    check_model_permission(acting_user(request), Action.ADD, PurchaseRequest)
    return purchasing.request_part(
        acting_user(request),
        named(Part, request, payload.part, "part"),
        named(Location, request, payload.location, "location"),
        payload.quantity,
        payload.reason,
        resolve(Supplier, request, payload.supplier, "supplier"),
    )


@router.post("/purchase-requests/from-proposals", response={201: list[PurchaseRequestOut]})
def request_proposals(request: HttpRequest, payload: ReorderProposalsIn) -> list[PurchaseRequest]:
    """Requests for the current proposals of the rules named; those already requested or on order are skipped."""
    check_model_permission(acting_user(request), Action.ADD, PurchaseRequest)
    rules = resolve_many(ReorderRule, request, payload.rules, "rules")
    return purchasing.create_requests(acting_user(request), reorder.proposals_for(rule.pk for rule in rules))


@router.post("/purchase-requests/{request_id}/cancel", response=PurchaseRequestOut)
def cancel_purchase_request(request: HttpRequest, request_id: int) -> PurchaseRequest:
    found = get_visible(restricted(PurchaseRequest, request), request_id)
    return purchasing.cancel_request(acting_user(request), found)


# --- Purchase orders -------------------------------------------------------------------------


@router.get("/purchase-orders", response=list[PurchaseOrderOut])
@paginate(Pagination)
def list_purchase_orders(request: HttpRequest, filters: Query[PurchaseOrderFilters]) -> QuerySet[PurchaseOrder]:
    _company_only(request, PurchaseOrder)
    return filtered(PurchaseOrderFilterSet, request, restricted(PurchaseOrder, request), filters)


@router.get("/purchase-orders/{order_id}", response=PurchaseOrderDetailOut)
def get_purchase_order(request: HttpRequest, order_id: int) -> PurchaseOrder:
    return get_visible(restricted(PurchaseOrder, request), order_id)


@router.post("/purchase-orders", response={201: list[PurchaseOrderDetailOut]})
def order_requests(request: HttpRequest, payload: OrderRequestsIn) -> list[PurchaseOrder]:
    """Draft purchase orders from open requests, one per supplier."""
    check_model_permission(acting_user(request), Action.ADD, PurchaseOrder)
    requests = resolve_many(PurchaseRequest, request, payload.requests, "requests")
    return purchasing.order_requests(acting_user(request), requests)


@router.get("/purchase-orders/{order_id}/pdf", response={200: PdfFile})
def purchase_order_document(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order as the supplier receives it, in the language of the request."""
    order = get_visible(restricted(PurchaseOrder, request), order_id)
    return pdf_response(purchase_order_pdf(acting_user(request), order), f"{order.number}.pdf")


@router.post("/purchase-orders/{order_id}/send", response=PurchaseOrderDetailOut)
def send_purchase_order(request: HttpRequest, order_id: int, payload: PurchaseOrderSendIn) -> PurchaseOrder:
    """E-mail a draft order's PDF to the supplier's address and mark it sent (its expected date from the lead
    times); a supplier without an address is a 422 on `supplier`."""
    user = acting_user(request)
    order = get_visible(restricted(PurchaseOrder, request), order_id)
    return purchasing.send_order(user, order, lambda order: purchase_order_pdf(user, order), payload.message)


@router.post("/purchase-orders/{order_id}/cancel", response=PurchaseOrderDetailOut)
def cancel_purchase_order(request: HttpRequest, order_id: int) -> PurchaseOrder:
    order = get_visible(restricted(PurchaseOrder, request), order_id)
    return purchasing.cancel_order(acting_user(request), order)


@router.post("/purchase-orders/{order_id}/lines/{line_id}/receipts", response={201: ReceiptOut})
def receive_line(request: HttpRequest, order_id: int, line_id: int, payload: PurchaseReceiptIn) -> StockMovement:
    """Goods of one line in, into its location at their cost; more than is still expected is a 422 on
    `quantity`, and the order becomes partly received, then received."""
    order = get_visible(restricted(PurchaseOrder, request), order_id)
    line = get_visible(order.lines.all(), line_id)
    return purchasing.receive_line(acting_user(request), line, payload.quantity, payload.unit_cost, payload.reference)
