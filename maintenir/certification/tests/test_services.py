"""Scenarios of the seed texts through the services: sessions, juries, evaluations, decisions and standings."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.certification import services
from maintenir.certification.choices import (
    Admissibility,
    Document,
    ElementKind,
    FinalInterview,
    MemberProfile,
    PathKind,
    SessionKind,
    VersionStatus,
)
from maintenir.certification.models import Decision, EvaluationElement, Path, Session, Title
from maintenir.certification.tests.factories import (
    ActivityTypeFactory,
    CandidateFactory,
    CcsFactory,
    CentreFactory,
    ExperiencePeriodFactory,
    JuryMemberFactory,
    PathFactory,
    RegistrationFactory,
    SessionFactory,
    TitleVersionFactory,
    correspondence,
    regulation,
)
from maintenir.core.choices import Role
from maintenir.core.services import TransitionError, save_restricted
from maintenir.core.tests.factories import UserFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Any:
    return UserFactory(username="centre", role=Role.TRAINING_STAFF)


def seeded(name: str) -> Any:
    """The version of a seed title loaded by the data migration, given validity dates for the scenario."""
    version = Title.objects.get(name=name).current_version()
    assert version is not None
    version.valid_from, version.valid_until = D(2020, 1, 1), D(2030, 12, 31)
    version.save()
    return version


@pytest.fixture
def industrial() -> Any:
    return seeded("Technicien(ne) de maintenance industrielle")


@pytest.fixture
def building() -> Any:
    return seeded("Technicien du bâtiment communicant et connecté")


def ccp_session(version: Any, position: int, day: datetime.date, jury: bool = True) -> Session:
    session = SessionFactory(kind=SessionKind.CCP, version=version, ccp=version.ccps.get(position=position), date=day)
    if jury:
        JuryMemberFactory(session=session)
        second = MemberProfile.TRAINER if version.regulation.code == "arrete-2006" else MemberProfile.PROFESSIONAL
        JuryMemberFactory(session=session, profile=second)
    return session


def title_session(version: Any, day: datetime.date) -> Session:
    session = SessionFactory(kind=SessionKind.TITLE, version=version, date=day)
    JuryMemberFactory.create_batch(2, session=session)
    return session


def grant_ccp(staff: Any, path: Any, version: Any, position: int, day: datetime.date, **outcome: Any) -> Decision:
    session = ccp_session(version, position, day)
    registration = services.register(staff, session, path.candidate, path)
    return services.record_decision(staff, registration, ccps=[session.ccp], **outcome)


# --- Deadlines ------------------------------------------------------------------------------------


def test_partial_success_under_older_rules_gives_five_years_from_the_first_ccp(staff: Any, industrial: Any) -> None:
    path = PathFactory(version=industrial)
    session = title_session(industrial, D(2024, 6, 12))
    registration = services.register(staff, session, path.candidate, path)
    services.record_decision(staff, registration, ccps=list(industrial.ccps.filter(position__in=[1, 3])))
    standing = services.standing(path.candidate, industrial.title)
    assert [held.ccp.position for held in standing.held] == [1, 3]
    assert [ccp.position for ccp in standing.missing] == [2, 4]
    assert standing.deadline == D(2029, 6, 12)
    assert standing.documents == [Document.LIVRET]


def test_partial_success_under_newer_rules_ends_with_the_title_validity(staff: Any, building: Any) -> None:
    path = PathFactory(version=building, kind=PathKind.DISCONTINUOUS)
    grant_ccp(staff, path, building, 1, D(2024, 6, 12))
    standing = services.standing(path.candidate, building.title)
    assert standing.deadline == D(2030, 12, 31)
    assert standing.final_interview is None


def test_closed_title_with_two_of_four_ccps_leaves_one_year(staff: Any, industrial: Any) -> None:
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    grant_ccp(staff, path, industrial, 1, D(2030, 3, 1))
    grant_ccp(staff, path, industrial, 2, D(2030, 6, 1))
    industrial.status = VersionStatus.CLOSED
    industrial.save()
    assert services.standing(path.candidate, industrial.title).deadline == D(2031, 12, 31)
    # In the year of grace, a holder of CCPs may still sit; a newcomer may not.
    grace = ccp_session(industrial, 3, D(2031, 5, 1))
    services.register(staff, grace, path.candidate, path)
    newcomer = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    with pytest.raises(ValidationError) as refused:
        services.register(staff, grace, newcomer.candidate, newcomer)
    assert "session" in refused.value.message_dict


def test_revision_leaves_only_the_new_ccps_not_covered(staff: Any, industrial: Any) -> None:
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    grant_ccp(staff, path, industrial, 1, D(2023, 3, 1))
    grant_ccp(staff, path, industrial, 2, D(2023, 6, 1))
    industrial.status, industrial.valid_until = VersionStatus.REVISED, D(2024, 12, 31)
    industrial.save()
    revised = TitleVersionFactory(
        title=industrial.title, revises=industrial, valid_from=D(2025, 1, 1), regulation=regulation("arrete-2015")
    )
    new = [ActivityTypeFactory(version=revised, position=position) for position in (1, 2, 3)]
    for old_position, target in ((1, new[0]), (2, new[1])):
        correspondence(target, industrial.ccps.get(position=old_position))
    standing = services.standing(path.candidate, industrial.title)
    assert standing.version == revised
    assert standing.missing == [new[2]]
    assert [held.obtained_on for held in standing.held] == [D(2023, 3, 1), D(2023, 6, 1)]


def revise(version: Any, count: int, order: list[tuple[list[int], int]]) -> list[Any]:
    """Revise `version` into a new version of `count` CCPs; `order` gives (old positions, new position) pairs."""
    version.status, version.valid_until = VersionStatus.REVISED, D(2024, 12, 31)
    version.save()
    revised = TitleVersionFactory(
        title=version.title, revises=version, valid_from=D(2025, 1, 1), regulation=regulation("arrete-2015")
    )
    new = [ActivityTypeFactory(version=revised, position=position) for position in range(1, count + 1)]
    for olds, target in order:
        correspondence(new[target - 1], *version.ccps.filter(position__in=olds))
    return new


def test_old_ccp3_and_ccp4_together_give_new_ccp3_and_alone_nothing(staff: Any, industrial: Any) -> None:
    """ "En cas de révision du titre, l'arrêté de spécialité fixe les correspondances entre les CCP de l'ancien titre
    et ceux du titre révisé. Le candidat se présente aux CCP manquants du nouveau titre." (connected-building seed),
    on the industrial maintenance title revised with old CCP3 + CCP4 → new CCP3."""
    alone, both = (
        PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS, candidate__user=UserFactory(role=Role.TECHNICIAN))
        for _ in range(2)
    )
    grant_ccp(staff, alone, industrial, 3, D(2023, 3, 1))
    grant_ccp(staff, both, industrial, 3, D(2023, 3, 1))
    grant_ccp(staff, both, industrial, 4, D(2023, 9, 4))
    new = revise(industrial, 3, [([1], 1), ([2], 2), ([3, 4], 3)])
    standing = services.standing(alone.candidate, industrial.title)
    assert (standing.held, standing.missing) == ([], new)
    standing = services.standing(both.candidate, industrial.title)
    assert [(held.ccp, held.obtained_on) for held in standing.held] == [(new[2], D(2023, 9, 4))]
    assert standing.missing == new[:2]
    # Dispatch asks the same rule.
    assert list(services.holders_of(new[2])) == [both.candidate.user]
    assert services.ccps_held_by([alone.candidate.user_id, both.candidate.user_id], [new[2].pk]) == {
        both.candidate.user_id: {new[2].pk}
    }


def test_one_old_ccp_feeds_several_new_ccps(staff: Any, building: Any) -> None:
    """ "l'arrêté de spécialité fixe les correspondances entre les CCP de l'ancien titre et ceux du titre révisé"
    (connected-building seed): old CCP2 gives new CCP2 alone, and new CCP1 together with old CCP1."""
    path = PathFactory(version=building, kind=PathKind.DISCONTINUOUS)
    grant_ccp(staff, path, building, 2, D(2024, 3, 4))
    new = revise(building, 2, [([1, 2], 1), ([2], 2)])
    standing = services.standing(path.candidate, building.title)
    assert [held.ccp for held in standing.held] == [new[1]]
    assert standing.missing == [new[0]]
    grant_ccp(staff, PathFactory(candidate=path.candidate, version=building), building, 1, D(2024, 6, 3))
    standing = services.standing(path.candidate, building.title)
    assert [(held.ccp, held.obtained_on) for held in standing.held] == [
        (new[0], D(2024, 6, 3)),
        (new[1], D(2024, 3, 4)),
    ]
    assert standing.missing == []


def test_a_correspondence_names_old_ccps_of_the_revised_version(staff: Any, industrial: Any, building: Any) -> None:
    new = revise(industrial, 1, [])
    with pytest.raises(ValidationError) as refused:
        services.add_correspondence(UserFactory(role=Role.ADMINISTRATOR), new[0], [building.ccps.get(position=1)])
    assert "old_ccps" in refused.value.message_dict
    added = services.add_correspondence(UserFactory(role=Role.ADMINISTRATOR), new[0], list(industrial.ccps.all()))
    assert added.old_ccps.count() == 4


# --- Sessions and juries ----------------------------------------------------------------------------


def test_a_session_after_the_end_of_validity_is_refused(industrial: Any) -> None:
    session = Session(kind=SessionKind.TITLE, version=industrial, centre=CentreFactory(), date=D(2031, 1, 2))
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert "ended on" in refused.value.message_dict["date"][0]


def test_a_ccp_session_names_a_ccp_of_its_version(industrial: Any, building: Any) -> None:
    session = Session(
        kind=SessionKind.CCP, version=industrial, ccp=building.ccps.first(), centre=CentreFactory(), date=D(2025, 1, 6)
    )
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert "ccp" in refused.value.message_dict


def test_a_decision_by_a_jury_of_one_is_refused(staff: Any, building: Any) -> None:
    session = SessionFactory(version=building)
    JuryMemberFactory(session=session)
    registration = RegistrationFactory(session=session)
    with pytest.raises(TransitionError) as refused:
        services.record_decision(staff, registration, title_granted=True)
    assert "at least 2 professionals" in str(refused.value)
    assert not Decision.objects.exists()


def test_jury_is_final_once_decisions_are_recorded(staff: Any, building: Any) -> None:
    session = title_session(building, D(2025, 6, 2))
    services.record_decision(staff, RegistrationFactory(session=session), title_granted=True)
    with pytest.raises(TransitionError):
        services.add_jury_member(staff, JuryMemberFactory.build(session=session))


def edited(session: Session, **changes: Any) -> Session:
    """A fresh copy of the session with the changes a form or a PATCH would set."""
    copy = Session.objects.get(pk=session.pk)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def test_a_session_moved_after_the_end_of_validity_is_refused(staff: Any, industrial: Any) -> None:
    session = title_session(industrial, D(2025, 6, 2))
    with pytest.raises(ValidationError) as refused:
        services.change_session(staff, edited(session, date=D(2031, 1, 2)))
    assert "ended on" in refused.value.message_dict["date"][0]
    assert Session.objects.get(pk=session.pk).date == D(2025, 6, 2)
    services.change_session(staff, edited(session, date=D(2030, 12, 1)))
    assert Session.objects.get(pk=session.pk).date == D(2030, 12, 1)


def test_a_session_made_a_ccp_session_names_a_ccp_of_its_version(staff: Any, industrial: Any, building: Any) -> None:
    session = title_session(industrial, D(2025, 6, 2))
    for ccp in (None, building.ccps.first()):
        with pytest.raises(ValidationError) as refused:
            services.change_session(staff, edited(session, kind=SessionKind.CCP, ccp=ccp))
        assert "ccp" in refused.value.message_dict
    services.change_session(staff, edited(session, kind=SessionKind.CCP, ccp=industrial.ccps.get(position=2)))
    assert Session.objects.get(pk=session.pk).kind == SessionKind.CCP


def test_a_session_change_keeps_its_registrations_valid(staff: Any, building: Any) -> None:
    path = ExperiencePeriodFactory(path__version=building).path
    services.decide_admissibility(staff, path, True, D(2024, 2, 1))
    session = title_session(building, D(2025, 1, 31))
    services.register(staff, session, path.candidate, path)
    with pytest.raises(TransitionError) as refused:
        services.change_session(staff, edited(session, date=D(2025, 2, 2)))
    assert str(path.candidate) in refused.value.message_dict["registrations"][0]
    assert "admissibility" in refused.value.message_dict["registrations"][0]
    assert Session.objects.get(pk=session.pk).date == D(2025, 1, 31)


def test_a_decided_session_no_longer_changes(staff: Any, building: Any) -> None:
    session = title_session(building, D(2025, 6, 2))
    services.record_decision(staff, RegistrationFactory(session=session), title_granted=True)
    with pytest.raises(TransitionError) as refused:
        services.change_session(staff, edited(session, date=D(2025, 6, 9)))
    assert "decisions are recorded" in refused.value.message_dict["session"][0]
    assert Session.objects.get(pk=session.pk).date == D(2025, 6, 2)


def test_only_the_training_centre_changes_sessions_paths_and_juries(building: Any) -> None:
    session = title_session(building, D(2025, 6, 2))
    path = RegistrationFactory(session=session).path
    for role in (Role.MANAGER, Role.TECHNICIAN, Role.CANDIDATE):
        user = UserFactory(role=role)
        with pytest.raises(PermissionDenied):
            services.change_session(user, edited(session, date=D(2025, 6, 9)))
        with pytest.raises(PermissionDenied):
            services.change_path(user, path)
        with pytest.raises(PermissionDenied):
            services.remove_jury_member(user, session.jury.first())
    assert Session.objects.get(pk=session.pk).date == D(2025, 6, 2)
    assert session.jury.count() == 2


def test_a_path_changes_with_the_checks_of_its_creation(staff: Any, building: Any, industrial: Any) -> None:
    path = PathFactory(version=building)
    path.ccs = CcsFactory()
    with pytest.raises(ValidationError) as refused:
        services.change_path(staff, path)
    assert "ccs" in refused.value.message_dict
    path.ccs, path.kind, path.version = None, PathKind.VAE, industrial
    services.change_path(staff, path)
    path.refresh_from_db()
    assert (path.kind, path.version, path.ccs) == (PathKind.VAE, industrial, None)


def test_a_registered_path_keeps_the_title_of_its_sessions(staff: Any, building: Any, industrial: Any) -> None:
    registration = RegistrationFactory(session=title_session(building, D(2025, 6, 2)))
    path = registration.path
    path.version = industrial
    with pytest.raises(TransitionError) as refused:
        services.change_path(staff, path)
    assert "another title" in refused.value.message_dict["registrations"][0]
    path.refresh_from_db()
    assert path.version == building


def test_a_path_decided_on_no_longer_changes(staff: Any, building: Any) -> None:
    registration = RegistrationFactory(session=title_session(building, D(2025, 6, 2)))
    services.record_decision(staff, registration, title_granted=True)
    path = registration.path
    path.started_on = D(2024, 3, 4)
    with pytest.raises(TransitionError) as refused:
        services.change_path(staff, path)
    assert "decision is recorded" in refused.value.message_dict["path"][0]
    path.refresh_from_db()
    assert path.started_on != D(2024, 3, 4)


def test_removing_a_jury_member_until_the_decisions(staff: Any, building: Any) -> None:
    session = title_session(building, D(2025, 6, 2))
    JuryMemberFactory(session=session)
    services.remove_jury_member(staff, session.jury.first())
    assert session.jury.count() == 2
    assert session.jury_problems() == []
    services.remove_jury_member(staff, session.jury.first())
    assert "at least 2 professionals" in session.jury_problems()[0]
    JuryMemberFactory(session=session)
    services.record_decision(staff, RegistrationFactory(session=session), title_granted=True)
    with pytest.raises(TransitionError):
        services.remove_jury_member(staff, session.jury.first())
    assert session.jury.count() == 2


# --- VAE and evaluation elements -----------------------------------------------------------------


@pytest.mark.parametrize(("version", "admissible"), [("building", True), ("industrial", False)])
def test_vae_with_eighteen_months(staff: Any, request: pytest.FixtureRequest, version: str, admissible: bool) -> None:
    period = ExperiencePeriodFactory(
        path__version=request.getfixturevalue(version), started_on=D(2022, 1, 1), ended_on=D(2023, 6, 30)
    )
    path = period.path
    if admissible:
        services.decide_admissibility(staff, path, True, D(2024, 2, 1))
        assert path.admissibility == Admissibility.ADMISSIBLE
    else:
        with pytest.raises(TransitionError) as refused:
            services.decide_admissibility(staff, path, True, D(2024, 2, 1))
        assert "36 months" in str(refused.value)
        path.refresh_from_db()
        assert path.admissibility == Admissibility.PENDING


def test_the_admissibility_decision_keeps_who_recorded_it_and_when(staff: Any, building: Any) -> None:
    path = ExperiencePeriodFactory(path__version=building).path
    before = timezone.now()
    services.decide_admissibility(staff, path, False, D(2024, 2, 1))
    path.refresh_from_db()
    assert path.admissibility_recorded_by == staff
    assert before <= path.admissibility_recorded_at <= timezone.now()
    assert path.admissibility_on == D(2024, 2, 1)


@pytest.mark.parametrize("version", ["building", "industrial"])
def test_vae_admissibility_is_in_force_until_its_anniversary_included(
    staff: Any, request: pytest.FixtureRequest, version: str
) -> None:
    """ "Il reçoit [...] une notification de recevabilité lui permettant de s'inscrire à une session titre" (both
    seeds), valid one year: notified on 10 January, still in force on 10 January of the next year."""
    title_version = request.getfixturevalue(version)
    path = ExperiencePeriodFactory(path__version=title_version).path
    services.decide_admissibility(staff, path, True, D(2025, 1, 10))
    services.register(staff, title_session(title_version, D(2026, 1, 10)), path.candidate, path)
    with pytest.raises(ValidationError) as refused:
        services.register(staff, title_session(title_version, D(2026, 1, 11)), path.candidate, path)
    assert "admissibility" in refused.value.message_dict["path"][0]


def test_in_training_results_for_a_vae_candidate_are_refused(staff: Any, building: Any) -> None:
    registration = RegistrationFactory(session__version=building, path__kind=PathKind.VAE)
    element = EvaluationElement(registration=registration, kind=ElementKind.IN_TRAINING, result="14/20")
    with pytest.raises(ValidationError) as refused:
        services.record_element(staff, element)
    assert "kind" in refused.value.message_dict
    assert not EvaluationElement.objects.exists()


# --- CCS ---------------------------------------------------------------------------------------------


def title_holder(staff: Any, version: Any) -> Any:
    """A candidate granted the title at a title session of `version`."""
    path = PathFactory(version=version)
    registration = services.register(staff, title_session(version, D(2024, 6, 3)), path.candidate, path)
    services.record_decision(staff, registration, title_granted=True)
    return path.candidate


@pytest.mark.parametrize("version", ["building", "industrial"])
def test_a_ccs_path_of_someone_without_the_title_is_refused_naming_it(
    staff: Any, request: pytest.FixtureRequest, version: str
) -> None:
    """ "Un candidat peut préparer un CCS s'il est déjà titulaire du titre professionnel auquel le CCS est associé."
    (both seeds): refused when the path is created, not only at registration."""
    title_version = request.getfixturevalue(version)
    ccs = CcsFactory(title=title_version.title)
    path = Path(candidate=CandidateFactory(), kind=PathKind.CONTINUOUS, version=title_version, ccs=ccs)
    path.started_on = D(2025, 1, 6)
    with pytest.raises(ValidationError) as refused:
        save_restricted(staff, path)
    assert refused.value.message_dict["ccs"] == [
        f"A CCS can only be prepared by a holder of the title it is attached to: {title_version.title.name}."
    ]
    assert not Path.objects.exists()
    path.candidate = title_holder(staff, title_version)
    save_restricted(staff, path)


def test_ccs_directly_on_one_year_in_the_trade_under_the_newer_text(staff: Any, building: Any) -> None:
    """ "Il peut se présenter soit à la suite d'un parcours de formation, soit directement s'il justifie de 1 an
    d'expérience dans le métier visé." (connected-building seed): no VAE, no notification of admissibility."""
    candidate = title_holder(staff, building)
    ccs = CcsFactory(title=building.title)
    path = Path(candidate=candidate, kind=PathKind.EXPERIENCE, version=building, ccs=ccs, started_on=D(2025, 1, 6))
    save_restricted(staff, path)
    ExperiencePeriodFactory(path=path, started_on=D(2024, 1, 1), ended_on=D(2024, 11, 30))
    session = SessionFactory(kind=SessionKind.CCS, version=building, ccs=ccs, date=D(2025, 6, 2))
    JuryMemberFactory.create_batch(2, session=session)
    with pytest.raises(ValidationError) as refused:
        services.register(staff, session, candidate, path)
    assert refused.value.message_dict["candidate"] == [
        "Without a training path, a CCS needs 12 months of experience in the trade; 11 are counted."
    ]
    ExperiencePeriodFactory(path=path, started_on=D(2024, 12, 1), ended_on=D(2024, 12, 31))
    registration = services.register(staff, session, candidate, path)
    services.record_decision(staff, registration, ccs_granted=True)
    assert Document.PARCHEMIN_CCS in services.standing(candidate, building.title).documents


