"""Purchasing: requests, purchase orders per supplier, their sending and their receipts into stock.

One function per transition; each checks that the transition is allowed, runs in one transaction and records
who did it and when. Purchasing is the company's: a client's own part is never bought here.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core import formats
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, check_permission
from maintenir.stores import services
from maintenir.stores.choices import OPEN_ORDER_STATUSES, PurchaseOrderStatus, PurchaseRequestStatus
from maintenir.stores.models import (
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    StockBalance,
    StockMovement,
    Supplier,
    SupplierPart,
)
from maintenir.stores.models.purchasing import CLIENT_PART_REFUSED

if TYPE_CHECKING:
    from maintenir.stores.reorder import Proposal

Pair = tuple[int, int]  # (part id, location id)


# --- What is on order ------------------------------------------------------------------------


def open_lines() -> Any:
    """Order lines whose goods are still to come."""
    return PurchaseOrderLine.objects.filter(order__status__in=OPEN_ORDER_STATUSES, received__lt=F("quantity"))


def on_order(part_ids: Iterable[int] | None = None) -> dict[Pair, Decimal]:
    """What is ordered and not yet received, per part and location, in one grouped query."""
    lines = open_lines()
    if part_ids is not None:
        lines = lines.filter(part_id__in=list(part_ids))
    rows = lines.values("part_id", "location_id").annotate(outstanding=Sum(F("quantity") - F("received")))
    return {(row["part_id"], row["location_id"]): Decimal(row["outstanding"]) for row in rows}


def with_on_order(balances: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
    """Balances with what is on order for the same part and location beside what is on hand."""
    outstanding = (
        open_lines()
        .filter(part=OuterRef("part"), location=OuterRef("location"))
        .values("part")
        .annotate(total=Sum(F("quantity") - F("received")))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=3))
    return balances.annotate(on_order=Coalesce(Subquery(outstanding), zero))


# --- Choosing the supplier -------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What one supplier sells a part at."""

    supplier_id: int
    supplier_name: str
    supplier_reference: str
    price: Decimal
    minimum_order: Decimal
    lead_time_days: int


def best_offers(part_ids: Iterable[int] | None = None) -> dict[int, Offer]:
    """The supplier to buy each part from, in one query: among the suppliers with the shortest lead time,
    the one with the lowest price (then the first by name). A part that stops a line is worth more than
    the difference in price, so speed comes first; between equally quick suppliers, the cheaper wins."""
    rows = SupplierPart.objects.order_by("part_id", "lead_time_days", "price", "supplier__name")
    if part_ids is not None:
        rows = rows.filter(part_id__in=part_ids)
    best: dict[int, Offer] = {}
    fields = ("part_id", "supplier_id", "supplier__name", "supplier_reference", "price", "minimum_order")
    for row in rows.values(*fields, "lead_time_days"):
        best.setdefault(
            row["part_id"],
            Offer(
                row["supplier_id"],
                row["supplier__name"],
                row["supplier_reference"],
                row["price"],
                row["minimum_order"],
                row["lead_time_days"],
            ),
        )
    return best


# --- Requests --------------------------------------------------------------------------------


def _open_pairs(pairs: set[Pair]) -> set[Pair]:
    """Those of the pairs that already have an open request or an open order line.

    What is open is few rows whatever the catalogue, so all of it is read rather than a list of every part."""
    requested = PurchaseRequest.objects.filter(status=PurchaseRequestStatus.REQUESTED)
    found = set(requested.values_list("part_id", "location_id"))
    found |= set(open_lines().values_list("part_id", "location_id"))
    return found & pairs


@transaction.atomic
def create_requests(user: User | Any, proposals: Iterable["Proposal"]) -> list[PurchaseRequest]:
    """A purchase request for each proposal, except where one is already open or the part is already on
    order there: running the reorder twice asks for nothing more."""
    check_model_permission(user, Action.ADD, PurchaseRequest)
    proposals = list(proposals)
    already = _open_pairs({(proposal.part_id, proposal.location_id) for proposal in proposals})
    created = []
    for proposal in proposals:
        pair = (proposal.part_id, proposal.location_id)
        if pair in already:
            continue
        already.add(pair)
        request = PurchaseRequest(
            part_id=proposal.part_id,
            location_id=proposal.location_id,
            quantity=proposal.quantity,
            supplier_id=proposal.supplier_id,
            reason=_("Reorder: %(projected)s projected, reorder point %(point)s")
            % {"projected": formats.quantity(proposal.projected), "point": formats.quantity(proposal.reorder_point)},
            requested_by=user,
        )
        request.full_clean()
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            # Requested at the same moment by someone else: the open request is there, once.
            continue
        created.append(request)
    return created


