"""The acquisition service (`maintenir poll`): every enabled device polled concurrently.

Several services share the devices with leases (`poll_leased`, see `leases`); `poll_all` polls them all.

Each device has its own task: a slow or dead device only waits on its own timeouts. A device that
stops answering is reconnected with exponential backoff; past its grace period it is marked
unreachable once (see `services.record_failure`). What the devices answer is gathered by one
`Recorder` and written in one transaction every FLUSH_SECONDS, in a worker thread, so the event
loop keeps polling and hundreds of devices do not cost hundreds of transactions a second.
"""

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import Collection
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.utils import timezone

import maintenir
from maintenir.devices import leases, services
from maintenir.devices.drivers import driver_for
from maintenir.devices.drivers.base import DeviceError, Driver, PointSpec, Sample
from maintenir.devices.leases import PUSHED
from maintenir.devices.models import Device

logger = logging.getLogger(__name__)
MAX_BACKOFF = 60.0
# A poll that starts later than this share of its interval after its planned time is late.
LATE_SHARE = 0.1
FLUSH_SECONDS = 0.5
# Where Maintenir's own code is: a task's coroutine from elsewhere is a library's.
PACKAGE_DIRECTORY = str(Path(maintenir.__file__).parent) + os.sep


@dataclass
class PollStats:
    cycles: int = 0
    samples: int = 0
    failures: int = 0
    late: int = 0

    def __add__(self, other: "PollStats") -> "PollStats":
        return PollStats(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


class Recorder:
    """Gathers the samples and answers of all the pollers and writes them together."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.answered: set[int] = set()

    def add(self, samples: list[Sample], device_id: int | None = None) -> None:
        """Samples to store; with the device that just answered a poll."""
        self.samples += samples
        if device_id is not None:
            self.answered.add(device_id)

    async def flush(self) -> None:
        if self.samples or self.answered:
            samples, self.samples = self.samples, []
            answered, self.answered = self.answered, set()
            try:
                await sync_to_async(services.record_polls)(samples, answered, timezone.now())
            except DatabaseError:
                # Kept for the next flush: a reading is stored or counted, never dropped.
                logger.exception("readings of %d devices not stored yet", len(answered))
                self.samples[:0] = samples
                self.answered |= answered
            except Exception:
                # Not the database's doing, so it would fail again: logged, and the recorder goes on.
                logger.exception("readings of %d devices not stored", len(answered))

    async def run(self, stop: asyncio.Event) -> None:
        """Flush every FLUSH_SECONDS until `stop`, then once more."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), FLUSH_SECONDS)
            await self.flush()
        # What arrived while the last flush was writing.
        await self.flush()


async def poll_device(
    device: Device,
    stop: asyncio.Event,
    cycles: int | None = None,
    start_after: float = 0.0,
    recorder: Recorder | None = None,
    specs: list[PointSpec] | None = None,
) -> PollStats:
    """Poll one device until `stop` is set (or for `cycles` cycles, answered or not).

    Points marked subscribed are subscribed to at each (re)connection, where the driver can; the
    others are read every poll interval. Without a shared `recorder`, each poll is written at once.
    """
    stats = PollStats()
    own_recorder = recorder is None
    recorder = recorder or Recorder()
    driver_class = driver_for(device.protocol)
    if specs is None:
        specs = await sync_to_async(services.point_specs)(device)
    subscribed = [spec for spec in specs if spec.subscribed] if driver_class.can_subscribe else []
    polled = [spec for spec in specs if spec not in subscribed]

    async def deliver(samples: list[Sample], answered: bool = False) -> None:
        """Samples read (by a poll, which says the device answered) or received by subscription."""
        stats.samples += len(samples)
        recorder.add(samples, device.pk if answered else None)
        if own_recorder:
            await recorder.flush()

    driver: Driver | None = None
    backoff = 1.0
    loop = asyncio.get_running_loop()
    # Polls keep to a fixed rhythm (planned time + interval), so a slow answer does not shift the next ones.
    planned = loop.time() + start_after
    if start_after:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), start_after)
    while not stop.is_set() and (cycles is None or stats.cycles < cycles):
        stats.cycles += 1
        if loop.time() - planned > LATE_SHARE * device.poll_interval:
            stats.late += 1
        try:
            if driver is None:
                driver = driver_class(services.connection_of(device))
                await driver.connect()
                if subscribed:
                    await driver.subscribe(subscribed, deliver)
            samples = await driver.read(polled)
        except Exception as error:
            # Whatever the device sent or the library raised costs this device a reconnection, never the service.
            stats.failures += 1
            if driver is not None:
                with contextlib.suppress(Exception):
                    await driver.close()
                driver = None
            if not isinstance(error, DeviceError):
                logger.debug("device %s: unexpected error", device, exc_info=True)
            reason = str(error) if isinstance(error, DeviceError) else f"{type(error).__name__}: {error}"
            # Its answers still waiting are written first, so they do not undo the failure.
            await recorder.flush()
            await sync_to_async(services.record_failure)(device.pk, reason, timezone.now())
            planned, backoff = loop.time() + backoff, min(backoff * 2, MAX_BACKOFF)
        else:
            backoff = 1.0
            await deliver(samples, answered=True)
            # A poll that overran its interval is followed at once, not by a burst of catching up.
            planned = max(planned + device.poll_interval, loop.time())
        wait = planned - loop.time()
        if cycles is not None and stats.cycles >= cycles:
            break
        # Sleep until the next poll, or until asked to stop.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
    if driver is not None:
        with contextlib.suppress(Exception):
            await driver.close()
    return stats


