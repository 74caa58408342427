"""Repairables (échange standard): the transitions of a serial-numbered unit, its history across equipment, and
stock quantities that agree with the units on the shelf."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.services import TransitionError
from maintenir.stores import repairables, services
from maintenir.stores.choices import MovementKind, UnitEventKind, UnitStatus
from maintenir.stores.models import RepairableEvent, RepairableUnit, StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory, SupplierFactory

D = Decimal


@pytest.fixture
def drive() -> Any:
    return PartFactory(reference="VAR-SERVO-7", description="Variateur servo 7 kW", is_repairable=True)


def on_hand(part: Any, location: Any) -> Decimal:
    balance = StockBalance.objects.filter(part=part, location=location).first()
    return balance.on_hand if balance else D(0)


def test_the_history_follows_the_serial_across_equipment(
    manager: Any, technician: Any, drive: Any, site_a: Any
) -> None:
    store, press, spare_press = LocationFactory(), EquipmentFactory(site=site_a), EquipmentFactory(site=site_a)
    unit = repairables.receive(manager, drive, "SD7-0042", store, D(2400), reference="BL-118")
    repairables.fit(technician, unit, press, work_order="OT-2026-0101")
    repairables.remove(technician, unit, failed=True, note="Défaut surintensité", work_order="OT-2026-0140")
    repairables.send_for_repair(manager, unit, repairer_name="Atelier Servo Rhône", reference="RMA-5531")
    repairables.return_from_repair(manager, unit, store, D(650), reference="RMA-5531")
    repairables.fit(technician, unit, spare_press, work_order="OT-2026-0160")
    unit.refresh_from_db()
    assert (unit.status, unit.equipment, unit.location) == (UnitStatus.FITTED, spare_press, None)
    assert unit.unit_cost == D(650)
    history = list(unit.events.order_by("pk").values_list("kind", "equipment", "work_order", "user"))
    assert history == [
        (UnitEventKind.RECEIVED, None, "", manager.pk),
        (UnitEventKind.FITTED, press.pk, "OT-2026-0101", technician.pk),
        (UnitEventKind.REMOVED_FAILED, press.pk, "OT-2026-0140", technician.pk),
        (UnitEventKind.SENT_FOR_REPAIR, None, "", manager.pk),
        (UnitEventKind.BACK_FROM_REPAIR, None, "", manager.pk),
        (UnitEventKind.FITTED, spare_press.pk, "OT-2026-0160", technician.pk),
    ]
    # Bought at 2 400 €, back from repair at 650 €: each in the ledger at its cost.
    ledger = list(StockMovement.objects.filter(part=drive).order_by("pk").values_list("kind", "quantity", "unit_cost"))
    assert ledger == [
        (MovementKind.RECEIPT, D(1), D(2400)),
        (MovementKind.ISSUE, D(-1), D(2400)),
        (MovementKind.RECEIPT, D(1), D(650)),
        (MovementKind.ISSUE, D(-1), D(650)),
    ]
    assert on_hand(drive, store) == 0


def test_a_unit_removed_in_working_order_goes_back_to_stock_at_its_book_value(
    manager: Any, technician: Any, drive: Any, site_a: Any
) -> None:
    store, van = LocationFactory(), LocationFactory()
    unit = repairables.receive(manager, drive, "SD7-0043", store, D(2400))
    repairables.fit(technician, unit, EquipmentFactory(site=site_a))
    with pytest.raises(ValidationError) as error:
        repairables.remove(technician, unit, failed=False)
    assert "location" in error.value.message_dict
    repairables.remove(technician, unit, failed=False, location=van, note="Essai, remonté sans défaut")
    unit.refresh_from_db()
    assert (unit.status, unit.location, on_hand(drive, van)) == (UnitStatus.IN_STOCK, van, D(1))
    assert StockMovement.objects.filter(part=drive, location=van).get().kind == MovementKind.RETURN


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        (UnitStatus.IN_STOCK, "remove"),
        (UnitStatus.IN_STOCK, "send_for_repair"),
        (UnitStatus.IN_STOCK, "return_from_repair"),
        (UnitStatus.FITTED, "fit"),
        (UnitStatus.FITTED, "send_for_repair"),
        (UnitStatus.FITTED, "scrap"),
        (UnitStatus.FAILED, "fit"),
        (UnitStatus.FAILED, "return_from_repair"),
        (UnitStatus.AT_REPAIRER, "fit"),
        (UnitStatus.AT_REPAIRER, "remove"),
        (UnitStatus.SCRAPPED, "fit"),
        (UnitStatus.SCRAPPED, "send_for_repair"),
        (UnitStatus.SCRAPPED, "scrap"),
    ],
)
def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(
    manager: Any, drive: Any, site_a: Any, status: str, transition: str
) -> None:
    store, equipment = LocationFactory(), EquipmentFactory(site=site_a)
    unit = reach(manager, repairables.receive(manager, drive, "SD7-0050", store, D(2400)), status, equipment, store)
    events, movements = RepairableEvent.objects.count(), StockMovement.objects.count()
    with pytest.raises(TransitionError) as error:
        apply(manager, transition, unit, equipment, store)
    assert "status" in error.value.message_dict
    unit.refresh_from_db()
    assert unit.status == status
    assert (RepairableEvent.objects.count(), StockMovement.objects.count()) == (events, movements)


def reach(user: Any, unit: Any, status: str, equipment: Any, store: Any) -> Any:
    """Take a unit in stock to `status` through the transitions."""
    path = {
        UnitStatus.IN_STOCK: [],
        UnitStatus.FITTED: ["fit"],
        UnitStatus.FAILED: ["fit", "remove"],
        UnitStatus.AT_REPAIRER: ["fit", "remove", "send_for_repair"],
        UnitStatus.SCRAPPED: ["fit", "remove", "scrap"],
    }[status]
    for step in path:
        apply(user, step, unit, equipment, store)
    return unit


def apply(user: Any, transition: str, unit: Any, equipment: Any, store: Any, failed: bool = True) -> Any:
    return {
        "fit": lambda: repairables.fit(user, unit, equipment, "OT-1"),
        "remove": lambda: repairables.remove(user, unit, failed=failed, location=store),
        "send_for_repair": lambda: repairables.send_for_repair(user, unit, repairer=SupplierFactory(name="Atelier")),
        "return_from_repair": lambda: repairables.return_from_repair(user, unit, store, D(500)),
        "scrap": lambda: repairables.scrap(user, unit, "Hors d'usage"),
    }[transition]()


def test_who_may_move_a_unit(technician: Any, client_a: Any, manager: Any, drive: Any, site_a: Any) -> None:
    store = LocationFactory()
    with pytest.raises(PermissionDenied):
        repairables.receive(client_a, drive, "SD7-0060", store, D(2400))
    unit = repairables.receive(manager, drive, "SD7-0060", store, D(2400))
    with pytest.raises(PermissionDenied):
        repairables.fit(client_a, unit, EquipmentFactory(site=site_a))
    # Scrapping is a manager's decision.
    with pytest.raises(PermissionDenied):
        repairables.scrap(technician, unit, "Carte brûlée")
    repairables.scrap(manager, unit, "Carte brûlée")
    assert on_hand(drive, store) == 0
    assert StockMovement.objects.filter(part=drive).latest("pk").kind == MovementKind.ADJUSTMENT


def test_a_serial_is_unique_per_part_and_a_unit_needs_a_repairable_part(manager: Any, drive: Any) -> None:
    store = LocationFactory()
    repairables.receive(manager, drive, "SD7-0070", store, D(2400))
    with pytest.raises(ValidationError) as error:
        repairables.receive(manager, drive, " SD7-0070 ", store, D(2400))
    assert "serial_number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        repairables.receive(manager, PartFactory(), "X-1", store, D(10))
    assert "part" in error.value.message_dict
    assert RepairableUnit.objects.count() == 1
    assert on_hand(drive, store) == 1


def test_a_clients_unit_is_fitted_on_that_clients_equipment_only(
    manager: Any, org_a: Any, site_a: Any, equipment_b: Any
) -> None:
    part = PartFactory(owner=org_a, is_repairable=True)
    unit = repairables.receive(manager, part, "C-1", LocationFactory(owner=org_a), D(300))
    with pytest.raises(ValidationError) as error:
        repairables.fit(manager, unit, equipment_b)
    assert "equipment" in error.value.message_dict
    unit.refresh_from_db()
    assert unit.status == UnitStatus.IN_STOCK
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE).count() == 0


def test_the_history_is_never_rewritten(manager: Any, drive: Any) -> None:
    unit = repairables.receive(manager, drive, "SD7-0080", LocationFactory(), D(2400))
    event = unit.events.get()
    event.note = "changed"
    with pytest.raises(ValidationError):
        event.save()


TRANSITIONS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "fit", "remove", "send_for_repair", "return_from_repair", "scrap"]),
        st.integers(min_value=0, max_value=3),  # which unit
        st.integers(min_value=0, max_value=1),  # which location
        st.booleans(),  # removed failed?
    ),
    max_size=30,
)


@pytest.mark.django_db
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=TRANSITIONS)
def test_units_in_stock_always_equal_the_ledgers_on_hand(steps: list[tuple[str, int, int, bool]], manager: Any) -> None:
    """Whatever transitions are tried (refused ones included), each location's on hand of a repairable part is
    the number of its units in stock there."""
    with transaction.atomic():
        part = PartFactory(is_repairable=True)
        equipment = EquipmentFactory()
        locations = [LocationFactory(), LocationFactory()]
        units: list[Any] = []
        for transition, which, where, failed in steps:
            try:
                if transition == "receive":
                    units.append(repairables.receive(manager, part, f"U{len(units)}", locations[where], D(100)))
                elif units:
                    unit = units[which % len(units)]
                    apply(manager, transition, unit, equipment, locations[where], failed=failed)
            except TransitionError:
                pass
            for location in locations:
                in_stock = RepairableUnit.objects.filter(part=part, location=location, status=UnitStatus.IN_STOCK)
                assert in_stock.count() == on_hand(part, location)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_repairable_part_moves_only_as_its_units(manager: Any) -> None:
    """A plain receipt, issue, transfer, adjustment or count of a repairable part would leave its quantity on
    hand apart from its units on the shelf: each is refused, naming the part, and nothing is written."""
    drive = PartFactory(reference="VAR-ATV320", is_repairable=True)
    store, van = LocationFactory(), LocationFactory()
    repairables.receive(manager, drive, "8B1934000123", store, Decimal("1450"))
    movements = StockMovement.objects.count()
    refused = [
        lambda: services.receive(manager, drive, store, Decimal(1), Decimal("1450")),
        lambda: services.issue(manager, drive, store, Decimal(1)),
        lambda: services.transfer(manager, drive, store, van, Decimal(1)),
        lambda: services.adjust(manager, drive, store, Decimal(-1), "broken"),
        lambda: services.count(manager, drive, store, Decimal(0)),
    ]
    for movement in refused:
        with pytest.raises(ValidationError) as error:
            movement()
        assert "VAR-ATV320 is repairable" in str(error.value)
    assert StockMovement.objects.count() == movements
    assert services.available(drive, store) == 1
