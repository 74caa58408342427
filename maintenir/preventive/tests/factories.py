import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.preventive.choices import IntervalUnit, PlanStatus, TriggerKind
from maintenir.preventive.models import Gamme, GammeStep, GammeStepRequirement, GammeVersion, MaintenancePlan, Trigger
from maintenir.workorders.tests.factories import RequirementFactory


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
