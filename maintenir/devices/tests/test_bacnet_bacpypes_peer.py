"""The BACnet driver against a device built on the older `bacpypes` 0.19, an implementation the driver
(bacpypes3) does not share: commandable and plain setpoints, a limit property, a value of the wrong
type and a setting that locks once written (see `bacpypes_peer`)."""

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from maintenir.devices.acquisition import poll_all
from maintenir.devices.choices import ApplicationStatus, Protocol, Quality
from maintenir.devices.drivers.bacnet import BacnetDriver
from maintenir.devices.drivers.base import Connection, PointSpec
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.parameters import revert_application
from maintenir.devices.tests.factories import DeviceFactory, PointFactory, apply_values
from maintenir.devices.tests.peers import free_port

INSTANCE = 2001
COMMANDED = PointSpec(1, "analog-value,1", write_priority=16)
PLAIN = PointSpec(2, "analog-value,2")
LIMIT = PointSpec(3, "analog-value,3,high-limit")
ODD = PointSpec(4, "analog-value,4,high-limit")
LOCKED = PointSpec(5, "analog-value,5")
POINTS = {"commanded": COMMANDED, "plain": PLAIN, "limit": LIMIT, "odd": ODD, "locked": LOCKED}


@pytest.fixture
def peer_port() -> Iterator[int]:
    """The bacpypes 0.19 device, in a process of its own on a free UDP port of 127.0.0.1."""
    port = free_port(socket.SOCK_DGRAM)
    process = subprocess.Popen(
        [sys.executable, "-m", "maintenir.devices.tests.bacpypes_peer", str(port), str(INSTANCE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield port
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


def with_driver(port: int, scenario: Any) -> Any:
    async def main() -> Any:
        connection = Connection("127.0.0.1", port, timeout=2, options={"instance": INSTANCE})
        async with BacnetDriver(connection) as driver:
            return await scenario(driver)

    return asyncio.run(asyncio.wait_for(main(), 30))


def test_a_value_of_the_wrong_type_costs_that_point_only(peer_port: int) -> None:
    async def scenario(driver: BacnetDriver) -> Any:
        return await driver.read(list(POINTS.values()))

    samples = with_driver(peer_port, scenario)
    assert [(sample.value, sample.quality) for sample in samples] == [
        (20.0, Quality.GOOD),
        (30.0, Quality.GOOD),
        (80.0, Quality.GOOD),
        (None, Quality.BAD),
        (10.0, Quality.GOOD),
    ]
    # Read with the others, its NULL spoils bacpypes3's decoding of the whole answer; read alone, it is a NULL.
    assert samples[3].error == "analog-value,4,high-limit: no value (NULL)"


@pytest.fixture
def controller(equipment_a: Any, peer_port: int) -> Device:
    device = DeviceFactory(
        equipment=equipment_a,
        name="Régulateur",
        protocol=Protocol.BACNET_IP,
        port=peer_port,
        options={"instance": INSTANCE},
        timeout=2,
        poll_interval=1,
    )
    for name, spec in POINTS.items():
        PointFactory(
            device=device,
            name=name,
            address=spec.address,
            register_type="",
            data_type="",
            writable=True,
            write_priority=spec.write_priority,
        )
    return device


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_poll_survives_a_value_of_the_wrong_type_and_keeps_its_reason(controller: Device) -> None:
    stats = asyncio.run(asyncio.wait_for(poll_all(asyncio.Event(), cycles=2), 30))

    assert stats[controller.pk].failures == 0
    assert Reading.objects.filter(point__name="plain", value=30.0).count() == 2
    odd = Point.objects.get(name="odd")
    assert (odd.last_quality, odd.last_value) == (Quality.BAD, None)
    assert odd.last_error == "analog-value,4,high-limit: no value (NULL)"
    assert Point.objects.get(name="plain").last_error == ""


def read(port: int, *points: PointSpec) -> list[float | None]:
    async def scenario(driver: BacnetDriver) -> Any:
        return await driver.read(list(points))

    return [sample.value for sample in with_driver(port, scenario)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reverting_writes_back_what_has_no_priorities(manager: Any, controller: Device, peer_port: int) -> None:
    application = apply_values(manager, controller, plain=25, limit=60)
    assert (application.status, application.error) == (ApplicationStatus.APPLIED, "")
    assert read(peer_port, PLAIN, LIMIT) == [25.0, 60.0]

    revert_application(manager, application)

    # A NULL would have been refused by this device (or wiped the setting on another).
    assert read(peer_port, PLAIN, LIMIT) == [30.0, 80.0]
    assert not application.writes.filter(restore_by_relinquish=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reverting_relinquishes_only_what_was_commanded(manager: Any, controller: Device, peer_port: int) -> None:
    first = apply_values(manager, controller, commanded=22)
    second = apply_values(manager, controller, commanded=24)
    assert list(first.writes.values_list("restore_by_relinquish", flat=True)) == [True]
    assert list(second.writes.values_list("restore_by_relinquish", flat=True)) == [False]

    # Reverting the second gives the slot back to the first's command, not to the relinquish default.
    revert_application(manager, second)
    assert read(peer_port, COMMANDED) == [22.0]
    revert_application(manager, first)
    assert read(peer_port, COMMANDED) == [20.0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_application_is_undone_and_names_its_cause(manager: Any, controller: Device, peer_port: int) -> None:
    application = apply_values(manager, controller, plain=25, limit=60, odd=5)

    assert application.status == ApplicationStatus.FAILED
    assert application.error.startswith("odd: ")
    assert read(peer_port, PLAIN, LIMIT) == [30.0, 80.0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_device_left_changed_is_not_reported_as_undone(manager: Any, controller: Device, peer_port: int) -> None:
    # Applied in the order of the names: limit, locked, then odd, which fails.
    application = apply_values(manager, controller, limit=60, locked=12, odd=5)

    assert application.status == ApplicationStatus.LEFT_CHANGED
    cause, not_put_back = application.error.split("\n")
    assert cause.startswith("odd: ")
    assert not_put_back.startswith("locked not put back: ")
    assert "write-access-denied" in not_put_back
    assert read(peer_port, LIMIT, LOCKED) == [80.0, 12.0]
    undo = dict(application.writes.values_list("point__name", "undo_error"))
    assert undo["limit"] == ""
    assert "write-access-denied" in undo["locked"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_back_overridden_by_a_higher_priority_says_so(manager: Any, controller: Device, peer_port: int) -> None:
    async def command_at_priority_5(driver: BacnetDriver) -> None:
        await driver.write(PointSpec(1, "analog-value,1", write_priority=5), 50)

    with_driver(peer_port, command_at_priority_5)
    application = apply_values(manager, controller, commanded=23)

    assert application.status == ApplicationStatus.FAILED
    assert application.error == "commanded reads 50.0 after writing 23.0. (overridden at priority 5 by another command)"
    # Undone: our own slot is empty again, the other command untouched.
    assert read(peer_port, COMMANDED, PointSpec(9, "analog-value,1,priority-array[16]")) == [50.0, None]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_revert_the_device_refuses_names_the_point(manager: Any, controller: Device) -> None:
    application = apply_values(manager, controller, locked=12)
    assert application.status == ApplicationStatus.APPLIED

    with pytest.raises(ValidationError, match=r"locked: .*write-access-denied"):
        revert_application(manager, application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED
