from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import HOSTILE, client_for, csv_rows
from maintenir.devices.models import Device, Point
from maintenir.devices.tests.factories import DeviceFactory, PointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def point_a(equipment_a: Any) -> Any:
    return PointFactory(device__equipment=equipment_a, device__name="Compteur TGBT", name="active_power")


DEVICE_PAGES = ["device-detail", "device-edit", "point-add", "points-export", "points-import"]


@pytest.mark.parametrize("name", ["device-list", "device-add", *DEVICE_PAGES, "point-edit"])
def test_anonymous_is_sent_to_login(name: str) -> None:
    response = Client().get(reverse(name, args=[] if name in {"device-list", "device-add"} else [1]))
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", DEVICE_PAGES)
def test_pages_render_for_the_technician_and_are_404_for_the_other_client(
    name: str, technician: Any, client_b: Any, point_a: Any
) -> None:
    url = reverse(name, args=[point_a.device.pk])
    assert client_for(technician).get(url).status_code == 200
    assert client_for(client_b).get(url).status_code == 404


def test_the_device_page_shows_current_values(client_a: Any, point_a: Any) -> None:
    Point.objects.filter(pk=point_a.pk).update(last_value=12.5, last_quality="good")
    page = client_for(client_a).get(point_a.device.get_absolute_url()).content.decode()
    assert "active_power" in page
    assert "12.5" in page
    assert reverse("point-edit", args=[point_a.pk]) not in page


def test_lists_show_only_the_visible_devices(client_a: Any, client_b: Any, point_a: Any) -> None:
    assert "Compteur TGBT" in client_for(client_a).get(reverse("device-list")).content.decode()
    assert "Compteur TGBT" not in client_for(client_b).get(reverse("device-list")).content.decode()


def test_technician_adds_a_device_and_a_bad_point_is_named(technician: Any, equipment_a: Any) -> None:
    client = client_for(technician)
    data = {
        "equipment": equipment_a.pk,
        "name": "Onduleur PV",
        "protocol": "modbus_tcp",
        "host": "192.0.2.10",
        "unit_id": 1,
        "is_enabled": "on",
        "poll_interval": 30,
        "timeout": 3,
        "grace_period": 300,
    }
    response = client.post(reverse("device-add"), data)
    device = Device.objects.get(name="Onduleur PV")
    assert response["Location"] == device.get_absolute_url()
    bad = {"name": "p", "address": "x", "register_type": "holding", "data_type": "uint16", "word_order": "big"}
    bad |= {"scale": 1, "offset": 0, "write_priority": 16}
    response = client.post(reverse("point-add", args=[device.pk]), bad)
    assert response.context["form"]["address"].errors
    assert not Point.objects.exists()


def test_point_list_import_with_errors_by_line(technician: Any, point_a: Any) -> None:
    csv = b"name,address,register_type,data_type\nvoltage,40,input,uint16\nfrequency,x,holding,uint16\n"
    response = client_for(technician).post(
        reverse("points-import", args=[point_a.device.pk]), {"file": SimpleUploadedFile("p.csv", csv)}
    )
    assert "line 3, column address" in response.content.decode()
    assert not Point.objects.filter(name="voltage").exists()


def test_clients_may_not_change_devices(client_a: Any, point_a: Any) -> None:
    assert client_for(client_a).get(reverse("device-edit", args=[point_a.device.pk])).status_code == 403
    assert client_for(client_a).get(reverse("device-add")).status_code == 403
    assert client_for(client_a).get(reverse("point-edit", args=[point_a.pk])).status_code == 403


def test_an_opc_ua_point_needs_a_node_id(technician: Any, equipment_a: Any) -> None:

    device = DeviceFactory(equipment=equipment_a, protocol="opc_ua")
    data = {"name": "temp", "address": "not a node", "word_order": "big", "scale": 1, "offset": 0}
    response = client_for(technician).post(reverse("point-add", args=[device.pk]), data | {"write_priority": 16})
    assert response.context["form"]["address"].errors
    data["address"] = "ns=2;s=AHU1.SupplyTemp"
    response = client_for(technician).post(reverse("point-add", args=[device.pk]), data | {"write_priority": 16})
    assert Point.objects.get(device=device).address == "ns=2;s=AHU1.SupplyTemp"


def test_a_point_shows_by_its_display_name_wherever_it_is_shown(technician: Any, point_a: Any) -> None:
    client = client_for(technician)
    bare = client.get(point_a.device.equipment.get_absolute_url()).content.decode()
    assert "active_power" in bare  # without a display name, the name
    Point.objects.filter(pk=point_a.pk).update(display_name="Puissance active")
    for url in (
        point_a.device.equipment.get_absolute_url(),
        point_a.device.get_absolute_url(),
        reverse("point-history", args=[point_a.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Puissance active" in page, url
    point_a.refresh_from_db()
    assert str(point_a) == "Compteur TGBT — Puissance active"


def test_point_list_export_neutralises_formulas_and_an_import_reads_them_back(technician: Any, point_a: Any) -> None:
    Point.objects.filter(pk=point_a.pk).update(name=HOSTILE, unit="+HYPERLINK(1)", min_value=-2.5)
    client = client_for(technician)
    exported = client.get(reverse("points-export", args=[point_a.device.pk]))
    [row] = csv_rows(exported)
    assert (row["name"], row["unit"], row["min_value"]) == ("'" + HOSTILE, "'+HYPERLINK(1)", "-2.5")
    client.post(
        reverse("points-import", args=[point_a.device.pk]),
        {"file": SimpleUploadedFile("p.csv", exported.content)},
    )
    point = Point.objects.get()
    assert (point.name, point.unit, point.min_value) == (HOSTILE, "+HYPERLINK(1)", -2.5)