def test_ccs_without_training_under_the_older_text_is_by_vae(staff: Any, industrial: Any) -> None:
    """ "Un CCS peut être préparé à la suite d'un parcours de formation ou par la validation des acquis de
    l'expérience (VAE)." (industrial maintenance seed): no direct route there."""
    path = Path(
        candidate=title_holder(staff, industrial),
        kind=PathKind.EXPERIENCE,
        version=industrial,
        ccs=CcsFactory(title=industrial.title),
        started_on=D(2025, 1, 6),
    )
    with pytest.raises(ValidationError) as refused:
        save_restricted(staff, path)
    assert refused.value.message_dict["ccs"] == ["Without a training path, this CCS is prepared this way: By VAE."]
    path.kind = PathKind.VAE
    save_restricted(staff, path)


def test_ccs_asked_without_the_title_is_refused_with_the_reason(staff: Any, building: Any) -> None:
    ccs = CcsFactory(title=building.title)
    session = SessionFactory(kind=SessionKind.CCS, version=building, ccs=ccs)
    path = PathFactory(version=building, ccs=ccs)
    with pytest.raises(ValidationError) as refused:
        services.register(staff, session, path.candidate, path)
    assert "holder of the title" in refused.value.message_dict["candidate"][0]


def test_a_path_towards_a_ccs_sits_only_that_ccs_sessions(staff: Any, building: Any) -> None:
    path = PathFactory(version=building, ccs=CcsFactory(title=building.title))
    with pytest.raises(ValidationError) as refused:
        services.register(staff, title_session(building, D(2025, 6, 2)), path.candidate, path)
    assert "path" in refused.value.message_dict


