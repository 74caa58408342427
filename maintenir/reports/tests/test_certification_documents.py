"""The livret de certification and the parchemin, rendered by WeasyPrint and read back from the PDF."""

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from maintenir.certification import services
from maintenir.certification.choices import MemberProfile, PathKind, SessionKind
from maintenir.certification.models import Title
from maintenir.certification.tests.factories import JuryMemberFactory, PathFactory, SessionFactory
from maintenir.core.tests.clients import client_for
from maintenir.reports import certification as documents

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def industrial() -> Any:
    version = Title.objects.get(name="Technicien(ne) de maintenance industrielle").current_version()
    version.valid_from, version.valid_until = datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)
    version.save()
    return version


@pytest.fixture
def partial(training_staff: Any, industrial: Any) -> Any:
    """A candidate who passed two CCP sessions of the industrial maintenance title."""
    path = PathFactory(version=industrial, kind=PathKind.DISCONTINUOUS, candidate__last_name="Martin")
    for position, day in ((2, datetime.date(2024, 3, 4)), (3, datetime.date(2024, 9, 2))):
        session = SessionFactory(
            kind=SessionKind.CCP, version=industrial, ccp=industrial.ccps.get(position=position), date=day
        )
        JuryMemberFactory(session=session)
        JuryMemberFactory(session=session, profile=MemberProfile.TRAINER)
        registration = services.register(training_staff, session, path.candidate, path)
        services.record_decision(training_staff, registration, ccps=[session.ccp])
    return path.candidate


def test_the_livret_lists_the_ccps_obtained_and_what_is_missing(
    training_staff: Any, partial: Any, industrial: Any
) -> None:
    text = text_of(documents.livret(training_staff, partial, industrial.title))
    assert "Livret de certification" in text
    assert "Camille Martin" in text
    assert "Réparer les éléments mécaniques et hydrauliques d'un équipement industriel" in text
    assert "Diagnostiquer une défaillance et mettre en service un équipement industriel automatisé" in text
    assert "CCPs still to obtain" in text
    assert "To be obtained by March 4, 2029" in text
    assert "DIRECCTE" in text


def test_the_parchemin_names_the_title_granted(training_staff: Any) -> None:
    version = Title.objects.get(name="Technicien du bâtiment communicant et connecté").current_version()
    path = PathFactory(version=version, candidate__last_name="Durand")
    session = SessionFactory(kind=SessionKind.TITLE, version=version)
    JuryMemberFactory.create_batch(2, session=session)
    decision = services.record_decision(
        training_staff, services.register(training_staff, session, path.candidate, path), title_granted=True
    )
    text = text_of(documents.parchemin(training_staff, decision))
    assert "Titre professionnel" in text
    assert "Technicien du bâtiment communicant et connecté" in text
    assert "RNCP35330" in text
    assert "Camille Durand" in text
    assert "DREETS" in text


def test_no_parchemin_without_a_title_or_ccs_granted(training_staff: Any, partial: Any) -> None:
    decision = partial.registrations.first().decision
    with pytest.raises(ValidationError):
        documents.parchemin(training_staff, decision)


def test_a_candidate_gets_only_their_own_livret(candidate_user: Any, partial: Any, industrial: Any) -> None:
    with pytest.raises(PermissionDenied):
        documents.livret(candidate_user, partial, industrial.title)
    partial.user = candidate_user
    partial.save()
    response = client_for(candidate_user).get(
        f"/api/certification/candidates/{partial.pk}/titles/{industrial.title_id}/livret"
    )
    assert response.status_code == 200
    assert "Martin" in text_of(response.content)
