"""Lockout (consignation): the standard steps of each energy, and the gates on starting, completing and closing."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from maintenir.assets.services import technology_tags
from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.services import TransitionError
from maintenir.people.models import Habilitation
from maintenir.workorders import services
from maintenir.workorders.choices import Energy, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import LockoutStep, WorkOrder
from maintenir.workorders.tests.factories import (
    LockoutStepFactory,
    WorkOrderFactory,
    WorkRequestFactory,
    lockout_holder,
)

S = WorkOrderStatus


def electrical(equipment: Any) -> Any:
    equipment.technologies.set(technology_tags(["electrical", "mechanical"]))
    return equipment


@pytest.fixture
def press(site_a: Any) -> Any:
    return electrical(EquipmentFactory(site=site_a, code="P-200"))


@pytest.fixture
def planned(press: Any, technician: Any) -> Any:
    """A planned order on the press with two isolations, and its technician holding BC."""
    lockout_holder(technician)
    order = WorkOrderFactory(equipment=press, status=S.PLANNED, assignees=[technician])
    LockoutStepFactory(work_order=order, position=1, isolation_point="Q12 main switch")
    LockoutStepFactory(work_order=order, position=2, isolation_point="Hydraulic unit valve", energy=Energy.HYDRAULIC)
    return order


def confirm_all(user: Any, order: Any) -> None:
    for step in order.lockout_steps.all():
        services.confirm_lockout_step(user, step)


class TestStandardSteps:
    def test_an_order_on_electrical_equipment_gets_the_nf_c_18_510_steps(self, manager: Any, press: Any) -> None:
        order = services.create_work_order(manager, WorkOrder(site=press.site, equipment=press, title="Replace motor"))
        steps = list(order.lockout_steps.filter(energy=Energy.ELECTRICAL))
        assert [step.position for step in steps] == [1, 2, 3, 4, 5]
        assert all("P-200" in step.isolation_point for step in steps)
        assert steps[0].action.startswith("Separation")
        assert "(VAT)" in steps[3].action
        assert steps[4].action.startswith("Earthing and short-circuiting")
        # Its mechanical technology adds the stored mechanical energy after them.
        assert (
            list(order.lockout_steps.exclude(energy=Energy.ELECTRICAL).values_list("energy", flat=True))
            == [Energy.MECHANICAL] * 4
        )

    def test_an_approved_request_on_electrical_equipment_gets_them_too(self, manager: Any, press: Any) -> None:
        order = services.approve_work_request(manager, WorkRequestFactory(equipment=press))
        assert order.lockout_steps.filter(energy=Energy.ELECTRICAL).count() == 5

    def test_approving_for_someone_without_bc_warns_of_an_electrical_lockout_only(
        self, manager: Any, press: Any, technician: Any, site_a: Any
    ) -> None:
        with pytest.raises(ValidationError, match="BC habilitation"):
            services.approve_work_request(
                manager, WorkRequestFactory(equipment=press), assignees=[technician], accept_warnings=False
            )
        # The hydraulic unit's own lockout needs no chargé de consignation: nothing to warn of.
        unit = EquipmentFactory(site=site_a, code="HU-01")
        unit.technologies.set(technology_tags(["hydraulic"]))
        order = services.approve_work_request(
            manager, WorkRequestFactory(equipment=unit), assignees=[technician], accept_warnings=False
        )
        assert order.lockout_steps.filter(energy=Energy.HYDRAULIC).count() == 4
        assert services.assignment_warnings(order) == []

    def test_a_hydraulic_press_gets_the_steps_of_each_of_its_energies(self, manager: Any, equipment_a: Any) -> None:
        """Hydraulic itself, electrical and pneumatic through its sub-assemblies: each energy's steps, in turn."""
        equipment_a.technologies.set(technology_tags(["hydraulic"]))
        motor = EquipmentFactory(site=equipment_a.site, parent=equipment_a, code="M-1")
        motor.technologies.set(technology_tags(["electrical"]))
        clamp = EquipmentFactory(site=equipment_a.site, parent=motor, code="CL-1")
        clamp.technologies.set(technology_tags(["pneumatic", "automation"]))
        order = services.create_work_order(manager, WorkOrder(site=equipment_a.site, equipment=equipment_a, title="X"))
        energies = list(order.lockout_steps.values_list("energy", flat=True))
        assert energies == [Energy.ELECTRICAL] * 5 + [Energy.HYDRAULIC] * 4 + [Energy.PNEUMATIC] * 4
        hydraulic = order.lockout_steps.filter(energy=Energy.HYDRAULIC)
        assert hydraulic.first().isolation_point == "Hydraulic power of AHU-01"  # type: ignore[union-attr]
        assert any("accumulators" in step.action for step in hydraulic)
        assert services.lockout_energies(clamp) == [Energy.PNEUMATIC]

    def test_other_equipment_gets_none(self, manager: Any, equipment_a: Any) -> None:
        equipment_a.technologies.set(technology_tags(["automation"]))
        order = services.create_work_order(manager, WorkOrder(site=equipment_a.site, equipment=equipment_a, title="X"))
        assert not order.lockout_steps.exists()
        no_equipment = services.create_work_order(manager, WorkOrder(site=equipment_a.site, title="Y"))
        assert not no_equipment.lockout_steps.exists()

    def test_the_manager_edits_adds_and_deletes_steps_until_confirmed(self, manager: Any, planned: Any) -> None:
        first = planned.lockout_steps.get(position=1)
        services.update_lockout_step(manager, first, isolation_point="Q12 main switch of press P-200")
        added = services.add_lockout_step(
            manager, planned, isolation_point="Accumulator", energy=Energy.HYDRAULIC, action="Discharge"
        )
        assert added.position == 3
        services.delete_lockout_step(manager, added)
        assert [step.isolation_point for step in planned.lockout_steps.all()] == [
            "Q12 main switch of press P-200",
            "Hydraulic unit valve",
        ]

    def test_a_technician_cannot_change_the_lockout(self, technician: Any, planned: Any) -> None:
        with pytest.raises(PermissionDenied):
            services.add_lockout_step(technician, planned, isolation_point="X", action="Y")
        with pytest.raises(PermissionDenied):
            services.update_lockout_step(technician, planned.lockout_steps.first(), action="Nothing")

    def test_a_confirmed_step_no_longer_changes(self, technician: Any, manager: Any, planned: Any) -> None:
        step = services.confirm_lockout_step(technician, planned.lockout_steps.get(position=1))
        with pytest.raises(TransitionError):
            services.update_lockout_step(manager, step, action="Something else")
        with pytest.raises(TransitionError):
            services.delete_lockout_step(manager, step)


