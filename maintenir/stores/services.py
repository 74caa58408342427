"""Stock movements: each writes its ledger row and updates its balance in one transaction.

The balance row is locked (`select_for_update`) before it is read, so two people taking the last unit at
once are served one after the other: the second finds nothing left and gets a `StockConflict`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from maintenir.assets.models import Site
from maintenir.core import formats
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, check_permission
from maintenir.stores.choices import LocationKind, MovementKind
from maintenir.stores.models import Interchangeability, Location, Part, StockBalance, StockMovement

COST_STEP = Decimal("0.0001")


class StockConflict(TransitionError):
    """A movement refused because the stock is not there (or is promised to other work): a conflict with the
    stock as it is now, which the API answers with 409."""


def weighted_average(on_hand: Decimal, average: Decimal, quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """The average cost after `quantity` comes in at `unit_cost` (prix moyen pondéré), to the ten-thousandth."""
    total = on_hand + quantity
    if total <= 0:
        return average
    return ((on_hand * average + quantity * unit_cost) / total).quantize(COST_STEP, ROUND_HALF_UP)


# Set while a serial-numbered unit moves (`repairables`): only then may a repairable part's stock move, so that
# its quantity on hand stays the number of its units on the shelf.
_moving_unit: ContextVar[bool] = ContextVar("moving_unit", default=False)


@contextmanager
def moving_unit() -> Iterator[None]:
    token = _moving_unit.set(True)
    try:
        yield
    finally:
        _moving_unit.reset(token)


def _check(user: User | Any, part: Part, location: Location) -> None:
    check_model_permission(user, Action.ADD, StockMovement)
    if part.is_repairable and not _moving_unit.get():
        raise ValidationError(
            {
                "part": _("%(part)s is repairable: its units move by their serial number, under Repairable units.")
                % {"part": part.reference}
            }
        )
    check_permission(user, Action.VIEW, part)
    check_permission(user, Action.VIEW, location)
    if part.owner_id is not None and part.owner_id != location.owner_id:
        raise ValidationError({"location": _("A client's own part is kept only in that client's locations.")})


def _positive(quantity: Decimal) -> Decimal:
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    return quantity


def _locked_balance(part: Part, location: Location) -> StockBalance:
    """The part's balance at the location, created empty if new, locked until the transaction ends."""
    locked = StockBalance.objects.select_for_update()
    balance = locked.filter(part=part, location=location).first()
    if balance is None:
        # get_or_create copes with another transaction creating it meanwhile; then it is locked like any other.
        StockBalance.objects.get_or_create(part=part, location=location)
        balance = locked.get(part=part, location=location)
    # The caller's objects, already loaded, for the ledger row written next.
    balance.part, balance.location = part, location
    return balance


def _shortage(part: Part, location: Location, wanted: Decimal, available: Decimal) -> StockConflict:
    return StockConflict(
        {
            "quantity": _("Only %(available)s of %(part)s available at %(location)s; %(wanted)s asked.")
            % {
                "available": formats.quantity(available),
                "part": part.reference,
                "location": location,
                "wanted": formats.quantity(wanted),
            }
        }
    )


def _record(
    user: User | Any,
    balance: StockBalance,
    kind: str,
    quantity: Decimal,
    unit_cost: Decimal,
    reference: str = "",
    note: str = "",
) -> StockMovement:
    """Write the ledger row and the balance it leads to (the caller holds the balance's lock)."""
    if quantity > 0:
        balance.average_cost = weighted_average(balance.on_hand, balance.average_cost, quantity, unit_cost)
    balance.on_hand += quantity
    balance.save(update_fields=["on_hand", "reserved", "average_cost", "last_updated"])
    movement = StockMovement(
        part=balance.part,
        location=balance.location,
        kind=kind,
        quantity=quantity,
        unit_cost=unit_cost,
        user=user,
        reference=reference,
        note=note,
    )
    # The part, location and user are the ones just checked, and the database holds the ledger's constraints:
    # only the values are validated here.
    movement.full_clean(exclude=["counterpart", "part", "location", "user"], validate_constraints=False)
    movement.save()
    return movement


