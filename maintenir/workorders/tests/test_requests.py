"""Work requests: anyone reports a fault, a manager approves or rejects it."""

import base64
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maintenir.assets.choices import EquipmentStatus
from maintenir.core.models import ObjectChange
from maintenir.workorders.choices import DowntimeCause, Priority, WorkOrderStatus, WorkOrderType, WorkRequestStatus
from maintenir.workorders.models import Downtime, WorkOrder, WorkRequest
from maintenir.workorders.services import (
    TransitionError,
    approve_work_request,
    reject_work_request,
    submit_work_request,
)
from maintenir.workorders.tests.factories import PNG_BASE64, DowntimeFactory, WorkRequestFactory

REPORTERS = ["administrator", "manager", "technician", "operator_a", "client_a"]


def written() -> tuple[int, int, int]:
    return WorkRequest.objects.count(), Downtime.objects.count(), ObjectChange.objects.count()


@pytest.mark.parametrize("persona", REPORTERS)
def test_anyone_of_the_site_may_report(persona: str, request: pytest.FixtureRequest, equipment_a: Any) -> None:
    user = request.getfixturevalue(persona)
    photo = SimpleUploadedFile("leak.png", base64.b64decode(PNG_BASE64), content_type="image/png")
    work_request = submit_work_request(
        user, equipment_a.site, "Water on the floor", equipment=equipment_a, urgency=Priority.HIGH, photos=[photo]
    )
    work_request.refresh_from_db()
    assert (work_request.status, work_request.reported_by, work_request.urgency) == (
        WorkRequestStatus.SUBMITTED,
        user,
        Priority.HIGH,
    )
    assert work_request.photos.count() == 1
    assert not Downtime.objects.exists()
    assert ObjectChange.objects.filter(object_id=work_request.pk, object_type__model="workrequest").exists()


@pytest.mark.parametrize(
    ("persona", "target"), [("client_b", "site_a"), ("client_a", "site_b"), ("operator_a", "site_b")]
)
def test_another_organisation_site_is_refused(
    persona: str, target: str, request: pytest.FixtureRequest, equipment_a: Any, equipment_b: Any
) -> None:
    user = request.getfixturevalue(persona)
    site = request.getfixturevalue(target)
    before = written()
    with pytest.raises(PermissionDenied):
        submit_work_request(user, site, "Noise", equipment_stopped=True)
    with pytest.raises(PermissionDenied):
        submit_work_request(user, site, "Noise", equipment=site.equipment.get(), equipment_stopped=True)
    assert written() == before
    assert {equipment_a.status, equipment_b.status} == {EquipmentStatus.IN_SERVICE}


def test_other_client_equipment_on_own_site_is_refused(client_a: Any, site_a: Any, equipment_b: Any) -> None:
    before = written()
    with pytest.raises(PermissionDenied):
        submit_work_request(client_a, site_a, "Noise", equipment=equipment_b, equipment_stopped=True)
    assert written() == before


def test_equipment_of_another_site_is_invalid(manager: Any, site_a: Any, equipment_b: Any) -> None:
    before = written()
    with pytest.raises(ValidationError):
        submit_work_request(manager, site_a, "Noise", equipment=equipment_b, equipment_stopped=True)
    assert written() == before


def test_stopped_equipment_goes_down_once(operator_a: Any, equipment_a: Any) -> None:
    first = submit_work_request(
        operator_a, equipment_a.site, "Press stopped", equipment=equipment_a, equipment_stopped=True
    )
    downtime = equipment_a.downtimes.get()
    assert (downtime.cause, downtime.ended_at, downtime.work_order) == (DowntimeCause.FAILURE, None, None)
    assert first.reference in downtime.note
    equipment_a.refresh_from_db()
    assert equipment_a.status == EquipmentStatus.DOWN
    submit_work_request(operator_a, equipment_a.site, "Still stopped", equipment=equipment_a, equipment_stopped=True)
    assert equipment_a.downtimes.count() == 1


