"""One driver per protocol behind one small interface (see `base.Driver`)."""

from maintenir.devices.choices import Protocol
from maintenir.devices.drivers.bacnet import BacnetDriver
from maintenir.devices.drivers.base import Driver
from maintenir.devices.drivers.knx import KnxDriver
from maintenir.devices.drivers.modbus import ModbusDriver
from maintenir.devices.drivers.opcua import OpcUaDriver

DRIVERS: dict[str, type[Driver]] = {
    Protocol.MODBUS_TCP: ModbusDriver,
    Protocol.BACNET_IP: BacnetDriver,
    Protocol.KNX_IP: KnxDriver,
    Protocol.OPC_UA: OpcUaDriver,
}


def driver_for(protocol: str) -> type[Driver]:
    try:
        return DRIVERS[protocol]
    except KeyError:
        raise NotImplementedError(f"no driver for {protocol} yet") from None