def test_ccs_granted_to_a_title_holder_gives_a_parchemin(staff: Any, building: Any) -> None:
    path = PathFactory(version=building)
    services.record_decision(
        staff,
        services.register(staff, title_session(building, D(2024, 6, 3)), path.candidate, path),
        title_granted=True,
    )
    ccs = CcsFactory(title=building.title)
    session = SessionFactory(kind=SessionKind.CCS, version=building, ccs=ccs, date=D(2025, 6, 2))
    JuryMemberFactory.create_batch(2, session=session)
    ccs_path = PathFactory(candidate=path.candidate, version=building, ccs=ccs)
    services.record_decision(staff, services.register(staff, session, path.candidate, ccs_path), ccs_granted=True)
    standing = services.standing(path.candidate, building.title)
    assert standing.documents == [Document.PARCHEMIN_TITLE, Document.PARCHEMIN_CCS]


# --- The title --------------------------------------------------------------------------------------


def test_capitalisation_under_newer_rules_needs_the_final_interview(staff: Any, building: Any) -> None:
    path = PathFactory(version=building, kind=PathKind.DISCONTINUOUS)
    grant_ccp(staff, path, building, 1, D(2024, 3, 4))
    last = ccp_session(building, 2, D(2024, 9, 2))
    registration = services.register(staff, last, path.candidate, path)
    assert services.standing(path.candidate, building.title).final_interview is None
    with pytest.raises(TransitionError) as refused:
        services.record_decision(staff, registration, ccps=[last.ccp], title_granted=True)
    assert "final interview" in str(refused.value)
    services.record_element(staff, EvaluationElement(registration=registration, kind=ElementKind.FINAL_INTERVIEW))
    services.record_decision(staff, registration, ccps=[last.ccp], title_granted=True)
    standing = services.standing(path.candidate, building.title)
    assert standing.title_granted
    assert standing.missing == []
    assert standing.documents == [Document.PARCHEMIN_TITLE]


