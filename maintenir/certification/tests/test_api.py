"""The certification API beyond the endpoint table: own records only for a candidate, refused input named."""

import datetime
from typing import Any

import pytest
from django.test import Client

from maintenir.api.tests.conftest import call, error_fields
from maintenir.certification.choices import MemberProfile, PathKind, SessionKind
from maintenir.certification.models import Decision, EvaluationElement, JuryMember, Path, Session, Title
from maintenir.certification.tests.factories import (
    ActivityTypeFactory,
    CandidateFactory,
    CcsFactory,
    CentreFactory,
    DecisionFactory,
    ExperiencePeriodFactory,
    JuryMemberFactory,
    PathFactory,
    RegistrationFactory,
    SessionFactory,
    TitleVersionFactory,
    correspondence,
)
from maintenir.core.tests.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(candidate_user: Any) -> Any:
    """A registration of the candidate persona, with a decision granting nothing yet."""
    registration = RegistrationFactory(candidate=CandidateFactory(user=candidate_user))
    JuryMemberFactory.create_batch(2, session=registration.session)
    return registration


@pytest.fixture
def someone_else() -> Any:
    return RegistrationFactory()


def test_a_candidate_sees_only_their_own_records(candidate_user: Any, own: Any, someone_else: Any) -> None:
    client = client_for(candidate_user)
    listed = client.get("/api/certification/candidates").json()["items"]
    assert [item["id"] for item in listed] == [own.candidate_id]
    sessions = client.get("/api/certification/sessions").json()["items"]
    assert [item["id"] for item in sessions] == [own.session_id]
    assert client.get(f"/api/certification/candidates/{own.candidate_id}/standing").status_code == 200
    for path in (
        f"/api/certification/candidates/{someone_else.candidate_id}",
        f"/api/certification/candidates/{someone_else.candidate_id}/standing",
        f"/api/certification/sessions/{someone_else.session_id}",
    ):
        assert client.get(path).status_code == 404, path


def test_a_candidate_changes_nothing(candidate_user: Any, own: Any) -> None:
    client = client_for(candidate_user)
    response = call(client, "post", f"/api/certification/registrations/{own.pk}/decision", {"title_granted": True})
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_anonymous_is_unauthorised(own: Any) -> None:
    assert Client().get("/api/certification/titles").status_code == 401


