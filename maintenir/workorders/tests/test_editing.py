"""A manager prepares an open order: its descriptive fields and its checklist; nobody else may."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maintenir.core.models import ObjectChange
from maintenir.core.services import TransitionError
from maintenir.workorders import services
from maintenir.workorders.choices import Priority, WorkOrderStatus
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.tests.factories import ChecklistStepFactory, WorkOrderFactory

S = WorkOrderStatus


@pytest.fixture
def order(equipment_a: Any, technician: Any) -> WorkOrder:
    return WorkOrderFactory(equipment=equipment_a, status=S.PLANNED, assignees=[technician])


def test_manager_edits_descriptive_fields(manager: Any, order: WorkOrder) -> None:
    services.update_work_order(manager, order, title="Replace the seal kit", priority=Priority.URGENT)
    order.refresh_from_db()
    assert (order.title, order.priority, order.status) == ("Replace the seal kit", Priority.URGENT, S.PLANNED)
    assert ObjectChange.objects.filter(object_id=order.pk, object_type__model="workorder").exists()


@pytest.mark.parametrize("persona", ["technician", "operator_a", "client_a"])
def test_only_managers_edit(persona: str, order: WorkOrder, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.update_work_order(user, order, title="Changed")
    assert WorkOrder.objects.get(pk=order.pk).title == order.title


def test_status_is_not_editable(manager: Any, order: WorkOrder) -> None:
    with pytest.raises(ValidationError) as error:
        services.update_work_order(manager, order, status=S.DONE)
    assert "status" in error.value.message_dict
    assert WorkOrder.objects.get(pk=order.pk).status == S.PLANNED


@pytest.mark.parametrize("status", [S.DONE, S.CLOSED, S.CANCELLED])
def test_finished_orders_do_not_change(status: str, manager: Any, equipment_a: Any) -> None:
    finished = WorkOrderFactory(equipment=equipment_a, status=status)
    with pytest.raises(TransitionError):
        services.update_work_order(manager, finished, title="Changed")
    with pytest.raises(TransitionError):
        services.add_step(manager, finished, instruction="Check")
    assert not finished.steps.exists()


def test_cannot_move_to_equipment_of_another_site(manager: Any, order: WorkOrder, equipment_b: Any) -> None:
    before = order.equipment_id
    with pytest.raises(ValidationError) as error:
        services.update_work_order(manager, order, equipment=equipment_b)
    assert "equipment" in error.value.message_dict
    assert WorkOrder.objects.get(pk=order.pk).equipment_id == before


def test_steps_are_appended_in_order(manager: Any, order: WorkOrder) -> None:
    ChecklistStepFactory(work_order=order, position=1)
    step = services.add_step(
        manager, order, instruction="Measure the pressure", requires_measurement=True, expected_min=100, unit="bar"
    )
    assert step.position == 2
    with pytest.raises(ValidationError) as error:
        services.add_step(manager, order, instruction="Bad range", expected_min=5, expected_max=1)
    assert "expected_max" in error.value.message_dict
    assert order.steps.count() == 2


def test_technician_cannot_add_steps(technician: Any, order: WorkOrder) -> None:
    with pytest.raises(PermissionDenied):
        services.add_step(technician, order, instruction="Check")
    assert not order.steps.exists()


def test_due_date_is_validated(manager: Any, order: WorkOrder) -> None:
    services.update_work_order(manager, order, due_date=datetime.date(2026, 12, 1))
    assert WorkOrder.objects.get(pk=order.pk).due_date == datetime.date(2026, 12, 1)