def test_older_text_discontinuous_path_title_by_a_jury_of_professionals_after_its_interview(
    staff: Any, industrial: Any
) -> None:
    """ "Pour l'obtention de chaque CCP, le candidat est évalué par un binôme d'évaluateurs composé d'un professionnel
    et d'un formateur de la spécialité. [...] Après obtention de tous les CCP du titre visé le jury de professionnels
    conduit un entretien avec le candidat en vue d'attribuer le titre." (industrial maintenance seed)"""
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    for position, day in ((1, D(2024, 3, 4)), (2, D(2024, 6, 3)), (3, D(2024, 9, 2))):
        grant_ccp(staff, path, industrial, position, day)
    last = ccp_session(industrial, 4, D(2024, 12, 2))
    assert [member.profile for member in last.jury.all()] == [MemberProfile.PROFESSIONAL, MemberProfile.TRAINER]
    registration = services.register(staff, last, path.candidate, path)
    services.record_element(staff, EvaluationElement(registration=registration, kind=ElementKind.FINAL_INTERVIEW))
    with pytest.raises(TransitionError) as refused:
        services.record_decision(staff, registration, ccps=[last.ccp], title_granted=True)
    assert "pair of evaluators grants CCPs only" in refused.value.message_dict["title_granted"][0]
    assert not Decision.objects.filter(registration=registration).exists()
    services.record_decision(staff, registration, ccps=[last.ccp])
    standing = services.standing(path.candidate, industrial.title)
    assert (standing.missing, standing.final_interview) == ([], FinalInterview.REQUIRED)
    interview = services.register(staff, title_session(industrial, D(2025, 1, 6)), path.candidate, path)
    with pytest.raises(TransitionError) as refused:
        services.record_decision(staff, interview, title_granted=True)
    assert "final interview" in refused.value.message_dict["title_granted"][0]
    services.record_element(staff, EvaluationElement(registration=interview, kind=ElementKind.FINAL_INTERVIEW))
    services.record_decision(staff, interview, title_granted=True)
    assert services.standing(path.candidate, industrial.title).title_granted


