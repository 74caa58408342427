"""The certification pages for the training centre, a candidate, a technician, a manager and a client."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from maintenir.certification import services
from maintenir.certification.choices import SessionKind
from maintenir.certification.models import Candidate, Decision, Session, Title
from maintenir.certification.tests.factories import (
    CandidateFactory,
    CentreFactory,
    ExperiencePeriodFactory,
    JuryMemberFactory,
    PathFactory,
    RegistrationFactory,
    SessionFactory,
)
from maintenir.core.tests.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def building() -> Any:
    version = Title.objects.get(name="Technicien du bâtiment communicant et connecté").current_version()
    version.valid_from, version.valid_until = datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)
    version.save()
    return version


@pytest.fixture
def titled(training_staff: Any, technician: Any, building: Any) -> Any:
    """The technician persona holds the connected-building title."""
    path = PathFactory(candidate__user=technician, candidate__last_name="Technicienne", version=building)
    session = SessionFactory(kind=SessionKind.TITLE, version=building)
    JuryMemberFactory.create_batch(2, session=session)
    services.record_decision(
        training_staff, services.register(training_staff, session, path.candidate, path), title_granted=True
    )
    return path.candidate


@pytest.fixture
def stranger() -> Any:
    return RegistrationFactory(candidate__last_name="Inconnu").candidate


def test_the_training_centre_reaches_every_page(training_staff: Any, titled: Any, building: Any) -> None:
    client = client_for(training_staff)
    session = titled.registrations.get().session
    for url in (
        reverse("certification-title-list"),
        reverse("certification-title-detail", args=[building.title_id]),
        reverse("certification-candidate-list"),
        reverse("certification-candidate-add"),
        reverse("certification-candidate-detail", args=[titled.pk]),
        reverse("certification-path-add", args=[titled.pk]),
        reverse("certification-session-list"),
        reverse("certification-session-add"),
        reverse("certification-session-detail", args=[session.pk]),
        reverse("certification-jury-add", args=[session.pk]),
        reverse("certification-register", args=[session.pk]),
        reverse("certification-ccp-holders", args=[building.ccps.first().pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("home")).url == reverse("certification-candidate-list")


def test_the_title_page_lists_ccps_and_competences(client_a: Any, building: Any) -> None:
    page = client_for(client_a).get(reverse("certification-title-detail", args=[building.title_id])).content.decode()
    assert "Optimiser et maintenir des équipements de services du bâtiment communicant et connecté" in page
    assert "Assurer la maintenance corrective des équipements de services" in page
    assert "Dossier professionnel (DP)" in page


def test_adding_a_candidate(training_staff: Any, technician: Any) -> None:
    response = client_for(training_staff).post(
        reverse("certification-candidate-add"), {"first_name": "Inès", "last_name": "Moreau", "user": technician.pk}
    )
    candidate = Candidate.objects.get()
    assert response.url == candidate.get_absolute_url()
    assert candidate.user == technician


def test_a_session_after_the_validity_is_refused_on_the_form(training_staff: Any, building: Any) -> None:
    data = {"kind": "title", "version": building.pk, "centre": CentreFactory().pk, "date": "2031-02-03"}
    response = client_for(training_staff).post(reverse("certification-session-add"), data)
    assert response.status_code == 200
    assert "validity ended on" in response.content.decode()
    assert not Session.objects.exists()


def test_recording_a_decision_on_the_form(training_staff: Any, building: Any) -> None:
    registration = RegistrationFactory(session=SessionFactory(kind=SessionKind.TITLE, version=building))
    client = client_for(training_staff)
    url = reverse("certification-decision", args=[registration.pk])
    refused = client.post(url, {"title_granted": "on"})
    assert "at least 2 professionals" in refused.content.decode()
    assert not Decision.objects.exists()
    JuryMemberFactory.create_batch(2, session=registration.session)
    first = building.ccps.get(position=1)
    assert client.post(url, {"ccps": [first.pk]}).status_code == 302
    assert list(registration.decision.ccps.values_list("ccp", flat=True)) == [first.pk]


def test_a_candidate_sees_only_their_own_record(candidate_user: Any, stranger: Any) -> None:
    own = CandidateFactory(user=candidate_user, last_name="Moi")
    client = client_for(candidate_user)
    listed = client.get(reverse("certification-candidate-list")).content.decode()
    assert "Moi" in listed
    assert "Inconnu" not in listed
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(stranger.get_absolute_url()).status_code == 404
    assert client.get(reverse("certification-candidate-add")).status_code == 403
    assert client.get(reverse("certification-path-add", args=[own.pk])).status_code == 403
    assert "Report a fault" not in listed


def test_a_technician_profile_shows_the_titles_held(
    technician: Any, other_technician: Any, manager: Any, titled: Any
) -> None:
    url = reverse("certification-technician", args=[technician.pk])
    for viewer in (technician, manager):
        page = client_for(viewer).get(url).content.decode()
        assert "Technicien du bâtiment communicant et connecté" in page
        assert "title granted" in page
    assert client_for(other_technician).get(url).status_code == 404


def test_holders_of_a_ccp_for_dispatch(manager: Any, technician: Any, titled: Any, building: Any) -> None:
    url = reverse("certification-ccp-holders", args=[building.ccps.first().pk])
    assert str(technician) in client_for(manager).get(url).content.decode()
    assert client_for(technician).get(url).status_code == 403


def test_clients_see_no_certification_record(client_a: Any, titled: Any) -> None:
    client = client_for(client_a)
    assert "Technicienne" not in client.get(reverse("certification-candidate-list")).content.decode()
    assert client.get(titled.get_absolute_url()).status_code == 404
    session = titled.registrations.get().session
    assert client.get(session.get_absolute_url()).status_code == 404


def test_documents_as_pdf_pages(technician: Any, titled: Any, building: Any, other_technician: Any) -> None:
    livret = reverse("certification-livret", args=[titled.pk, building.title_id])
    parchemin = reverse("certification-parchemin", args=[titled.registrations.get().decision.pk])
    for url in (livret, parchemin):
        response = client_for(technician).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert client_for(other_technician).get(url).status_code == 404


def test_editing_a_session_on_the_form(training_staff: Any, manager: Any, building: Any) -> None:
    session = SessionFactory(kind=SessionKind.TITLE, version=building, date=datetime.date(2025, 6, 2))
    url = reverse("certification-session-edit", args=[session.pk])
    data = {"kind": "title", "version": building.pk, "centre": session.centre_id, "date": "2025-06-09"}
    assert client_for(manager).post(url, data).status_code == 403
    assert Session.objects.get(pk=session.pk).date == datetime.date(2025, 6, 2)
    client = client_for(training_staff)
    refused = client.post(url, {**data, "date": "2031-02-03"})
    assert "validity ended on" in refused.content.decode()
    assert client.post(url, data).url == session.get_absolute_url()
    assert Session.objects.get(pk=session.pk).date == datetime.date(2025, 6, 9)


def test_a_decided_session_is_not_edited_on_the_form(training_staff: Any, titled: Any, building: Any) -> None:
    session = titled.registrations.get().session
    client = client_for(training_staff)
    assert (
        reverse("certification-session-edit", args=[session.pk])
        not in client.get(session.get_absolute_url()).content.decode()
    )
    data = {"kind": "title", "version": building.pk, "centre": session.centre_id, "date": "2025-06-09"}
    refused = client.post(reverse("certification-session-edit", args=[session.pk]), data)
    assert "decisions are recorded" in refused.content.decode()
    assert Session.objects.get(pk=session.pk).date == session.date


def test_removing_a_jury_member_shows_the_composition_again(
    training_staff: Any, manager: Any, building: Any, titled: Any
) -> None:
    session = SessionFactory(kind=SessionKind.TITLE, version=building)
    first, second = JuryMemberFactory.create_batch(2, session=session)
    assert client_for(manager).post(reverse("certification-jury-remove", args=[first.pk])).status_code == 403
    client = client_for(training_staff)
    response = client.post(reverse("certification-jury-remove", args=[first.pk]))
    assert response.url == f"{session.get_absolute_url()}#jury"
    page = client.get(response.url).content.decode()
    assert "at least 2 professionals" in page
    assert list(session.jury.all()) == [second]
    decided = titled.registrations.get().session
    member = decided.jury.first()
    refused = client.post(reverse("certification-jury-remove", args=[member.pk]), follow=True).content.decode()
    assert "decisions are recorded" in refused
    assert decided.jury.filter(pk=member.pk).exists()


def test_editing_a_path_on_the_form(training_staff: Any, manager: Any, building: Any) -> None:
    path = PathFactory(version=building)
    url = reverse("certification-path-edit", args=[path.pk])
    data = {"kind": "vae", "version": building.pk, "started_on": "2024-03-04"}
    assert client_for(manager).post(url, data).status_code == 403
    client = client_for(training_staff)
    assert url in client.get(path.candidate.get_absolute_url()).content.decode()
    assert client.post(url, data).url == path.candidate.get_absolute_url()
    path.refresh_from_db()
    assert (path.kind, path.started_on) == ("vae", datetime.date(2024, 3, 4))


def test_the_path_shows_who_recorded_the_admissibility(training_staff: Any, building: Any) -> None:
    path = ExperiencePeriodFactory(path__version=building).path
    training_staff.first_name, training_staff.last_name = "Nadia", "Centre"
    training_staff.save()
    client = client_for(training_staff)
    response = client.post(
        reverse("certification-admissibility", args=[path.pk]), {"admissible": "0", "on": "2024-02-01"}
    )
    assert response.status_code == 302
    assert "recorded by Nadia Centre on" in client.get(path.candidate.get_absolute_url()).content.decode()


def test_a_path_with_its_admissibility_decided_stays_a_vae_path(training_staff: Any, building: Any) -> None:
    path = ExperiencePeriodFactory(path__version=building).path
    services.decide_admissibility(training_staff, path, False, datetime.date(2024, 2, 1))
    data = {"kind": "continuous", "version": building.pk, "started_on": "2024-03-04"}
    response = client_for(training_staff).post(reverse("certification-path-edit", args=[path.pk]), data)
    assert response.status_code == 302
    path.refresh_from_db()
    assert (path.kind, path.started_on) == ("vae", datetime.date(2024, 3, 4))


def test_the_session_page_names_the_rules_each_decision_was_taken_under(training_staff: Any, titled: Any) -> None:
    """The rules apply by the date of the act: the session of 2 June 2025 was judged under the 2015 text as in force
    then (amended in 2017 for juries, in 2024 for VAE)."""
    session = titled.registrations.get().session
    page = client_for(training_staff).get(session.get_absolute_url()).content.decode()
    assert "Decided under: Arrêté du 22 décembre 2015, modifié (VAE sans durée minimale" in page
