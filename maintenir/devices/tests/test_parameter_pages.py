"""Parameter-set pages: tenancy, refused roles, the entries' formset, and apply/revert against a real
pymodbus server."""

import re
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.devices import parameters, services
from maintenir.devices.choices import ApplicationStatus
from maintenir.devices.drivers import driver_for
from maintenir.devices.models import Application, Device, ParameterEntry, ParameterSet, Point
from maintenir.devices.tests.factories import ApplicationFactory, ParameterSetFactory, PointFactory
from maintenir.devices.tests.peers import modbus_peer_in_thread
from maintenir.devices.tests.test_parameters import air_handling_unit, float32

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def application_a(equipment_a: Any, technician: Any, at_work: Any) -> Any:
    """Org A's device with a set applied to it by the technician at work on its equipment."""
    at_work(technician, equipment_a)
    point = PointFactory(device__equipment=equipment_a, device__name="CTA Lumière", name="heating_setpoint")
    point.writable = True
    point.save()
    parameter_set = ParameterSetFactory(name="Consignes hiver", site=equipment_a.site)
    ParameterEntry.objects.create(parameter_set=parameter_set, point_name="heating_setpoint", value=20.5)
    return ApplicationFactory(parameter_set=parameter_set, device=point.device, applied_by=technician)


def entries_data(*rows: tuple[str, Any], name: str = "Consignes hiver", extra: int = 0) -> dict[str, Any]:
    """The POST of the set's form: its fields and the entries' formset rows."""
    data: dict[str, Any] = {
        "name": name,
        "description": "",
        "entries-TOTAL_FORMS": len(rows) + extra,
        "entries-INITIAL_FORMS": 0,
    }
    for index, (point_name, value) in enumerate(rows):
        data |= {f"entries-{index}-point_name": point_name, f"entries-{index}-value": value}
    return data


SET_PAGES = ["parameterset-detail", "parameterset-edit"]


@pytest.mark.parametrize("name", ["parameterset-list", "parameterset-add", *SET_PAGES])
def test_anonymous_is_sent_to_login(name: str) -> None:
    args = [1] if name in SET_PAGES else []
    assert Client().get(reverse(name, args=args))["Location"].startswith(reverse("login"))


def test_pages_render_for_the_technician(technician: Any, application_a: Any) -> None:
    client = client_for(technician)
    set_pk = application_a.parameter_set.pk
    for url in [
        reverse("parameterset-list"),
        reverse("parameterset-add"),
        reverse("parameterset-detail", args=[set_pk]),
        reverse("parameterset-edit", args=[set_pk]),
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("parameterset-detail", args=[set_pk])).content.decode()
    assert "CTA Lumière" in page
    assert reverse("application-revert", args=[application_a.pk]) in page


def test_the_other_client_finds_nothing_of_org_a_set(client_b: Any, application_a: Any) -> None:
    """A set tied to client A's site is client A's data; its applications belong to the devices' client."""
    client = client_for(client_b)
    parameter_set = application_a.parameter_set
    response = client.get(reverse("parameterset-detail", args=[parameter_set.pk]))
    assert response.status_code == 404
    assert "Consignes hiver" not in client.get(reverse("parameterset-list")).content.decode()
    assert client.post(reverse("application-revert", args=[application_a.pk])).status_code == 404
    device = application_a.device
    assert client.get(reverse("device-detail", args=[device.pk])).status_code == 404


def test_a_company_template_is_for_the_staff_only(
    client_a: Any, operator_a: Any, technician: Any, application_a: Any
) -> None:
    template = ParameterSetFactory(name="Modèle réduit de nuit")
    url = reverse("parameterset-detail", args=[template.pk])
    for outsider in (client_a, operator_a):
        assert client_for(outsider).get(url).status_code == 404
        assert "Modèle réduit de nuit" not in client_for(outsider).get(reverse("parameterset-list")).content.decode()
    page = client_for(technician).get(url).content.decode()
    assert "Company template" in page
    # The client's own set says whose devices it is for.
    own = client_for(client_a).get(reverse("parameterset-detail", args=[application_a.parameter_set.pk]))
    assert f"For the devices of {application_a.device.equipment.site}." in own.content.decode()


