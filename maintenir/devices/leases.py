"""Device leases: several `maintenir poll` processes share the devices, each polled by one of them at a time.

A poller holds a device until its lease expires (`lease_owner`, `lease_expires`) and renews its leases every
third of their duration. At each renewal it says it is alive (`Poller`), counts the live pollers, keeps its
fair share of the devices (the number of devices divided by the live pollers, rounded up), gives up the
rest once it has stopped polling them, and takes free devices up to its share: never held, given up, or
whose lease has expired — a dead poller's devices, taken over after at most one lease and one renewal.
Taking a device is an UPDATE whose condition is that the device is free, atomic on both databases;
PostgreSQL skips the rows another poller is taking (FOR UPDATE SKIP LOCKED) instead of waiting for them.
Leases are timed by the database's clock on PostgreSQL, so that the machines' clocks do not have to agree.
"""

import datetime
import math
import os
import socket
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from maintenir.devices.choices import Protocol
from maintenir.devices.models import Device, Poller

# Devices that publish their readings (MQTT ingestion) instead of being polled.
PUSHED = frozenset({Protocol.MQTT})
# Pollers not seen for this many leases are forgotten.
FORGET_AFTER = 10


def poller_name() -> str:
    return settings.MAINTENIR_POLLER_ID.strip() or f"{socket.gethostname()}-{os.getpid()}"


def database_now() -> datetime.datetime:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement_timestamp()")
            (now,) = cursor.fetchone()
        return now
    return timezone.now()


def pollable() -> QuerySet[Device]:
    return Device.objects.filter(is_enabled=True).exclude(protocol__in=PUSHED)


def free(now: datetime.datetime) -> Q:
    return Q(lease_owner="") | Q(lease_expires__lt=now)


@dataclass
class Held:
    # The devices to poll.
    devices: list[int]
    # Held beyond the poller's share (another poller joined): to stop polling, then `give_up`.
    surplus: list[int]


@transaction.atomic
def renew(poller: str, seconds: float) -> Held:
    """The poller is alive: renew its leases and take free devices up to its share."""
    now = database_now()
    until = now + datetime.timedelta(seconds=seconds)
    Poller.objects.update_or_create(name=poller, defaults={"seen": now})
    Poller.objects.filter(seen__lt=now - datetime.timedelta(seconds=FORGET_AFTER * seconds)).delete()
    pollers = Poller.objects.filter(seen__gt=now - datetime.timedelta(seconds=seconds)).count()
    devices = pollable()
    share = math.ceil(devices.count() / max(1, pollers))
    held = list(devices.filter(lease_owner=poller).order_by("pk").values_list("pk", flat=True))
    # What is no longer to be polled (disabled, deleted) is given up at once; it is polled no more.
    Device.objects.filter(lease_owner=poller).exclude(pk__in=held).update(lease_owner="", lease_expires=None)
    # Beyond its share, held until the poller has stopped polling them: never two pollers at a time.
    held, surplus = held[:share], held[share:]
    Device.objects.filter(pk__in=held + surplus, lease_owner=poller).update(lease_expires=until)
    if len(held) < share:
        candidates = devices.filter(free(now)).order_by("pk")
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        wanted = list(candidates.values_list("pk", flat=True)[: share - len(held)])
        # The condition again: another poller may have taken one since (SQLite has no row locks).
        Device.objects.filter(free(now), pk__in=wanted).update(lease_owner=poller, lease_expires=until)
        held += Device.objects.filter(pk__in=wanted, lease_owner=poller).values_list("pk", flat=True)
    return Held(sorted(held), surplus)


def give_up(poller: str, device_ids: Collection[int]) -> None:
    """The poller no longer polls these devices: free for the others."""
    Device.objects.filter(pk__in=device_ids, lease_owner=poller).update(lease_owner="", lease_expires=None)


@transaction.atomic
def release(poller: str) -> None:
    """The poller stops: its devices are free at once, and it no longer counts."""
    Device.objects.filter(lease_owner=poller).update(lease_owner="", lease_expires=None)
    Poller.objects.filter(name=poller).delete()
