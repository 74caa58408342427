"""BACnet/IP with bacpypes3: points read with ReadPropertyMultiple, written at their command priority,
received by COV subscriptions that are renewed before they lapse and cancelled on close.

The driver is a small BACnet device of its own (a bacpypes3 `Application`) on an ephemeral UDP
port, which unicasts to the device; every request has the connection's timeout and no retries
(the acquisition service retries, with backoff).
"""

import asyncio
import contextlib
import datetime
import logging
import math
import re
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from bacpypes3.apdu import AbortPDU, AbortReason, ErrorRejectAbortNack, RejectPDU, RejectReason
from bacpypes3.app import Application
from bacpypes3.basetypes import ErrorType, PriorityValue, PropertyIdentifier, PropertyReference
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.local.object import Object
from bacpypes3.pdu import Address
from bacpypes3.primitivedata import Double, Null, ObjectIdentifier, Real
from bacpypes3.service.cov import SubscriptionContextManager
from bacpypes3.vendor import get_vendor_info
from django.utils import timezone
from django.utils.translation import gettext

from maintenir.devices.choices import Quality
from maintenir.devices.drivers.base import (
    Connection,
    DeviceError,
    DeviceUnreachable,
    Driver,
    PointSpec,
    Restore,
    Sample,
    SampleSink,
    ValueRefused,
    no_answer,
    not_connected,
    round_float32,
    unreachable,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Standard objects and properties (vendor 0, ASHRAE); proprietary ones are written as numbers.
ASHRAE = get_vendor_info(0)
PRESENT_VALUE = PropertyIdentifier("present-value")
PRIORITY_ARRAY = PropertyIdentifier("priority-array")
MAX_INSTANCE = 4194302  # 4194303 is the wildcard
# bacpypes3's own vendor identifier, the one its applications announce by default.
VENDOR_IDENTIFIER = 999
# Our own device instance, seen by devices that ask who we are (option "client_instance").
CLIENT_INSTANCE = 4194301
# Properties per ReadPropertyMultiple: the answer must fit one unsegmented APDU (1476 bytes on
# BACnet/IP), which many controllers require.
MAX_PER_REQUEST = 40
# Seconds a COV subscription lasts unless renewed (option "cov_lifetime").
COV_LIFETIME = 300
ADDRESS = re.compile(r"^\s*([\w-]+)\s*,\s*(\d+)\s*(?:,\s*([\w-]+)\s*(?:\[(\d+)\])?\s*)?$")


@dataclass(frozen=True)
class Target:
    """What a point's address names: a property (present-value by default) of an object."""

    object: ObjectIdentifier
    property: PropertyIdentifier
    index: int | None = None

    @property
    def is_present_value(self) -> bool:
        return self.property == PRESENT_VALUE and self.index is None

    @property
    def reference(self) -> PropertyReference:
        reference = PropertyReference(propertyIdentifier=self.property)
        if self.index is not None:
            reference.propertyArrayIndex = self.index
        return reference

    @property
    def is_real(self) -> bool:
        """Whether the property holds a real number (otherwise an integer, enumeration or boolean)."""
        object_class = ASHRAE.get_object_class(self.object[0])
        property_type = object_class.get_property_type(self.property) if object_class else None
        return property_type is None or issubclass(property_type, Real | Double)


def parse_address(address: str) -> Target:
    """`object-type,instance[,property[index]]`, e.g. `analog-input,1` or `analog-value,3,high-limit`;
    raises ValueError saying what is wrong."""
    match = ADDRESS.match(address)
    if not match:
        raise ValueError(f"{address!r} is not object-type,instance[,property]")
    object_type, instance, property_name, index = match.groups()
    try:
        type_ = ASHRAE.object_type(int(object_type) if object_type.isdigit() else object_type)
    except ValueError:
        raise ValueError(f"{object_type!r} is not a BACnet object type") from None
    if int(instance) > MAX_INSTANCE:
        raise ValueError(f"the instance {instance} is above {MAX_INSTANCE}")
    try:
        property_ = ASHRAE.property_identifier(
            int(property_name) if property_name and property_name.isdigit() else property_name or PRESENT_VALUE
        )
    except ValueError:
        raise ValueError(f"{property_name!r} is not a BACnet property") from None
    return Target(ObjectIdentifier((type_, int(instance))), property_, None if index is None else int(index))


def bacnet_application(
    address: str, instance: int, name: str, objects: Iterable[Object] = (), timeout: float = 3.0, retries: int = 3
) -> Application:
    """A bacpypes3 device at `address` ("host:port", port 0: any free one) serving `objects`.

    Must be called in a running event loop; `close()` releases its socket.
    """
    device = DeviceObject(
        objectIdentifier=("device", instance),
        objectName=name,
        vendorIdentifier=VENDOR_IDENTIFIER,
        apduTimeout=round(timeout * 1000),
        numberOfApduRetries=retries,
    )
    port = NetworkPortObject(address, objectIdentifier=("network-port", 1), objectName="NetworkPort-1")
    return Application.from_object_list([device, port, *objects])


def _reason(error: ErrorRejectAbortNack | ErrorType) -> str:
    if isinstance(error, ErrorType):
        return f"{error.errorClass}: {error.errorCode}"
    return str(error.reason)


def _round_real(value: Any) -> float:
    # A BACnet Real is a float32: 19.2 arrives as 19.200000762939453.
    return round_float32(value) if isinstance(value, Real) else float(value)


def _slot(value: Any) -> Any:
    """What a priority slot holds: its value, or None when it is empty (NULL)."""
    if isinstance(value, PriorityValue):
        return None if value._choice in {None, "null"} else getattr(value, value._choice)
    return None if isinstance(value, Null) else value


def _undecodable(point: PointSpec, error: Exception) -> str:
    # Whatever the device sent that bacpypes3 cannot decode (a NULL where the standard says Real, an
    # unknown tag) costs that point only.
    return gettext("%(point)s: the answer could not be decoded (%(error)s)") % {
        "point": point.address,
        "error": f"{type(error).__name__}: {error}",
    }


def sample_of(point: PointSpec, raw: Any, now: datetime.datetime) -> Sample:
    """The point's sample from what bacpypes3 decoded (or the device's error): a bad one saying why when
    it is not a finite number, never an exception."""

    def bad(reason: str) -> Sample:
        return Sample(point.id, now, None, Quality.BAD, f"{point.address}: {reason}")

    if isinstance(raw, ErrorType | ErrorRejectAbortNack):
        return bad(_reason(raw))
    if isinstance(raw, Null):
        return bad(gettext("no value (NULL)"))
    if not isinstance(raw, int | float):
        return bad(gettext("%(value)s is not a number") % {"value": repr(raw)[:100]})
    try:
        value = point.to_engineering(_round_real(raw))
    except (ValueError, OverflowError):
        value = math.nan
    if not math.isfinite(value):
        return bad(gettext("the device sent %(value)s, not a number") % {"value": raw})
    return Sample(point.id, now, value, point.quality_of(value))


class _Subscription(SubscriptionContextManager):
    """A COV subscription whose renewals have a timeout, and which remembers that one failed.

    bacpypes3 renews a subscription two seconds before its lifetime ends, but waits for the answer
    forever and drops a failure; the driver checks `failure` at each read instead.
    """

    timeout: float
    failure: str = ""

    def create_refresh_task(self) -> None:
        self.refresh_subscription_task = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        try:
            await asyncio.wait_for(self.refresh_subscription(), self.timeout)
        except TimeoutError:
            self.failure = f"no answer to the renewal within {self.timeout} s"
        except ErrorRejectAbortNack as error:
            self.failure = _reason(error)


class BacnetDriver(Driver):
    can_subscribe = True

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.app: Application | None = None
        self.address = Address("0.0.0.0:0")
        self.read_multiple = True
        self.subscriptions: list[tuple[_Subscription, asyncio.Task[None]]] = []
        # Points whose subscription the device refused: read at each poll instead.
        self.refused: list[PointSpec] = []

    def _where(self) -> str:
        return f"{self.connection.host}:{self.connection.port}"

    async def connect(self) -> None:
        options = self.connection.options
        try:
            self.address = Address(self._where())
        except ValueError as error:
            raise DeviceError(f"{self._where()}: {error}") from None
        self.app = bacnet_application(
            str(options.get("local_address", "0.0.0.0:0")),
            int(options.get("client_instance", CLIENT_INSTANCE)),
            "Maintenir",
            timeout=self.connection.timeout,
            retries=0,
        )
        try:
            await self._identify(options.get("instance"))
        except DeviceError:
            await self.close()
            raise

    async def _identify(self, instance: int | None) -> None:
        """Check a device answers: read its device object, or ask who it is (directed Who-Is)."""
        assert self.app is not None
        if instance is None:
            i_ams = await self._call(self.app.who_is(address=self.address, timeout=self.connection.timeout))
            if not i_ams:
                raise DeviceUnreachable(
                    gettext("%s: no I-Am; give the device instance in the options if it answers by broadcast")
                    % self._where()
                )
            return
        try:
            await self._call(
                self.app.read_property(self.address, ObjectIdentifier(("device", int(instance))), "object-identifier")
            )
        except ErrorRejectAbortNack as error:
            raise DeviceError(f"{self._where()}: device {instance}: {_reason(error)}") from None

    async def close(self) -> None:
        subscriptions, self.subscriptions = self.subscriptions, []
        for subscription, delivery in subscriptions:
            delivery.cancel()
            if subscription.refresh_subscription_task is not None:
                subscription.refresh_subscription_task.cancel()
            # Cancel it on the device, so subscriptions do not pile up there across reconnections.
            with contextlib.suppress(TimeoutError, OSError, ErrorRejectAbortNack):
                await asyncio.wait_for(subscription.__aexit__(None, None, None), self.connection.timeout)
        self.refused = []
        if self.app is not None:
            app, self.app = self.app, None
            app.close()

    async def _call(self, request: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(request, self.connection.timeout)
        except TimeoutError as error:
            raise no_answer(self._where(), self.connection.timeout) from error
        except AbortPDU as abort:
            if abort.apduAbortRejectReason == AbortReason.noResponse:
                raise no_answer(self._where(), self.connection.timeout) from None
            raise
        except OSError as error:
            raise unreachable(self._where(), error) from error

    def _connected(self) -> Application:
        if self.app is None:
            raise not_connected(self._where())
        for subscription, delivery in self.subscriptions:
            if subscription.failure:
                raise DeviceUnreachable(
                    gettext("%(where)s: COV subscription lost: %(error)s")
                    % {"where": self._where(), "error": subscription.failure}
                )
            if delivery.done():
                raise DeviceError(
                    gettext("%(where)s: COV delivery stopped: %(error)r")
                    % {"where": self._where(), "error": delivery.exception()}
                )
        return self.app

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        app = self._connected()
        samples = []
        points = [*points, *self.refused]
        for start in range(0, len(points), MAX_PER_REQUEST):
            samples += await self._read_batch(app, points[start : start + MAX_PER_REQUEST])
        return samples

    async def _read_batch(self, app: Application, points: list[PointSpec]) -> list[Sample]:
        targets = [parse_address(point.address) for point in points]
        if self.read_multiple:
            request: list[Any] = []
            for target in targets:
                request += [target.object, [target.reference]]
            try:
                results = await self._call(app.read_property_multiple(self.address, request))
            except RejectPDU as reject:
                # A device without ReadPropertyMultiple is read one property at a time from now on.
                if reject.apduAbortRejectReason == RejectReason.unrecognizedService:
                    self.read_multiple = False
            except DeviceError:
                raise
            except Exception as error:
                # Some devices fail the whole request for one bad object, and one undecodable value
                # spoils the whole answer: read one by one to name the point.
                logger.debug("%s: ReadPropertyMultiple failed (%r), reading one by one", self._where(), error)
            else:
                now = timezone.now()
                return [
                    sample_of(point, value, now)
                    for point, (_object, _property, _index, value) in zip(points, results, strict=True)
                ]
        return [await self._read_one(app, point, target) for point, target in zip(points, targets, strict=True)]

    async def _read_one(self, app: Application, point: PointSpec, target: Target) -> Sample:
        try:
            raw = await self._call(app.read_property(self.address, target.object, target.property, target.index))
        except DeviceError:
            raise
        except ErrorRejectAbortNack as error:
            raw = error
        except Exception as error:
            return Sample(point.id, timezone.now(), None, Quality.BAD, _undecodable(point, error))
        return sample_of(point, raw, timezone.now())

    async def _read_raw(self, target: Target, index: int | None = None) -> Any:
        """One property's value as bacpypes3 decodes it, or the device's error; raises DeviceError."""
        app = self._connected()
        try:
            return await self._call(app.read_property(self.address, target.object, target.property, index))
        except DeviceError:
            raise
        except ErrorRejectAbortNack as error:
            return error
        except Exception as error:
            raise DeviceError(
                gettext("%(point)s: the answer could not be decoded (%(error)s)")
                % {"point": target.object, "error": f"{type(error).__name__}: {error}"}
            ) from None

    def _priorities(self, point: PointSpec) -> Target | None:
        """The priority array that commands the point, if it is a commandable present value."""
        target = parse_address(point.address)
        return Target(target.object, PRIORITY_ARRAY) if target.is_present_value else None

    async def restore_of(self, point: PointSpec, value: float) -> Restore:
        """A commandable present value gets back what its priority slot held (relinquished if it was
        empty); anything else (a property without priorities, an object without a priority array)
        gets its value written back, since a NULL would be refused or would wipe the setting."""
        priorities = self._priorities(point)
        if priorities is None:
            return Restore(value)
        slot = await self._read_raw(priorities, point.write_priority)
        if isinstance(slot, ErrorType | ErrorRejectAbortNack):
            return Restore(value)
        held = _slot(slot)
        if held is None:
            return Restore(relinquish=True)
        return Restore(point.to_engineering(_round_real(held)))

    async def why_not(self, point: PointSpec) -> str:
        priorities = self._priorities(point)
        if priorities is None:
            return ""
        array = await self._read_raw(priorities)
        if isinstance(array, ErrorType | ErrorRejectAbortNack):
            return ""
        for priority, slot in enumerate(array, start=1):
            if priority >= point.write_priority:
                break
            if _slot(slot) is not None:
                return gettext("overridden at priority %d by another command") % priority
        return ""

    async def write(self, point: PointSpec, value: float) -> None:
        target = parse_address(point.address)
        raw: float | int = point.to_raw(value)
        if not math.isfinite(raw):
            raise ValueRefused(
                gettext("%(point)s: %(value)s is not a number") % {"point": point.address, "value": value}
            )
        if not target.is_real:
            raw = round(raw)
        await self._write(point, target, raw)

    async def relinquish(self, point: PointSpec) -> None:
        await self._write(point, parse_address(point.address), Null(()))

    async def _write(self, point: PointSpec, target: Target, raw: Any) -> None:
        app = self._connected()
        try:
            refused = await self._call(
                app.write_property(
                    self.address, target.object, target.property, raw, target.index, priority=point.write_priority
                )
            )
        except (ErrorRejectAbortNack, ValueError, TypeError) as error:
            reason = _reason(error) if isinstance(error, ErrorRejectAbortNack) else str(error)
            raise DeviceError(f"{point.address}: {reason}") from None
        # bacpypes3 answers with a text, without asking the device, when it does not know the property's type.
        if refused:
            raise DeviceError(f"{point.address}: {refused}")

    async def subscribe(self, points: list[PointSpec], sink: SampleSink) -> None:
        app = self._connected()
        lifetime = int(self.connection.options.get("cov_lifetime", COV_LIFETIME))
        for process, point in enumerate(points, start=1):
            target = parse_address(point.address)
            subscription = _Subscription(app, self.address, target.object, process, True, lifetime)
            subscription.timeout = self.connection.timeout
            try:
                await self._call(subscription.__aenter__())
            except ErrorRejectAbortNack as error:
                logger.warning("%s: %s refused COV (%s): polled instead", self._where(), point.address, _reason(error))
                self.refused.append(point)
                continue
            delivery = asyncio.create_task(self._deliver(point, subscription, sink), name=f"cov-{point.id}")
            self.subscriptions.append((subscription, delivery))

    async def _deliver(self, point: PointSpec, subscription: _Subscription, sink: SampleSink) -> None:
        while True:
            property_, value = await subscription.get_value()
            # Notifications carry the status flags too.
            if property_ == PRESENT_VALUE:
                await sink([sample_of(point, value, timezone.now())])