def test_a_set_of_a_site_applies_to_that_sites_devices_only(
    technician: Any, manager: Any, application_a: Any, equipment_b: Any
) -> None:
    elsewhere = PointFactory(device__equipment=equipment_b, device__name="CTA Usine", name="heating_setpoint")
    Point.objects.filter(pk=elsewhere.pk).update(writable=True)
    page = client_for(technician).get(reverse("parameterset-detail", args=[application_a.parameter_set.pk]))
    assert set(page.context["apply_form"].fields["devices"].queryset) == {application_a.device}
    with pytest.raises(ValidationError, match="CTA Usine: the set is for the devices of"):
        parameters.apply_parameter_set(manager, application_a.parameter_set, [elsewhere.device])


def test_refused_roles_change_nothing(client_a: Any, application_a: Any) -> None:
    client = client_for(client_a)
    parameter_set = application_a.parameter_set
    page = client.get(reverse("parameterset-detail", args=[parameter_set.pk])).content.decode()
    # The client sees their device's application, without the buttons that would change it.
    assert "CTA Lumière" in page
    assert reverse("application-revert", args=[application_a.pk]) not in page
    assert reverse("parameterset-edit", args=[parameter_set.pk]) not in page
    assert client.get(reverse("parameterset-add")).status_code == 403
    assert client.post(reverse("parameterset-add"), entries_data(("heating_setpoint", 18), name="x")).status_code == 403
    edit = reverse("parameterset-edit", args=[parameter_set.pk])
    assert client.post(edit, entries_data(("heating_setpoint", 18))).status_code == 403
    assert client.post(reverse("application-revert", args=[application_a.pk])).status_code == 403
    response = client.post(
        reverse("parameterset-apply", args=[parameter_set.pk]), {"devices": [application_a.device.pk]}
    )
    assert response.status_code == 403
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.APPLIED
    assert Application.objects.count() == 1
    assert list(parameter_set.entries.values_list("point_name", "value")) == [("heating_setpoint", 20.5)]
    assert ParameterSet.objects.count() == 1


def test_entries_offer_only_the_writable_points_one_may_see(
    technician: Any, equipment_a: Any, equipment_b: Any
) -> None:
    PointFactory(device__equipment=equipment_a, name="heating_setpoint", writable=True)
    PointFactory(device__equipment=equipment_a, name="supply_temperature")
    PointFactory(device__equipment=equipment_b, name="press_pressure_limit", writable=True)
    PointFactory(device__equipment=equipment_b, name="heating_setpoint", writable=True)
    page = client_for(technician).get(reverse("parameterset-add"))
    offered = [value for value, _label in page.context["entries"].forms[0].fields["point_name"].choices]
    # Staff work for every client; a point name shared by several devices is offered once.
    assert offered == ["", "heating_setpoint", "press_pressure_limit"]


def test_entry_errors_name_the_row_and_the_field(technician: Any, equipment_a: Any) -> None:
    PointFactory(device__equipment=equipment_a, name="heating_setpoint", writable=True)
    PointFactory(device__equipment=equipment_a, name="fan_speed", writable=True)
    PointFactory(device__equipment=equipment_a, name="supply_temperature")
    client = client_for(technician)
    data = entries_data(("heating_setpoint", "20.5"), ("fan_speed", "fast"), ("supply_temperature", 18))
    page = client.post(reverse("parameterset-add"), data).content.decode()
    assert "Row 2, Value: Enter a number." in page
    assert "Row 3, Point: Select a valid choice." in page
    assert not ParameterSet.objects.exists()

    data = entries_data(("heating_setpoint", "20.5"), ("fan_speed", 60), ("heating_setpoint", 21), extra=2)
    page = client.post(reverse("parameterset-add"), data).content.decode()
    assert "Row 3, Point: heating_setpoint is already set on row 1." in page
    assert not ParameterSet.objects.exists()


