"""Repairables (échange standard): one function per transition of a serial-numbered unit, each checking that the
transition is allowed, recording who did it and when, and moving the stock through the ledger.

The ledger stays the single truth of quantities: a repairable part's on hand at a location counts its units in
stock there. A unit comes into stock by a receipt (bought, or back from the repairer at the repair's cost) or a
return (removed in working order, at its book value), and leaves it by an issue to the work order it is fitted
for, or by an adjustment when a manager scraps it from the shelf. A failed unit, or one at the repairer, is in
no stock.

    in stock ──fit──▶ fitted ──remove(failed)──▶ failed ──send_for_repair──▶ at repairer ──return──▶ in stock
        ▲                 └──remove(working)──▶ in stock                        │
        └── receive                      failed / at repairer / in stock ──scrap──▶ scrapped
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maintenir.assets.models import Equipment
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, check_permission
from maintenir.stores import services
from maintenir.stores.choices import UnitEventKind, UnitStatus
from maintenir.stores.models import Location, Part, RepairableEvent, RepairableUnit, Supplier

ONE = Decimal(1)


def _refuse(unit: RepairableUnit, action: str) -> TransitionError:
    return TransitionError(
        {
            "status": _("Unit %(serial)s is %(status)s: %(action)s is not possible.")
            % {"serial": unit.serial_number, "status": unit.get_status_display().lower(), "action": action}
        }
    )


def _lock(user: User | Any, unit: RepairableUnit, action: str, *allowed: str) -> RepairableUnit:
    check_permission(user, Action.CHANGE, unit)
    # Only the unit's row is locked: PostgreSQL cannot lock the empty side of its optional location and owner.
    rows = RepairableUnit.objects.select_for_update(of=("self",)).select_related("part", "location", "owner")
    locked = rows.get(pk=unit.pk)
    if locked.status not in allowed:
        raise _refuse(locked, action)
    return locked


def _move(user: User | Any, unit: RepairableUnit, status: str, event: RepairableEvent, **where: Any) -> RepairableUnit:
    unit.status = status
    unit.location = where.get("location")
    unit.equipment = where.get("equipment")
    unit.full_clean()
    unit.save()
    event.unit = unit
    event.user = user
    event.full_clean()
    event.save()
    return unit


def _serial(serial_number: str) -> str:
    serial_number = serial_number.strip()
    if not serial_number:
        raise ValidationError({"serial_number": _("Give the unit's serial number.")})
    return serial_number


@transaction.atomic
def receive(
    user: User | Any, part: Part, serial_number: str, location: Location, unit_cost: Decimal, reference: str = ""
) -> RepairableUnit:
    """A new unit into stock: its receipt in the ledger and the first line of its history."""
    check_model_permission(user, Action.ADD, RepairableUnit)
    check_permission(user, Action.VIEW, part)
    serial_number = _serial(serial_number)
    if RepairableUnit.objects.filter(part=part, serial_number=serial_number).exists():
        raise ValidationError({"serial_number": _("This part already has a unit of this serial number.")})
    unit = RepairableUnit(part=part, serial_number=serial_number, unit_cost=unit_cost, owner_id=part.owner_id)
    unit.status, unit.location = UnitStatus.IN_STOCK, location
    unit.full_clean()
    with services.moving_unit():
        services.receive(user, part, location, ONE, unit_cost, reference=reference, note=_serial_note(unit))
    unit.save()
    check_permission(user, Action.VIEW, unit)
    event = RepairableEvent(unit=unit, kind=UnitEventKind.RECEIVED, location=location, reference=reference, user=user)
    event.cost = unit_cost
    event.full_clean()
    event.save()
    return unit


def _serial_note(unit: RepairableUnit) -> str:
    return _("S/N %(serial)s") % {"serial": unit.serial_number}


@transaction.atomic
def fit(user: User | Any, unit: RepairableUnit, equipment: Equipment, work_order: str = "") -> RepairableUnit:
    """Take the unit from its shelf and fit it on the equipment, for the work order named."""
    unit = _lock(user, unit, _("fitting"), UnitStatus.IN_STOCK)
    check_permission(user, Action.VIEW, equipment)
    location = unit.location
    assert location is not None  # the database's constraint: a unit in stock has a location
    with services.moving_unit():
        services.issue(user, unit.part, location, ONE, reference=work_order, note=_serial_note(unit))
    event = RepairableEvent(kind=UnitEventKind.FITTED, equipment=equipment, location=location, work_order=work_order)
    return _move(user, unit, UnitStatus.FITTED, event, equipment=equipment)


@transaction.atomic
def remove(
    user: User | Any,
    unit: RepairableUnit,
    failed: bool,
    note: str = "",
    location: Location | None = None,
    work_order: str = "",
) -> RepairableUnit:
    """Take the unit off its equipment: failed, it waits to be sent for repair; in working order it goes back
    to stock at `location`, at its book value."""
    unit = _lock(user, unit, _("removal"), UnitStatus.FITTED)
    equipment = unit.equipment
    if failed:
        event = RepairableEvent(
            kind=UnitEventKind.REMOVED_FAILED, equipment=equipment, work_order=work_order, note=note
        )
        return _move(user, unit, UnitStatus.FAILED, event)
    if location is None:
        raise ValidationError({"location": _("Say where the unit goes back to stock.")})
    with services.moving_unit():
        services.return_to_stock(
            user, unit.part, location, ONE, unit.unit_cost, reference=work_order, note=_serial_note(unit)
        )
    event = RepairableEvent(
        kind=UnitEventKind.REMOVED, equipment=equipment, location=location, work_order=work_order, note=note
    )
    return _move(user, unit, UnitStatus.IN_STOCK, event, location=location)


@transaction.atomic
def send_for_repair(
    user: User | Any,
    unit: RepairableUnit,
    repairer: Supplier | None = None,
    repairer_name: str = "",
    reference: str = "",
) -> RepairableUnit:
    """A failed unit sent to a repairer (a supplier of ours, or named), under the repairer's reference."""
    unit = _lock(user, unit, _("sending for repair"), UnitStatus.FAILED)
    if repairer is not None:
        check_permission(user, Action.VIEW, repairer)
    if repairer is None and not repairer_name.strip():
        raise ValidationError({"repairer": _("Name the repairer.")})
    event = RepairableEvent(
        kind=UnitEventKind.SENT_FOR_REPAIR, repairer=repairer, repairer_name=repairer_name.strip(), reference=reference
    )
    return _move(user, unit, UnitStatus.AT_REPAIRER, event)


