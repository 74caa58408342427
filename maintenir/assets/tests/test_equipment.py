"""The equipment tree and its validation rules."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maintenir.assets.models import Equipment
from maintenir.assets.services import descendants, equipment_tree, save_equipment
from maintenir.assets.tests.factories import (
    BuildingFactory,
    EquipmentFactory,
    FloorFactory,
    ProductionLineFactory,
    SpaceFactory,
)
from maintenir.core.models import ObjectChange


def errors_of(equipment: Equipment) -> dict[str, Any]:
    with pytest.raises(ValidationError) as error:
        equipment.full_clean()
    return error.value.message_dict


def test_parent_must_be_on_the_same_site(equipment_a: Any, equipment_b: Any) -> None:
    equipment_a.parent = equipment_b
    assert set(errors_of(equipment_a)) == {"parent"}


@pytest.mark.parametrize("length", [1, 2, 3, 4])
def test_cycles_are_refused(length: int, site_a: Any) -> None:
    chain = [EquipmentFactory(site=site_a)]
    for _ in range(length - 1):
        chain.append(EquipmentFactory(site=site_a, parent=chain[-1]))
    top = Equipment.objects.get(pk=chain[0].pk)
    top.parent = chain[-1]
    assert set(errors_of(top)) == {"parent"}


def test_moving_within_the_tree_is_allowed(site_a: Any) -> None:
    root = EquipmentFactory(site=site_a)
    machine = EquipmentFactory(site=site_a, parent=root)
    other = EquipmentFactory(site=site_a)
    machine.parent = other
    machine.full_clean()


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("building", lambda site: BuildingFactory(site=site)),
        ("floor", lambda site: FloorFactory(building__site=site)),
        ("space", lambda site: SpaceFactory(floor__building__site=site)),
        ("production_line", lambda site: ProductionLineFactory(site=site)),
    ],
)
def test_locations_must_be_on_the_same_site(field: str, make: Any, equipment_a: Any, site_a: Any, site_b: Any) -> None:
    setattr(equipment_a, field, make(site_a))
    equipment_a.full_clean()
    setattr(equipment_a, field, make(site_b))
    assert set(errors_of(equipment_a)) == {field}


def test_warranty_cannot_end_before_installation(equipment_a: Any) -> None:
    equipment_a.installation_date = datetime.date(2024, 6, 1)
    equipment_a.warranty_end = datetime.date(2024, 5, 31)
    assert set(errors_of(equipment_a)) == {"warranty_end"}
    equipment_a.warranty_end = equipment_a.installation_date
    equipment_a.full_clean()


@pytest.fixture
def line(site_a: Any) -> dict[str, Equipment]:
    """line → press / conveyor; press → hydraulic unit → pump."""
    nodes = {"line": EquipmentFactory(site=site_a, code="L1")}
    nodes["press"] = EquipmentFactory(site=site_a, code="L1-A-PRESS", parent=nodes["line"])
    nodes["conveyor"] = EquipmentFactory(site=site_a, code="L1-B-CONV", parent=nodes["line"])
    nodes["unit"] = EquipmentFactory(site=site_a, code="L1-A-HYD", parent=nodes["press"])
    nodes["pump"] = EquipmentFactory(site=site_a, code="L1-A-HYD-P1", parent=nodes["unit"])
    return nodes


def test_tree_depth_first_by_code(line: dict[str, Equipment]) -> None:
    rows = [(depth, equipment.code) for depth, equipment in equipment_tree(line["line"])]
    assert rows == [(0, "L1"), (1, "L1-A-PRESS"), (2, "L1-A-HYD"), (3, "L1-A-HYD-P1"), (1, "L1-B-CONV")]
    assert equipment_tree(line["pump"]) == [(0, line["pump"])]


def test_descendants_and_ancestors(line: dict[str, Equipment]) -> None:
    assert set(descendants(line["line"])) == {line[name] for name in ("press", "conveyor", "unit", "pump")}
    assert set(descendants(line["press"])) == {line["unit"], line["pump"]}
    assert descendants(line["pump"]) == []
    assert line["pump"].ancestors() == [line["line"], line["press"], line["unit"]]
    assert line["line"].ancestors() == []


def test_save_equipment_sets_technologies_and_logs_them(technician: Any, equipment_a: Any) -> None:
    save_equipment(technician, equipment_a, technologies=["hydraulic", "automation"])
    assert set(equipment_a.technologies.values_list("code", flat=True)) == {"hydraulic", "automation"}
    change = ObjectChange.objects.filter(object_type__model="equipment", object_id=equipment_a.pk).latest("pk")
    assert change.diff() == [("technologies", [], ["Automation", "Hydraulic"])]
    save_equipment(technician, equipment_a)
    assert equipment_a.technologies.count() == 2


def test_unknown_technology_is_refused(technician: Any, equipment_a: Any) -> None:
    with pytest.raises(ValidationError):
        save_equipment(technician, equipment_a, technologies=["steam"])
    assert not equipment_a.technologies.exists()


@pytest.mark.parametrize("persona", ["operator_a", "client_a", "client_b"])
def test_organisation_users_cannot_edit_equipment(
    persona: str, request: pytest.FixtureRequest, equipment_a: Any
) -> None:
    equipment_a.name = "Renamed"
    with pytest.raises(PermissionDenied):
        save_equipment(request.getfixturevalue(persona), equipment_a, technologies=["electrical"])
    equipment_a.refresh_from_db()
    assert equipment_a.name != "Renamed"
    assert not equipment_a.technologies.exists()