def test_editing_replaces_the_entries(technician: Any, application_a: Any) -> None:
    PointFactory(device=application_a.device, name="fan_speed", writable=True)
    parameter_set = application_a.parameter_set
    client = client_for(technician)
    page = client.get(reverse("parameterset-edit", args=[parameter_set.pk]))
    assert page.context["entries"].initial == [{"point_name": "heating_setpoint", "value": 20.5}]
    data = entries_data(("heating_setpoint", "19"), ("fan_speed", "40"), extra=1) | {
        "entries-INITIAL_FORMS": 1,
        "entries-0-DELETE": "on",
    }
    response = client.post(reverse("parameterset-edit", args=[parameter_set.pk]), data)
    assert response["Location"] == parameter_set.get_absolute_url()
    assert list(parameter_set.entries.values_list("point_name", "value")) == [("fan_speed", 40)]


def read(device: Device, name: str) -> float:
    """The point's value on the device now, asked through its driver."""
    spec = services.point_spec(device.points.get(name=name))

    async def ask() -> float:
        async with driver_for(device.protocol)(services.connection_of(device)) as driver:
            return await services.read_value(driver, spec)

    return async_to_sync(ask)()


def test_create_apply_and_revert_from_the_pages(technician: Any, equipment_a: Any, at_work: Any) -> None:
    at_work(technician, equipment_a)
    with modbus_peer_in_thread(holding={**dict(enumerate(float32(19.0))), 2: 40}) as peer:
        device = air_handling_unit(equipment_a, peer.port)
        client = client_for(technician)
        assert "Apply a parameter set" in client.get(device.get_absolute_url()).content.decode()
        response = client.post(reverse("parameterset-add"), entries_data(("heating_setpoint", 20.5), ("fan_speed", 60)))
        parameter_set = ParameterSet.objects.get(name="Consignes hiver")
        assert response["Location"] == parameter_set.get_absolute_url()

        # From the device page, the set's page comes with the device ticked.
        listing = client.get(reverse("parameterset-list") + f"?device={device.pk}").content.decode()
        detail_url = f"{parameter_set.get_absolute_url()}?device={device.pk}"
        assert detail_url in listing
        assert client.get(detail_url).context["apply_form"]["devices"].value() == [str(device.pk)]

        response = client.post(
            reverse("parameterset-apply", args=[parameter_set.pk]), {"devices": [device.pk]}, follow=True
        )
        assert messages_of(response) == ["Consignes hiver applied to CTA and read back."]
        (application,) = Application.objects.all()
        assert application.status == ApplicationStatus.APPLIED
        assert application.applied_by == technician
        page = re.sub(r">\s+<", "><", response.content.decode())
        assert "Applied and verified" in page
        # Point, unit, value before, value written, value read back.
        assert (
            '<td>heating_setpoint</td><td class="hide-phone">kW</td><td>19</td><td>20.500</td><td>20.500</td>' in page
        )
        assert '<td>fan_speed</td><td class="hide-phone">kW</td><td>40</td><td>60</td><td>60</td>' in page
        assert (read(device, "heating_setpoint"), read(device, "fan_speed")) == (20.5, 60)

        response = client.post(reverse("application-revert", args=[application.pk]), follow=True)
        assert messages_of(response) == ["Consignes hiver reverted on CTA."]
        application.refresh_from_db()
        assert (application.status, application.reverted_by) == (ApplicationStatus.REVERTED, technician)
        assert (read(device, "heating_setpoint"), read(device, "fan_speed")) == (19.0, 40)
        assert reverse("application-revert", args=[application.pk]) not in response.content.decode()
        # A second revert (an old page) is refused with the reason, and writes nothing.
        response = client.post(reverse("application-revert", args=[application.pk]), follow=True)
        assert messages_of(response) == ["Only an applied parameter set can be reverted."]


