from typing import Any

import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.factories import UserFactory
from maintenir.devices.choices import ApplicationStatus, DataType, Protocol, RegisterType
from maintenir.devices.models import Application, Device, ParameterSet, Point
from maintenir.devices.parameters import apply_parameter_set


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = Device

    equipment = factory.SubFactory(EquipmentFactory)
    name = factory.Sequence(lambda n: f"Compteur {n}")
    protocol = Protocol.MODBUS_TCP
    host = "127.0.0.1"


class PointFactory(DjangoModelFactory):
    class Meta:
        model = Point

    device = factory.SubFactory(DeviceFactory)
    name = factory.Sequence(lambda n: f"point_{n}")
    address = factory.Sequence(lambda n: str(n * 2))
    register_type = RegisterType.HOLDING
    data_type = DataType.FLOAT32
    unit = "kW"


class ParameterSetFactory(DjangoModelFactory):
    class Meta:
        model = ParameterSet

    name = factory.Sequence(lambda n: f"Consignes hiver {n}")


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    parameter_set = factory.SubFactory(ParameterSetFactory)
    device = factory.SubFactory(DeviceFactory)
    status = ApplicationStatus.APPLIED
    applied_by = factory.SubFactory(UserFactory)


def apply_values(user: Any, device: Device, **values: float) -> Application:
    """Apply a new parameter set of these point → value entries to one device, as `user`."""
    parameter_set: Any = ParameterSetFactory()
    for name, value in values.items():
        parameter_set.entries.create(point_name=name, value=value)
    (application,) = apply_parameter_set(user, parameter_set, [device])
    return application
