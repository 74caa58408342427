"""Functional equivalence: which parts may be fitted instead of another, and where the nearest one is."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.models import Interchangeability
from maintenir.stores.tests.factories import InterchangeabilityFactory, LocationFactory, PartFactory

D = Decimal


def test_a_one_way_replacement_works_in_its_direction_only(db: None) -> None:
    old, new = PartFactory(), PartFactory()
    InterchangeabilityFactory(part=old, replacement=new, condition="with adapter kit AK-12")
    assert stock.equivalents(old) == {new.pk: "with adapter kit AK-12"}
    assert stock.equivalents(new) == {}


def test_mutual_equivalents_replace_each_other(db: None) -> None:
    skf, fag, ntn = PartFactory(), PartFactory(), PartFactory()
    InterchangeabilityFactory(part=skf, replacement=fag, mutual=True)
    InterchangeabilityFactory(part=skf, replacement=ntn, mutual=True)
    assert set(stock.equivalents(skf)) == {fag.pk, ntn.pk}
    assert set(stock.equivalents(fag)) == {skf.pk}


def test_a_superseding_model_replaces_the_obsolete_ones_along_the_chain(db: None) -> None:
    newest = PartFactory()
    newer = PartFactory(superseded_by=newest)
    oldest = PartFactory(superseded_by=newer)
    assert set(stock.equivalents(oldest)) == {newer.pk, newest.pk}
    assert stock.equivalents(newest) == {}


def test_a_part_cannot_replace_itself(db: None) -> None:
    part = PartFactory()
    with pytest.raises(ValidationError):
        Interchangeability(part=part, replacement=part).full_clean()


def test_offers_come_nearest_first_the_part_before_its_equivalents(manager: Any, technician: Any, site_a: Any) -> None:
    wanted, equivalent, unrelated = PartFactory(), PartFactory(), PartFactory()
    InterchangeabilityFactory(part=wanted, replacement=equivalent, mutual=True)
    van = LocationFactory(kind=LocationKind.VAN, technician=technician)
    other_van = LocationFactory(kind=LocationKind.VAN, technician=manager)
    site_store = LocationFactory(kind=LocationKind.SITE_STORE, site=site_a)
    central = LocationFactory(kind=LocationKind.CENTRAL_STORE)
    for part, location in [
        (wanted, central),
        (equivalent, site_store),
        (wanted, site_store),
        (equivalent, van),
        (wanted, other_van),
        (unrelated, van),
    ]:
        stock.receive(manager, part, location, D(2), D(10))
    stock.reserve(wanted, central, D(2))
    found = stock.offers(technician, wanted, technician=technician, site=site_a)
    assert [(offer.part, offer.location, offer.is_equivalent) for offer in found] == [
        (equivalent, van, True),
        (wanted, site_store, False),
        (equivalent, site_store, True),
        (wanted, other_van, False),
    ]


def test_a_bin_is_as_near_as_its_store(site_a: Any) -> None:
    site_store = LocationFactory(kind=LocationKind.SITE_STORE, site=site_a)
    central = LocationFactory(kind=LocationKind.CENTRAL_STORE)
    assert stock.nearness(LocationFactory(kind=LocationKind.BIN, parent=site_store), None, site_a) == 1
    assert stock.nearness(LocationFactory(kind=LocationKind.BIN, parent=central), None, site_a) == 2
