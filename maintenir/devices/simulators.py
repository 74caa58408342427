"""Simulated devices speaking the real protocols on 127.0.0.1, for the demo and the benchmarks.

A Modbus device is a pymodbus server whose registers are recomputed from the clock at each
read; the air-handling unit is a BACnet/IP controller (bacpypes3) whose inputs follow the clock
and its own commands; the vibration sensor publishes to the MQTT broker like a real wireless
sensor gateway.
"""

import asyncio
import contextlib
import json
import logging
import math
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiomqtt
from bacpypes3.app import Application
from bacpypes3.local.analog import AnalogInputObject, AnalogValueObjectCmd
from bacpypes3.local.binary import BinaryOutputObject
from bacpypes3.local.object import Object
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from maintenir.devices.drivers.bacnet import bacnet_application
from maintenir.devices.mqtt import TOPIC_ROOT

logger = logging.getLogger(__name__)
# pymodbus logs every frame at INFO when a server runs in the process.
logging.getLogger("pymodbus").setLevel(logging.WARNING)

STARTED = time.time()
# A register map: address → (data type, function of the time in seconds).
RegisterMap = dict[int, tuple[str, Callable[[float], float]]]


def _words(data_type: str, value: float) -> list[int]:
    if data_type == "float32":
        return list(struct.unpack(">HH", struct.pack(">f", value)))
    if data_type == "uint32":
        return list(struct.unpack(">HH", struct.pack(">I", int(value) & 0xFFFFFFFF)))
    if data_type == "int16":
        return list(struct.unpack(">H", struct.pack(">h", int(value))))
    return [int(value) & 0xFFFF]


def daylight(now: float) -> float:
    """0 at night, 1 at solar noon (a day compressed into an hour, so the demo moves)."""
    return max(0.0, math.sin(2 * math.pi * (now % 3600) / 3600))


ENERGY_METER: RegisterMap = {
    0: ("float32", lambda now: 38.0 + 12.0 * daylight(now) + 3.0 * math.sin(now / 7)),  # active power, kW
    2: ("uint32", lambda now: 1_254_000 + (now - STARTED) / 60),  # energy index, kWh
    4: ("int16", lambda now: 2300 + 15 * math.sin(now / 11)),  # voltage, tenths of V
}
PV_INVERTER: RegisterMap = {
    0: ("float32", lambda now: 24.0 * daylight(now)),  # AC power, kW
    2: ("uint32", lambda now: 86_000 + (now - STARTED) / 300),  # energy produced, kWh
}


class PortTaken(OSError):
    """The simulator's port on 127.0.0.1 is used by another program."""

    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} is taken")
        self.port = port


def check_port_free(port: int, kind: socket.SocketKind) -> None:
    """Raise PortTaken if 127.0.0.1:`port` (TCP or UDP) is in use; port 0 asks for any free one.

    Asked beforehand because the libraries do not say it: bacpypes3 retries binding for ever.
    """
    if port == 0:
        return
    with socket.socket(socket.AF_INET, kind) as probe:
        # Like the servers themselves, a TCP port left in TIME_WAIT by an earlier run counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1 if kind == socket.SOCK_STREAM else 0)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise PortTaken(port) from error


@dataclass
class ModbusSimulator:
    server: ModbusTcpServer
    port: int

    async def stop(self) -> None:
        await self.server.shutdown()


