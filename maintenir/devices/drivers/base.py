"""What every protocol driver offers: connect, read points, write a point, close.

Drivers work on plain `PointSpec`s, not on models, so the acquisition service can run them in
its event loop without touching the database. Every request has a timeout.
"""

import abc
import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, NamedTuple, Self

from django.utils.translation import gettext

from maintenir.devices.choices import DataType, Quality

INTEGER_RANGES = {
    DataType.INT16: (-(2**15), 2**15 - 1),
    DataType.UINT16: (0, 2**16 - 1),
    DataType.INT32: (-(2**31), 2**31 - 1),
    DataType.UINT32: (0, 2**32 - 1),
    DataType.INT64: (-(2**63), 2**63 - 1),
    DataType.UINT64: (0, 2**64 - 1),
}
FLOAT32_MAX = 3.4028234663852886e38
# What a float32 carries: more digits only show its binary rounding (123.456 reads 123.45600128173828).
FLOAT32_DIGITS = 7


def round_float32(value: float) -> float:
    return float(f"{value:.{FLOAT32_DIGITS}g}")


class DeviceError(Exception):
    """The device answered, but not with what was asked (wrong unit id, illegal address…)."""


class DeviceUnreachable(DeviceError):
    """No answer within the timeout, or no connection."""


def no_answer(where: str, timeout: float) -> DeviceUnreachable:
    return DeviceUnreachable(
        gettext("%(where)s: no answer within %(timeout)s s") % {"where": where, "timeout": timeout}
    )


def not_connected(where: str) -> DeviceUnreachable:
    return DeviceUnreachable(gettext("%(where)s: not connected") % {"where": where})


def unreachable(where: str, error: BaseException) -> DeviceUnreachable:
    """The connection failed; the library's message, or the kind of failure when it has none, says how."""
    return DeviceUnreachable(
        gettext("%(where)s: %(error)s") % {"where": where, "error": str(error) or type(error).__name__}
    )


class ValueRefused(DeviceError):
    """The value cannot be sent to the point (outside its type's range, not a number): nothing was sent."""


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    unit_id: int = 1
    timeout: float = 3.0
    # The device's protocol options (OPC UA endpoint path, BACnet device instance…), read-only.
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def path(self) -> str:
        return str(self.options.get("path", ""))


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
    write_priority: int = 16
    dpt: str = ""
    subscribed: bool = False

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


class Sample(NamedTuple):
    """A value read from a device (None with bad quality when the read failed).

    A named tuple: ingestion makes a million of them a minute, and tuples are the cheapest to make."""

    point_id: int
    time: datetime.datetime
    value: float | None
    quality: str
    error: str = ""


# A Sample as a plain tuple, its fields in the same places: MQTT ingestion makes these, a fifth of the cost
# of a Sample, and whatever stores or watches readings reads them by position.
SampleRow = tuple[int, datetime.datetime, float | None, str, str]
POINT_ID: Final = 0
TIME: Final = 1
VALUE: Final = 2
QUALITY: Final = 3
ERROR: Final = 4

# Where a driver hands the samples a subscription delivers.
SampleSink = Callable[[list[Sample]], Awaitable[None]]


@dataclass(frozen=True)
class Restore:
    """How to put a point back as it was before a write: write `value` again, or give up the command
    the write made (a BACnet priority slot that was empty before)."""

    value: float | None = None
    relinquish: bool = False


class Driver(abc.ABC):
    # Whether `subscribe` works; points marked subscribed are polled on drivers that cannot.
    can_subscribe: ClassVar[bool] = False

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

    async def subscribe(self, points: list[PointSpec], sink: SampleSink) -> None:
        """Deliver the points' changes to `sink` (BACnet COV, OPC UA data change, KNX telegrams) until
        `close()`, which releases the subscriptions. The driver renews them before they expire; when
        it cannot, its next `read` raises DeviceUnreachable so the acquisition service reconnects."""
        raise DeviceError(f"{type(self).__name__} cannot subscribe: poll these points instead")

    async def restore_of(self, point: PointSpec, value: float) -> Restore:
        """Called before writing a point that reads `value`: what will put it back as it is now."""
        return Restore(value)

    async def restore(self, point: PointSpec, restore: Restore) -> None:
        """Put a point back as `restore_of` said; raises DeviceError or DeviceUnreachable."""
        if restore.relinquish:
            await self.relinquish(point)
        elif restore.value is not None:
            await self.write(point, restore.value)

    async def relinquish(self, point: PointSpec) -> None:
        """Give up this application's command of a point (BACnet: write null at the point's priority)."""
        raise DeviceError(f"{type(self).__name__} has no command priorities: write the old value back instead")

    async def why_not(self, point: PointSpec) -> str:
        """Why a point may not read what was just written to it, when the device can tell (BACnet: a
        command at a higher priority); empty when it cannot."""
        return ""

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