def test_in_training_results_for_a_vae_candidate_are_a_422_on_kind(training_staff: Any) -> None:
    registration = RegistrationFactory(path__kind=PathKind.VAE)
    response = call(
        client_for(training_staff),
        "post",
        f"/api/certification/registrations/{registration.pk}/elements",
        {"kind": "in_training", "result": "14/20"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"kind"}
    assert not EvaluationElement.objects.exists()


def test_a_session_after_the_end_of_validity_is_a_422_on_date(training_staff: Any) -> None:
    version = TitleVersionFactory(valid_until=datetime.date(2025, 12, 31))
    body = {"kind": "title", "version": version.pk, "centre": CentreFactory().pk, "date": "2026-01-05"}
    response = call(client_for(training_staff), "post", "/api/certification/sessions", body)
    assert response.status_code == 422
    assert error_fields(response) == {"date"}
    assert not Session.objects.exists()


def test_a_decision_by_an_invalid_jury_is_a_conflict(training_staff: Any) -> None:
    registration = RegistrationFactory(session=SessionFactory(kind=SessionKind.TITLE))
    JuryMemberFactory(session=registration.session)
    response = call(
        client_for(training_staff),
        "post",
        f"/api/certification/registrations/{registration.pk}/decision",
        {"title_granted": True},
    )
    assert response.status_code == 409
    assert "at least 2 professionals" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_candidate_linked_to_an_unknown_account_is_a_422_on_user(training_staff: Any, client_a: Any) -> None:
    body = {"first_name": "Inès", "last_name": "Moreau", "user": client_a.pk}
    response = call(client_for(training_staff), "post", "/api/certification/candidates", body)
    assert response.status_code == 422
    assert error_fields(response) == {"user"}


def test_holders_of_a_ccp_for_dispatch(manager: Any, training_staff: Any, technician: Any) -> None:
    registration = RegistrationFactory(candidate=CandidateFactory(user=technician))
    JuryMemberFactory.create_batch(2, session=registration.session)
    ccp = registration.session.version.ccps.create(position=1, name="Réparer")
    call(
        client_for(training_staff),
        "post",
        f"/api/certification/registrations/{registration.pk}/decision",
        {"ccps": [ccp.pk]},
    )
    holders = client_for(manager).get(f"/api/certification/ccps/{ccp.pk}/holders").json()
    assert [holder["username"] for holder in holders] == [technician.username]


def test_a_session_moved_after_the_end_of_validity_is_a_422_on_date(training_staff: Any) -> None:
    session = SessionFactory(version=TitleVersionFactory(valid_until=datetime.date(2025, 12, 31)))
    response = call(
        client_for(training_staff), "patch", f"/api/certification/sessions/{session.pk}", {"date": "2026-01-05"}
    )
    assert response.status_code == 422
    assert error_fields(response) == {"date"}
    assert Session.objects.get(pk=session.pk).date == session.date


def test_a_decided_session_and_its_jury_are_a_conflict(training_staff: Any) -> None:
    decision = DecisionFactory(registration__session=SessionFactory(kind=SessionKind.TITLE))
    session = decision.registration.session
    member = JuryMemberFactory(session=session)
    client = client_for(training_staff)
    changed = call(client, "patch", f"/api/certification/sessions/{session.pk}", {"date": "2025-06-09"})
    assert changed.status_code == 409
    assert "decisions are recorded" in changed.content.decode()
    removed = call(client, "delete", f"/api/certification/sessions/{session.pk}/jury/{member.pk}")
    assert removed.status_code == 409
    assert Session.objects.get(pk=session.pk).date == session.date
    assert session.jury.filter(pk=member.pk).exists()


def test_a_jury_member_of_another_session_is_not_found(training_staff: Any) -> None:
    member = JuryMemberFactory()
    other = SessionFactory()
    response = call(client_for(training_staff), "delete", f"/api/certification/sessions/{other.pk}/jury/{member.pk}")
    assert response.status_code == 404
    assert JuryMember.objects.filter(pk=member.pk).exists()


def test_a_path_moved_to_a_ccs_of_another_title_is_a_422_on_ccs(training_staff: Any) -> None:
    path = PathFactory()
    response = call(
        client_for(training_staff), "patch", f"/api/certification/paths/{path.pk}", {"ccs": CcsFactory().pk}
    )
    assert response.status_code == 422
    assert error_fields(response) == {"ccs"}
    path.refresh_from_db()
    assert path.ccs is None


def test_the_admissibility_decision_names_who_recorded_it(training_staff: Any) -> None:
    path = ExperiencePeriodFactory().path
    response = call(
        client_for(training_staff),
        "post",
        f"/api/certification/paths/{path.pk}/admissibility",
        {"admissible": False, "on": "2024-02-01"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["admissibility_recorded_by"] == training_staff.pk
    assert body["admissibility_recorded_at"] is not None


def test_a_vae_candidate_registers_on_the_anniversary_of_the_admissibility(training_staff: Any) -> None:
    """ "une notification de recevabilité lui permettant de s'inscrire à une session titre" (connected-building
    seed): notified on 10 January 2025, the candidate still registers to a session of 10 January 2026."""
    path = ExperiencePeriodFactory(path__version__valid_until=datetime.date(2030, 12, 31)).path
    client = client_for(training_staff)
    notified = call(
        client, "post", f"/api/certification/paths/{path.pk}/admissibility", {"admissible": True, "on": "2025-01-10"}
    )
    assert notified.status_code == 200
    responses = []
    for day in (datetime.date(2026, 1, 10), datetime.date(2026, 1, 11)):
        session = SessionFactory(version=path.version, date=day)
        body = {"candidate": path.candidate_id, "path": path.pk}
        responses.append(call(client, "post", f"/api/certification/sessions/{session.pk}/registrations", body))
    assert [response.status_code for response in responses] == [201, 422]
    assert error_fields(responses[1]) == {"path"}


def test_standing_and_holders_follow_several_to_one_correspondences(
    training_staff: Any, manager: Any, technician: Any
) -> None:
    """ "En cas de révision du titre, l'arrêté de spécialité fixe les correspondances entre les CCP de l'ancien titre
    et ceux du titre révisé." (connected-building seed): on its title revised with old CCP1 + CCP2 → new CCP1, a
    candidate holding old CCP1 alone misses the new CCP1 and is not its holder."""
    old = Title.objects.get(name="Technicien du bâtiment communicant et connecté").current_version()
    old.valid_from, old.valid_until, old.status = datetime.date(2020, 1, 1), datetime.date(2024, 12, 31), "revised"
    old.save()
    revised = TitleVersionFactory(title=old.title, revises=old, valid_from=datetime.date(2025, 1, 1))
    new = [ActivityTypeFactory(version=revised, position=position) for position in (1, 2)]
    correspondence(new[0], *old.ccps.all())
    registration = RegistrationFactory(
        candidate=CandidateFactory(user=technician),
        session=SessionFactory(
            kind=SessionKind.CCP, version=old, ccp=old.ccps.get(position=1), date=datetime.date(2024, 6, 3)
        ),
    )
    JuryMemberFactory.create_batch(2, session=registration.session)
    granted = call(
        client_for(training_staff),
        "post",
        f"/api/certification/registrations/{registration.pk}/decision",
        {"ccps": [registration.session.ccp_id]},
    )
    assert granted.status_code == 201
    standing = client_for(training_staff).get(f"/api/certification/candidates/{registration.candidate_id}/standing")
    [title] = standing.json()
    assert (title["version"], title["held"]) == (revised.pk, [])
    assert [missing["ccp"] for missing in title["missing"]] == [ccp.pk for ccp in new]
    assert client_for(manager).get(f"/api/certification/ccps/{new[0].pk}/holders").json() == []


def test_a_ccs_path_without_the_title_is_a_422_naming_it(training_staff: Any) -> None:
    """ "Un candidat peut préparer un CCS s'il est déjà titulaire du titre professionnel auquel le CCS est associé."
    (industrial maintenance seed)"""
    version = Title.objects.get(name="Technicien(ne) de maintenance industrielle").current_version()
    candidate = CandidateFactory()
    body = {"kind": "continuous", "version": version.pk, "ccs": CcsFactory(title=version.title).pk}
    body["started_on"] = "2025-01-06"
    response = call(client_for(training_staff), "post", f"/api/certification/candidates/{candidate.pk}/paths", body)
    assert response.status_code == 422
    assert error_fields(response) == {"ccs"}
    assert "Technicien(ne) de maintenance industrielle" in response.content.decode()
    assert not Path.objects.exists()


def test_a_ccs_directly_on_experience_through_the_api(training_staff: Any) -> None:
    """ "soit directement s'il justifie de 1 an d'expérience dans le métier visé" (connected-building seed): the
    path needs no admissibility; under a year the registration is refused naming the months counted."""
    version = Title.objects.get(name="Technicien du bâtiment communicant et connecté").current_version()
    version.valid_from, version.valid_until = datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)
    version.save()
    holder = DecisionFactory(
        registration__session=SessionFactory(version=version, date=datetime.date(2024, 6, 3)), title_granted=True
    ).registration.candidate
    ccs = CcsFactory(title=version.title)
    session = SessionFactory(kind=SessionKind.CCS, version=version, ccs=ccs, date=datetime.date(2025, 6, 2))
    client = client_for(training_staff)
    body = {"kind": "experience", "version": version.pk, "ccs": ccs.pk, "started_on": "2025-01-06"}
    created = call(client, "post", f"/api/certification/candidates/{holder.pk}/paths", body)
    assert created.status_code == 201
    path_id = created.json()["id"]
    period = {"employer": "GTB Services", "started_on": "2024-03-01", "ended_on": "2024-12-31"}
    assert call(client, "post", f"/api/certification/paths/{path_id}/experience", period).status_code == 201
    registration = {"candidate": holder.pk, "path": path_id}
    refused = call(client, "post", f"/api/certification/sessions/{session.pk}/registrations", registration)
    assert refused.status_code == 422
    assert error_fields(refused) == {"candidate"}
    assert "10 are counted" in refused.content.decode()
    period = {"employer": "GTB Services", "started_on": "2023-09-01", "ended_on": "2024-02-29"}
    assert call(client, "post", f"/api/certification/paths/{path_id}/experience", period).status_code == 201
    registered = call(client, "post", f"/api/certification/sessions/{session.pk}/registrations", registration)
    assert registered.status_code == 201


def test_a_pair_of_evaluators_cannot_grant_the_title_through_the_api(training_staff: Any) -> None:
    """ "le candidat est évalué par un binôme d'évaluateurs [...] Après obtention de tous les CCP du titre visé le
    jury de professionnels conduit un entretien avec le candidat en vue d'attribuer le titre." (industrial
    maintenance seed): the pair's decision asking for the title is a conflict, and nothing is written."""
    version = Title.objects.get(name="Technicien(ne) de maintenance industrielle").current_version()
    version.valid_from, version.valid_until = datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)
    version.save()
    candidate = CandidateFactory()
    path = PathFactory(candidate=candidate, version=version, kind=PathKind.DISCONTINUOUS)
    for ccp in version.ccps.exclude(position=4):
        DecisionFactory(registration__candidate=candidate, registration__path=path).ccps.create(ccp=ccp)
    session = SessionFactory(kind=SessionKind.CCP, version=version, ccp=version.ccps.get(position=4))
    JuryMemberFactory(session=session)
    JuryMemberFactory(session=session, profile=MemberProfile.TRAINER)
    registration = RegistrationFactory(session=session, candidate=candidate, path=path)
    client = client_for(training_staff)
    url = f"/api/certification/registrations/{registration.pk}/elements"
    assert call(client, "post", url, {"kind": "final_interview"}).status_code == 201
    url = f"/api/certification/registrations/{registration.pk}/decision"
    response = call(client, "post", url, {"ccps": [session.ccp_id], "title_granted": True})
    assert response.status_code == 409
    assert "pair of evaluators grants CCPs only" in response.content.decode()
    assert not Decision.objects.filter(registration=registration).exists()


def test_each_decision_names_the_rules_it_was_taken_under(training_staff: Any) -> None:
    """ "le jury, au vu des éléments spécifiques à chaque parcours, décide ou non de l'attribution du titre"
    (connected-building seed): the rules are those in force on the session date, named on the decision."""
    session = SessionFactory(kind=SessionKind.TITLE, date=datetime.date(2025, 6, 2))
    JuryMemberFactory.create_batch(2, session=session)
    registration = RegistrationFactory(session=session)
    client = client_for(training_staff)
    url = f"/api/certification/registrations/{registration.pk}/decision"
    response = call(client, "post", url, {"title_granted": True})
    assert response.status_code == 201
    assert response.json()["regulation"] == "arrete-2015-2024"
    path = ExperiencePeriodFactory(path__started_on=datetime.date(2023, 9, 4)).path
    decided = call(
        client, "post", f"/api/certification/paths/{path.pk}/admissibility", {"admissible": True, "on": "2023-11-06"}
    )
    assert decided.json()["admissibility_regulation"] == "arrete-2015-2017"