def _take(
    user: User | Any,
    part: Part,
    location: Location,
    quantity: Decimal,
    kind: str,
    reference: str = "",
    note: str = "",
    from_reserved: Decimal = Decimal(0),
) -> StockMovement:
    """Take stock out at its average cost; `from_reserved` of it was reserved for this very use."""
    balance = _locked_balance(part, location)
    if from_reserved > balance.reserved:
        raise StockConflict({"quantity": _("Less is reserved than this use claims.")})
    if quantity > balance.on_hand - balance.reserved + from_reserved:
        raise _shortage(part, location, quantity, balance.on_hand - balance.reserved + from_reserved)
    balance.reserved -= from_reserved
    return _record(user, balance, kind, -quantity, balance.average_cost, reference, note)


def _put(
    user: User | Any,
    part: Part,
    location: Location,
    quantity: Decimal,
    unit_cost: Decimal,
    kind: str,
    reference: str,
    note: str,
) -> StockMovement:
    """Goods in at `unit_cost`, which the average cost takes in."""
    _check(user, part, location)
    quantity = _positive(quantity)
    if Decimal(unit_cost) < 0:
        raise ValidationError({"unit_cost": _("A price cannot be negative.")})
    return _record(user, _locked_balance(part, location), kind, quantity, Decimal(unit_cost), reference, note)


@transaction.atomic
def receive(
    user: User | Any,
    part: Part,
    location: Location,
    quantity: Decimal,
    unit_cost: Decimal,
    reference: str = "",
    note: str = "",
) -> StockMovement:
    """Goods in (a delivery, or opening stock): the average cost takes in their price."""
    return _put(user, part, location, quantity, unit_cost, MovementKind.RECEIPT, reference, note)


@transaction.atomic
def issue(
    user: User | Any,
    part: Part,
    location: Location,
    quantity: Decimal,
    reference: str = "",
    note: str = "",
    from_reserved: Decimal = Decimal(0),
) -> StockMovement:
    """Goods out to a job, at the average cost; never more than what is there and not promised elsewhere."""
    _check(user, part, location)
    return _take(user, part, location, _positive(quantity), MovementKind.ISSUE, reference, note, from_reserved)


@transaction.atomic
def return_to_stock(
    user: User | Any,
    part: Part,
    location: Location,
    quantity: Decimal,
    unit_cost: Decimal,
    reference: str = "",
    note: str = "",
) -> StockMovement:
    """Unused parts back from a job, at the cost they were issued at."""
    return _put(user, part, location, quantity, unit_cost, MovementKind.RETURN, reference, note)


