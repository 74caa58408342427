"""Asking whether a VAE application is admissible and whether a jury is valid: the answer a recording would
reach, with its reasons, through the services, the API and the pages, and nothing written."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from maintenir.certification import questions, services
from maintenir.certification.choices import Admissibility, MemberProfile, PathKind, SessionKind
from maintenir.certification.tests.factories import (
    ExperiencePeriodFactory,
    JuryMemberFactory,
    RegistrationFactory,
    TitleVersionFactory,
    regulation,
)
from maintenir.core.models import ObjectChange
from maintenir.core.services import TransitionError
from maintenir.core.tests.clients import client_for
from maintenir.core.tests.tables import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_vae() -> Any:
    """A VAE application under the 2006 rules (3 years needed) with 2 years related and 1 unrelated."""
    version = TitleVersionFactory(regulation=regulation("arrete-2006"))
    period = ExperiencePeriodFactory(
        path__version=version, started_on=datetime.date(2021, 1, 1), ended_on=datetime.date(2022, 12, 31)
    )
    ExperiencePeriodFactory(
        path=period.path,
        employer="Boulangerie",
        started_on=datetime.date(2023, 1, 1),
        ended_on=datetime.date(2023, 12, 31),
        related=False,
    )
    return period.path


@pytest.fixture
def weak_jury() -> Any:
    """A title session under the 2015 rules whose jury has one approved professional and one who left long ago."""
    registration = RegistrationFactory(session__kind=SessionKind.TITLE)
    session = registration.session
    JuryMemberFactory(session=session, name="Alix Durand")
    JuryMemberFactory(session=session, name="Bastien Roy", years_in_trade=2, years_out_of_trade=8, approved=False)
    return registration


def unchanged(before: Any, changes: int) -> bool:
    return snapshot() == before and ObjectChange.objects.count() == changes


def test_a_short_vae_application_is_not_admissible_with_its_months_and_nothing_is_written(
    short_vae: Any, training_staff: Any
) -> None:
    before, changes = snapshot(), ObjectChange.objects.count()

    verdict = questions.vae_admissibility(short_vae)

    assert not verdict.admissible
    assert (verdict.months, verdict.needed_months, verdict.rule) == (24, 36, "vae_experience")
    assert [period.employer for period in verdict.counted] == ["Maintenance Services SA"]
    assert verdict.reasons == ["A VAE application needs 36 months of experience related to the title; there are 24."]
    assert verdict.recorded == Admissibility.PENDING
    assert unchanged(before, changes)
    # The recording refuses it for the same reason.
    with pytest.raises(TransitionError) as refused:
        services.decide_admissibility(training_staff, short_vae, True, datetime.date(2024, 2, 1))
    assert refused.value.messages == verdict.reasons


def test_an_admissible_application_answers_so_and_the_recording_agrees(short_vae: Any, training_staff: Any) -> None:
    ExperiencePeriodFactory(path=short_vae, started_on=datetime.date(2019, 1, 1), ended_on=datetime.date(2020, 12, 31))

    assert questions.vae_admissibility(short_vae).admissible
    services.decide_admissibility(training_staff, short_vae, True, datetime.date(2024, 2, 1))
    # One-year validities end on the anniversary, inclusive.
    assert questions.vae_admissibility(short_vae).valid_until == datetime.date(2025, 2, 1)


def test_only_a_vae_application_has_an_admissibility(short_vae: Any) -> None:
    short_vae.kind = PathKind.CONTINUOUS
    with pytest.raises(TransitionError):
        questions.vae_admissibility(short_vae)


def test_the_jury_verdict_names_the_rule_and_the_member_and_matches_the_decision(
    weak_jury: Any, training_staff: Any
) -> None:
    before, changes = snapshot(), ObjectChange.objects.count()

    verdict = questions.jury_validity(weak_jury.session)

    assert not verdict.valid
    assert "Every member must be approved." in verdict.reasons
    problems = {checked.member.name: checked.problems for checked in verdict.members}
    assert problems["Alix Durand"] == []
    assert problems["Bastien Roy"] == [
        "Bastien Roy is not approved.",
        "Bastien Roy has 2 years in the trade; 3 are needed.",
        "Bastien Roy left the trade 8 years ago; at most 5 are allowed.",
    ]
    assert unchanged(before, changes)
    with pytest.raises(TransitionError) as refused:
        services.record_decision(training_staff, weak_jury, title_granted=True)
    assert refused.value.message_dict["session"] == verdict.reasons


def test_a_valid_jury_answers_so_and_a_decision_is_recorded(weak_jury: Any, training_staff: Any) -> None:
    weak_jury.session.jury.filter(name="Bastien Roy").update(
        years_in_trade=10, years_out_of_trade=0, approved=True, profile=MemberProfile.PROFESSIONAL
    )
    assert questions.jury_validity(weak_jury.session).valid
    services.record_decision(training_staff, weak_jury, title_granted=True)


def test_the_api_answers_both_questions_without_writing(
    short_vae: Any, weak_jury: Any, training_staff: Any, manager: Any
) -> None:
    before, changes = snapshot(), ObjectChange.objects.count()
    staff = client_for(training_staff)

    admissibility = staff.get(f"/api/certification/paths/{short_vae.pk}/admissibility").json()
    jury = client_for(manager).get(f"/api/certification/sessions/{weak_jury.session_id}/jury-validity").json()

    assert admissibility["admissible"] is False
    assert (admissibility["experience_months"], admissibility["needed_months"]) == (24, 36)
    assert [period["related"] for period in admissibility["periods"]] == [True, False]
    assert jury["valid"] is False
    assert {member["name"]: len(member["problems"]) for member in jury["members"]} == {
        "Alix Durand": 0,
        "Bastien Roy": 3,
    }
    assert unchanged(before, changes)


def test_the_api_refuses_the_question_on_a_training_path(training_staff: Any) -> None:
    path = RegistrationFactory(path__kind=PathKind.CONTINUOUS).path
    response = client_for(training_staff).get(f"/api/certification/paths/{path.pk}/admissibility")
    assert response.status_code == 409


def test_the_pages_show_both_verdicts_without_writing(short_vae: Any, weak_jury: Any, training_staff: Any) -> None:
    client = client_for(training_staff)
    before, changes = snapshot(), ObjectChange.objects.count()

    candidate_page = client.get(reverse("certification-candidate-detail", args=[short_vae.candidate_id]))
    session_page = client.get(reverse("certification-session-detail", args=[weak_jury.session_id]))

    assert "experience insufficient" in candidate_page.content.decode()
    assert "24 months of related experience, 36 needed" in candidate_page.content.decode()
    shown = session_page.content.decode()
    assert "Not validly composed" in shown
    assert "Bastien Roy left the trade 8 years ago; at most 5 are allowed." in shown
    assert unchanged(before, changes)
