"""The acquisition service (`maintenir poll`): every enabled device polled concurrently.

Each device has its own task: a slow or dead device only waits on its own timeouts. A device that
stops answering is reconnected with exponential backoff; past its grace period it is marked
unreachable once (see `services.record_failure`). Database work runs in worker threads so the
event loop keeps polling.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.utils import timezone

from maintenir.devices import services
from maintenir.devices.choices import Protocol
from maintenir.devices.drivers import driver_for
from maintenir.devices.drivers.base import DeviceError, Driver
from maintenir.devices.models import Device

logger = logging.getLogger(__name__)
MAX_BACKOFF = 60.0
# Devices that publish their readings (MQTT ingestion) instead of being polled.
PUSHED = frozenset({Protocol.MQTT})


@dataclass
class PollStats:
    cycles: int = 0
    samples: int = 0
    failures: int = 0


async def poll_device(device: Device, stop: asyncio.Event, cycles: int | None = None) -> PollStats:
    """Poll one device until `stop` is set (or for `cycles` cycles, answered or not)."""
    stats = PollStats()
    specs = await sync_to_async(services.point_specs)(device)
    driver: Driver | None = None
    backoff = 1.0
    while not stop.is_set() and (cycles is None or stats.cycles < cycles):
        stats.cycles += 1
        started = asyncio.get_running_loop().time()
        try:
            if driver is None:
                driver = driver_for(device.protocol)(services.connection_of(device))
                await driver.connect()
            samples = await driver.read(specs)
        except DeviceError as error:
            stats.failures += 1
            if driver is not None:
                await driver.close()
                driver = None
            announced = await sync_to_async(services.record_failure)(device.pk, str(error), timezone.now())
            if announced:
                logger.warning("device %s unreachable: %s", device, error)
            wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF)
        else:
            backoff = 1.0
            stats.samples += await sync_to_async(services.store_samples)(samples)
            await sync_to_async(services.record_answer)(device.pk, timezone.now())
            wait = max(0.0, device.poll_interval - (asyncio.get_running_loop().time() - started))
        if cycles is not None and stats.cycles >= cycles:
            break
        # Sleep until the next poll, or until asked to stop.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
    if driver is not None:
        await driver.close()
    return stats


async def poll_all(stop: asyncio.Event, cycles: int | None = None) -> dict[int, PollStats]:
    """Poll every enabled device concurrently; a device without a driver yet is skipped with a warning."""
    devices = await sync_to_async(services.enabled_devices)()
    tasks = {}
    for device in devices:
        if device.protocol in PUSHED:
            continue
        try:
            driver_for(device.protocol)
        except NotImplementedError as error:
            logger.warning("device %s not polled: %s", device, error)
            continue
        tasks[device.pk] = asyncio.create_task(poll_device(device, stop, cycles), name=f"poll-{device.pk}")
    results = await asyncio.gather(*tasks.values())
    return dict(zip(tasks, results, strict=True))