def test_older_text_title_session_of_a_discontinuous_path_needs_every_ccp(staff: Any, industrial: Any) -> None:
    """ "Après obtention de tous les CCP du titre visé le jury de professionnels conduit un entretien avec le
    candidat en vue d'attribuer le titre." (industrial maintenance seed)"""
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    grant_ccp(staff, path, industrial, 1, D(2024, 3, 4))
    interview = services.register(staff, title_session(industrial, D(2025, 1, 6)), path.candidate, path)
    services.record_element(staff, EvaluationElement(registration=interview, kind=ElementKind.FINAL_INTERVIEW))
    with pytest.raises(TransitionError) as refused:
        services.record_decision(staff, interview, title_granted=True)
    assert "all its CCPs" in refused.value.message_dict["title_granted"][0]


def test_older_rules_after_partial_success_the_jury_may_call_an_interview(staff: Any, industrial: Any) -> None:
    path = PathFactory(version=industrial)
    registration = services.register(staff, title_session(industrial, D(2024, 6, 3)), path.candidate, path)
    services.record_decision(staff, registration, ccps=list(industrial.ccps.filter(position__lt=4)))
    grant_ccp(staff, path, industrial, 4, D(2025, 1, 6))
    assert services.standing(path.candidate, industrial.title).final_interview == FinalInterview.JURY_MAY_CALL