async def start_modbus_device(port: int, registers: RegisterMap, unit_id: int = 1) -> ModbusSimulator:
    """A Modbus TCP device on 127.0.0.1:`port` (0: any free port) serving `registers`; PortTaken if in use."""
    check_port_free(port, socket.SOCK_STREAM)
    size = max(address + 4 for address in registers)

    async def refresh(
        function_code: int, _device: int, _address: int, _count: int, block: list[int], _values: object
    ) -> None:
        now = time.time()
        for address, (data_type, value) in registers.items():
            words = _words(data_type, value(now))
            block[address : address + len(words)] = words

    device = SimDevice(unit_id, [SimData(0, count=size, values=0, datatype=DataType.REGISTERS)], action=refresh)
    server = ModbusTcpServer(device, address=("127.0.0.1", port))
    try:
        await server.serve_forever(background=True)
    except RuntimeError as error:  # pymodbus's only sign that the port was taken after all, since the check
        raise PortTaken(port) from error
    return ModbusSimulator(server, server.transport.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


# The controller's analog inputs: key → (instance, name, value at start, COV increment, units).
AHU_INPUTS = {
    "supply": (1, "supply-air-temperature", 18.5, 0.2, "degreesCelsius"),
    "return": (2, "return-air-temperature", 22.0, 0.5, "degreesCelsius"),
    "outdoor": (3, "outdoor-air-temperature", 9.0, 0.5, "degreesCelsius"),
    "filter": (4, "filter-differential-pressure", 200.0, 5.0, "pascals"),
}


def air_handling_unit_objects() -> dict[str, Object]:
    """The BACnet objects of an air-handling unit's controller, with their values at start."""
    sensor = {"statusFlags": [0, 0, 0, 0]}
    objects: dict[str, Object] = {
        key: AnalogInputObject(
            objectIdentifier=("analog-input", instance),
            objectName=name,
            presentValue=value,
            covIncrement=increment,
            units=units,
            **sensor,
        )
        for key, (instance, name, value, increment, units) in AHU_INPUTS.items()
    }
    objects["setpoint"] = AnalogValueObjectCmd(
        objectIdentifier=("analog-value", 1),
        objectName="supply-air-setpoint",
        presentValue=21.0,
        covIncrement=0.1,
        units="degreesCelsius",
        **sensor,
    )
    objects["fan"] = BinaryOutputObject(
        objectIdentifier=("binary-output", 1),
        objectName="supply-fan-command",
        presentValue="active",
        polarity="normal",
        **sensor,
    )
    return objects


# The controller's BACnet device instance.
AHU_INSTANCE = 2001
# A clogging F7 filter: its pressure drop rises from 200 Pa, 1.5 Pa a minute; it is changed at 250 Pa.
FILTER_START = AHU_INPUTS["filter"][2]


def air_handling_unit_tick(objects: dict[str, Object], now: float, minutes: float) -> None:
    """Move the inputs: supply air follows the setpoint while the fan runs, else drifts to the return air."""
    return_air = 22.0 + 1.5 * daylight(now) + 0.2 * math.sin(now / 17)
    running = int(objects["fan"].presentValue) == 1
    supply = float(objects["setpoint"].presentValue) + 0.3 * math.sin(now / 13) if running else return_air - 0.5
    objects["supply"].presentValue = supply
    objects["return"].presentValue = return_air
    objects["outdoor"].presentValue = 8.0 + 10.0 * daylight(now)
    objects["filter"].presentValue = FILTER_START + 1.5 * minutes + 2.0 * math.sin(now / 5) if running else 0.0


@dataclass
class BacnetSimulator:
    app: Application
    port: int
    objects: dict[str, Object]
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        self.app.close()


async def start_air_handling_unit(port: int, instance: int = AHU_INSTANCE, every: float = 2.0) -> BacnetSimulator:
    """An air-handling unit's BACnet/IP controller on 127.0.0.1:`port`, its inputs moved every `every` s;
    PortTaken if the port is in use."""
    check_port_free(port, socket.SOCK_DGRAM)
    objects = air_handling_unit_objects()
    app = bacnet_application(f"127.0.0.1:{port}", instance, "CTA-01", objects.values())
    began = time.monotonic()

    async def run() -> None:
        while True:
            air_handling_unit_tick(objects, time.time(), (time.monotonic() - began) / 60)
            await asyncio.sleep(every)

    return BacnetSimulator(app, port, objects, asyncio.create_task(run(), name=f"simulated-ahu-{port}"))


async def publish_vibration(
    broker: tuple[str, int], point_id: int, stop: asyncio.Event, every: float = 5.0, start: float = 3.0
) -> None:
    """A bearing wearing out: vibration velocity (mm/s) rising 0.05 a minute, with noise, published over MQTT."""
    began = time.monotonic()
    while not stop.is_set():
        try:
            async with aiomqtt.Client(*broker) as client:
                while not stop.is_set():
                    minutes = (time.monotonic() - began) / 60
                    value = start + 0.05 * minutes + 0.1 * math.sin(time.time())
                    await client.publish(f"{TOPIC_ROOT}/{point_id}", json.dumps(round(value, 3)), qos=1)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), every)
        except aiomqtt.MqttError as error:
            logger.warning("simulated vibration sensor: %s", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
