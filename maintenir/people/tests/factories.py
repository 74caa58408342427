import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.people.choices import HabilitationCategory, RiskRating
from maintenir.people.models import (
    Absence,
    Habilitation,
    HabilitationType,
    OnCallDuty,
    PreventionPlan,
    SiteRisk,
    Skill,
    Team,
    Technician,
    TechnicianSkill,
)


def habilitation_type(code: str) -> HabilitationType:
    """A standard habilitation loaded by the data migration, e.g. "B1V" or "HAUTEUR"."""
    return HabilitationType.objects.get(code=code)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class TechnicianFactory(DjangoModelFactory):
    class Meta:
        model = Technician

    user = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)
    team = factory.SubFactory(TeamFactory)
    home_base = "Lyon"
    home_latitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=45, max_value=46)
    home_longitude = factory.Faker("pydecimal", left_digits=1, right_digits=6, min_value=4, max_value=5)


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill

    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")


class TechnicianSkillFactory(DjangoModelFactory):
    class Meta:
        model = TechnicianSkill

    technician = factory.SubFactory(TechnicianFactory)
    skill = factory.SubFactory(SkillFactory)


class HabilitationTypeFactory(DjangoModelFactory):
    class Meta:
        model = HabilitationType

    code = factory.Sequence(lambda n: f"HAB-{n}")
    name = factory.Sequence(lambda n: f"Site-specific habilitation {n}")
    category = HabilitationCategory.OTHER


class HabilitationFactory(DjangoModelFactory):
    class Meta:
        model = Habilitation

    technician = factory.SubFactory(TechnicianFactory)
    habilitation_type = factory.SubFactory(HabilitationTypeFactory)
    granted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))


class AbsenceFactory(DjangoModelFactory):
    class Meta:
        model = Absence

    technician = factory.SubFactory(TechnicianFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda absence: absence.starts_at + datetime.timedelta(days=2))


class OnCallDutyFactory(DjangoModelFactory):
    class Meta:
        model = OnCallDuty

    technician = factory.SubFactory(TechnicianFactory)
    team = factory.LazyAttribute(lambda duty: duty.technician.team)
    week_start = factory.LazyFunction(lambda: monday_of(timezone.localdate()))


class PreventionPlanFactory(DjangoModelFactory):
    class Meta:
        model = PreventionPlan

    site = factory.SubFactory(SiteFactory)
    reference = factory.Sequence(lambda n: f"PDP-{n:04d}")
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class SiteRiskFactory(DjangoModelFactory):
    class Meta:
        model = SiteRisk

    site = factory.SubFactory(SiteFactory)
    hazard = "Electrical risk in the low-voltage switchboard room"
    severity = RiskRating.HIGH
    likelihood = RiskRating.MEDIUM


def staff_records(technician: Any) -> Technician:
    """A profile for `technician` with a row of every staff record: skill, habilitation, absence, on-call duty."""
    profile: Any = TechnicianFactory(user=technician)
    TechnicianSkillFactory(technician=profile)
    HabilitationFactory(technician=profile, habilitation_type=habilitation_type("B1V"))
    AbsenceFactory(technician=profile)
    OnCallDutyFactory(technician=profile)
    return profile
