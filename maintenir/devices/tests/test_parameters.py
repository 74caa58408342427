"""Parameter sets applied, verified and reverted against a real pymodbus server."""

import struct
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maintenir.core.services import TransitionError
from maintenir.devices import parameters
from maintenir.devices.choices import ApplicationStatus
from maintenir.devices.models import ParameterEntry, PointWrite
from maintenir.devices.tests.factories import DeviceFactory, ParameterSetFactory, PointFactory
from maintenir.devices.tests.peers import modbus_peer_in_thread

pytestmark = pytest.mark.django_db


def float32(value: float) -> list[int]:
    return list(struct.unpack(">HH", struct.pack(">f", value)))


@pytest.fixture
def winter(db: None) -> Any:
    parameter_set = ParameterSetFactory(name="Consignes hiver")
    ParameterEntry.objects.create(parameter_set=parameter_set, point_name="heating_setpoint", value=20.5)
    ParameterEntry.objects.create(parameter_set=parameter_set, point_name="fan_speed", value=60)
    return parameter_set


def air_handling_unit(equipment: Any, port: int) -> Any:
    device = DeviceFactory(equipment=equipment, name="CTA", port=port, timeout=2)
    PointFactory(device=device, name="heating_setpoint", address="0", data_type="float32", writable=True)
    PointFactory(device=device, name="fan_speed", address="2", data_type="uint16", writable=True)
    PointFactory(device=device, name="supply_temperature", address="3", data_type="int16", scale=0.1)
    return device


def test_apply_verify_and_revert(technician: Any, equipment_a: Any, winter: Any, at_work: Any) -> None:
    at_work(technician, equipment_a)
    with modbus_peer_in_thread(holding={**dict(enumerate(float32(19.0))), 2: 40}) as peer:
        device = air_handling_unit(equipment_a, peer.port)
        (application,) = parameters.apply_parameter_set(technician, winter, [device])
        assert application.status == ApplicationStatus.APPLIED
        writes = {write.point.name: write for write in PointWrite.objects.filter(application=application)}
        assert (writes["heating_setpoint"].old_value, writes["heating_setpoint"].read_back) == (19.0, 20.5)
        assert (writes["fan_speed"].old_value, writes["fan_speed"].read_back) == (40, 60)
        parameters.revert_application(technician, application)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.REVERTED
        assert application.reverted_by == technician
        # The device holds its old values again.
        (again,) = parameters.apply_parameter_set(technician, winter, [device])
        assert {write.point.name: write.old_value for write in again.writes.select_related("point")} == {
            "heating_setpoint": 19.0,
            "fan_speed": 40,
        }
        with pytest.raises(TransitionError):
            parameters.revert_application(technician, application)


def test_a_read_only_or_missing_point_is_refused_before_any_write(
    technician: Any, equipment_a: Any, winter: Any, at_work: Any
) -> None:
    at_work(technician, equipment_a)
    ParameterEntry.objects.create(parameter_set=winter, point_name="supply_temperature", value=18)
    device = air_handling_unit(equipment_a, 1)
    with pytest.raises(ValidationError, match="not writable: supply_temperature"):
        parameters.apply_parameter_set(technician, winter, [device])
    assert not device.applications.exists()


def test_a_device_that_does_not_answer_is_recorded_as_failed(
    technician: Any, equipment_a: Any, winter: Any, at_work: Any
) -> None:
    at_work(technician, equipment_a)
    with modbus_peer_in_thread() as peer:
        port = peer.port
    device = air_handling_unit(equipment_a, port)
    (application,) = parameters.apply_parameter_set(technician, winter, [device])
    assert application.status == ApplicationStatus.FAILED
    assert application.error
    assert not application.writes.exists()


def test_clients_may_not_apply(client_a: Any, equipment_a: Any, winter: Any) -> None:
    with pytest.raises(PermissionDenied):
        parameters.apply_parameter_set(client_a, winter, [air_handling_unit(equipment_a, 1)])
