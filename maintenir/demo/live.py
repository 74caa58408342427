"""The demo's live side: simulated devices on 127.0.0.1 and the acquisition service (`maintenir demo-devices`).

The energy meter and the PV inverter are Modbus TCP servers (pymodbus) polled like real ones; the
air-handling unit is a BACnet/IP controller (bacpypes3), polled and subscribed to (COV); the
press's vibration sensor publishes over MQTT when a broker answers on 127.0.0.1:1883.
"""

import asyncio
import functools
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from maintenir.devices import simulators
from maintenir.devices.acquisition import poll_all, quiet_library_tasks
from maintenir.devices.models import Device, Point
from maintenir.devices.mqtt import ingest

logger = logging.getLogger(__name__)
Simulator = simulators.ModbusSimulator | simulators.BacnetSimulator
# What starts each kind of simulated device on a port of 127.0.0.1.
SIMULATED: dict[str, Callable[[int], Awaitable[Simulator]]] = {
    "energy_meter": functools.partial(simulators.start_modbus_device, registers=simulators.ENERGY_METER),
    "pv_inverter": functools.partial(simulators.start_modbus_device, registers=simulators.PV_INVERTER),
    "air_handling_unit": simulators.start_air_handling_unit,
}
BROKER = ("127.0.0.1", 1883)


def broker_answers() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        return False
    return True


def _simulated_devices() -> list[tuple[int, str, str]]:
    return [
        (device.effective_port, device.options["simulator"], device.name)
        for device in Device.objects.filter(options__has_key="simulator")
        if device.options["simulator"] in SIMULATED
    ]


def _vibration_point() -> int | None:
    return Point.objects.filter(device__options__simulator="vibration_sensor").values_list("pk", flat=True).first()


async def run(stop: asyncio.Event) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_library_tasks)
    servers: list[Simulator] = []
    for port, kind, name in await sync_to_async(_simulated_devices)():
        # A port in use costs that device's simulator only: the others start and polling goes on.
        try:
            servers.append(await SIMULATED[kind](port))
        except OSError as error:
            logger.warning("%s: the simulated %s (%s) is not started", error, kind.replace("_", " "), name)
    tasks: list[asyncio.Task[Any]] = [asyncio.create_task(poll_all(stop))]
    vibration = await sync_to_async(_vibration_point)()
    if vibration is not None and broker_answers():
        tasks.append(asyncio.create_task(ingest(f"mqtt://{BROKER[0]}:{BROKER[1]}", stop)))
        tasks.append(asyncio.create_task(simulators.publish_vibration(BROKER, vibration, stop)))
    elif vibration is not None:
        logger.warning("no MQTT broker on 127.0.0.1:1883: the press's vibration sensor stays silent")
    await asyncio.gather(*tasks)
    for simulator in servers:
        await simulator.stop()