@transaction.atomic
def return_from_repair(
    user: User | Any, unit: RepairableUnit, location: Location, cost: Decimal, reference: str = ""
) -> RepairableUnit:
    """The repaired unit back in stock: received at the repair's cost, which becomes its book value."""
    unit = _lock(user, unit, _("return from repair"), UnitStatus.AT_REPAIRER)
    cost = Decimal(cost)
    if cost < 0:
        raise ValidationError({"cost": _("A price cannot be negative.")})
    with services.moving_unit():
        services.receive(user, unit.part, location, ONE, cost, reference=reference, note=_serial_note(unit))
    unit.unit_cost = cost
    event = RepairableEvent(kind=UnitEventKind.BACK_FROM_REPAIR, location=location, reference=reference, cost=cost)
    return _move(user, unit, UnitStatus.IN_STOCK, event, location=location)


@transaction.atomic
def scrap(user: User | Any, unit: RepairableUnit, note: str) -> RepairableUnit:
    """A unit beyond repair (managers); taken off its shelf by an adjustment when it was in stock."""
    check_model_permission(user, Action.CHANGE, Part)
    unit = _lock(user, unit, _("scrapping"), UnitStatus.IN_STOCK, UnitStatus.FAILED, UnitStatus.AT_REPAIRER)
    if not note.strip():
        raise ValidationError({"note": _("Say why the unit is scrapped.")})
    if unit.status == UnitStatus.IN_STOCK:
        assert unit.location is not None
        with services.moving_unit():
            services.adjust(user, unit.part, unit.location, -ONE, f"{_serial_note(unit)} — {note}")
    event = RepairableEvent(kind=UnitEventKind.SCRAPPED, note=note)
    return _move(user, unit, UnitStatus.SCRAPPED, event)
