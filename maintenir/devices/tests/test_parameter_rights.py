"""Who may write to live equipment: each role and each action (create a set, apply it, revert one's own
application, revert another's), on the pages and through the API, against a real pymodbus server.

A technician applies to the devices of equipment on which they hold an open work order, or anywhere with
the remote parameterisation habilitation; a trainee only with the tutor recorded beside them on such an
order; reverting another person's application is a manager's act. A refusal answers 403 saying why and
writes nothing.
"""

import datetime
import html
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.devices import parameters
from maintenir.devices.choices import ApplicationStatus
from maintenir.devices.models import Application, Device, ParameterEntry, ParameterSet
from maintenir.devices.tests.factories import ParameterSetFactory
from maintenir.devices.tests.peers import modbus_peer_in_thread
from maintenir.devices.tests.test_parameter_pages import entries_data, read
from maintenir.devices.tests.test_parameters import air_handling_unit, float32
from maintenir.people.models import REMOTE_PARAMETERISATION, Technician
from maintenir.people.tests.factories import HabilitationFactory, TechnicianFactory, habilitation_type
from maintenir.workorders.choices import WorkOrderStatus as S
from maintenir.workorders.tests.factories import SupervisionFactory

pytestmark = pytest.mark.django_db

BEFORE, ASKED = 19.0, 20.5
VIA = ["page", "api"]


@pytest.fixture
def device(equipment_a: Any) -> Iterator[Device]:
    """The air-handling unit of equipment A, a live Modbus server holding 19.0 in its heating setpoint."""
    with modbus_peer_in_thread(holding=dict(enumerate(float32(BEFORE)))) as peer:
        yield air_handling_unit(equipment_a, peer.port)


@pytest.fixture
def winter(equipment_a: Any) -> ParameterSet:
    parameter_set = ParameterSetFactory(name="Consignes hiver", site=equipment_a.site)
    ParameterEntry.objects.create(parameter_set=parameter_set, point_name="heating_setpoint", value=ASKED)
    return parameter_set


@pytest.fixture
def trainee(db: None) -> Any:
    return TechnicianFactory(user__username="apprenti", is_trainee=True).user


@pytest.fixture
def beside(at_work: Any) -> Any:
    """Put a trainee on an order of the equipment with their tutor, as dispatch records it."""

    def assign(trainee: Any, tutor: Any, equipment: Any, status: str = S.IN_PROGRESS) -> Any:
        order = at_work(tutor, equipment, status)
        order.assignees.add(trainee)
        SupervisionFactory(work_order=order, trainee=trainee, tutor=tutor)
        return order

    return assign


def grant_remote_parameterisation(user: Any, expires_on: datetime.date | None = None) -> None:
    HabilitationFactory(
        technician=Technician.objects.filter(user=user).first() or TechnicianFactory(user=user),
        habilitation_type=habilitation_type(REMOTE_PARAMETERISATION),
        expires_on=expires_on,
    )


def apply(via: str, user: Any, parameter_set: Any, device: Any, tutor: Any = None) -> Any:
    """Apply the set to the device as the user, from the set's page or through the API."""
    body: dict[str, Any] = {"devices": [device.pk]} | ({"tutor": tutor.pk} if tutor else {})
    if via == "api":
        url = f"/api/parameter-sets/{parameter_set.pk}/apply"
        return client_for(user).post(url, body, content_type="application/json")
    return client_for(user).post(reverse("parameterset-apply", args=[parameter_set.pk]), body)


def revert(via: str, user: Any, application: Any) -> Any:
    if via == "api":
        return client_for(user).post(f"/api/applications/{application.pk}/revert", content_type="application/json")
    return client_for(user).post(reverse("application-revert", args=[application.pk]))


def done(via: str, response: Any) -> bool:
    """Whether the action went through: the API answers 200, the page sends back to the set."""
    return response.status_code == (200 if via == "api" else 302)


def refusal(via: str, response: Any) -> str:
    """The reason given with a 403: the API's JSON detail, the page's text."""
    assert response.status_code == 403, response.content.decode()[:500]
    if via == "api":
        return str(response.json()["detail"])
    return html.unescape(response.content.decode())


def assert_nothing_written(device: Device, applications: int = 0) -> None:
    assert read(device, "heating_setpoint") == BEFORE
    assert Application.objects.count() == applications


