"""Doing the work: checklist, time, parts, failure coding, sign-off and completion."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.assets.choices import EquipmentStatus
from maintenir.core.models import ObjectChange
from maintenir.core.services import TransitionError
from maintenir.workorders import services
from maintenir.workorders.choices import EXECUTION_STATUSES, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import ChecklistStep, FailureMode, SignOff, TimeEntry, WorkOrder
from maintenir.workorders.tests.factories import (
    PNG_BASE64,
    ChecklistStepFactory,
    DowntimeFactory,
    SignOffFactory,
    TimeEntryFactory,
    WorkOrderFactory,
)

S = WorkOrderStatus
PNG_DATA_URL = f"data:image/png;base64,{PNG_BASE64}"


@pytest.fixture
def order(equipment_a: Any, technician: Any) -> WorkOrder:
    return WorkOrderFactory(equipment=equipment_a, status=S.IN_PROGRESS, assignees=[technician])


# --- Completion ------------------------------------------------------------------------------


def test_completion_problems_name_each_missing_piece(order: WorkOrder, technician: Any) -> None:
    step = ChecklistStepFactory(work_order=order, requires_measurement=True)
    assert set(services.completion_problems(order)) == {"steps", "failure_mode", "sign_offs"}
    step.is_done = True
    step.save()
    assert "measurement" in services.completion_problems(order)["steps"]
    step.measured_value = Decimal("2.5")
    step.save()
    order.failure_mode = FailureMode.objects.first()
    SignOffFactory(work_order=order, role=SignOffRole.CLIENT)
    assert set(services.completion_problems(order)) == {"sign_offs"}
    SignOffFactory(work_order=order, role=SignOffRole.TECHNICIAN)
    assert services.completion_problems(order) == {}


@pytest.mark.parametrize("work_type", [t for t in WorkOrderType.values if t != WorkOrderType.CORRECTIVE])
def test_only_corrective_work_needs_a_failure_mode(work_type: str, order: WorkOrder) -> None:
    order.work_type = work_type
    assert "failure_mode" not in services.completion_problems(order)


def test_completion_with_problems_is_refused_and_changes_nothing(order: WorkOrder, technician: Any) -> None:
    ChecklistStepFactory(work_order=order)
    changes = ObjectChange.objects.count()
    with pytest.raises(TransitionError) as error:
        services.complete_work_order(technician, order, findings="Seal replaced")
    assert set(error.value.message_dict) == {"steps", "failure_mode", "sign_offs"}
    order.refresh_from_db()
    assert (order.status, order.findings, order.completed_at) == (S.IN_PROGRESS, "", None)
    assert ObjectChange.objects.count() == changes


def test_completion_ends_downtime_and_restarts_equipment(order: WorkOrder, technician: Any, equipment_a: Any) -> None:
    downtime = DowntimeFactory(equipment=equipment_a, work_order=order)
    equipment_a.status = EquipmentStatus.DOWN
    equipment_a.save()
    services.code_failure(technician, order, FailureMode.objects.first())
    services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Camille Martin", signature=PNG_DATA_URL)
    services.complete_work_order(technician, order, findings="Seal replaced")
    order.refresh_from_db()
    downtime.refresh_from_db()
    equipment_a.refresh_from_db()
    assert (order.status, order.findings) == (S.DONE, "Seal replaced")
    assert downtime.ended_at == order.completed_at
    assert equipment_a.status == EquipmentStatus.IN_SERVICE


def test_transition_does_not_undo_a_concurrent_edit(order: WorkOrder, manager: Any, technician: Any) -> None:
    stale = WorkOrder.objects.get(pk=order.pk)
    order.title = "Replace the seal kit"
    order.save()
    services.hold_work_order(technician, stale, "Waiting for parts")
    order.refresh_from_db()
    assert (order.status, order.title) == (S.ON_HOLD, "Replace the seal kit")


# --- Checklist -------------------------------------------------------------------------------

bounds = st.none() | st.decimals(min_value=-1000, max_value=1000, places=2)


@given(low=bounds, high=bounds, value=st.none() | st.decimals(min_value=-1000, max_value=1000, places=2))
def test_out_of_range_flags_values_outside_the_expected_range(
    low: Decimal | None, high: Decimal | None, value: Decimal | None
) -> None:
    step = ChecklistStep(expected_min=low, expected_max=high, measured_value=value)
    outside = value is not None and ((low is not None and value < low) or (high is not None and value > high))
    assert step.out_of_range == outside


def test_inverted_range_is_invalid(order: WorkOrder) -> None:
    step = ChecklistStep(work_order=order, position=1, instruction="x", expected_min=5, expected_max=1)
    with pytest.raises(ValidationError):
        step.full_clean()


def test_record_step(order: WorkOrder, technician: Any) -> None:
    step = ChecklistStepFactory(work_order=order, requires_measurement=True, expected_min=4, expected_max=6)
    with pytest.raises(ValidationError):
        services.record_step(technician, step)
    assert not ChecklistStep.objects.get(pk=step.pk).is_done
    services.record_step(technician, step, measured_value=Decimal("7.2"), remark="High")
    step.refresh_from_db()
    assert (step.is_done, step.done_by, step.measured_value, step.out_of_range) == (
        True,
        technician,
        Decimal("7.2"),
        True,
    )
    services.record_step(technician, step, is_done=False)
    step.refresh_from_db()
    assert (step.is_done, step.done_by, step.done_at) == (False, None, None)


# --- Execution is for the assignees, while the order is in progress or on hold --------------


def execute(kind: str, user: Any, order: WorkOrder) -> Any:
    if kind == "record_step":
        return services.record_step(user, ChecklistStepFactory(work_order=order))
    if kind == "log_time":
        return services.log_time(user, order, Decimal("1.5"))
    if kind == "add_part":
        return services.add_part(user, order, "Seal kit", Decimal(2), Decimal("12.50"))
    return services.code_failure(user, order, FailureMode.objects.first(), findings="Worn seal")


EXECUTION = ["record_step", "log_time", "add_part", "code_failure"]


@pytest.mark.parametrize("kind", EXECUTION)
@pytest.mark.parametrize("status", S.values)
def test_execution_only_in_progress_or_on_hold(kind: str, status: str, equipment_a: Any, technician: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=status, assignees=[technician])
    changes = ObjectChange.objects.count()
    if status in EXECUTION_STATUSES:
        execute(kind, technician, order)
        assert ObjectChange.objects.count() > changes
        return
    changes = ObjectChange.objects.count() + (1 if kind == "record_step" else 0)  # the step itself
    with pytest.raises(TransitionError):
        execute(kind, technician, order)
    assert ObjectChange.objects.count() == changes


@pytest.mark.parametrize("kind", EXECUTION)
@pytest.mark.parametrize("persona", ["other_technician", "client_a", "client_b"])
def test_execution_refused_to_others(kind: str, persona: str, request: pytest.FixtureRequest, order: WorkOrder) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        execute(kind, user, order)
    assert not TimeEntry.objects.exists()
    assert not order.parts.exists()
    assert WorkOrder.objects.get(pk=order.pk).failure_mode is None


def test_assigned_operator_executes(order: WorkOrder, operator_a: Any) -> None:
    order.assignees.add(operator_a)
    assert services.log_time(operator_a, order, Decimal(1)).technician == operator_a


# --- Time ------------------------------------------------------------------------------------


def test_technicians_log_only_their_own_time(order: WorkOrder, technician: Any, other_technician: Any) -> None:
    order.assignees.add(other_technician)
    with pytest.raises(PermissionDenied):
        services.log_time(technician, order, Decimal(2), technician=other_technician)
    assert not TimeEntry.objects.exists()


def test_manager_logs_time_for_a_technician(order: WorkOrder, manager: Any, technician: Any) -> None:
    entry = services.log_time(manager, order, Decimal(2), technician=technician, note="Night shift")
    assert (entry.technician, entry.hours, entry.date) == (technician, Decimal(2), timezone.localdate())


def test_time_for_someone_who_cannot_work_on_the_order_is_refused(
    order: WorkOrder, manager: Any, client_b: Any
) -> None:
    with pytest.raises(ValidationError):
        services.log_time(manager, order, Decimal(2), technician=client_b)
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("hours", [Decimal("24.01"), Decimal(0), Decimal(-1)])
def test_impossible_hours_are_refused(hours: Decimal, order: WorkOrder, technician: Any) -> None:
    with pytest.raises(ValidationError):
        services.log_time(technician, order, hours)
    assert not TimeEntry.objects.exists()


def test_a_day_has_24_hours_across_orders(order: WorkOrder, technician: Any, equipment_a: Any) -> None:
    day = datetime.date(2026, 3, 2)
    TimeEntryFactory(work_order=WorkOrderFactory(equipment=equipment_a), technician=technician, date=day, hours=20)
    services.log_time(technician, order, Decimal(4), date=day)
    with pytest.raises(ValidationError):
        services.log_time(technician, order, Decimal("0.25"), date=day)
    services.log_time(technician, order, Decimal(8), date=day + datetime.timedelta(days=1))
    assert TimeEntry.objects.filter(technician=technician).count() == 3


# --- Sign-off --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", SignOffRole.values)
def test_sign_off_statuses(status: str, role: str, equipment_a: Any, technician: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=status, assignees=[technician])
    allowed = {S.IN_PROGRESS, S.ON_HOLD, S.DONE} if role == SignOffRole.TECHNICIAN else {S.IN_PROGRESS, S.DONE}
    if status in allowed:
        signed = services.sign_off(technician, order, role, "  Camille Martin ", signature=PNG_DATA_URL)
        assert (signed.name, signed.user, signed.signature) == ("Camille Martin", technician, PNG_DATA_URL)
    else:
        with pytest.raises(TransitionError):
            services.sign_off(technician, order, role, "Camille Martin")
        assert not SignOff.objects.exists()


def test_one_sign_off_per_role(order: WorkOrder, technician: Any, client_a: Any) -> None:
    services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Camille Martin")
    with pytest.raises(ValidationError):
        services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Camille Martin")
    services.sign_off(client_a, order, SignOffRole.CLIENT, "Jeanne Roux")
    with pytest.raises(ValidationError):
        services.sign_off(client_a, order, SignOffRole.CLIENT, "Jeanne Roux")
    assert order.sign_offs.count() == 2


@pytest.mark.parametrize("persona", ["other_technician", "client_a", "operator_a"])
def test_technician_sign_off_is_for_the_assignees(
    persona: str, request: pytest.FixtureRequest, order: WorkOrder
) -> None:
    with pytest.raises(PermissionDenied):
        services.sign_off(request.getfixturevalue(persona), order, SignOffRole.TECHNICIAN, "Someone")
    assert not SignOff.objects.exists()


def test_other_client_cannot_sign(order: WorkOrder, client_b: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.sign_off(client_b, order, SignOffRole.CLIENT, "Intrus")
    assert not SignOff.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        "data:image/jpeg;base64," + PNG_BASE64,
        "data:image/png;base64,not base64!",
        "data:image/png;base64," + "R0lGODlhAQABAAAAACw=",  # a GIF
        "<svg/>",
    ],
)
def test_signature_must_be_a_png_data_url(signature: str, order: WorkOrder, technician: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Camille Martin", signature=signature)
    assert "signature" in error.value.message_dict
    assert not SignOff.objects.exists()


def test_blank_name_is_refused(order: WorkOrder, technician: Any) -> None:
    with pytest.raises(ValidationError):
        services.sign_off(technician, order, SignOffRole.TECHNICIAN, "   ")


# --- Downtime --------------------------------------------------------------------------------


def test_downtime_opens_and_ends_once(technician: Any, equipment_a: Any) -> None:
    downtime = services.start_downtime(technician, equipment_a, "preventive")
    equipment_a.refresh_from_db()
    assert equipment_a.status == EquipmentStatus.DOWN
    with pytest.raises(ValidationError):
        services.start_downtime(technician, equipment_a, "failure")
    services.end_downtime(technician, downtime)
    equipment_a.refresh_from_db()
    assert equipment_a.status == EquipmentStatus.IN_SERVICE
    assert downtime.duration_hours is not None
    with pytest.raises(ValidationError):
        services.end_downtime(technician, downtime)


@pytest.mark.parametrize("persona", ["client_a", "client_b"])
def test_clients_do_not_record_downtime(persona: str, request: pytest.FixtureRequest, equipment_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.start_downtime(request.getfixturevalue(persona), equipment_a, "failure")
    assert not equipment_a.downtimes.exists()
