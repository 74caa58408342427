"""OPC UA with asyncua: points are node ids, read together in one request; every request has a timeout."""

import asyncio
import contextlib
import datetime
import math
from typing import Any

from asyncua import Client, ua
from asyncua.ua.uaerrors import UaError, UaStatusCodeError
from django.utils import timezone
from django.utils.translation import gettext

from maintenir.devices.choices import DataType, Quality
from maintenir.devices.drivers.base import (
    FLOAT32_MAX,
    INTEGER_RANGES,
    Connection,
    DeviceError,
    DeviceUnreachable,
    Driver,
    PointSpec,
    Sample,
    SampleSink,
    ValueRefused,
    no_answer,
    not_connected,
    round_float32,
    unreachable,
)

# A node's variant type when the server does not tell its data type: the point's own, or a double.
VARIANT_TYPES = {
    DataType.INT16: ua.VariantType.Int16,
    DataType.UINT16: ua.VariantType.UInt16,
    DataType.INT32: ua.VariantType.Int32,
    DataType.UINT32: ua.VariantType.UInt32,
    DataType.INT64: ua.VariantType.Int64,
    DataType.UINT64: ua.VariantType.UInt64,
    DataType.FLOAT32: ua.VariantType.Float,
    DataType.FLOAT64: ua.VariantType.Double,
    DataType.BOOL: ua.VariantType.Boolean,
}
INTEGER_VARIANTS = {
    ua.VariantType.SByte: (-(2**7), 2**7 - 1),
    ua.VariantType.Byte: (0, 2**8 - 1),
    **{VARIANT_TYPES[data_type]: limits for data_type, limits in INTEGER_RANGES.items()},
}
# How often the server sends the changes of subscribed nodes, in milliseconds.
PUBLISHING_INTERVAL = 500


def sample_of(point: PointSpec, data_value: Any, now: datetime.datetime) -> Sample:
    """The point's sample from the server's DataValue: a bad one saying why when its status is bad or its
    value is not a number, never an exception."""

    def bad(reason: str) -> Sample:
        return Sample(point.id, now, None, Quality.BAD, f"{point.address}: {reason}")

    status = getattr(data_value, "StatusCode", None)
    if isinstance(status, ua.StatusCode) and status.is_bad():
        return bad(gettext("the server answers %(status)s") % {"status": status.name})
    variant = getattr(data_value, "Value", None)
    raw = getattr(variant, "Value", None)
    try:
        if isinstance(raw, str | bytes) or getattr(variant, "is_array", False):
            raise TypeError
        number = float(raw)  # type: ignore[arg-type]
        if getattr(variant, "VariantType", None) == ua.VariantType.Float and math.isfinite(number):
            number = round_float32(number)
        value = point.to_engineering(number)
    except (TypeError, ValueError, OverflowError):
        return bad(gettext("%(value)s is not a number") % {"value": repr(raw)[:100]})
    if not math.isfinite(value):
        return bad(gettext("the server sent %(value)s, not a number") % {"value": value})
    return Sample(point.id, now, value, point.quality_of(value))


