"""The acquisition service at scale: N simulated Modbus devices × 20 registers polled every 5 s.

Run with `maintenir bench poll [--devices N] [--seconds S] [--database URL] [--json]`. The devices
are pymodbus servers in a process of their own (20 unit ids per server, like devices behind
gateways). `maintenir poll`'s service polls them for S seconds and stores every reading; the
baseline, in the same run, polls the same registers with bare pymodbus clients and stores nothing.
A poll is on time when it starts within a tenth of its interval after its planned time. Cycles
planned count every interval of the window for every device; the devices' first polls are spread
over the first interval, and the service's start (loading the devices, connecting) is in the window.
"""

import asyncio
import contextlib
import multiprocessing
import resource
import time
from typing import Any

from django.db import connection
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from benchmarks.modbus_farm import REGISTERS, UNITS_PER_SERVER, serve
from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core.models import Organisation
from maintenir.devices import services
from maintenir.devices.acquisition import LATE_SHARE, poll_all
from maintenir.devices.choices import DataType, Protocol, RegisterType
from maintenir.devices.drivers.modbus import plan_requests
from maintenir.devices.models import Device, Point, Reading

INTERVAL = 5


def build(ports: list[int], devices: int) -> None:
    organisation = Organisation.objects.create(name="Bench", code="bench")
    site = Site.objects.create(organisation=organisation, code="bench", name="Bench")
    kind = EquipmentType.objects.create(name="Meter")
    equipment = Equipment.objects.bulk_create(
        Equipment(site=site, code=f"M{n:04d}", name=f"Meter {n}", equipment_type=kind) for n in range(devices)
    )
    created = Device.objects.bulk_create(
        Device(
            equipment=equipment[n],
            name=f"Meter {n}",
            protocol=Protocol.MODBUS_TCP,
            host="127.0.0.1",
            port=ports[n // UNITS_PER_SERVER],
            unit_id=n % UNITS_PER_SERVER + 1,
            poll_interval=INTERVAL,
            timeout=2,
        )
        for n in range(devices)
    )
    Point.objects.bulk_create(
        Point(
            device=device,
            name=f"r{address}",
            address=str(address),
            register_type=RegisterType.HOLDING,
            data_type=DataType.UINT16,
        )
        for device in created
        for address in range(REGISTERS)
    )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def for_seconds(seconds: float, work: Any) -> Any:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    return await work(stop)


async def bare_polling(stop: asyncio.Event, devices: list[Device]) -> tuple[int, int, int]:
    """The baseline: each device's registers read in one request by a bare client, nothing stored."""
    loop = asyncio.get_running_loop()

    async def poll(index: int, device: Device) -> tuple[int, int, int]:
        cycles = late = failed = 0
        client = AsyncModbusTcpClient(device.host, port=device.effective_port, timeout=2, retries=0)
        await client.connect()
        planned = loop.time() + INTERVAL * index / len(devices)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), planned - loop.time())
        while not stop.is_set():
            cycles += 1
            late += loop.time() - planned > LATE_SHARE * INTERVAL
            try:
                response = await asyncio.wait_for(
                    client.read_holding_registers(0, count=REGISTERS, device_id=device.unit_id), 2
                )
                failed += response.isError()
            except (TimeoutError, OSError, ModbusException):
                failed += 1
            planned = max(planned + INTERVAL, loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), planned - loop.time())
        client.close()
        return cycles, late, failed

    results = await asyncio.gather(*(poll(index, device) for index, device in enumerate(devices)))
    return sum(r[0] for r in results), sum(r[1] for r in results), sum(r[2] for r in results)


def run(devices: int, seconds: float = 60.0) -> dict[str, Any]:
    servers = -(-devices // UNITS_PER_SERVER)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    stop_servers = context.Event()
    simulator = context.Process(target=serve, args=(servers, theirs, stop_servers), daemon=True)
    simulator.start()
    try:
        build(ours.recv(), devices)
        device_list = services.enabled_devices()
        planned = devices * -(-int(seconds) // INTERVAL)
        requests_per_cycle = sum(len(plan_requests(services.point_specs(device))) for device in device_list)

        cpu, started = cpu_seconds(), time.perf_counter()
        stats = asyncio.run(for_seconds(seconds, poll_all))
        service_cpu, service_seconds = cpu_seconds() - cpu, time.perf_counter() - started

        cpu = cpu_seconds()
        base_cycles, base_late, base_failed = asyncio.run(
            for_seconds(seconds, lambda stop: bare_polling(stop, device_list))
        )
        base_cpu = cpu_seconds() - cpu
    finally:
        stop_servers.set()
        simulator_cpu = ours.recv() if ours.poll(10) else None
        simulator.join(10)
    cycles = sum(s.cycles for s in stats.values())
    late = sum(s.late for s in stats.values())
    return {
        "database": connection.vendor,
        "devices": devices,
        "points": devices * REGISTERS,
        "interval_seconds": INTERVAL,
        "seconds": seconds,
        "cycles_planned": planned,
        "cycles_done": cycles,
        "cycles_done_share": round(cycles / planned, 4),
        "cycles_on_time": cycles - late,
        "on_time_share_of_done": round((cycles - late) / cycles, 4) if cycles else None,
        "failed_polls": sum(s.failures for s in stats.values()),
        "requests_per_cycle": requests_per_cycle,
        "readings_stored": Reading.objects.count(),
        "cpu_seconds": round(service_cpu, 1),
        "cpu_share_of_one_core": round(service_cpu / service_seconds, 3),
        "baseline_cycles_done_share": round(base_cycles / planned, 4),
        "baseline_on_time_share_of_done": round((base_cycles - base_late) / base_cycles, 4) if base_cycles else None,
        "baseline_failed_polls": base_failed,
        "baseline_cpu_seconds": round(base_cpu, 1),
        "cpu_ratio": round(service_cpu / base_cpu, 2) if base_cpu else None,
        "simulator_cpu_seconds": round(simulator_cpu, 1) if simulator_cpu is not None else None,
    }
