"""The work order and work request lists: found by reference, accents aside, by assignee and by location;
the order list shows unfinished orders unless asked, with their assignees."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maintenir.assets.tests.factories import EquipmentFactory, ProductionLineFactory, SpaceFactory
from maintenir.core.tests.clients import client_for
from maintenir.core.tests.factories import UserFactory
from maintenir.workorders.choices import WorkOrderStatus as S
from maintenir.workorders.tests.factories import SupervisionFactory, WorkOrderFactory, WorkRequestFactory

pytestmark = pytest.mark.django_db


def found(client: Any, name: str, **query: Any) -> list[Any]:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return list(response.context["object_list"])


@pytest.fixture
def orders(equipment_a: Any) -> list[Any]:
    # Titles without digits, so that only the reference can match a number.
    titles = ("Vérin de bridage", "Courroie", "Filtre")
    return [WorkOrderFactory(equipment=equipment_a, title=title) for title in titles]


def written_forms(prefix: str, pk: int) -> list[str]:
    upper, lower = f"{prefix}-{pk:06d}", f"{prefix.lower()}-{pk:06d}"
    return [upper, lower, f"{prefix}{pk}", f"{prefix} {pk}", f"{pk:06d}", f"#{pk}"]


def test_an_order_is_found_by_its_reference_however_written(manager: Any, orders: list[Any]) -> None:
    order = orders[1]
    client = client_for(manager)
    for typed in written_forms("OT", order.pk):
        assert found(client, "workorder-list", q=typed) == [order], typed


def test_a_request_is_found_by_its_reference_however_written(manager: Any, equipment_a: Any, operator_a: Any) -> None:
    requests = [WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, symptom="Fuite") for _ in range(3)]
    client = client_for(manager)
    for typed in written_forms("DI", requests[1].pk):
        assert found(client, "workrequest-list", q=typed) == [requests[1]], typed


def test_an_order_and_its_request_are_found_by_each_others_reference(
    manager: Any, orders: list[Any], operator_a: Any
) -> None:
    order = orders[2]
    request = WorkRequestFactory(equipment=order.equipment, reported_by=operator_a, work_order=order)
    WorkRequestFactory(equipment=order.equipment, reported_by=operator_a)
    client = client_for(manager)
    assert found(client, "workorder-list", q=request.reference) == [order]
    assert found(client, "workrequest-list", q=order.reference) == [request]


def test_a_reference_prefix_of_another_kind_finds_nothing_by_number(manager: Any, orders: list[Any]) -> None:
    # DI-<n> names the request n, not the order n.
    assert found(client_for(manager), "workorder-list", q=f"DI-{orders[0].pk:06d}") == []


@pytest.mark.parametrize(("name", "typed"), [("Vérin de bridage", "verin"), ("vérin de bridage", "VÉRIN")])
def test_the_order_list_search_ignores_accents_and_case(manager: Any, equipment_a: Any, name: str, typed: str) -> None:
    order = WorkOrderFactory(equipment=equipment_a, title=name)
    WorkOrderFactory(equipment=equipment_a, title="Courroie")
    assert found(client_for(manager), "workorder-list", q=typed) == [order]


def test_the_request_list_search_ignores_accents(manager: Any, equipment_a: Any, operator_a: Any) -> None:
    request = WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, symptom="Le vérin fuit")
    WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, symptom="Courroie usée")
    assert found(client_for(manager), "workrequest-list", q="VERIN") == [request]


def test_orders_and_requests_are_found_by_assignee(manager: Any, equipment_a: Any, operator_a: Any) -> None:
    hélène = UserFactory(first_name="Hélène", last_name="Müller")
    theirs, other = WorkOrderFactory(equipment=equipment_a), WorkOrderFactory(equipment=equipment_a)
    theirs.assignees.add(hélène, UserFactory(first_name="Marc", last_name="Dupont"))
    other.assignees.add(UserFactory(first_name="Paul", last_name="Durand"))
    request = WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, work_order=theirs)
    WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, work_order=other)
    client = client_for(manager)
    # Two assignees match neither more nor less than once.
    assert found(client, "workorder-list", q="helene") == [theirs]
    assert found(client, "workorder-list", q="MULLER") == [theirs]
    assert found(client, "workrequest-list", q="hélène") == [request]


def test_orders_requests_and_equipment_are_found_by_location(
    manager: Any, site_a: Any, site_b: Any, operator_a: Any
) -> None:
    space = SpaceFactory(floor__building__site=site_a, name="Local sprinklage", floor__building__name="Bâtiment Est")
    line = ProductionLineFactory(site=site_b, name="Ligne d'emboutissage")
    in_space = EquipmentFactory(site=site_a, space=space, floor=space.floor, building=space.floor.building)
    on_line = EquipmentFactory(site=site_b, production_line=line)
    elsewhere = EquipmentFactory(site=site_a)
    order_in_space, order_on_line = WorkOrderFactory(equipment=in_space), WorkOrderFactory(equipment=on_line)
    WorkOrderFactory(equipment=elsewhere)
    request_on_line = WorkRequestFactory(equipment=on_line, reported_by=operator_a)
    WorkRequestFactory(equipment=elsewhere, reported_by=operator_a)
    client = client_for(manager)
    assert found(client, "workorder-list", q="sprinklage") == [order_in_space]
    assert found(client, "workorder-list", q="batiment est") == [order_in_space]
    assert found(client, "workorder-list", q="emboutissage") == [order_on_line]
    assert found(client, "workorder-list", q="usine durand") == [order_on_line]  # the site's name
    assert found(client, "workrequest-list", q="emboutissage") == [request_on_line]
    assert found(client, "equipment-list", q="SPRINKLAGE") == [in_space]
    assert found(client, "equipment-list", q="bâtiment EST") == [in_space]
    assert found(client, "equipment-list", q="emboutissage") == [on_line]


def test_a_search_longer_than_any_name_is_refused_with_a_message(manager: Any, orders: list[Any]) -> None:
    response = client_for(manager).get(reverse("workorder-list"), {"q": "vérin " * 40})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert "at most 100 characters" in response.content.decode()


def test_the_order_list_shows_unfinished_orders_unless_asked(manager: Any, equipment_a: Any) -> None:
    by_status = {status: WorkOrderFactory(equipment=equipment_a, status=status) for status in S}
    finished = {by_status[S.CLOSED], by_status[S.CANCELLED]}
    client = client_for(manager)
    assert set(found(client, "workorder-list")) == set(by_status.values()) - finished
    assert set(found(client, "workorder-list", listed="finished")) == finished
    assert set(found(client, "workorder-list", listed="all")) == set(by_status.values())
    # The home page's "open orders" links still narrow to open ones.
    assert by_status[S.DONE] not in found(client, "workorder-list", is_open="true")


def test_the_order_list_shows_assignees_and_trainees_with_their_tutor(manager: Any, equipment_a: Any) -> None:
    tutor = UserFactory(first_name="Alice", last_name="Martin")
    trainee = UserFactory(first_name="Tom", last_name="Petit")
    order = WorkOrderFactory(equipment=equipment_a)
    order.assignees.add(tutor, trainee)
    SupervisionFactory(work_order=order, trainee=trainee, tutor=tutor)
    WorkOrderFactory(equipment=equipment_a)
    page = client_for(manager).get(reverse("workorder-list")).content.decode()
    assert "Assignees" in page
    assert "Tom Petit (trainee, with tutor Alice Martin)" in page
    assert "Unassigned" in page


def test_the_order_list_query_count_does_not_grow_with_assignees(manager: Any, site_a: Any) -> None:
    client = client_for(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("workorder-list")).status_code == 200
        return len(captured)

    def add_orders(count: int) -> None:
        for _ in range(count):
            order = WorkOrderFactory(equipment=EquipmentFactory(site=site_a))
            trainee, tutor = UserFactory(), UserFactory()
            order.assignees.add(trainee, tutor)
            SupervisionFactory(work_order=order, trainee=trainee, tutor=tutor)

    add_orders(2)
    few = queries()
    add_orders(8)
    assert queries() == few
