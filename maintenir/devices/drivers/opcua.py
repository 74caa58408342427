"""OPC UA with asyncua: points are node ids, read together in one request; every request has a timeout."""

import asyncio
import contextlib
import datetime
from typing import Any

from asyncua import Client, ua
from asyncua.ua.uaerrors import UaError
from django.utils import timezone

from maintenir.devices.choices import DataType, Quality
from maintenir.devices.drivers.base import (
    Connection,
    DeviceError,
    DeviceUnreachable,
    Driver,
    PointSpec,
    Sample,
    SampleSink,
)

FLOAT_TYPES = {DataType.FLOAT32, DataType.FLOAT64}
# How often the server sends the changes of subscribed nodes, in milliseconds.
PUBLISHING_INTERVAL = 500


class DataChanges:
    """Hands the subscribed nodes' changes to the acquisition service as samples."""

    def __init__(self, driver: "OpcUaDriver", points: dict[str, PointSpec], sink: SampleSink) -> None:
        self.driver = driver
        self.points = points
        self.sink = sink

    async def datachange_notification(self, node: Any, value: Any, data: Any) -> None:
        point = self.points.get(node.nodeid.to_string())
        if point is not None:
            await self.sink([self.driver.sample(point, value, timezone.now())])

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
            raise DeviceUnreachable(f"{self.url}: {error or 'no answer'}") from error

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
            raise DeviceUnreachable(f"{self.url}: no answer within {self.connection.timeout} s") from error
        except (OSError, ConnectionError) as error:
            raise DeviceUnreachable(f"{self.url}: {error}") from error

    def sample(self, point: PointSpec, raw: Any, now: datetime.datetime) -> Sample:
        try:
            value = point.to_engineering(float(raw))
        except (TypeError, ValueError):
            return Sample(point.id, now, None, Quality.BAD, f"{point.address}: {raw!r} is not a number")
        return Sample(point.id, now, value, point.quality_of(value))

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        if self.client is None:
            raise DeviceUnreachable(f"{self.url}: not connected")
        if self.lost:
            raise DeviceUnreachable(self.lost)
        if not points:
            # Only subscribed points: asking the server's state tells whether it is still there.
            await self._call(self.client.get_node(ua.ObjectIds.Server_ServerStatus_State).read_value())
            return []
        nodes = [self.client.get_node(point.address) for point in points]
        try:
            values = await self._call(self.client.read_values(nodes))
        except UaError:
            # One bad node id fails the whole request: read them one by one to name it.
            return [await self._read_one(point) for point in points]
        now = timezone.now()
        return [self.sample(point, raw, now) for point, raw in zip(points, values, strict=True)]

    async def _read_one(self, point: PointSpec) -> Sample:
        assert self.client is not None
        try:
            raw = await self._call(self.client.get_node(point.address).read_value())
        except UaError as error:
            return Sample(point.id, timezone.now(), None, Quality.BAD, f"{point.address}: {error}")
        return self.sample(point, raw, timezone.now())

    async def subscribe(self, points: list[PointSpec], sink: SampleSink) -> None:
        """One OPC UA subscription for all the points; asyncua keeps it alive with publish requests."""
        if self.client is None:
            raise DeviceUnreachable(f"{self.url}: not connected")
        handler = DataChanges(self, {ua.NodeId.from_string(point.address).to_string(): point for point in points}, sink)
        try:
            self.subscription = await self._call(self.client.create_subscription(PUBLISHING_INTERVAL, handler))
            await self._call(self.subscription.subscribe_data_change([self.client.get_node(p.address) for p in points]))
        except UaError as error:
            raise DeviceError(f"{self.url}: subscription refused: {error}") from error

    async def write(self, point: PointSpec, value: float) -> None:
        if self.client is None:
            raise DeviceUnreachable(f"{self.url}: not connected")
        node = self.client.get_node(point.address)
        raw: float | int = point.to_raw(value)
        if point.data_type and point.data_type not in FLOAT_TYPES:
            raw = round(raw)
        try:
            variant_type = await self._call(node.read_data_type_as_variant_type())
            await self._call(node.write_value(ua.Variant(raw, variant_type)))
        except UaError as error:
            raise DeviceError(f"{point.address}: {error}") from error