def test_the_title_is_never_granted_twice(staff: Any, building: Any) -> None:
    path = PathFactory(version=building)
    first = services.register(staff, title_session(building, D(2024, 6, 3)), path.candidate, path)
    services.record_decision(staff, first, title_granted=True)
    with pytest.raises(ValidationError):
        services.register(staff, title_session(building, D(2025, 6, 2)), path.candidate, path)
    with pytest.raises(TransitionError):
        services.record_decision(staff, first, title_granted=True)


def test_a_title_session_grants_the_title_or_ccps(staff: Any, building: Any) -> None:
    registration = RegistrationFactory(session=title_session(building, D(2024, 6, 3)))
    with pytest.raises(TransitionError) as refused:
        services.record_decision(staff, registration, title_granted=True, ccps=[building.ccps.first()])
    assert "ccps" in refused.value.message_dict


def test_a_ccp_session_grants_only_its_ccp(staff: Any, building: Any) -> None:
    registration = RegistrationFactory(session=ccp_session(building, 1, D(2024, 6, 3)))
    with pytest.raises(TransitionError):
        services.record_decision(staff, registration, ccps=[building.ccps.get(position=2)])


def test_only_the_training_centre_records_decisions(building: Any) -> None:
    registration = RegistrationFactory(session=title_session(building, D(2024, 6, 3)))
    for role in (Role.MANAGER, Role.TECHNICIAN, Role.CANDIDATE):
        with pytest.raises(PermissionDenied):
            services.record_decision(UserFactory(role=role), registration, title_granted=True)
    assert not Decision.objects.exists()