@pytest.fixture
def submitted(operator_a: Any, equipment_a: Any) -> WorkRequest:
    return submit_work_request(
        operator_a, equipment_a.site, "Press stopped\nOil everywhere", equipment=equipment_a, equipment_stopped=True
    )


def test_manager_approves_into_an_order(manager: Any, submitted: WorkRequest, operator_a: Any) -> None:
    order = approve_work_request(manager, submitted, work_type=WorkOrderType.CORRECTIVE)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_by, submitted.work_order) == (
        WorkRequestStatus.APPROVED,
        manager,
        order,
    )
    assert submitted.decided_at is not None
    assert (order.status, order.title, order.requested_by, order.site) == (
        WorkOrderStatus.APPROVED,
        "Press stopped",
        operator_a,
        submitted.site,
    )
    assert [(t.from_status, t.to_status, t.user) for t in order.transitions.all()] == [
        ("", WorkOrderStatus.APPROVED, manager)
    ]
    downtime = submitted.equipment.downtimes.get()
    assert downtime.work_order == order
    linked = ObjectChange.objects.filter(object_type__model="downtime", object_id=downtime.pk).latest("pk")
    assert linked.diff() == [("work_order_id", None, order.pk)]


def test_approval_with_assignees_plans_the_order(manager: Any, technician: Any, submitted: WorkRequest) -> None:
    order = approve_work_request(manager, submitted, assignees=[technician], priority=Priority.URGENT)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED
    assert order.priority == Priority.URGENT
    assert list(order.assignees.all()) == [technician]


def test_downtime_of_another_order_is_not_relinked(manager: Any, equipment_a: Any, operator_a: Any) -> None:
    earlier = approve_work_request(manager, WorkRequestFactory(equipment=equipment_a, reported_by=operator_a))
    downtime = DowntimeFactory(equipment=equipment_a, work_order=earlier)
    approve_work_request(manager, WorkRequestFactory(equipment=equipment_a, reported_by=operator_a))
    downtime.refresh_from_db()
    assert downtime.work_order == earlier


@pytest.mark.parametrize("persona", ["technician", "operator_a", "client_a", "client_b"])
def test_only_managers_decide(persona: str, request: pytest.FixtureRequest, submitted: WorkRequest) -> None:
    user = request.getfixturevalue(persona)
    before = (written(), WorkOrder.objects.count())
    with pytest.raises(PermissionDenied):
        approve_work_request(user, submitted)
    with pytest.raises(PermissionDenied):
        reject_work_request(user, submitted, "Not a fault")
    assert (written(), WorkOrder.objects.count()) == before
    assert WorkRequest.objects.get(pk=submitted.pk).status == WorkRequestStatus.SUBMITTED


def test_deciding_twice_is_refused(manager: Any, submitted: WorkRequest) -> None:
    approve_work_request(manager, submitted)
    before = (written(), WorkOrder.objects.count())
    with pytest.raises(TransitionError):
        approve_work_request(manager, submitted)
    with pytest.raises(TransitionError):
        reject_work_request(manager, submitted, "Duplicate")
    assert (written(), WorkOrder.objects.count()) == before
    assert WorkRequest.objects.get(pk=submitted.pk).status == WorkRequestStatus.APPROVED


def test_rejection_needs_a_reason(manager: Any, submitted: WorkRequest) -> None:
    with pytest.raises(ValidationError) as error:
        reject_work_request(manager, submitted, "   ")
    assert "reason" in error.value.message_dict
    assert WorkRequest.objects.get(pk=submitted.pk).status == WorkRequestStatus.SUBMITTED
    reject_work_request(manager, submitted, " Normal noise at start-up ")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.rejection_reason, submitted.decided_by) == (
        WorkRequestStatus.REJECTED,
        "Normal noise at start-up",
        manager,
    )
    assert submitted.work_order is None