class TestGates:
    def test_start_is_refused_naming_the_unconfirmed_steps(self, technician: Any, planned: Any) -> None:
        services.confirm_lockout_step(technician, planned.lockout_steps.get(position=1))
        with pytest.raises(TransitionError) as refused:
            services.start_work_order(technician, planned)
        message = refused.value.message_dict["lockout_steps"][0]
        assert "2. Hydraulic unit valve" in message
        assert "Q12" not in message
        planned.refresh_from_db()
        assert planned.status == S.PLANNED
        assert not planned.transitions.exists()

    def test_start_once_every_step_is_confirmed(self, technician: Any, planned: Any) -> None:
        confirm_all(technician, planned)
        assert services.start_work_order(technician, planned).status == S.IN_PROGRESS

    def test_completion_is_refused_while_locked(self, technician: Any, planned: Any) -> None:
        planned.work_type = WorkOrderType.IMPROVEMENT
        planned.save()
        confirm_all(technician, planned)
        services.start_work_order(technician, planned)
        services.sign_off(technician, planned, SignOffRole.TECHNICIAN, "Tech")
        assert "lockout_steps" in services.completion_problems(planned)
        with pytest.raises(TransitionError) as refused:
            services.complete_work_order(technician, planned)
        assert "1. Q12 main switch" in refused.value.message_dict["lockout_steps"][0]
        for step in planned.lockout_steps.all():
            services.release_lockout_step(technician, step)
        assert services.complete_work_order(technician, planned).status == S.DONE

    def test_close_is_refused_while_locked(self, manager: Any, press: Any, technician: Any) -> None:
        done = WorkOrderFactory(equipment=press, status=S.DONE)
        step = LockoutStepFactory(work_order=done, confirmed_by=technician, confirmed_at=timezone.now())
        with pytest.raises(TransitionError) as refused:
            services.close_work_order(manager, done)
        assert str(step) in refused.value.message_dict["lockout_steps"][0]
        step.released_by, step.released_at = technician, timezone.now()
        step.save()
        assert services.close_work_order(manager, done).status == S.CLOSED

    def test_cancel_is_refused_while_locked(self, manager: Any, technician: Any, planned: Any) -> None:
        services.confirm_lockout_step(technician, planned.lockout_steps.get(position=1))
        with pytest.raises(TransitionError):
            services.cancel_work_order(manager, planned, "Not needed any more")
        services.release_lockout_step(technician, planned.lockout_steps.get(position=1))
        assert services.cancel_work_order(manager, planned, "Not needed any more").status == S.CANCELLED


