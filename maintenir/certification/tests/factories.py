import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from maintenir.certification.choices import MemberProfile, PathKind, SessionKind
from maintenir.certification.models import (
    ActivityType,
    Candidate,
    Ccs,
    Centre,
    Competence,
    Correspondence,
    Decision,
    EvaluationElement,
    ExperiencePeriod,
    GrantedCcp,
    JuryMember,
    Path,
    Registration,
    RegulationVersion,
    Session,
    Title,
    TitleVersion,
)
from maintenir.core.tests.factories import UserFactory


def regulation(code: str) -> RegulationVersion:
    """One of the two versions of the rules loaded by the data migration: "arrete-2006" or "arrete-2015"."""
    return RegulationVersion.objects.get(code=code)


class TitleFactory(DjangoModelFactory):
    class Meta:
        model = Title

    name = factory.Sequence(lambda n: f"Technicien de test {n}")
    level = "4"
    nsf_code = "255m"


class TitleVersionFactory(DjangoModelFactory):
    class Meta:
        model = TitleVersion

    title = factory.SubFactory(TitleFactory)
    name = "Arrêté de spécialité"
    valid_from = datetime.date(2020, 1, 1)
    valid_until = datetime.date(2030, 12, 31)
    regulation = factory.LazyFunction(lambda: regulation("arrete-2015"))


class ActivityTypeFactory(DjangoModelFactory):
    class Meta:
        model = ActivityType

    version = factory.SubFactory(TitleVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Activité type {n}")


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = Competence

    activity_type = factory.SubFactory(ActivityTypeFactory)
    position = 1
    name = "Compétence"


class CcsFactory(DjangoModelFactory):
    class Meta:
        model = Ccs

    title = factory.SubFactory(TitleFactory)
    name = factory.Sequence(lambda n: f"Spécialisation {n}")


class CentreFactory(DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ("approval_number",)

    name = "Centre AFPA de test"
    approval_number = factory.Sequence(lambda n: f"AGR-{n:04d}")


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Candidate{n}")


class PathFactory(DjangoModelFactory):
    class Meta:
        model = Path

    candidate = factory.SubFactory(CandidateFactory)
    kind = PathKind.CONTINUOUS
    version = factory.SubFactory(TitleVersionFactory)
    started_on = datetime.date(2024, 1, 8)


class ExperiencePeriodFactory(DjangoModelFactory):
    class Meta:
        model = ExperiencePeriod

    path = factory.SubFactory(PathFactory, kind=PathKind.VAE)
    employer = "Maintenance Services SA"
    started_on = datetime.date(2020, 1, 1)
    ended_on = datetime.date(2023, 12, 31)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    kind = SessionKind.TITLE
    version = factory.SubFactory(TitleVersionFactory)
    centre = factory.SubFactory(CentreFactory)
    date = datetime.date(2025, 6, 2)


class JuryMemberFactory(DjangoModelFactory):
    class Meta:
        model = JuryMember

    session = factory.SubFactory(SessionFactory)
    name = factory.Sequence(lambda n: f"Juré {n}")
    profile = MemberProfile.PROFESSIONAL
    years_in_trade = 10
    approved = True


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    candidate = factory.SubFactory(CandidateFactory)
    path = factory.SubFactory(
        PathFactory, candidate=factory.SelfAttribute("..candidate"), version=factory.SelfAttribute("..session.version")
    )


class EvaluationElementFactory(DjangoModelFactory):
    class Meta:
        model = EvaluationElement

    registration = factory.SubFactory(RegistrationFactory)
    kind = "practical"
    result = "Satisfaisant"
    recorded_by = factory.SubFactory(UserFactory)


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    registration = factory.SubFactory(RegistrationFactory)
    decided_on = factory.SelfAttribute("registration.session.date")
    recorded_by = factory.SubFactory(UserFactory)


class GrantedCcpFactory(DjangoModelFactory):
    class Meta:
        model = GrantedCcp

    decision = factory.SubFactory(DecisionFactory)
    ccp = factory.SubFactory(
        ActivityTypeFactory, version=factory.SelfAttribute("..decision.registration.session.version")
    )


def correspondence(new_ccp: ActivityType, *old_ccps: ActivityType) -> Correspondence:
    """The revised title's order: holding all of `old_ccps` counts as holding `new_ccp`."""
    row = Correspondence.objects.create(new_ccp=new_ccp)
    row.old_ccps.set(old_ccps)
    return row


def certification_records(user: object) -> None:
    """One row of every certification model, the candidate's records about `user`, for tenancy tests."""
    registration: Any = RegistrationFactory(candidate__user=user, path__kind=PathKind.CONTINUOUS)
    version = registration.session.version
    ccp: Any = CompetenceFactory(activity_type__version=version).activity_type
    JuryMemberFactory(session=registration.session)
    EvaluationElementFactory(registration=registration, ccp=ccp)
    GrantedCcpFactory(decision=DecisionFactory(registration=registration), ccp=ccp)
    ExperiencePeriodFactory(path__candidate=registration.candidate, path__version=version)
    CcsFactory(title=version.title)
    revised = TitleVersionFactory(title=version.title, revises=version, valid_from=datetime.date(2031, 1, 1))
    new_ccp: Any = ActivityTypeFactory(version=revised)
    correspondence(new_ccp, ccp)