# --- Dispatch -------------------------------------------------------------------------------------


def test_holders_of_a_ccp_include_title_holders_and_correspondences(staff: Any, industrial: Any) -> None:
    hydraulic = industrial.ccps.get(position=2)
    direct, through_title, other, not_technician = (
        UserFactory(username=name, role=role)
        for name, role in (
            ("direct", Role.TECHNICIAN),
            ("titled", Role.TECHNICIAN),
            ("other", Role.TECHNICIAN),
            ("manager", Role.MANAGER),
        )
    )
    for user, position in ((direct, 2), (other, 1), (not_technician, 2)):
        grant_ccp(staff, PathFactory(candidate__user=user, version=industrial), industrial, position, D(2024, 3, 4))
    path = PathFactory(candidate__user=through_title, version=industrial)
    services.record_decision(
        staff,
        services.register(staff, title_session(industrial, D(2024, 5, 6)), path.candidate, path),
        title_granted=True,
    )
    assert set(services.holders_of(hydraulic)) == {direct, through_title}
    revised = TitleVersionFactory(title=industrial.title, revises=industrial, valid_from=D(2031, 1, 1))
    new_hydraulic = ActivityTypeFactory(version=revised)
    correspondence(new_hydraulic, hydraulic)
    assert set(services.holders_of(new_hydraulic)) == {direct, through_title}


# --- Properties -------------------------------------------------------------------------------------