async def supervise(device: Device, stop: asyncio.Event, cycles: int | None, **options: Any) -> PollStats:
    """Poll the device, and start again after a pause if polling itself fails (the database gone, a
    fault of ours): one device's trouble never ends the service or another device's polling."""
    backoff = 1.0
    while True:
        try:
            return await poll_device(device, stop, cycles, **options)
        except Exception:
            logger.exception("polling of device %s stopped; starting again in %.0f s", device, backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff)
            if stop.is_set() or cycles is not None:
                return PollStats(failures=1)
            backoff = min(backoff * 2, MAX_BACKOFF)
            options["start_after"] = 0.0


def quiet_library_tasks(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The event loop's handler of errors nobody awaited: those of a protocol library's own tasks (bacpypes3
    answering a device's garbage) go to DEBUG, since the device's stored reason says what matters; ours are
    reported as asyncio would."""
    task = context.get("future") or context.get("task")
    code = getattr(task.get_coro(), "cr_code", None) if isinstance(task, asyncio.Task) else None
    if code is not None and not code.co_filename.startswith(PACKAGE_DIRECTORY):
        logger.debug("%s (%s)", context.get("message"), code.co_qualname, exc_info=context.get("exception"))
    else:
        loop.default_exception_handler(context)


def pollable(device: Device) -> bool:
    if device.protocol in PUSHED:
        return False
    try:
        driver_for(device.protocol)
    except NotImplementedError as error:
        logger.warning("device %s not polled: %s", device, error)
        return False
    return True


async def poll_all(stop: asyncio.Event, cycles: int | None = None) -> dict[int, PollStats]:
    """Poll every enabled device concurrently; a device without a driver yet is skipped with a warning.

    A service that runs until stopped spreads the devices' first polls over their interval, so that
    they do not all ask at the same instant ever after.
    """
    devices = await sync_to_async(services.enabled_devices)()
    specs = await sync_to_async(services.point_specs_by_device)(devices)
    recorder = Recorder()
    polled = asyncio.Event()
    recording = asyncio.create_task(recorder.run(polled))
    tasks = {}
    for index, device in enumerate(devices):
        if not pollable(device):
            continue
        start_after = device.poll_interval * index / len(devices) if cycles is None else 0.0
        tasks[device.pk] = asyncio.create_task(
            supervise(device, stop, cycles, start_after=start_after, recorder=recorder, specs=specs[device.pk]),
            name=f"poll-{device.pk}",
        )
    try:
        results = await asyncio.gather(*tasks.values())
    finally:
        # What the recorder holds is written before the service leaves, whatever the reason.
        polled.set()
        await recording
    return dict(zip(tasks, results, strict=True))


def _devices(device_ids: list[int]) -> tuple[list[Device], dict[int, list[PointSpec]]]:
    devices = list(Device.objects.filter(pk__in=device_ids).order_by("pk"))
    return devices, services.point_specs_by_device(devices)


async def poll_leased(stop: asyncio.Event, poller: str, lease_seconds: float) -> dict[int, PollStats]:
    """Poll the devices this poller holds a lease on, renewed every third of `lease_seconds`, until `stop`.

    A device given up or taken by another poller stops being polled at once; when the leases cannot be
    renewed (the database away), every device stops being polled before its lease can expire, so that no
    device is ever polled by two pollers at a time. On leaving, the leases are given up for the others.
    """
    loop = asyncio.get_running_loop()
    recorder = Recorder()
    recorded = asyncio.Event()
    recording = asyncio.create_task(recorder.run(recorded))
    renew_every = lease_seconds / 3
    running: dict[int, tuple[asyncio.Event, asyncio.Task[PollStats]]] = {}
    # Given up, finishing the poll in progress (bounded by the device's timeout).
    ending: dict[int, asyncio.Task[PollStats]] = {}
    results: dict[int, PollStats] = {}
    # Held but without a driver: said once.
    unpolled: set[int] = set()
    held_until = -math.inf

    def give_up(device_ids: Collection[int], why: str) -> None:
        for device_id in device_ids:
            device_stop, ending[device_id] = running.pop(device_id)
            device_stop.set()
            logger.info("poller %s: device %d given up (%s)", poller, device_id, why)

    def ended() -> None:
        for device_id, task in list(ending.items()):
            if task.done():
                del ending[device_id]
                results[device_id] = results.get(device_id, PollStats()) + task.result()

    try:
        while not stop.is_set():
            started = loop.time()
            try:
                lease = await sync_to_async(leases.renew)(poller, lease_seconds)
            except Exception:
                logger.exception("poller %s: leases not renewed", poller)
                if loop.time() > held_until:
                    give_up(list(running), "its lease could not be renewed")
            else:
                # A poll in progress ends within a renewal period: stopped then, its lease still runs.
                held_until = started + lease_seconds - renew_every
                held = set(lease.devices)
                give_up([device_id for device_id in running if device_id not in held], "beyond its share")
                if lease.surplus:
                    # Freed for the others once their polls have ended.
                    await asyncio.gather(*(ending[device_id] for device_id in lease.surplus if device_id in ending))
                    await sync_to_async(leases.give_up)(poller, lease.surplus)
                ended()
                # One still finishing its last poll here is started at the next renewal.
                devices, specs = await sync_to_async(_devices)(sorted(held - running.keys() - ending.keys() - unpolled))
                for index, device in enumerate(devices):
                    if not pollable(device):
                        unpolled.add(device.pk)
                        continue
                    device_stop = asyncio.Event()
                    task = asyncio.create_task(
                        supervise(
                            device,
                            device_stop,
                            None,
                            # Spread over their interval, so that they do not all ask at the same instant.
                            start_after=device.poll_interval * index / len(devices),
                            recorder=recorder,
                            specs=specs[device.pk],
                        ),
                        name=f"poll-{device.pk}",
                    )
                    running[device.pk] = (device_stop, task)
                    logger.info("poller %s: device %d (%s) taken", poller, device.pk, device)
            wait = max(0.0, min(started + renew_every, max(held_until, loop.time())) - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait or renew_every / 10)
    finally:
        give_up(list(running), "stopping")
        await asyncio.gather(*ending.values())
        ended()
        recorded.set()
        await recording
        with contextlib.suppress(Exception):
            await sync_to_async(leases.release)(poller)
    return results
