"""A part scanned for an order comes chosen in its "take from stock" form: where it is nearest and, for an
equivalent, the reserved part it stands in for."""

from decimal import Decimal
from typing import Any

from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.tests.factories import InterchangeabilityFactory, LocationFactory, PartFactory
from maintenir.workorders import services
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.tests.factories import WorkOrderFactory

D = Decimal


def test_a_scanned_equivalent_is_chosen_from_my_van_instead_of_the_reserved_part(
    equipment_a: Any, technician: Any, manager: Any
) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED, assignees=[technician])
    bearing, fag = PartFactory(reference="RLT-6205-SKF"), PartFactory(reference="RLT-6205-FAG", barcode="4012802")
    InterchangeabilityFactory(part=bearing, replacement=fag, mutual=True)
    store = LocationFactory(name="Lyon central store")
    van = LocationFactory(kind=LocationKind.VAN, technician=technician)
    stock.receive(manager, bearing, store, D(1), D("7.20"))
    stock.receive(manager, fag, store, D(4), D("6.80"))
    stock.receive(manager, fag, van, D(1), D("6.80"))
    services.reserve_part(technician, order, bearing, store, D(1))
    order.status = WorkOrderStatus.IN_PROGRESS
    order.save(update_fields=["status"])
    client = client_for(technician)
    scanned = client.get(reverse("part-scan"), {"code": "4012802", "order": order.pk}, follow=True)
    page = scanned.content.decode()
    assert f'<option value="{fag.pk}" selected>' in page
    form = page[page.index('id="action-issue"') :]
    # The van, nearest, is where it is taken from; the reserved bearing is what it replaces.
    location = form[form.index('name="issue-location"') :]
    assert f'<option value="{van.pk}" selected>' in location
    instead = form[form.index('name="issue-instead_of"') :]
    assert f'<option value="{bearing.pk}" selected>' in instead