@transaction.atomic
def request_part(
    user: User | Any, part: Part, location: Any, quantity: Decimal, reason: str = "", supplier: Supplier | None = None
) -> PurchaseRequest:
    """A request asked by hand (a part to buy for a job), checked like the reorder's."""
    check_model_permission(user, Action.ADD, PurchaseRequest)
    if _open_pairs({(part.pk, location.pk)}):
        raise TransitionError(
            {"part": _("%(part)s is already requested or on order for %(location)s.") % _names(part, location)}
        )
    request = PurchaseRequest(
        part=part, location=location, quantity=quantity, reason=reason, supplier=supplier, requested_by=user
    )
    request.full_clean()
    request.save()
    return request


def _names(part: Part, location: Any) -> dict[str, str]:
    return {"part": part.reference, "location": str(location)}


@transaction.atomic
def cancel_request(user: User | Any, request: PurchaseRequest) -> PurchaseRequest:
    check_permission(user, Action.CHANGE, request)
    request = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != PurchaseRequestStatus.REQUESTED:
        raise TransitionError({"status": _("Only a request not yet ordered can be cancelled.")})
    request.status = PurchaseRequestStatus.CANCELLED
    request.cancelled_at, request.cancelled_by = timezone.now(), user
    request.save(update_fields=["status", "cancelled_at", "cancelled_by", "last_updated"])
    return request


# --- Purchase orders -------------------------------------------------------------------------


def next_number(today: datetime.date) -> str:
    """PO-2026-0042: the year's orders in sequence."""
    prefix = f"PO-{today:%Y}-"
    last = PurchaseOrder.objects.filter(number__startswith=prefix).order_by("-number").first()
    sequence = int(last.number.removeprefix(prefix)) + 1 if last is not None else 1
    return f"{prefix}{sequence:04d}"


def _numbered_order(supplier_id: int, user: User | Any, today: datetime.date) -> PurchaseOrder:
    """A new draft order under the year's next number; one taken meanwhile by another manager is skipped."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PurchaseOrder.objects.create(number=next_number(today), supplier_id=supplier_id, created_by=user)
        except IntegrityError:
            continue
    raise TransitionError({"requests": _("Other orders were being numbered at the same time: try again.")})


@transaction.atomic
def order_requests(user: User | Any, requests: Iterable[PurchaseRequest]) -> list[PurchaseOrder]:
    """One draft purchase order per supplier, a line per part and location, from open requests.

    The request's supplier is used when it names one, else the best offer (see `best_offers`)."""
    check_model_permission(user, Action.ADD, PurchaseOrder)
    pks = [request.pk for request in requests]
    locked = list(
        PurchaseRequest.objects.select_for_update().filter(pk__in=pks).select_related("part", "location").order_by("pk")
    )
    if not locked:
        raise ValidationError({"requests": _("Choose at least one purchase request.")})
    offers = SupplierPart.objects.filter(part_id__in={request.part_id for request in locked})
    prices = {(offer.supplier_id, offer.part_id): offer for offer in offers}
    best = best_offers({request.part_id for request in locked})
    by_supplier: dict[int, list[PurchaseRequest]] = defaultdict(list)
    for request in locked:
        if request.status != PurchaseRequestStatus.REQUESTED:
            raise TransitionError({"requests": _("%(request)s is not open.") % {"request": request}})
        if request.part.owner_id is not None:
            raise ValidationError({"requests": CLIENT_PART_REFUSED})
        supplier_id = request.supplier_id or (best[request.part_id].supplier_id if request.part_id in best else None)
        if supplier_id is None or (supplier_id, request.part_id) not in prices:
            raise ValidationError(
                {
                    "requests": _("No supplier sells %(part)s: add its supplier first.")
                    % {"part": request.part.reference}
                }
            )
        by_supplier[supplier_id].append(request)
    today = timezone.localdate()
    orders = []
    for supplier_id, grouped in sorted(by_supplier.items()):
        order = _numbered_order(supplier_id, user, today)
        lines: dict[Pair, PurchaseOrderLine] = {}
        for request in grouped:
            offer = prices[(supplier_id, request.part_id)]
            line = lines.get((request.part_id, request.location_id))
            if line is None:
                line = PurchaseOrderLine(
                    order=order,
                    part=request.part,
                    location=request.location,
                    supplier_reference=offer.supplier_reference,
                    quantity=Decimal(0),
                    unit_price=offer.price,
                )
                lines[(request.part_id, request.location_id)] = line
            line.quantity += request.quantity
            line.save()
            request.status, request.order_line = PurchaseRequestStatus.ORDERED, line
            request.save(update_fields=["status", "order_line", "last_updated"])
        orders.append(order)
    return orders


