"""Parts from stock on a work order: reserved when planned, issued at work, the rest released at the end."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maintenir.core.services import TransitionError
from maintenir.core.tests.clients import client_for
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind, MovementKind
from maintenir.stores.models import StockBalance
from maintenir.stores.tests.factories import InterchangeabilityFactory, LocationFactory, PartFactory
from maintenir.workorders import services
from maintenir.workorders.choices import SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import PartReservation, WorkOrder
from maintenir.workorders.tests.factories import SignOffFactory, WorkOrderFactory

S = WorkOrderStatus
D = Decimal


@pytest.fixture
def order(equipment_a: Any, technician: Any) -> WorkOrder:
    return WorkOrderFactory(
        equipment=equipment_a, status=S.PLANNED, assignees=[technician], work_type=WorkOrderType.PREVENTIVE_SYSTEMATIC
    )


@pytest.fixture
def bearing(db: None) -> Any:
    return PartFactory(reference="RLT-6205-SKF")


@pytest.fixture
def store(manager: Any, bearing: Any) -> Any:
    location = LocationFactory(name="Lyon central store")
    stock.receive(manager, bearing, location, D(3), D("7.20"))
    return location


def balance(part: Any, location: Any) -> StockBalance:
    return StockBalance.objects.get(part=part, location=location)


def start(order: WorkOrder) -> None:
    order.status = S.IN_PROGRESS
    order.save(update_fields=["status"])


def test_a_planned_order_reserves_what_it_needs(
    order: WorkOrder, technician: Any, manager: Any, bearing: Any, store: Any
) -> None:
    services.reserve_part(technician, order, bearing, store, D(2))
    services.reserve_part(technician, order, bearing, store, D(1))
    assert PartReservation.objects.get(work_order=order).quantity == D(3)
    assert stock.available(bearing, store) == 0
    with pytest.raises(stock.StockConflict, match="Only 0 of RLT-6205-SKF available at Lyon central store"):
        services.reserve_part(manager, WorkOrderFactory(status=S.PLANNED), bearing, store, D(1))


def test_a_requested_order_reserves_nothing_yet(manager: Any, equipment_a: Any, bearing: Any, store: Any) -> None:
    with pytest.raises(TransitionError, match="approved order"):
        services.reserve_part(
            manager, WorkOrderFactory(equipment=equipment_a, status=S.REQUESTED), bearing, store, D(1)
        )
    assert balance(bearing, store).reserved == 0


def test_only_the_orders_people_reserve_for_it(
    order: WorkOrder, other_technician: Any, bearing: Any, store: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.reserve_part(other_technician, order, bearing, store, D(1))
    assert balance(bearing, store).reserved == 0


def test_issuing_takes_the_reservation_first_and_records_the_cost(
    order: WorkOrder, technician: Any, bearing: Any, store: Any
) -> None:
    services.reserve_part(technician, order, bearing, store, D(2))
    start(order)
    usage = services.issue_part(technician, order, bearing, store, D(3))
    assert (usage.part, usage.quantity, usage.unit_cost) == (bearing, D(3), D("7.20"))
    assert (usage.movement.kind, usage.movement.quantity, usage.movement.reference) == (
        MovementKind.ISSUE,
        D(-3),
        order.reference,
    )
    assert (balance(bearing, store).on_hand, balance(bearing, store).reserved) == (D(0), D(0))
    assert PartReservation.objects.get(work_order=order).quantity == 0


def test_parts_are_issued_only_while_the_work_is_under_way(
    order: WorkOrder, technician: Any, bearing: Any, store: Any
) -> None:
    with pytest.raises(TransitionError):
        services.issue_part(technician, order, bearing, store, D(1))
    assert balance(bearing, store).on_hand == D(3)


def test_an_equivalent_fitted_instead_is_recorded_and_frees_the_reservation(
    order: WorkOrder, technician: Any, manager: Any, bearing: Any, store: Any
) -> None:
    fag = PartFactory(reference="RLT-6205-FAG")
    InterchangeabilityFactory(part=bearing, replacement=fag, mutual=True)
    van = LocationFactory(kind=LocationKind.VAN, technician=technician)
    stock.receive(manager, fag, van, D(1), D("6.80"))
    services.reserve_part(technician, order, bearing, store, D(1))
    start(order)
    usage = services.issue_part(technician, order, fag, van, D(1), instead_of=bearing)
    assert (usage.part, usage.instead_of) == (fag, bearing)
    assert balance(bearing, store).reserved == 0
    assert balance(fag, van).on_hand == 0


def test_a_part_that_is_no_equivalent_is_refused(order: WorkOrder, technician: Any, bearing: Any, store: Any) -> None:
    start(order)
    with pytest.raises(ValidationError, match="may not replace"):
        services.issue_part(technician, order, bearing, store, D(1), instead_of=PartFactory())
    assert balance(bearing, store).on_hand == D(3)


def test_cancelling_releases_the_reservations(
    order: WorkOrder, technician: Any, manager: Any, bearing: Any, store: Any
) -> None:
    services.reserve_part(technician, order, bearing, store, D(2))
    services.cancel_work_order(manager, order, "Machine sold")
    assert balance(bearing, store).reserved == 0
    assert PartReservation.objects.get(work_order=order).quantity == 0


def test_completing_releases_what_was_not_used(order: WorkOrder, technician: Any, bearing: Any, store: Any) -> None:
    services.reserve_part(technician, order, bearing, store, D(3))
    start(order)
    services.issue_part(technician, order, bearing, store, D(1))
    SignOffFactory(work_order=order, role=SignOffRole.TECHNICIAN)
    services.complete_work_order(technician, order)
    assert (balance(bearing, store).on_hand, balance(bearing, store).reserved) == (D(2), D(0))


def test_free_text_parts_stay_possible(order: WorkOrder, technician: Any) -> None:
    start(order)
    usage = services.add_part(technician, order, "Shim 0.2 mm cut to size", D(2), D("1.50"))
    assert usage.part is None
    assert usage.movement is None


# --- From the order's pages ------------------------------------------------------------------


def post(client: Any, order: WorkOrder, name: str, data: dict[str, Any]) -> Any:
    return client.post(f"{reverse(f'workorder-{name}', args=[order.pk])}?page=execute", data)


def test_the_order_page_reserves_then_issues_an_equivalent_it_proposes(
    order: WorkOrder, technician: Any, manager: Any, bearing: Any, store: Any
) -> None:
    client = client_for(technician)
    fag = PartFactory(reference="RLT-6205-FAG")
    InterchangeabilityFactory(part=bearing, replacement=fag, mutual=True)
    van = LocationFactory(kind=LocationKind.VAN, technician=technician, name="Van AB-123-CD")
    stock.receive(manager, fag, van, D(2), D("6.80"))
    data = {"reserve-part": bearing.pk, "reserve-location": store.pk, "reserve-quantity": "1"}
    assert post(client, order, "reserve", data).status_code == 302
    start(order)
    page = client.get(reverse("workorder-execute", args=[order.pk]))
    text = " ".join(page.content.decode().split())
    assert "2 × RLT-6205-FAG — Van AB-123-CD (equivalent)" in text
    data = {"issue-part": fag.pk, "issue-location": van.pk, "issue-quantity": "1", "issue-instead_of": bearing.pk}
    assert post(client, order, "issue", data).status_code == 302
    page = client.get(reverse("workorder-execute", args=[order.pk]))
    assert "instead of RLT-6205-SKF" in page.content.decode()
    assert balance(bearing, store).reserved == 0


def test_a_shortage_is_shown_beside_the_quantity(order: WorkOrder, technician: Any, bearing: Any, store: Any) -> None:
    start(order)
    data = {"issue-part": bearing.pk, "issue-location": store.pk, "issue-quantity": "5"}
    response = post(client_for(technician), order, "issue", data)
    assert response.status_code == 200
    assert "Only 3 of RLT-6205-SKF available at Lyon central store; 5 asked." in response.content.decode()
    assert balance(bearing, store).on_hand == D(3)
