"""Where used: an equipment's spare-parts list, what is available of each, and the critical spares short."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.stores import fits
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.models import PartFit
from maintenir.stores.tests.factories import (
    InterchangeabilityFactory,
    LocationFactory,
    PartFactory,
    PartFitFactory,
)

D = Decimal


@pytest.fixture
def press(site_a: Any) -> Any:
    return EquipmentFactory(site=site_a, code="PR-01", name="Presse hydraulique 250 t")


def test_the_list_has_the_equipments_own_fits_and_its_types(manager: Any, press: Any) -> None:
    seal = PartFitFactory(equipment=press, part=PartFactory(reference="JNT-VER-80")).part
    filter_ = PartFitFactory(
        equipment=None, equipment_type=press.equipment_type, part=PartFactory(reference="FLT-HYD-10")
    ).part
    # The press says how many of the type's valve it has: its own fit wins over its type's.
    valve = PartFactory(reference="DST-4WE6")
    PartFitFactory(equipment=None, equipment_type=press.equipment_type, part=valve, quantity=D(1))
    PartFitFactory(equipment=press, part=valve, quantity=D(3))
    other = EquipmentFactory(site=press.site)
    PartFitFactory(equipment=other, part=PartFactory(reference="NOT-HERE"))
    lines = fits.spare_parts(manager, press)
    assert [(line.part, line.fit.quantity) for line in lines] == [(valve, D(3)), (filter_, D(2)), (seal, D(2))]


def test_available_counts_the_company_and_the_equipments_client_never_another_client(
    manager: Any, press: Any, org_a: Any, org_b: Any
) -> None:
    pump = PartFactory(reference="PMP-A10VSO")
    PartFitFactory(equipment=press, part=pump, critical=True, minimum_stock=D(1))
    central = LocationFactory(kind=LocationKind.CENTRAL_STORE)
    ours = LocationFactory(owner=org_a)
    theirs = LocationFactory(owner=org_b)
    stock.receive(manager, pump, central, D(2), D(900))
    stock.receive(manager, pump, ours, D(1), D(900))
    stock.receive(manager, pump, theirs, D(5), D(900))
    stock.reserve(pump, central, D(1))
    [line] = fits.spare_parts(manager, press)
    assert line.available == D(2)
    assert not line.short


def test_a_critical_spare_is_short_when_the_part_and_its_equivalents_are_below_the_minimum(
    manager: Any, press: Any
) -> None:
    bearing = PartFactory(reference="RLT-6205-SKF")
    twin = PartFactory(reference="RLT-6205-FAG")
    InterchangeabilityFactory(part=bearing, replacement=twin, mutual=True)
    # A one-way replacement the other way round: the bearing may replace it, it may not replace the bearing.
    InterchangeabilityFactory(part=PartFactory(reference="RLT-6205-OLD"), replacement=bearing)
    PartFitFactory(equipment=press, part=bearing, critical=True, minimum_stock=D(3))
    store = LocationFactory()
    stock.receive(manager, bearing, store, D(1), D(9))
    [line] = fits.critical_short(manager, press)
    assert (line.available, line.equivalents_available, line.missing) == (D(1), D(0), D(2))
    stock.receive(manager, twin, store, D(1), D(9))
    stock.receive(manager, PartFactory(reference="RLT-6205-OLD-2"), store, D(5), D(9))
    assert fits.critical_short(manager, press)[0].missing == D(1)
    stock.receive(manager, twin, store, D(1), D(9))
    assert fits.critical_short(manager, press) == []
    assert fits.spare_parts(manager, press)[0].equivalents_available == D(2)


def test_the_managers_list_spreads_a_types_critical_spare_over_each_equipment_of_the_type(
    manager: Any, press: Any
) -> None:
    twin_press = EquipmentFactory(site=press.site, code="PR-02", equipment_type=press.equipment_type)
    quiet = EquipmentFactory(site=press.site, code="PR-03", equipment_type=press.equipment_type)
    drive = PartFactory(reference="VAR-SERVO-7")
    PartFitFactory(equipment=None, equipment_type=press.equipment_type, part=drive, critical=True, minimum_stock=D(1))
    # PR-03 keeps none of it: its own fit, not critical, overrides its type's.
    PartFitFactory(equipment=quiet, part=drive)
    seal = PartFactory(reference="JNT-VER-80")
    PartFitFactory(equipment=twin_press, part=seal, critical=True, minimum_stock=D(2))
    short = [(line.equipment.code, line.part.reference) for line in fits.critical_short(manager)]
    assert short == [("PR-01", "VAR-SERVO-7"), ("PR-02", "JNT-VER-80"), ("PR-02", "VAR-SERVO-7")]
    stock.receive(manager, drive, LocationFactory(), D(1), D(1200))
    assert [line.part.reference for line in fits.critical_short(manager)] == ["JNT-VER-80"]


def test_a_client_sees_the_fits_of_its_own_parts_on_its_own_equipment_and_types_only(
    client_a: Any, client_b: Any, manager: Any, press: Any, equipment_b: Any, org_a: Any, org_b: Any
) -> None:
    """The company's parts are not the clients' to see, nor then where the company fits them."""
    own = PartFitFactory(equipment=press, part=PartFactory(owner=org_a))
    typed = PartFitFactory(equipment=None, equipment_type=press.equipment_type, part=PartFactory(owner=None))
    company_part_on_a = PartFitFactory(equipment=press, part=PartFactory())
    theirs = PartFitFactory(equipment=equipment_b, part=PartFactory(owner=org_b))
    assert set(PartFit.objects.restrict(client_a)) == {own}
    assert set(PartFit.objects.restrict(client_b)) == {theirs}
    assert set(PartFit.objects.restrict(manager)) == {own, typed, company_part_on_a, theirs}
    assert [line.fit for line in fits.spare_parts(client_b, press)] == []


def test_a_fit_names_an_equipment_or_a_type_and_a_critical_spare_a_minimum(manager: Any, press: Any) -> None:
    part = PartFactory()
    refused = [
        (PartFit(part=part), "equipment"),
        (PartFit(part=part, equipment=press, equipment_type=press.equipment_type), "equipment"),
        (PartFit(part=part, equipment=press, critical=True), "minimum_stock"),
        (PartFit(part=part, equipment=press, minimum_stock=D(2)), "minimum_stock"),
    ]
    for fit, field in refused:
        with pytest.raises(ValidationError) as error:
            fits.add_fit(manager, fit)
        assert field in error.value.message_dict
    assert not PartFit.objects.exists()


def test_a_clients_part_fits_only_that_clients_equipment(
    manager: Any, press: Any, equipment_b: Any, org_b: Any
) -> None:
    theirs = PartFactory(owner=org_b)
    with pytest.raises(ValidationError) as error:
        fits.add_fit(manager, PartFit(part=theirs, equipment=press))
    assert "equipment" in error.value.message_dict
    with pytest.raises(ValidationError):
        fits.add_fit(manager, PartFit(part=theirs, equipment_type=press.equipment_type))
    assert fits.add_fit(manager, PartFit(part=theirs, equipment=equipment_b)).pk


def test_only_managers_list_and_remove_fits(technician: Any, manager: Any, press: Any) -> None:
    with pytest.raises(PermissionDenied):
        fits.add_fit(technician, PartFit(part=PartFactory(), equipment=press))
    fit = PartFitFactory(equipment=press)
    with pytest.raises(PermissionDenied):
        fits.remove_fit(technician, fit)
    fits.remove_fit(manager, fit)
    assert not PartFit.objects.exists()