def test_a_refused_write_names_the_point_and_undoes_the_others(technician: Any, equipment_a: Any, at_work: Any) -> None:
    at_work(technician, equipment_a)
    with modbus_peer_in_thread(holding={**dict(enumerate(float32(19.0))), 2: 40}, size=10) as peer:
        device = air_handling_unit(equipment_a, peer.port)
        # Beyond the device's registers: it answers with an exception.
        Point.objects.filter(device=device, name="fan_speed").update(address="50")
        parameter_set = ParameterSetFactory(name="Consignes hiver")
        ParameterEntry.objects.create(parameter_set=parameter_set, point_name="heating_setpoint", value=20.5)
        ParameterEntry.objects.create(parameter_set=parameter_set, point_name="fan_speed", value=60)
        response = client_for(technician).post(
            reverse("parameterset-apply", args=[parameter_set.pk]), {"devices": [device.pk]}, follow=True
        )
        (message,) = messages_of(response)
        assert message.startswith("Consignes hiver not applied to CTA, put back as it was: fan_speed: ")
        assert Application.objects.get().status == ApplicationStatus.FAILED
        assert read(device, "heating_setpoint") == 19.0


def test_only_the_devices_with_the_sets_points_are_offered(
    technician: Any, application_a: Any, equipment_a: Any
) -> None:
    """The set writes heating_setpoint: a meter without it, or with it read-only, is not offered."""
    other = PointFactory(device__equipment=equipment_a, device__name="Compteur", name="active_power").device
    read_only = PointFactory(device__equipment=equipment_a, device__name="Sonde", name="heating_setpoint").device
    same = PointFactory(device__equipment=equipment_a, device__name="CTA Soleil", name="heating_setpoint")
    Point.objects.filter(pk=same.pk).update(writable=True)
    client = client_for(technician)
    parameter_set = application_a.parameter_set
    page = client.get(reverse("parameterset-detail", args=[parameter_set.pk]))
    offered = set(page.context["apply_form"].fields["devices"].queryset)
    assert offered == {application_a.device, same.device}
    assert "Compteur" not in page.content.decode()
    response = client.post(reverse("parameterset-apply", args=[parameter_set.pk]), {"devices": [other.pk]})
    assert response.status_code == 200
    assert "devices" in response.context["apply_form"].errors
    assert read_only not in offered
    assert Application.objects.count() == 1


def test_the_service_refuses_a_device_without_the_points_by_name(
    technician: Any, application_a: Any, equipment_a: Any
) -> None:
    other = PointFactory(device__equipment=equipment_a, device__name="Compteur", name="active_power").device
    with pytest.raises(ValidationError) as refused:
        parameters.apply_parameter_set(technician, application_a.parameter_set, [other])
    assert refused.value.message_dict["devices"] == ["Compteur: no point heating_setpoint; not writable: -."]
    assert Application.objects.count() == 1


def test_an_entry_shows_the_display_name_of_its_points(technician: Any, application_a: Any) -> None:
    Point.objects.filter(name="heating_setpoint").update(display_name="Consigne de chauffage")
    page = client_for(technician).get(reverse("parameterset-detail", args=[application_a.parameter_set.pk]))
    assert "Consigne de chauffage" in page.content.decode()


def test_the_entry_labels_follow_the_language_they_are_shown_in() -> None:
    from django.utils import translation

    from maintenir.devices.forms import ParameterEntryForm

    labels = ParameterEntryForm.base_fields
    with translation.override("fr"):
        assert (str(labels["point_name"].label), str(labels["value"].label)) == ("Point", "Valeur")
    with translation.override("en"):
        assert str(labels["value"].label) == "Value"