# --- Creating a set ---------------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("administrator", True),
        ("manager", True),
        ("technician", True),
        ("trainee", True),
        ("operator_a", False),
        ("client_a", False),
    ],
)
def test_who_may_create_a_set(
    request: pytest.FixtureRequest, via: str, persona: str, allowed: bool, device: Device, equipment_a: Any
) -> None:
    """A set is prepared by the building's staff, a trainee too: it writes nothing until applied."""
    user = request.getfixturevalue(persona)
    if via == "api":
        body = {
            "name": "Été",
            "site": equipment_a.site_id,
            "entries": [{"point_name": "heating_setpoint", "value": 24}],
        }
        response = client_for(user).post("/api/parameter-sets", body, content_type="application/json")
        assert response.status_code == (201 if allowed else 403)
    else:
        response = client_for(user).post(
            reverse("parameterset-add"), entries_data(("heating_setpoint", 24), name="Été")
        )
        assert response.status_code == (302 if allowed else 403)
    assert ParameterSet.objects.filter(name="Été").exists() == allowed


# --- Applying -------------------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("persona", ["administrator", "manager"])
def test_managers_apply_anywhere(
    request: pytest.FixtureRequest, via: str, persona: str, winter: Any, device: Device
) -> None:
    user = request.getfixturevalue(persona)
    assert done(via, apply(via, user, winter, device))
    application = Application.objects.get()
    assert (application.status, application.applied_by, application.tutor) == (ApplicationStatus.APPLIED, user, None)
    assert read(device, "heating_setpoint") == ASKED


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("persona", ["operator_a", "client_a"])
def test_operators_and_clients_never_apply(
    request: pytest.FixtureRequest, via: str, persona: str, winter: Any, device: Device, at_work: Any
) -> None:
    user = request.getfixturevalue(persona)
    at_work(user, device.equipment)
    response = apply(via, user, winter, device)
    assert response.status_code == 403
    assert_nothing_written(device)


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("status", [S.APPROVED, S.PLANNED, S.IN_PROGRESS, S.ON_HOLD, S.DONE])
def test_a_technician_applies_where_they_hold_an_open_order(
    via: str, status: str, technician: Any, winter: Any, device: Device, at_work: Any
) -> None:
    at_work(technician, device.equipment, status)
    assert done(via, apply(via, technician, winter, device))
    assert Application.objects.get().applied_by == technician
    assert read(device, "heating_setpoint") == ASKED


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED])
def test_a_closed_or_cancelled_order_gives_no_right(
    via: str, status: str, technician: Any, winter: Any, device: Device, at_work: Any
) -> None:
    at_work(technician, device.equipment, status)
    assert "You hold no open work order on" in refusal(via, apply(via, technician, winter, device))
    assert_nothing_written(device)


@pytest.mark.parametrize("via", VIA)
def test_without_an_order_on_that_equipment_a_technician_is_refused(
    via: str,
    technician: Any,
    other_technician: Any,
    winter: Any,
    device: Device,
    equipment_a: Any,
    at_work: Any,
) -> None:
    # At work elsewhere on the site, and a colleague's order on this very equipment: neither counts.
    at_work(technician, EquipmentFactory(site=equipment_a.site))
    at_work(other_technician, device.equipment)
    reason = refusal(via, apply(via, technician, winter, device))
    assert f"You hold no open work order on {device.equipment}" in reason
    assert "remote parameterisation habilitation" in reason
    assert_nothing_written(device)


@pytest.mark.parametrize("via", VIA)
def test_the_remote_parameterisation_habilitation_lets_a_technician_apply_anywhere(
    via: str, technician: Any, winter: Any, device: Device
) -> None:
    grant_remote_parameterisation(technician)
    assert done(via, apply(via, technician, winter, device))
    assert read(device, "heating_setpoint") == ASKED


