"""What every protocol driver offers: connect, read points, write a point, close.

Drivers work on plain `PointSpec`s, not on models, so the acquisition service can run them in
its event loop without touching the database. Every request has a timeout.
"""

import abc
import datetime
from dataclasses import dataclass
from typing import Any, Self

from maintenir.devices.choices import Quality


class DeviceError(Exception):
    """The device answered, but not with what was asked (wrong unit id, illegal address…)."""


class DeviceUnreachable(DeviceError):
    """No answer within the timeout, or no connection."""


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    unit_id: int = 1
    timeout: float = 3.0
    # The endpoint's path (OPC UA), from the device's options.
    path: str = ""


@dataclass(frozen=True)
class PointSpec:
    """A point as a driver needs it."""

    id: int
    address: str
    register_type: str = ""
    data_type: str = ""
    word_order: str = "big"
    scale: float = 1.0
    offset: float = 0.0
    min_value: float | None = None
    max_value: float | None = None

    def to_engineering(self, raw: float) -> float:
        return raw * self.scale + self.offset

    def to_raw(self, value: float) -> float:
        return (value - self.offset) / self.scale

    def quality_of(self, value: float) -> str:
        if (self.min_value is not None and value < self.min_value) or (
            self.max_value is not None and value > self.max_value
        ):
            return Quality.OUT_OF_RANGE
        return Quality.GOOD


@dataclass(frozen=True)
class Sample:
    """A value read from a device (None with bad quality when the read failed)."""

    point_id: int
    time: datetime.datetime
    value: float | None
    quality: str
    error: str = ""


class Driver(abc.ABC):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @abc.abstractmethod
    async def connect(self) -> None:
        """Open the connection; raises DeviceUnreachable."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def read(self, points: list[PointSpec]) -> list[Sample]:
        """Read the points with as few requests as the protocol allows; raises DeviceUnreachable."""

    @abc.abstractmethod
    async def write(self, point: PointSpec, value: float) -> None:
        """Write an engineering value to a writable point; raises DeviceError or DeviceUnreachable."""

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
