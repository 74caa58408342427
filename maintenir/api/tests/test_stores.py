"""The stock API's answers beyond permissions: conflicts and the nearest equivalents."""

from decimal import Decimal
from typing import Any

from maintenir.api.tests.conftest import World
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.tests.factories import InterchangeabilityFactory, LocationFactory, PartFactory


def test_issuing_more_than_is_there_is_a_conflict_naming_part_and_location(
    world: World, technician: Any, as_user: Any
) -> None:
    response = as_user(technician).post(
        "/api/stock-movements/issues",
        {"part": world.part.pk, "location": world.store.pk, "quantity": "5"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == (
        f"Only 4 of {world.part.reference} available at {world.store.name}; 5 asked."
    )


def test_offers_name_my_van_first(technician: Any, manager: Any, as_user: Any) -> None:
    wanted, equivalent = PartFactory(reference="CYL-DNC-32-100"), PartFactory(reference="CYL-DSBC-32-100")
    wanted.superseded_by = equivalent
    wanted.save()
    InterchangeabilityFactory(part=wanted, replacement=PartFactory(), condition="with adapter kit")
    central = LocationFactory(kind=LocationKind.CENTRAL_STORE)
    van = LocationFactory(kind=LocationKind.VAN, technician=technician)
    stock.receive(manager, wanted, central, Decimal(1), Decimal(80))
    stock.receive(manager, equivalent, van, Decimal(1), Decimal(95))
    offers = as_user(technician).get(f"/api/parts/{wanted.pk}/offers").json()
    assert [(offer["part_reference"], offer["location"], offer["is_equivalent"]) for offer in offers] == [
        ("CYL-DSBC-32-100", van.pk, True),
        ("CYL-DNC-32-100", central.pk, False),
    ]
