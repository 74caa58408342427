"""Device leases: pollers share the devices fairly, take over a dead poller's, and never hold one together."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from maintenir.devices import leases
from maintenir.devices.choices import Protocol
from maintenir.devices.models import Device, Poller
from maintenir.devices.tests.factories import DeviceFactory

LEASE = 30.0


@pytest.fixture
def devices(equipment_a: Any) -> list[Device]:
    DeviceFactory(equipment=equipment_a, protocol=Protocol.MQTT)
    DeviceFactory(equipment=equipment_a, is_enabled=False)
    return [DeviceFactory(equipment=equipment_a) for _ in range(5)]


def owners() -> dict[int, str]:
    return dict(leases.pollable().values_list("pk", "lease_owner"))


def test_pollers_share_the_devices_and_a_newcomer_gets_its_share(devices: list[Device]) -> None:
    assert len(leases.renew("a", LEASE).devices) == 5
    # b counts two pollers: its share is 3, but a holds everything until it has stopped polling its surplus.
    assert leases.renew("b", LEASE).devices == []
    held = leases.renew("a", LEASE)
    assert (len(held.devices), len(held.surplus)) == (3, 2)
    assert leases.renew("b", LEASE).devices == []
    leases.give_up("a", held.surplus)
    assert len(leases.renew("b", LEASE).devices) == 2
    assert sorted(owners().values()) == ["a", "a", "a", "b", "b"]
    # Pushed and disabled devices are nobody's.
    assert Device.objects.exclude(lease_owner="").count() == 5


def test_a_dead_pollers_devices_are_taken_over_once_its_lease_expired(devices: list[Device]) -> None:
    leases.renew("a", LEASE)
    leases.renew("b", LEASE)
    leases.give_up("a", leases.renew("a", LEASE).surplus)
    held_by_b = set(leases.renew("b", LEASE).devices)
    # b dies: until its leases expire, a keeps to its share.
    assert len(leases.renew("a", LEASE).devices) == 3
    expired = timezone.now() - datetime.timedelta(seconds=1)
    Device.objects.filter(lease_owner="b").update(lease_expires=expired)
    Poller.objects.filter(name="b").update(seen=expired - datetime.timedelta(seconds=LEASE))
    assert set(leases.renew("a", LEASE).devices) >= held_by_b
    assert set(owners().values()) == {"a"}


def test_a_poller_that_stops_frees_its_devices_at_once(devices: list[Device]) -> None:
    leases.renew("a", LEASE)
    leases.release("a")
    assert len(leases.renew("b", LEASE).devices) == 5


def test_a_disabled_device_is_given_up(devices: list[Device]) -> None:
    leases.renew("a", LEASE)
    Device.objects.filter(pk=devices[0].pk).update(is_enabled=False)
    assert devices[0].pk not in leases.renew("a", LEASE).devices
    assert Device.objects.get(pk=devices[0].pk).lease_owner == ""