class TestConfirmAndRelease:
    def test_confirm_then_release_record_who_and_when(self, technician: Any, planned: Any) -> None:
        step = planned.lockout_steps.get(position=1)
        confirmed = services.confirm_lockout_step(technician, step)
        assert confirmed.confirmed_by == technician
        assert confirmed.confirmed_at is not None
        assert confirmed.is_locked
        released = services.release_lockout_step(technician, confirmed)
        assert released.released_by == technician
        assert released.released_at >= released.confirmed_at
        assert not released.is_locked

    def test_release_before_confirm_is_refused(self, technician: Any, planned: Any) -> None:
        with pytest.raises(TransitionError):
            services.release_lockout_step(technician, planned.lockout_steps.get(position=1))

    def test_confirm_twice_release_twice_and_confirm_after_release_are_refused(
        self, technician: Any, planned: Any
    ) -> None:
        step = planned.lockout_steps.get(position=1)
        services.confirm_lockout_step(technician, step)
        with pytest.raises(TransitionError):
            services.confirm_lockout_step(technician, step)
        services.release_lockout_step(technician, step)
        with pytest.raises(TransitionError):
            services.release_lockout_step(technician, step)
        with pytest.raises(TransitionError):
            services.confirm_lockout_step(technician, step)

    def test_only_an_assigned_technician_or_a_manager(
        self, other_technician: Any, client_a: Any, manager: Any, planned: Any
    ) -> None:
        lockout_holder(other_technician)
        step = planned.lockout_steps.get(position=1)
        for user in (other_technician, client_a):
            with pytest.raises(PermissionDenied):
                services.confirm_lockout_step(user, step)
        step.refresh_from_db()
        assert step.confirmed_at is None
        lockout_holder(manager)
        assert services.confirm_lockout_step(manager, step).confirmed_by == manager

    def test_the_bc_habilitation_is_required_and_valid_today(self, technician: Any, planned: Any) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Habilitation.objects.filter(technician__user=technician).update(expires_on=yesterday)
        step = planned.lockout_steps.get(position=1)
        with pytest.raises(PermissionDenied, match="BC"):
            services.confirm_lockout_step(technician, step)
        step.refresh_from_db()
        assert step.confirmed_at is None
        # The chargé de consignation's habilitation is electrical: a hydraulic isolation does not need it.
        hydraulic = planned.lockout_steps.get(energy=Energy.HYDRAULIC)
        assert services.confirm_lockout_step(technician, hydraulic).confirmed_by == technician

    def test_not_before_the_order_is_planned(self, manager: Any, press: Any) -> None:
        lockout_holder(manager)
        step = LockoutStepFactory(work_order=WorkOrderFactory(equipment=press, status=S.APPROVED))
        with pytest.raises(TransitionError):
            services.confirm_lockout_step(manager, step)
        assert not LockoutStep.objects.filter(confirmed_at__isnull=False).exists()