@pytest.mark.parametrize("via", VIA)
def test_an_expired_remote_parameterisation_habilitation_gives_no_right(
    via: str, technician: Any, winter: Any, device: Device
) -> None:
    grant_remote_parameterisation(technician, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert refusal(via, apply(via, technician, winter, device))
    assert_nothing_written(device)


def test_the_habilitation_is_reference_data_named_in_both_languages() -> None:
    remote = habilitation_type(REMOTE_PARAMETERISATION)
    assert remote.is_standard
    assert remote.name == "Remote parameterisation of equipment in service"
    assert remote.name_fr == "Paramétrage à distance des équipements en service"


def test_a_refusal_on_one_device_writes_to_none(
    technician: Any, winter: Any, device: Device, equipment_b: Any, at_work: Any
) -> None:
    """Two devices asked at once, one of them not the technician's to write: nothing is written to either."""
    at_work(technician, device.equipment)
    elsewhere = air_handling_unit(equipment_b, 1)
    ParameterSet.objects.filter(pk=winter.pk).update(site=None)
    with pytest.raises(PermissionDenied):
        parameters.apply_parameter_set(technician, winter, [device, elsewhere])
    assert_nothing_written(device)


# --- Trainees ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIA)
def test_a_trainee_applies_with_their_tutor_named(
    via: str, trainee: Any, technician: Any, winter: Any, device: Device, beside: Any
) -> None:
    beside(trainee, technician, device.equipment)
    assert done(via, apply(via, trainee, winter, device, tutor=technician))
    application = Application.objects.get()
    assert (application.applied_by, application.tutor) == (trainee, technician)
    assert read(device, "heating_setpoint") == ASKED
    page = client_for(technician).get(reverse("parameterset-detail", args=[winter.pk])).content.decode()
    assert f"by {trainee} with their tutor {technician} on" in page


@pytest.mark.parametrize("via", VIA)
def test_a_trainee_without_their_tutor_is_refused(
    via: str, trainee: Any, technician: Any, winter: Any, device: Device, beside: Any
) -> None:
    beside(trainee, technician, device.equipment)
    response = apply(via, trainee, winter, device)
    if via == "api":
        assert "only with their tutor" in refusal(via, response)
    else:
        # The page asks for the tutor it offers.
        assert response.status_code == 200
        assert response.context["apply_form"].errors == {"tutor": ["This field is required."]}
    assert_nothing_written(device)


@pytest.mark.parametrize("via", VIA)
def test_a_trainee_naming_someone_else_than_their_tutor_is_refused(
    via: str,
    trainee: Any,
    technician: Any,
    other_technician: Any,
    winter: Any,
    device: Device,
    beside: Any,
    at_work: Any,
) -> None:
    beside(trainee, technician, device.equipment)
    at_work(other_technician, device.equipment)
    reason = refusal(via, apply(via, trainee, winter, device, tutor=other_technician))
    assert f"{other_technician} is not your tutor on an open work order of {device.equipment}." in reason
    assert_nothing_written(device)


@pytest.mark.parametrize("via", VIA)
def test_a_trainee_alone_on_an_order_is_refused_even_with_the_habilitation(
    via: str, trainee: Any, technician: Any, winter: Any, device: Device, at_work: Any
) -> None:
    at_work(trainee, device.equipment)
    grant_remote_parameterisation(trainee)
    assert "only beside their tutor" in refusal(via, apply(via, trainee, winter, device, tutor=technician))
    assert_nothing_written(device)


@pytest.mark.parametrize("via", VIA)
def test_once_the_order_is_closed_the_trainee_and_tutor_may_no_longer_apply(
    via: str, trainee: Any, technician: Any, winter: Any, device: Device, beside: Any
) -> None:
    beside(trainee, technician, device.equipment, S.CLOSED)
    assert refusal(via, apply(via, trainee, winter, device, tutor=technician))
    assert_nothing_written(device)


def test_only_a_trainee_names_a_tutor(technician: Any, manager: Any, winter: Any, device: Device, at_work: Any) -> None:
    at_work(technician, device.equipment)
    response = apply("api", technician, winter, device, tutor=manager)
    assert response.status_code == 422
    assert "Only a trainee applies under a tutor." in response.content.decode()
    assert_nothing_written(device)


# --- Reverting --------------------------------------------------------------------------------------


def applied_by(user: Any, parameter_set: Any, device: Device, tutor: Any = None) -> Application:
    (application,) = parameters.apply_parameter_set(user, parameter_set, [device], tutor)
    assert application.status == ApplicationStatus.APPLIED, application.error
    return application


def assert_reverted(application: Application, user: Any) -> None:
    application.refresh_from_db()
    assert (application.status, application.reverted_by) == (ApplicationStatus.REVERTED, user)
    assert read(application.device, "heating_setpoint") == BEFORE


def assert_still_applied(application: Application) -> None:
    application.refresh_from_db()
    assert (application.status, application.reverted_by) == (ApplicationStatus.APPLIED, None)
    assert read(application.device, "heating_setpoint") == ASKED


@pytest.mark.parametrize("via", VIA)
def test_a_technician_reverts_their_own_application(
    via: str, technician: Any, winter: Any, device: Device, at_work: Any
) -> None:
    at_work(technician, device.equipment)
    application = applied_by(technician, winter, device)
    assert done(via, revert(via, technician, application))
    assert_reverted(application, technician)


@pytest.mark.parametrize("via", VIA)
def test_a_technician_whose_order_is_closed_no_longer_reverts_their_own(
    via: str, technician: Any, winter: Any, device: Device, at_work: Any
) -> None:
    order = at_work(technician, device.equipment)
    application = applied_by(technician, winter, device)
    order.status = S.CLOSED
    order.save()
    assert "You hold no open work order on" in refusal(via, revert(via, technician, application))
    assert_still_applied(application)


@pytest.mark.parametrize("via", VIA)
def test_reverting_another_persons_application_is_a_managers_act(
    via: str, technician: Any, other_technician: Any, manager: Any, winter: Any, device: Device, at_work: Any
) -> None:
    """Even at work on the equipment, or with the remote parameterisation habilitation."""
    at_work(technician, device.equipment)
    grant_remote_parameterisation(technician)
    for author in (manager, other_technician):
        at_work(author, device.equipment)
        application = applied_by(author, winter, device)
        reason = refusal(via, revert(via, technician, application))
        assert "Reverting another person's application is a manager's act." in reason
        assert_still_applied(application)
        parameters.revert_application(manager, application)


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("persona", ["administrator", "manager"])
def test_managers_revert_anyones_application(
    request: pytest.FixtureRequest, via: str, persona: str, technician: Any, winter: Any, device: Device, at_work: Any
) -> None:
    at_work(technician, device.equipment)
    application = applied_by(technician, winter, device)
    user = request.getfixturevalue(persona)
    assert done(via, revert(via, user, application))
    assert_reverted(application, user)


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("persona", ["operator_a", "client_a"])
def test_operators_and_clients_never_revert(
    request: pytest.FixtureRequest, via: str, persona: str, manager: Any, winter: Any, device: Device
) -> None:
    application = applied_by(manager, winter, device)
    assert revert(via, request.getfixturevalue(persona), application).status_code == 403
    assert_still_applied(application)


@pytest.mark.parametrize("via", VIA)
def test_a_trainees_application_is_reverted_by_their_tutor_not_by_the_trainee(
    via: str, trainee: Any, technician: Any, winter: Any, device: Device, beside: Any
) -> None:
    beside(trainee, technician, device.equipment)
    application = applied_by(trainee, winter, device, tutor=technician)
    assert "reverted by their tutor or a manager" in refusal(via, revert(via, trainee, application))
    assert_still_applied(application)
    assert done(via, revert(via, technician, application))
    assert_reverted(application, technician)


# --- What the pages offer -----------------------------------------------------------------------------


def test_the_pages_offer_a_technician_only_the_devices_of_their_work(
    technician: Any, winter: Any, device: Device, equipment_a: Any, at_work: Any
) -> None:
    client = client_for(technician)
    set_page = reverse("parameterset-detail", args=[winter.pk])
    page = client.get(set_page)
    assert page.context["apply_form"] is None
    assert "You may apply parameter sets to the devices of equipment on which you hold an open work order" in (
        page.content.decode()
    )
    assert "Apply a parameter set" not in client.get(device.get_absolute_url()).content.decode()

    other = air_handling_unit(EquipmentFactory(site=equipment_a.site), 1)
    at_work(technician, device.equipment)
    form = client.get(set_page).context["apply_form"]
    assert [value for value, _label in form.fields["devices"].choices] == [device.pk]
    assert "tutor" not in form.fields
    assert "Apply a parameter set" in client.get(device.get_absolute_url()).content.decode()
    assert "Apply a parameter set" not in client.get(other.get_absolute_url()).content.decode()
    # A forged POST for the device not offered is refused, and writes nothing.
    assert "You hold no open work order on" in refusal("page", apply("page", technician, winter, other))
    assert Application.objects.count() == 0


def test_the_revert_button_shows_only_where_one_may_revert(
    technician: Any, manager: Any, winter: Any, device: Device, at_work: Any
) -> None:
    at_work(technician, device.equipment)
    own = applied_by(technician, winter, device)
    parameters.revert_application(technician, own)
    own = applied_by(technician, winter, device)
    managers = applied_by(manager, winter, device)
    for url in (reverse("parameterset-detail", args=[winter.pk]), device.get_absolute_url()):
        page = client_for(technician).get(url).content.decode()
        assert reverse("application-revert", args=[own.pk]) in page
        assert reverse("application-revert", args=[managers.pk]) not in page
        page = client_for(manager).get(url).content.decode()
        assert reverse("application-revert", args=[managers.pk]) in page


def test_a_trainee_picks_their_tutor_on_the_form(
    trainee: Any, technician: Any, other_technician: Any, winter: Any, device: Device, beside: Any
) -> None:
    client = client_for(trainee)
    assert client.get(reverse("parameterset-detail", args=[winter.pk])).context["apply_form"] is None
    beside(trainee, technician, device.equipment)
    form = client.get(reverse("parameterset-detail", args=[winter.pk])).context["apply_form"]
    assert [value for value, _label in form.fields["tutor"].choices] == ["", technician.pk]
    assert form["tutor"].value() == technician.pk
    assert [value for value, _label in form.fields["devices"].choices] == [device.pk]


def test_a_refusal_speaks_the_users_language(technician: Any, winter: Any, device: Device) -> None:
    url = f"/api/parameter-sets/{winter.pk}/apply"
    response = client_for(technician, HTTP_ACCEPT_LANGUAGE="fr").post(
        url, {"devices": [device.pk]}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith(f"Vous n'avez ni ordre de travail ouvert sur {device.equipment}")
    assert_nothing_written(device)
