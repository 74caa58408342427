"""Training of operators, and the rule it sets on who does a gamme order's level-1 steps."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.preventive.choices import MaintenanceLevel
from maintenir.preventive.models import TrainingSession
from maintenir.preventive.tests.factories import (
    GammeStepFactory,
    PreventiveOrderFactory,
    TrainingSessionFactory,
)
from maintenir.preventive.training import save_training_session
from maintenir.workorders import services
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import ChecklistStep
from maintenir.workorders.tests.factories import ChecklistStepFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gamme() -> Any:
    return GammeStepFactory(level=MaintenanceLevel.LEVEL_1, instruction="Nettoyer les filtres").version.gamme


@pytest.fixture
def steps(gamme: Any, equipment_a: Any, operator_a: Any, technician: Any) -> dict[int, ChecklistStep]:
    """An order in progress following `gamme`, assigned to an operator and a technician: one step per level."""
    origin = PreventiveOrderFactory(
        trigger__plan__site=equipment_a.site, trigger__gamme=gamme, trigger__equipment=equipment_a
    )
    order = origin.work_order
    order.status = WorkOrderStatus.IN_PROGRESS
    order.save()
    order.assignees.set([operator_a, technician])
    return {level: ChecklistStepFactory(work_order=order, level=level) for level in (1, 2)}


def trained(operator: Any, gamme: Any, **fields: Any) -> TrainingSession:
    return TrainingSessionFactory(
        site__organisation=operator.organisation, gammes=[gamme], attendees=[operator], **fields
    )


def stored(step: ChecklistStep) -> tuple[bool, Any]:
    step.refresh_from_db()
    return step.is_done, step.done_by


def test_untrained_operator_is_refused_naming_the_gamme(steps: Any, operator_a: Any, gamme: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_step(operator_a, steps[1])
    assert gamme.code in refused.value.message_dict["step"][0]
    assert stored(steps[1]) == (False, None)


def test_trained_operator_does_level_one_steps(steps: Any, operator_a: Any, gamme: Any) -> None:
    trained(operator_a, gamme)
    services.record_step(operator_a, steps[1], remark="Filtres propres")
    assert stored(steps[1]) == (True, operator_a)


def test_operator_never_does_level_two_steps(steps: Any, operator_a: Any, gamme: Any) -> None:
    trained(operator_a, gamme)
    with pytest.raises(ValidationError) as refused:
        services.record_step(operator_a, steps[2])
    assert "level-1" in refused.value.message_dict["step"][0]
    assert stored(steps[2]) == (False, None)


def test_operator_does_no_step_of_an_order_without_gamme(equipment_a: Any, operator_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.IN_PROGRESS, assignees=[operator_a])
    step = ChecklistStepFactory(work_order=order, level=1)
    with pytest.raises(ValidationError):
        services.record_step(operator_a, step)
    assert stored(step) == (False, None)


@pytest.mark.parametrize(
    "session",
    [
        {"date": timezone.localdate() + datetime.timedelta(days=3)},  # not given yet
        {"gammes": "another"},
    ],
    ids=["future-session", "other-gamme"],
)
def test_only_a_past_session_on_this_gamme_counts(
    session: dict[str, Any], steps: Any, operator_a: Any, gamme: Any
) -> None:
    if session.get("gammes") == "another":
        trained(operator_a, GammeStepFactory(level=MaintenanceLevel.LEVEL_1).version.gamme)
    else:
        trained(operator_a, gamme, **session)
    with pytest.raises(ValidationError):
        services.record_step(operator_a, steps[1])


def test_technician_is_unaffected(steps: Any, technician: Any) -> None:
    for step in steps.values():
        services.record_step(technician, step)
        assert stored(step) == (True, technician)


# --- Recording a session ---------------------------------------------------------------------


def session_on(site: Any, trainer: Any) -> TrainingSession:
    return TrainingSession(site=site, topic="Graissage", date=timezone.localdate(), trainer=trainer)


def test_technician_records_a_session(site_a: Any, technician: Any, operator_a: Any, gamme: Any) -> None:
    session = save_training_session(technician, session_on(site_a, None), [gamme], [operator_a])
    assert session.trainer == technician
    assert list(session.attendees.all()) == [operator_a]
    assert list(operator_a.training_sessions.all()) == [session]


@pytest.mark.parametrize("wrong", ["level_two_gamme", "technician_attendee", "other_client_operator", "client_trainer"])
def test_a_session_that_does_not_fit_is_refused(
    wrong: str, site_a: Any, manager: Any, technician: Any, operator_a: Any, client_a: Any, gamme: Any, org_b: Any
) -> None:
    gammes, attendees, trainer, field = [gamme], [operator_a], technician, "attendees"
    if wrong == "level_two_gamme":
        gammes, field = [GammeStepFactory(level=MaintenanceLevel.LEVEL_2).version.gamme], "gammes"
    elif wrong == "technician_attendee":
        attendees = [technician]
    elif wrong == "other_client_operator":
        attendees = [UserFactory(role=Role.OPERATOR, organisation=org_b)]
    else:
        trainer, field = client_a, "trainer"
    with pytest.raises(ValidationError) as refused:
        save_training_session(manager, session_on(site_a, trainer), gammes, attendees)
    assert field in refused.value.message_dict
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize("persona", ["operator_a", "client_a"])
def test_operators_and_clients_do_not_record_sessions(
    persona: str, request: pytest.FixtureRequest, site_a: Any, technician: Any, operator_a: Any, gamme: Any
) -> None:
    with pytest.raises(PermissionDenied):
        save_training_session(request.getfixturevalue(persona), session_on(site_a, technician), [gamme], [operator_a])
    assert not TrainingSession.objects.exists()


# --- Pages -----------------------------------------------------------------------------------


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_record_and_show_a_session(site_a: Any, technician: Any, operator_a: Any, gamme: Any) -> None:
    client = logged_in(technician)
    form = client.get(reverse("training-add") + f"?gammes={gamme.pk}")
    assert form.status_code == 200
    data = {
        "site": site_a.pk,
        "topic": "Graissage des convoyeurs",
        "date": timezone.localdate().isoformat(),
        "trainer": technician.pk,
        "gammes": [gamme.pk],
        "attendees": [operator_a.pk],
    }
    response = client.post(reverse("training-add"), data)
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    edit = client.post(reverse("training-edit", args=[session.pk]), {**data, "topic": "Graissage et nettoyage"})
    assert edit.status_code == 302
    for url in (session.get_absolute_url(), reverse("gamme-detail", args=[gamme.pk])):
        assert "Graissage et nettoyage" in client.get(url).content.decode()
    listed = client.get(reverse("training-list") + f"?attendee={operator_a.pk}").content.decode()
    assert "Graissage et nettoyage" in listed


def test_page_shows_why_a_session_is_refused(site_a: Any, technician: Any, gamme: Any) -> None:
    response = logged_in(technician).post(
        reverse("training-add"),
        {
            "site": site_a.pk,
            "topic": "Graissage",
            "date": timezone.localdate().isoformat(),
            "trainer": technician.pk,
            "gammes": [gamme.pk],
            "attendees": [],
        },
    )
    assert response.status_code == 200
    assert not TrainingSession.objects.exists()


def test_operator_sees_own_sessions_but_not_another_clients(operator_a: Any, client_b: Any, gamme: Any) -> None:
    session = trained(operator_a, gamme)
    assert session.topic in logged_in(operator_a).get(reverse("training-list")).content.decode()
    assert logged_in(client_b).get(session.get_absolute_url()).status_code == 404
    assert logged_in(operator_a).get(reverse("training-edit", args=[session.pk])).status_code == 403
