import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.devices.choices import DataType, Protocol, RegisterType
from maintenir.devices.models import Device, Point


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
