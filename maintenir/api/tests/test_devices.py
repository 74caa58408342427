"""The device and point endpoints: the fields of every protocol's points."""

from typing import Any

import pytest

from maintenir.core.tests.clients import client_for
from maintenir.devices.choices import Protocol
from maintenir.devices.models import Point
from maintenir.devices.tests.factories import DeviceFactory, PointFactory

pytestmark = pytest.mark.django_db


def test_a_knx_point_is_created_with_its_datapoint_type(technician: Any, equipment_a: Any) -> None:
    device = DeviceFactory(equipment=equipment_a, protocol=Protocol.KNX_IP, host="224.0.23.12", port=3671)
    response = client_for(technician).post(
        f"/api/devices/{device.pk}/points",
        {"name": "room-temperature", "address": "1/0/1", "dpt": "9.001", "subscribed": True, "unit": "°C"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["dpt"], response.json()["subscribed"]) == ("9.001", True)
    point = Point.objects.get(device=device)
    assert (point.dpt, point.subscribed) == ("9.001", True)


def test_a_knx_point_without_its_datapoint_type_is_refused_naming_the_field(technician: Any, equipment_a: Any) -> None:
    device = DeviceFactory(equipment=equipment_a, protocol=Protocol.KNX_IP, host="224.0.23.12", port=3671)
    response = client_for(technician).post(
        f"/api/devices/{device.pk}/points", {"name": "t", "address": "1/0/1"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "dpt" in str(response.json())
    assert not Point.objects.filter(device=device).exists()


def test_an_opcua_point_is_subscribed_and_unsubscribed(technician: Any, equipment_a: Any) -> None:
    device = DeviceFactory(equipment=equipment_a, protocol=Protocol.OPC_UA, port=4840)
    client = client_for(technician)
    created = client.post(
        f"/api/devices/{device.pk}/points",
        {"name": "supply", "address": "ns=2;s=AHU1.SupplyTemp", "subscribed": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["subscribed"] is True
    point_id = created.json()["id"]
    changed = client.patch(f"/api/points/{point_id}", {"subscribed": False}, content_type="application/json")
    assert changed.status_code == 200
    assert Point.objects.get(pk=point_id).subscribed is False
    listed = client.get(f"/api/devices/{device.pk}/points").json()
    assert [(item["name"], item["subscribed"], item["dpt"]) for item in listed] == [("supply", False, "")]


def test_a_points_last_error_is_shown_to_its_clients_users_only(client_a: Any, client_b: Any, equipment_a: Any) -> None:
    device = DeviceFactory(equipment=equipment_a, protocol=Protocol.MODBUS_TCP)
    point = PointFactory(device=device, name="flow", last_quality="bad", last_error="illegal data address (2)")
    listed = client_for(client_a).get(f"/api/devices/{device.pk}/points").json()
    assert [(item["name"], item["last_quality"], item["last_error"]) for item in listed] == [
        ("flow", "bad", "illegal data address (2)")
    ]
    assert client_for(client_b).get(f"/api/devices/{device.pk}/points").status_code == 404
    assert client_for(client_b).get(f"/api/points/{point.pk}/readings").status_code == 404
