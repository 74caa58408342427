"""The demo's live side when another program holds a simulator's port."""

import asyncio
import logging
import socket
from typing import Any

import pytest

from maintenir.demo import live
from maintenir.devices.models import Reading
from maintenir.devices.tests.factories import DeviceFactory, PointFactory
from maintenir.devices.tests.peers import free_port

# The pollers write from worker threads: the data must be committed, and the seeded rows put back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_taken_port_costs_only_that_simulator(equipment_a: Any, caplog: Any) -> None:
    async def scenario() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(3, stop.set)
        await live.run(stop)

    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
    ):
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        udp.bind(("127.0.0.1", 0))
        meter_port, ahu_port = tcp.getsockname()[1], udp.getsockname()[1]
        DeviceFactory(
            equipment=equipment_a,
            name="Compteur TGBT",
            port=meter_port,
            timeout=0.5,
            options={"simulator": "energy_meter"},
        )
        DeviceFactory(
            equipment=equipment_a,
            name="CTA-01",
            port=ahu_port,
            is_enabled=False,
            options={"simulator": "air_handling_unit"},
        )
        inverter = DeviceFactory(
            equipment=equipment_a,
            name="Onduleur",
            port=free_port(),
            poll_interval=1,
            timeout=0.5,
            options={"simulator": "pv_inverter"},
        )
        power = PointFactory(device=inverter, name="power", address="0", data_type="float32")
        with caplog.at_level(logging.WARNING, logger="maintenir.demo.live"):
            asyncio.run(asyncio.wait_for(scenario(), 20))
    warnings = [record.getMessage() for record in caplog.records if record.name == "maintenir.demo.live"]
    assert f"port {meter_port} is taken: the simulated energy meter (Compteur TGBT) is not started" in warnings
    assert f"port {ahu_port} is taken: the simulated air handling unit (CTA-01) is not started" in warnings
    assert Reading.objects.filter(point=power).exists()
