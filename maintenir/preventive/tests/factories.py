import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.preventive.choices import IntervalUnit, MaintenanceLevel, PlanStatus, TriggerKind
from maintenir.preventive.models import (
    Gamme,
    GammeStep,
    GammeStepRequirement,
    GammeVersion,
    MaintenancePlan,
    PreventiveOrder,
    TrainingSession,
    Trigger,
)
from maintenir.workorders.choices import WorkOrderType
from maintenir.workorders.tests.factories import RequirementFactory, WorkOrderFactory


class GammeFactory(DjangoModelFactory):
    class Meta:
        model = Gamme

    code = factory.Sequence(lambda n: f"gamme-{n}")
    name = factory.Sequence(lambda n: f"Visite préventive {n}")


class GammeVersionFactory(DjangoModelFactory):
    class Meta:
        model = GammeVersion

    gamme = factory.SubFactory(GammeFactory)
    number = 1


class GammeStepFactory(DjangoModelFactory):
    class Meta:
        model = GammeStep

    version = factory.SubFactory(GammeVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    instruction = "Contrôler le serrage des connexions"
    duration_minutes = 30


class GammeStepRequirementFactory(RequirementFactory):
    class Meta:
        model = GammeStepRequirement

    step = factory.SubFactory(GammeStepFactory)


class MaintenancePlanFactory(DjangoModelFactory):
    class Meta:
        model = MaintenancePlan

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    status = PlanStatus.ACTIVE


class TriggerFactory(DjangoModelFactory):
    class Meta:
        model = Trigger

    plan = factory.SubFactory(MaintenancePlanFactory)
    gamme = factory.SubFactory(GammeFactory)
    equipment = factory.SubFactory(EquipmentFactory, site=factory.SelfAttribute("..plan.site"))
    kind = TriggerKind.CALENDAR
    interval = 1
    interval_unit = IntervalUnit.MONTH


class PreventiveOrderFactory(DjangoModelFactory):
    """A work order generated from a trigger, following a version of its gamme."""

    class Meta:
        model = PreventiveOrder

    trigger = factory.SubFactory(TriggerFactory)
    work_order = factory.SubFactory(
        WorkOrderFactory,
        equipment=factory.SelfAttribute("..trigger.equipment"),
        work_type=WorkOrderType.PREVENTIVE_SYSTEMATIC,
    )
    gamme_version = factory.LazyAttribute(
        lambda origin: origin.trigger.gamme.versions.first() or GammeVersionFactory(gamme=origin.trigger.gamme)
    )
    scheduled_for = factory.LazyFunction(datetime.date.today)
    tolerance_end = factory.LazyFunction(datetime.date.today)


class TrainingSessionFactory(DjangoModelFactory):
    """A session on a level-1 gamme; `gammes=[…]` and `attendees=[…]` set who and what."""

    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    topic = "Nettoyage et graissage de premier niveau"
    date = factory.LazyFunction(datetime.date.today)
    trainer = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)

    @factory.post_generation
    def gammes(self, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if not create:
            return
        if not extracted:
            step: Any = GammeStepFactory(level=MaintenanceLevel.LEVEL_1)
            extracted = [step.version.gamme]
        self.gammes.set(extracted)

    @factory.post_generation
    def attendees(self, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.attendees.set(extracted)