def _locked_order(user: User | Any, order: PurchaseOrder) -> PurchaseOrder:
    check_permission(user, Action.CHANGE, order)
    return PurchaseOrder.objects.select_for_update().select_related("supplier").get(pk=order.pk)


def expected_date(order: PurchaseOrder, sent: datetime.date) -> datetime.date:
    """When the goods should come: the sending day plus the longest lead time of the order's parts."""
    parts = order.lines.values_list("part_id", flat=True)
    lead = SupplierPart.objects.filter(supplier_id=order.supplier_id, part_id__in=parts)
    days = max(lead.values_list("lead_time_days", flat=True), default=0)
    return sent + datetime.timedelta(days=days)


@transaction.atomic
def send_order(
    user: User | Any,
    order: PurchaseOrder,
    render_pdf: Callable[[PurchaseOrder], bytes],
    message: str = "",
    connection: Any = None,
) -> PurchaseOrder:
    """E-mail the order as a PDF to the supplier, and mark it sent. `render_pdf` lays out the document (the
    reports app does), so a failed rendering or sending leaves the order a draft. `connection` is the mail
    connection to send through (default: the configured backend)."""
    order = _locked_order(user, order)
    if order.status != PurchaseOrderStatus.DRAFT:
        raise TransitionError({"status": _("Only a draft order can be sent.")})
    if not order.lines.exists():
        raise TransitionError({"lines": _("An order without lines cannot be sent.")})
    if not order.supplier.email:
        raise ValidationError(
            {"supplier": _("%(supplier)s has no e-mail address: add it first.") % {"supplier": order.supplier}}
        )
    now = timezone.now()
    order.status, order.sent_at, order.sent_by = PurchaseOrderStatus.SENT, now, user
    order.expected = expected_date(order, timezone.localdate(now))
    order.save(update_fields=["status", "sent_at", "sent_by", "expected", "last_updated"])
    title = _("Purchase order %(number)s") % {"number": order.number}
    sender = user.get_full_name() or user.username
    body = "\n\n".join(
        part
        for part in (
            message.strip(),
            _("Please find attached: %(order)s, sent by %(user)s.") % {"order": title, "user": sender},
        )
        if part
    )
    email = EmailMessage(
        subject=title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.supplier.email],
        reply_to=[user.email] if user.email else None,
        connection=connection,
    )
    email.attach(f"{order.number}.pdf", render_pdf(order), "application/pdf")
    email.send()
    return order


@transaction.atomic
def cancel_order(user: User | Any, order: PurchaseOrder) -> PurchaseOrder:
    """Cancel an order nothing was received on; its requests are open again, to be ordered elsewhere."""
    order = _locked_order(user, order)
    if order.status not in {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT}:
        raise TransitionError({"status": _("Only an order nothing was received on can be cancelled.")})
    PurchaseRequest.objects.filter(order_line__order=order).update(
        status=PurchaseRequestStatus.REQUESTED, order_line=None
    )
    order.status, order.cancelled_at, order.cancelled_by = PurchaseOrderStatus.CANCELLED, timezone.now(), user
    order.save(update_fields=["status", "cancelled_at", "cancelled_by", "last_updated"])
    return order


@transaction.atomic
def receive_line(
    user: User | Any,
    line: PurchaseOrderLine,
    quantity: Decimal,
    unit_cost: Decimal | None = None,
    reference: str = "",
) -> StockMovement:
    """Goods of one line in, at their cost (the order's price unless the delivery says otherwise), into the
    line's location through the stock ledger; the order becomes partly received, then received."""
    order = _locked_order(user, line.order)
    line = PurchaseOrderLine.objects.select_for_update().select_related("part", "location").get(pk=line.pk)
    if order.status not in {PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED}:
        raise TransitionError({"status": _("Goods are received on a sent order only.")})
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    if quantity > line.outstanding:
        raise ValidationError(
            {
                "quantity": _(
                    "Only %(outstanding)s of %(part)s are still expected on %(order)s; %(quantity)s received."
                )
                % {
                    "outstanding": formats.quantity(line.outstanding),
                    "part": line.part.reference,
                    "order": order.number,
                    "quantity": formats.quantity(quantity),
                }
            }
        )
    cost = line.unit_price if unit_cost is None else Decimal(unit_cost)
    movement = services.receive(
        user, line.part, line.location, quantity, cost, reference=reference or order.number, note=order.number
    )
    line.received += quantity
    line.save(update_fields=["received", "last_updated"])
    complete = not order.lines.filter(received__lt=F("quantity")).exists()
    order.status = PurchaseOrderStatus.RECEIVED if complete else PurchaseOrderStatus.PARTLY_RECEIVED
    order.save(update_fields=["status", "last_updated"])
    return movement
