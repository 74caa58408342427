import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.factories import UserFactory
from maintenir.devices.tests.factories import PointFactory
from maintenir.people.choices import SkillLevel
from maintenir.people.models import Technician
from maintenir.people.tests.factories import (
    HabilitationFactory,
    SkillFactory,
    TechnicianFactory,
    habilitation_type,
    monday_of,
)
from maintenir.stores.tests.factories import LocationFactory, PartFactory
from maintenir.workorders.choices import (
    CheckStatus,
    DowntimeCause,
    Energy,
    SignOffRole,
    WorkOrderStatus,
    WorkOrderType,
)
from maintenir.workorders.models import (
    ChecklistStep,
    CommissioningCheck,
    CommissioningRun,
    Downtime,
    LockoutStep,
    OnCallCall,
    PartReservation,
    PartUsage,
    SignOff,
    Supervision,
    TimeEntry,
    WorkOrder,
    WorkOrderRequirement,
    WorkRequest,
    WorkRequestPhoto,
    WorkTypeRequirement,
)
from maintenir.workorders.signals import rows_written_in_bulk

# A 1×1 transparent PNG, for photos and drawn signatures.
PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


class WorkRequestFactory(DjangoModelFactory):
    class Meta:
        model = WorkRequest

    equipment = factory.SubFactory(EquipmentFactory)
    site = factory.SelfAttribute("equipment.site")
    symptom = "Oil leak under the cylinder"
    reported_by = factory.SubFactory(UserFactory)


class WorkRequestPhotoFactory(DjangoModelFactory):
    class Meta:
        model = WorkRequestPhoto

    work_request = factory.SubFactory(WorkRequestFactory)
    image = factory.django.ImageField(filename="leak.png", width=4, height=4)


class WorkOrderFactory(DjangoModelFactory):
    """A work order in a given status, without transition history (tests move it through services)."""

    class Meta:
        model = WorkOrder
        skip_postgeneration_save = True

    equipment = factory.SubFactory(EquipmentFactory)
    site = factory.SelfAttribute("equipment.site")
    title = factory.Sequence(lambda n: f"Work order {n}")
    work_type = WorkOrderType.CORRECTIVE
    status = WorkOrderStatus.APPROVED

    @factory.post_generation
    def assignees(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.assignees.set(extracted)


class ChecklistStepFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistStep

    work_order = factory.SubFactory(WorkOrderFactory)
    position = factory.Sequence(lambda n: n + 1)
    instruction = "Check the hydraulic pressure"


class LockoutStepFactory(DjangoModelFactory):
    class Meta:
        model = LockoutStep

    work_order = factory.SubFactory(WorkOrderFactory)
    position = factory.Sequence(lambda n: n + 1)
    isolation_point = "Q12 main switch of press P-200"
    energy = Energy.ELECTRICAL
    action = "Open and lock Q12"


def lockout_holder(user: object) -> Technician:
    """A technician's profile for `user` with a valid BC habilitation (chargé de consignation)."""
    profile: Any = TechnicianFactory(user=user)
    HabilitationFactory(technician=profile, habilitation_type=habilitation_type("BC"))
    return profile


class OnCallCallFactory(DjangoModelFactory):
    class Meta:
        model = OnCallCall

    work_request = factory.SubFactory(WorkRequestFactory)
    technician = factory.SubFactory(TechnicianFactory)
    team = factory.SelfAttribute("technician.team")
    week_start = factory.LazyFunction(lambda: monday_of(timezone.localdate()))
    rank = 1
    called_at = factory.LazyFunction(timezone.now)


class TimeEntryFactory(DjangoModelFactory):
    class Meta:
        model = TimeEntry

    work_order = factory.SubFactory(WorkOrderFactory)
    technician = factory.SubFactory(UserFactory)
    date = factory.LazyFunction(timezone.localdate)
    hours = Decimal("1.50")


class PartUsageFactory(DjangoModelFactory):
    class Meta:
        model = PartUsage

    work_order = factory.SubFactory(WorkOrderFactory)
    description = "Cylinder seal kit"


class PartReservationFactory(DjangoModelFactory):
    """A reservation written directly, for tests about who sees what (stock tests go through the services)."""

    class Meta:
        model = PartReservation

    work_order = factory.SubFactory(WorkOrderFactory)
    part = factory.SubFactory(PartFactory)
    location = factory.SubFactory(LocationFactory)
    quantity = Decimal(1)


class DowntimeFactory(DjangoModelFactory):
    class Meta:
        model = Downtime

    equipment = factory.SubFactory(EquipmentFactory)
    cause = DowntimeCause.FAILURE
    started_at = factory.LazyFunction(timezone.now)


def failure_order(equipment: Any, started_at: datetime.datetime, hours: float, **fields: Any) -> Any:
    """A corrective order raised at `started_at` for a failure that stopped `equipment` for `hours`."""
    order: Any = WorkOrderFactory(equipment=equipment, **fields)
    WorkOrder.objects.filter(pk=order.pk).update(created=started_at)
    rows_written_in_bulk.send(WorkOrder, equipment_ids=[equipment.pk])
    DowntimeFactory(
        equipment=equipment,
        work_order=order,
        cause=DowntimeCause.FAILURE,
        started_at=started_at,
        ended_at=started_at + datetime.timedelta(hours=hours),
    )
    return order


class SignOffFactory(DjangoModelFactory):
    class Meta:
        model = SignOff

    work_order = factory.SubFactory(WorkOrderFactory)
    role = SignOffRole.TECHNICIAN
    name = "Camille Martin"
    signed_at = factory.LazyFunction(timezone.now)


class CommissioningCheckFactory(DjangoModelFactory):
    class Meta:
        model = CommissioningCheck

    work_order = factory.SubFactory(
        WorkOrderFactory, work_type=WorkOrderType.INSTALLATION, status=WorkOrderStatus.IN_PROGRESS
    )
    position = factory.Sequence(lambda n: n + 1)
    name = "Active power plausible"
    point = factory.SubFactory(PointFactory, device__equipment=factory.SelfAttribute("...work_order.equipment"))
    expected_min = 0.0


class CommissioningRunFactory(DjangoModelFactory):
    class Meta:
        model = CommissioningRun

    commissioning_check = factory.SubFactory(CommissioningCheckFactory)
    status = CheckStatus.PASSED
    measured_value = 12.5
    run_by = factory.SubFactory(UserFactory)
    run_at = factory.LazyFunction(timezone.now)


class RequirementFactory(DjangoModelFactory):
    """A skill requirement unless a habilitation type or a CCP is given instead."""

    class Meta:
        abstract = True

    skill = factory.Maybe(
        factory.LazyAttribute(lambda row: row.habilitation_type is None and row.ccp is None),
        factory.SubFactory(SkillFactory),
        None,
    )
    min_level = factory.Maybe("skill", SkillLevel.AUTONOMOUS, None)
    habilitation_type = None
    ccp = None


class WorkOrderRequirementFactory(RequirementFactory):
    class Meta:
        model = WorkOrderRequirement

    work_order = factory.SubFactory(WorkOrderFactory)


class WorkTypeRequirementFactory(RequirementFactory):
    class Meta:
        model = WorkTypeRequirement

    work_type = WorkOrderType.CORRECTIVE


class SupervisionFactory(DjangoModelFactory):
    class Meta:
        model = Supervision

    work_order = factory.SubFactory(WorkOrderFactory)
    trainee = factory.SubFactory(UserFactory)
    tutor = factory.SubFactory(UserFactory)
