"""OPC UA with asyncua: points are node ids, read together in one request; every request has a timeout."""

import asyncio
import contextlib
import datetime
from typing import Any

from asyncua import Client, ua
from asyncua.ua.uaerrors import UaError
from django.utils import timezone

from maintenir.devices.choices import DataType, Quality
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, Driver, PointSpec, Sample

FLOAT_TYPES = {DataType.FLOAT32, DataType.FLOAT64}


class OpcUaDriver(Driver):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.client: Client | None = None

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
            # A server already gone needs no goodbye.
            with contextlib.suppress(TimeoutError, OSError, UaError):
                await asyncio.wait_for(client.disconnect(), self.connection.timeout)

    async def _call(self, call: Any) -> Any:
        try:
            return await asyncio.wait_for(call, self.connection.timeout)
        except TimeoutError as error:
            raise DeviceUnreachable(f"{self.url}: no answer within {self.connection.timeout} s") from error
        except (OSError, ConnectionError) as error:
            raise DeviceUnreachable(f"{self.url}: {error}") from error

    def _sample(self, point: PointSpec, raw: Any, now: datetime.datetime) -> Sample:
        try:
            value = point.to_engineering(float(raw))
        except (TypeError, ValueError):
            return Sample(point.id, now, None, Quality.BAD, f"{point.address}: {raw!r} is not a number")
        return Sample(point.id, now, value, point.quality_of(value))

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        if self.client is None:
            raise DeviceUnreachable(f"{self.url}: not connected")
        nodes = [self.client.get_node(point.address) for point in points]
        try:
            values = await self._call(self.client.read_values(nodes))
        except UaError:
            # One bad node id fails the whole request: read them one by one to name it.
            return [await self._read_one(point) for point in points]
        now = timezone.now()
        return [self._sample(point, raw, now) for point, raw in zip(points, values, strict=True)]

    async def _read_one(self, point: PointSpec) -> Sample:
        assert self.client is not None
        try:
            raw = await self._call(self.client.get_node(point.address).read_value())
        except UaError as error:
            return Sample(point.id, timezone.now(), None, Quality.BAD, f"{point.address}: {error}")
        return self._sample(point, raw, timezone.now())

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
