"""Simulated Modbus devices for `maintenir bench poll`, served from a process of their own.

Kept free of Django, so that a spawned process can import it without settings.
"""

import asyncio
import logging
import multiprocessing.connection
import resource
import warnings
from typing import Any

from pymodbus.server import ModbusTcpServer

with warnings.catch_warnings():
    # The classic datastore is deprecated for pymodbus 4; its replacement is still marked experimental.
    warnings.simplefilter("ignore", DeprecationWarning)
    from pymodbus.datastore import (
        ModbusDeviceContext,
        ModbusSequentialDataBlock,
        ModbusServerContext,
        ModbusSimulatorContext,
    )

REGISTERS = 20
UNITS_PER_SERVER = 20


def serve(servers: int, ports: multiprocessing.connection.Connection, stop: Any) -> None:
    """The simulated devices: `servers` pymodbus servers of UNITS_PER_SERVER units each (a child process)."""
    logging.getLogger("pymodbus").setLevel(logging.ERROR)

    async def main() -> None:
        started = []
        for _ in range(servers):
            units: dict[int, ModbusDeviceContext | ModbusSimulatorContext] = {
                unit: ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, list(range(unit, unit + REGISTERS))))
                for unit in range(1, UNITS_PER_SERVER + 1)
            }
            server = ModbusTcpServer(ModbusServerContext(devices=units, single=False), address=("127.0.0.1", 0))
            await server.serve_forever(background=True)
            started.append(server)
        ports.send([server.transport.sockets[0].getsockname()[1] for server in started])  # type: ignore[attr-defined]
        while not stop.is_set():
            await asyncio.sleep(0.2)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        ports.send(usage.ru_utime + usage.ru_stime)
        for server in started:
            await server.shutdown()

    asyncio.run(main())