def raw_value(point: PointSpec, value: float, variant_type: ua.VariantType) -> float | int | bool:
    """The value as the node's variant type holds it; raises ValueRefused when it cannot, before anything
    is sent."""
    if not math.isfinite(value):
        raise ValueRefused(gettext("%(point)s: %(value)s is not a number") % {"point": point.address, "value": value})
    try:
        raw = point.to_raw(value)
    except ZeroDivisionError:
        raise ValueRefused(gettext("%(point)s: its scale is 0") % {"point": point.address}) from None
    if variant_type == ua.VariantType.Boolean:
        if raw not in (0, 1):
            raise ValueRefused(
                gettext("%(point)s: a boolean is 0 or 1, not %(value)s") % {"point": point.address, "value": value}
            )
        return bool(raw)
    low, high = INTEGER_VARIANTS.get(variant_type) or (
        (-FLOAT32_MAX, FLOAT32_MAX) if variant_type == ua.VariantType.Float else (-math.inf, math.inf)
    )
    integer = variant_type in INTEGER_VARIANTS
    if not math.isfinite(raw) or not low <= (round(raw) if integer else raw) <= high:
        raise ValueRefused(
            gettext("%(point)s: %(value)s is outside %(type)s (%(low)s…%(high)s) after scaling")
            % {
                "point": point.address,
                "value": f"{value:g}",
                "type": variant_type.name,
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
        )
    return round(raw) if integer else raw


class DataChanges:
    """Hands the subscribed nodes' changes to the acquisition service as samples."""

    def __init__(self, driver: "OpcUaDriver", points: dict[str, PointSpec], sink: SampleSink) -> None:
        self.driver = driver
        self.points = points
        self.sink = sink

    async def datachange_notification(self, node: Any, value: Any, data: Any) -> None:
        point = self.points.get(node.nodeid.to_string())
        if point is not None:
            await self.sink([sample_of(point, data.monitored_item.Value, timezone.now())])

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        # The server gave up the subscription (session lost, timeout): reconnect at the next poll.
        self.driver.lost = f"{self.driver.url}: subscription ended ({status.Status})"


class OpcUaDriver(Driver):
    can_subscribe = True

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.client: Client | None = None
        self.subscription: Any = None
        self.lost = ""

    @property
    def url(self) -> str:
        return f"opc.tcp://{self.connection.host}:{self.connection.port}/{self.connection.path.lstrip('/')}"

    async def connect(self) -> None:
        self.client = Client(self.url, timeout=self.connection.timeout)
        try:
            await asyncio.wait_for(self.client.connect(), self.connection.timeout)
        except (TimeoutError, OSError, UaError) as error:
            self.client = None
            raise unreachable(self.url, error) from error

    async def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            subscription, self.subscription = self.subscription, None
            # A server already gone needs no goodbye.
            with contextlib.suppress(TimeoutError, OSError, UaError):
                if subscription is not None:
                    await asyncio.wait_for(subscription.delete(), self.connection.timeout)
                await asyncio.wait_for(client.disconnect(), self.connection.timeout)

    async def _call(self, call: Any) -> Any:
        try:
            return await asyncio.wait_for(call, self.connection.timeout)
        except TimeoutError as error:
            raise no_answer(self.url, self.connection.timeout) from error
        except (OSError, ConnectionError) as error:
            raise unreachable(self.url, error) from error

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        if self.client is None:
            raise not_connected(self.url)
        if self.lost:
            raise DeviceUnreachable(self.lost)
        if not points:
            # Only subscribed points: asking the server's state tells whether it is still there.
            await self._call(self.client.get_node(ua.ObjectIds.Server_ServerStatus_State).read_value())
            return []
        nodes = [self.client.get_node(point.address) for point in points]
        try:
            # Each node's answer has its own status: one unknown node does not fail the others.
            data_values = await self._call(self.client.read_attributes(nodes))
        except UaError:
            # The request as a whole was refused (too many nodes for this server…): one by one.
            return [await self._read_one(point) for point in points]
        now = timezone.now()
        return [sample_of(point, data_value, now) for point, data_value in zip(points, data_values, strict=True)]

    async def _read_one(self, point: PointSpec) -> Sample:
        assert self.client is not None
        try:
            (data_value,) = await self._call(self.client.read_attributes([self.client.get_node(point.address)]))
        except UaStatusCodeError as error:
            return Sample(
                point.id,
                timezone.now(),
                None,
                Quality.BAD,
                f"{point.address}: " + gettext("the server answers %(status)s") % {"status": type(error).__name__},
            )
        return sample_of(point, data_value, timezone.now())

    async def subscribe(self, points: list[PointSpec], sink: SampleSink) -> None:
        """One OPC UA subscription for all the points; asyncua keeps it alive with publish requests."""
        if self.client is None:
            raise not_connected(self.url)
        handler = DataChanges(self, {ua.NodeId.from_string(point.address).to_string(): point for point in points}, sink)
        try:
            self.subscription = await self._call(self.client.create_subscription(PUBLISHING_INTERVAL, handler))
            await self._call(self.subscription.subscribe_data_change([self.client.get_node(p.address) for p in points]))
        except UaError as error:
            raise DeviceError(f"{self.url}: subscription refused: {error}") from error

    async def write(self, point: PointSpec, value: float) -> None:
        if self.client is None:
            raise not_connected(self.url)
        node = self.client.get_node(point.address)
        try:
            variant_type = await self._call(node.read_data_type_as_variant_type())
        except UaError:
            # A server that hides the node's data type gets the point's own.
            variant_type = VARIANT_TYPES.get(DataType(point.data_type or DataType.FLOAT64), ua.VariantType.Double)
        raw = raw_value(point, value, variant_type)
        # The value alone, without timestamps: servers on open62541 refuse a SourceTimestamp
        # (BadWriteNotSupported), and the server stamps the value itself.
        data_value = ua.DataValue(ua.Variant(raw, variant_type))
        try:
            await self._call(node.write_attribute(ua.AttributeIds.Value, data_value))
        except UaStatusCodeError as error:
            raise DeviceError(
                f"{point.address}: "
                + gettext("the server refuses the value (%(status)s)") % {"status": type(error).__name__}
            ) from error
        except UaError as error:
            raise DeviceError(f"{point.address}: {error}") from error
