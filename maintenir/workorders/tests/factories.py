import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.factories import UserFactory
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import ChecklistStep, WorkOrder, WorkRequest


class WorkRequestFactory(DjangoModelFactory):
    class Meta:
        model = WorkRequest

    equipment = factory.SubFactory(EquipmentFactory)
    site = factory.SelfAttribute("equipment.site")
    symptom = "Oil leak under the cylinder"
    reported_by = factory.SubFactory(UserFactory)


class WorkOrderFactory(DjangoModelFactory):
    """A work order in a given status, without transition history (tests move it through services)."""

    class Meta:
        model = WorkOrder

    equipment = factory.SubFactory(EquipmentFactory)
    site = factory.SelfAttribute("equipment.site")
    title = factory.Sequence(lambda n: f"Work order {n}")
    work_type = WorkOrderType.CORRECTIVE
    status = WorkOrderStatus.APPROVED


class ChecklistStepFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistStep

    work_order = factory.SubFactory(WorkOrderFactory)
    position = factory.Sequence(lambda n: n + 1)
    instruction = "Check the hydraulic pressure"