outcomes = st.lists(st.tuples(st.integers(1, 4), st.booleans(), st.booleans()), min_size=1, max_size=6)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(outcomes)
def test_livret_lists_exactly_the_ccps_granted_and_the_title_is_granted_once(
    staff: Any, industrial: Any, steps: list[tuple[int, bool, bool]]
) -> None:
    """Any sequence of CCP sessions, passed or not, with the title asked for at any of them."""
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    granted: list[tuple[int, datetime.date]] = []
    day = D(2024, 1, 8)
    for position, passed, ask_title in steps:
        day += datetime.timedelta(weeks=5)
        session = ccp_session(industrial, position, day)
        registration = services.register(staff, session, path.candidate, path)
        services.record_element(staff, EvaluationElement(registration=registration, kind=ElementKind.FINAL_INTERVIEW))
        try:
            services.record_decision(staff, registration, ccps=[session.ccp] if passed else [], title_granted=ask_title)
        except TransitionError:
            # Refused as a whole (the title asked for too early): nothing was written.
            services.record_decision(staff, registration, ccps=[session.ccp] if passed else [])
        if passed:
            granted.append((position, day))
        if services.standing(path.candidate, industrial.title).title_granted:
            break
    livret = [
        (line.ccp.position, line.decision.decided_on) for line in services.livret(path.candidate, industrial.title)
    ]
    assert sorted(livret) == sorted(granted)
    titles = Decision.objects.filter(registration__candidate=path.candidate, title_granted=True).count()
    assert titles <= 1
    standing = services.standing(path.candidate, industrial.title)
    assert titles == int(standing.title_granted)
    if standing.deadline is not None:
        assert standing.deadline >= min(found for _position, found in granted)


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(1, 4), st.booleans()), min_size=1, max_size=5),
    st.lists(st.frozensets(st.integers(1, 4), min_size=1, max_size=3), min_size=1, max_size=3),
)
def test_after_a_revision_the_livret_keeps_the_ccps_granted_and_the_standing_follows_the_order(
    staff: Any, industrial: Any, steps: list[tuple[int, bool]], sets: list[frozenset[int]]
) -> None:
    """ "Un livret de certification, qui enregistre les CCP progressivement acquis" (industrial maintenance seed);
    "l'arrêté de spécialité fixe les correspondances entre les CCP de l'ancien titre et ceux du titre révisé"
    (connected-building seed). Any CCP sessions, then a revision whose new CCPs each need a set of old CCPs."""
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS)
    first: dict[int, datetime.date] = {}
    granted: list[tuple[int, datetime.date]] = []
    day = D(2023, 1, 9)
    for position, passed in steps:
        day += datetime.timedelta(weeks=5)
        session = ccp_session(industrial, position, day)
        registration = services.register(staff, session, path.candidate, path)
        services.record_decision(staff, registration, ccps=[session.ccp] if passed else [])
        if passed:
            granted.append((position, day))
            first.setdefault(position, day)
    new = revise(industrial, len(sets), [(sorted(olds), target) for target, olds in enumerate(sets, start=1)])
    livret = [
        (line.ccp.position, line.decision.decided_on) for line in services.livret(path.candidate, industrial.title)
    ]
    assert sorted(livret) == sorted(granted)
    standing = services.standing(path.candidate, industrial.title)
    expected = {
        ccp: max(first[position] for position in olds)
        for ccp, olds in zip(new, sets, strict=True)
        if olds <= first.keys()
    }
    assert {held.ccp: held.obtained_on for held in standing.held} == expected
    assert standing.missing == [ccp for ccp in new if ccp not in expected]
    if standing.deadline is not None:
        assert standing.deadline >= min(first.values())


# --- Rules by the date of the act ---------------------------------------------------------------


def test_the_jury_is_judged_by_the_rules_of_the_session_date(staff: Any, building: Any) -> None:
    """ "le candidat est évalué par un jury composé de professionnels" (connected-building seed); since 2017 each has
    3 years in the trade and has not left it for more than 5. The decision says which rules it was taken under."""
    building.valid_from = D(2016, 1, 1)
    building.save()
    decisions = []
    for day in (D(2016, 6, 6), D(2017, 6, 6)):
        session = SessionFactory(version=building, date=day)
        JuryMemberFactory(session=session, years_in_trade=2)
        JuryMemberFactory(session=session, years_out_of_trade=6)
        registration = RegistrationFactory(session=session)
        try:
            decisions.append(services.record_decision(staff, registration, title_granted=True))
        except TransitionError as refused:
            decisions.append(refused)
    assert decisions[0].regulation.code == "arrete-2015"
    assert "at least 3 years in the trade" in str(decisions[1])
    assert "more than 5 years ago" in str(decisions[1])
    session = SessionFactory(version=building, date=D(2017, 6, 6))
    JuryMemberFactory.create_batch(2, session=session)
    decision = services.record_decision(staff, RegistrationFactory(session=session), title_granted=True)
    assert decision.regulation.code == "arrete-2015-2017"


def test_a_vae_application_is_judged_by_the_rules_of_its_date(staff: Any, building: Any) -> None:
    """ "justifiant, en tant que salarié ou bénévole, d'une expérience professionnelle d'un an en rapport avec le
    titre visé" (connected-building seed): a year until 2023, no minimum for applications since 1 January 2024."""
    before, since = (
        ExperiencePeriodFactory(
            path__version=building, path__started_on=day, started_on=D(2023, 1, 1), ended_on=D(2023, 6, 30)
        ).path
        for day in (D(2023, 9, 4), D(2024, 1, 8))
    )
    with pytest.raises(TransitionError) as refused:
        services.decide_admissibility(staff, before, True, D(2023, 11, 6))
    assert "12 months" in str(refused.value)
    services.decide_admissibility(staff, since, True, D(2024, 3, 4))
    since.refresh_from_db()
    assert since.admissibility == Admissibility.ADMISSIBLE
    assert since.admissibility_regulation.code == "arrete-2015-2024"
