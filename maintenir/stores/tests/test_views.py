"""The spare-parts pages: the catalogue, a part's stock and equivalents, and a technician's van."""

from decimal import Decimal
from typing import Any

from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.models import Part
from maintenir.stores.tests.factories import InterchangeabilityFactory, LocationFactory, PartFactory

D = Decimal


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_a_part_shows_its_stock_its_equivalents_and_the_nearest_offer(technician: Any, manager: Any) -> None:
    coil = PartFactory(reference="BOB-LXD1-B7", description="Coil 24 V AC for LC1D09-D38")
    other = PartFactory(reference="BOB-LXD1-B7-EV", description="Coil 24 V AC, EverLink")
    InterchangeabilityFactory(part=coil, replacement=other, mutual=True, condition="same frame only")
    store = LocationFactory(name="Saint-Étienne plant store", kind=LocationKind.SITE_STORE)
    van = LocationFactory(name="Van GH-456-IJ", kind=LocationKind.VAN, technician=technician)
    stock.receive(manager, coil, store, D(3), D("21.90"))
    stock.receive(manager, other, van, D(1), D("23.10"))
    stock.reserve(coil, store, D(1))
    page = text(client_for(technician).get(reverse("part-detail", args=[coil.pk])))
    assert "<td>Saint-Étienne plant store<br>" in page
    assert "<td>3</td><td>2</td>" in page
    assert "BOB-LXD1-B7-EV — Coil 24 V AC, EverLink" in page
    offers = page[page.index('id="offers"') :]
    assert offers.index("Van GH-456-IJ") < offers.index("Saint-Étienne plant store")
    assert "same frame only" in offers


def test_the_parts_list_finds_by_manufacturer_reference(client_a: Any, org_a: Any) -> None:
    PartFactory(reference="VER-DSBC-32", manufacturer_reference="DSBC-32-100-PPVA-N3", owner=org_a)
    PartFactory(reference="VER-OTHER", manufacturer_reference="ADN-25-40")
    page = text(client_for(client_a).get(reverse("part-list"), {"q": "dsbc-32"}))
    assert "VER-DSBC-32" in page
    assert "VER-OTHER" not in page


def test_my_van_lists_what_i_carry(technician: Any, other_technician: Any, manager: Any) -> None:
    mine = LocationFactory(name="Van AB-123-CD", kind=LocationKind.VAN, technician=technician)
    theirs = LocationFactory(name="Van ZZ-999-ZZ", kind=LocationKind.VAN, technician=other_technician)
    stock.receive(manager, PartFactory(reference="RLT-6205-SKF"), mine, D(2), D("7.20"))
    stock.receive(manager, PartFactory(reference="RLT-6206-SKF"), theirs, D(2), D("9.10"))
    page = text(client_for(technician).get(reverse("my-van")))
    assert '<strong>2</strong> × <a href="/parts/' in page
    assert "RLT-6205-SKF" in page
    assert "RLT-6206-SKF" not in page


def test_without_a_van_the_page_says_so(technician: Any) -> None:
    page = text(client_for(technician).get(reverse("my-van")))
    assert "No van is yours in Maintenir" in page


def test_a_manager_adds_a_part_that_supersedes_another(manager: Any) -> None:
    old = PartFactory(reference="VER-DNC-32-100")
    client = client_for(manager)
    response = client.post(
        reverse("part-add"),
        {
            "reference": "VER-DSBC-32-100",
            "description": "Vérin ISO 15552 Ø32 course 100",
            "manufacturer": "Festo",
            "unit": "piece",
            "criticality": "high",
        },
    )
    new = Part.objects.get(reference="VER-DSBC-32-100")
    assert response["Location"] == new.get_absolute_url()
    response = client.post(
        reverse("part-edit", args=[old.pk]),
        {
            "reference": old.reference,
            "description": old.description,
            "unit": "piece",
            "criticality": "medium",
            "superseded_by": new.pk,
        },
    )
    old.refresh_from_db()
    assert old.superseded_by == new


def test_a_technician_may_not_change_the_catalogue(technician: Any) -> None:
    part = PartFactory()
    assert client_for(technician).get(reverse("part-add")).status_code == 403
    assert client_for(technician).get(reverse("part-edit", args=[part.pk])).status_code == 403