@transaction.atomic
def transfer(
    user: User | Any,
    part: Part,
    source: Location,
    destination: Location,
    quantity: Decimal,
    reference: str = "",
    note: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Move stock between locations (store → van, van → store): two ledger rows, paired."""
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("A transfer goes to another location.")})
    _check(user, part, source)
    _check(user, part, destination)
    quantity = _positive(quantity)
    # Lock both balances in one order (by location id) so two opposite transfers cannot deadlock.
    first, second = sorted((source, destination), key=lambda location: location.pk)
    _locked_balance(part, first)
    _locked_balance(part, second)
    out = _take(user, part, source, quantity, MovementKind.TRANSFER_OUT, reference, note)
    into = _record(
        user, _locked_balance(part, destination), MovementKind.TRANSFER_IN, quantity, out.unit_cost, reference, note
    )
    out.counterpart = into
    out.save(update_fields=["counterpart"])
    into.counterpart = out
    into.save(update_fields=["counterpart"])
    return out, into


def _require_manager(user: User | Any) -> None:
    check_model_permission(user, Action.CHANGE, Part)


@transaction.atomic
def adjust(user: User | Any, part: Part, location: Location, delta: Decimal, note: str) -> StockMovement:
    """A correction by a manager (damaged, found), with its reason; it cannot take reserved stock."""
    _require_manager(user)
    _check(user, part, location)
    delta = Decimal(delta)
    if delta == 0:
        raise ValidationError({"quantity": _("An adjustment changes the quantity.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why the stock is adjusted.")})
    if delta < 0:
        return _take(user, part, location, -delta, MovementKind.ADJUSTMENT, note=note)
    balance = _locked_balance(part, location)
    return _record(user, balance, MovementKind.ADJUSTMENT, delta, balance.average_cost, note=note)


@transaction.atomic
def count(user: User | Any, part: Part, location: Location, counted: Decimal, reference: str = "") -> StockMovement:
    """What a count found: the ledger takes the difference, so the balance becomes what was counted."""
    _check(user, part, location)
    counted = Decimal(counted)
    if counted < 0:
        raise ValidationError({"quantity": _("A count cannot find less than nothing.")})
    balance = _locked_balance(part, location)
    if counted < balance.reserved:
        raise StockConflict(
            {
                "quantity": _(
                    "%(reserved)s of %(part)s at %(location)s are reserved for work orders: release them first."
                )
                % {"reserved": formats.quantity(balance.reserved), "part": part.reference, "location": location}
            }
        )
    return _record(user, balance, MovementKind.COUNT, counted - balance.on_hand, balance.average_cost, reference)


@transaction.atomic
def reserve(part: Part, location: Location, quantity: Decimal) -> StockBalance:
    """Promise stock to planned work; the caller (the work order's service) checks who may."""
    quantity = _positive(quantity)
    balance = _locked_balance(part, location)
    if quantity > balance.available:
        raise _shortage(part, location, quantity, balance.available)
    balance.reserved += quantity
    balance.save(update_fields=["reserved", "last_updated"])
    return balance


@transaction.atomic
def release(part: Part, location: Location, quantity: Decimal) -> StockBalance:
    """Give back a reservation that will not be used."""
    balance = _locked_balance(part, location)
    balance.reserved = max(Decimal(0), balance.reserved - _positive(quantity))
    balance.save(update_fields=["reserved", "last_updated"])
    return balance


def available(part: Part, location: Location) -> Decimal:
    balance = StockBalance.objects.filter(part=part, location=location).first()
    return balance.available if balance is not None else Decimal(0)


def equivalents(part: Part) -> dict[int, str]:
    """The parts that may be fitted instead of `part`, with the condition of each ("" when none).

    One-way replacements count in their direction only; a superseding model replaces the obsolete one.
    """
    found: dict[int, str] = {}
    links = Interchangeability.objects.filter(Q(part=part) | Q(replacement=part, mutual=True))
    for link in links:
        other = link.replacement_id if link.part_id == part.pk else link.part_id
        found.setdefault(other, link.condition)
    # Follow the supersession chain: A → B → C, each replacing the ones before it.
    seen = {part.pk}
    successor = part.superseded_by_id
    while successor is not None and successor not in seen:
        seen.add(successor)
        found.setdefault(successor, "")
        successor = Part.objects.filter(pk=successor).values_list("superseded_by_id", flat=True).first()
    found.pop(part.pk, None)
    return found


@dataclass(frozen=True)
class Offer:
    """Stock that can serve a need: which part (the one asked for, or an equivalent), where, how many."""

    part: Part
    location: Location
    available: Decimal
    condition: str
    is_equivalent: bool


def nearness(location: Location, technician: User | None, site: Site | None) -> int:
    """How near a location is to whoever needs the part: their van, then the site's store, then the central store."""
    # A bin is as near as the store it is in.
    store = location.parent or location
    if store.kind == LocationKind.VAN:
        return 0 if technician is not None and store.technician_id == technician.pk else 3
    if site is not None and store.site_id == site.pk:
        return 1
    return 2 if store.kind == LocationKind.CENTRAL_STORE else 3


def offers(user: User | Any, part: Part, technician: User | None = None, site: Site | None = None) -> list[Offer]:
    """Where the part, or else an equivalent of it, is available to `user`, nearest first.

    Other technicians' vans come last: taking from them is a call to a colleague, not a pick.
    """
    conditions = {part.pk: "", **equivalents(part)}
    balances = (
        StockBalance.objects.restrict(user)
        .filter(part_id__in=conditions, on_hand__gt=0)
        .select_related("part", "location", "location__parent")
    )
    found = [
        Offer(
            balance.part, balance.location, balance.available, conditions[balance.part_id], balance.part_id != part.pk
        )
        for balance in balances
        if balance.available > 0
    ]
    found.sort(key=lambda offer: (nearness(offer.location, technician, site), offer.is_equivalent, -offer.available))
    return found
