"""KNX/IP with xknx: points are group addresses with a datapoint type (DPT).

KNX has no request for many values: each point is a GroupValueRead that the device owning the
group address answers; they are all sent at once and each waits at most the connection timeout.
Telegrams on subscribed group addresses (writes and responses) are delivered as they pass.
"""

import asyncio
import contextlib
import datetime
import ipaddress
import math
from enum import Enum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from xknx import XKNX
from xknx.core import ValueReader
from xknx.dpt import DPTArray, DPTBase, DPTBinary, DPTNumeric
from xknx.dpt.dpt_1 import DPT1BitEnum
from xknx.exceptions import CouldNotParseAddress, XKNXException
from xknx.io import ConnectionConfig, ConnectionType
from xknx.telegram import GroupAddress, IndividualAddress, Telegram
from xknx.telegram.apci import GroupValueResponse, GroupValueWrite

from maintenir.devices.choices import Quality
from maintenir.devices.drivers.base import (
    Connection,
    DeviceError,
    DeviceUnreachable,
    Driver,
    PointSpec,
    Sample,
    SampleSink,
    ValueRefused,
    not_connected,
)

# The device option "connection"; routing needs no KNXnet/IP server, only the multicast group.
CONNECTION_TYPES = {
    "routing": ConnectionType.ROUTING,
    "tunnelling": ConnectionType.TUNNELING,
    "tunneling": ConnectionType.TUNNELING,
    "tunnelling_tcp": ConnectionType.TUNNELING_TCP,
}
Transcoder = type[DPTNumeric] | type[DPT1BitEnum[Any]]


def group_address(text: str) -> GroupAddress:
    """A group address written 1/2/3 (three levels), 1/2 (two levels) or as a free number; raises ValueError."""
    # xknx's pattern also takes other scripts' digits.
    if not text.isascii():
        raise ValueError(f"{text!r} is not a group address")
    try:
        address = GroupAddress(text)
    except CouldNotParseAddress as error:
        raise ValueError(f"{text!r} is not a group address: {error.message}") from error
    if address.raw == 0:
        raise ValueError("0/0/0 is the broadcast address")
    return address


def transcoder(dpt: str) -> Transcoder:
    """The xknx class of a numeric or boolean (1.xxx) datapoint type such as "9.001"; raises ValueError."""
    found = DPTBase.parse_transcoder(dpt)
    if found is None or not issubclass(found, DPTNumeric | DPT1BitEnum):
        raise ValueError(f"{dpt!r} is not a numeric or boolean KNX datapoint type")
    return found


class SettingError(ValueError):
    """A connection setting the driver cannot use; `field` is the device's field it is in ("host", "options")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _ip_address(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def connection_config(connection: Connection) -> ConnectionConfig:
    """xknx's connection settings from the device's host, port and options ("connection", "local_ip",
    "individual_address"); raises SettingError naming the one it cannot use."""
    options = connection.options
    name = str(options.get("connection", "routing"))
    kind = CONNECTION_TYPES.get(name)
    if kind is None:
        raise SettingError("options", f"connection {name!r}: choose one of {', '.join(CONNECTION_TYPES)}")
    local_ip = options.get("local_ip")
    if local_ip is not None and _ip_address(local_ip) is None:
        raise SettingError("options", f"local_ip {local_ip!r} is not an IP address")
    individual_address = options.get("individual_address")
    try:
        address = IndividualAddress(individual_address) if individual_address else None
    except CouldNotParseAddress as error:
        raise SettingError("options", f"individual_address {individual_address!r}: {error.message}") from error
    if kind is ConnectionType.ROUTING:
        group = _ip_address(connection.host)
        if group is None or not group.is_multicast:
            raise SettingError(
                "host", f"{connection.host!r}: routing needs a multicast group address, e.g. 224.0.23.12"
            )
        return ConnectionConfig(
            connection_type=kind,
            multicast_group=connection.host,
            multicast_port=connection.port,
            local_ip=local_ip or "127.0.0.1",
            individual_address=address,
            auto_reconnect=False,
        )
    # Reconnection is the acquisition service's job (with backoff), not xknx's.
    return ConnectionConfig(
        connection_type=kind,
        gateway_ip=connection.host,
        gateway_port=connection.port,
        local_ip=local_ip,
        auto_reconnect=False,
    )


def _address(point: PointSpec) -> GroupAddress:
    try:
        return group_address(point.address)
    except ValueError as error:
        raise DeviceError(str(error)) from error


def decode(point: PointSpec, payload: DPTArray | DPTBinary, now: datetime.datetime) -> Sample:
    """The point's sample from a telegram's payload: a bad one saying why when the payload does not match
    the point's datapoint type (a 1-bit value on a 9.001 point…), never an exception."""
    try:
        raw = transcoder(point.dpt).from_knx(payload)
        # Booleans (1.xxx) decode to enum members whose values are False/True.
        value = point.to_engineering(float(raw.value if isinstance(raw, Enum) else raw))
    except (ValueError, TypeError, OverflowError, XKNXException) as error:
        detail = getattr(error, "description", None) or getattr(error, "message", None) or error
        return Sample(
            point.id,
            now,
            None,
            Quality.BAD,
            f"{point.address}: "
            + gettext("the telegram's value %(payload)s is not a %(dpt)s value (%(detail)s)")
            % {"payload": payload, "dpt": point.dpt or "?", "detail": detail},
        )
    if not math.isfinite(value):
        return Sample(
            point.id,
            now,
            None,
            Quality.BAD,
            f"{point.address}: " + gettext("the device sent %(value)s, not a number") % {"value": value},
        )
    return Sample(point.id, now, value, point.quality_of(value))


def encode(point: PointSpec, value: float) -> DPTArray | DPTBinary:
    """The payload of an engineering value; raises DeviceError when the DPT cannot hold it."""
    try:
        dpt = transcoder(point.dpt)
        raw = point.to_raw(value)
        if issubclass(dpt, DPT1BitEnum):
            if raw not in (0, 1):
                raise ValueError(gettext("a boolean is 0 or 1"))
            return dpt.to_knx(bool(raw))
        return dpt.to_knx(round(raw) if isinstance(dpt.resolution, int) else raw)
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, XKNXException) as error:
        detail = getattr(error, "message", None) or error
        raise ValueRefused(
            gettext("%(address)s (%(dpt)s) cannot hold %(value)s (%(detail)s)")
            % {"address": point.address, "dpt": point.dpt, "value": value, "detail": detail}
        ) from error


class KnxDriver(Driver):
    can_subscribe = True

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.xknx: XKNX | None = None
        # Telegrams arrive in xknx's callbacks; one task hands them to the sink in their order.
        self.received: asyncio.Queue[list[Sample] | None] = asyncio.Queue()
        self.delivery: asyncio.Task[None] | None = None

    def _where(self) -> str:
        kind = self.connection.options.get("connection", "routing")
        return f"KNX {kind} {self.connection.host}:{self.connection.port}"

    def _config(self) -> ConnectionConfig:
        try:
            return connection_config(self.connection)
        except SettingError as error:
            raise DeviceError(str(error)) from error

    async def connect(self) -> None:
        self.xknx = XKNX(connection_config=self._config())
        try:
            await asyncio.wait_for(self.xknx.start(), self.connection.timeout)
        except (TimeoutError, OSError, XKNXException) as error:
            await self.close()
            reason = str(error) or f"no answer within {self.connection.timeout} s"
            raise DeviceUnreachable(f"{self._where()}: {reason}") from error

    async def close(self) -> None:
        if self.xknx is not None:
            xknx, self.xknx = self.xknx, None
            # An interface already gone needs no goodbye.
            with contextlib.suppress(TimeoutError, OSError, XKNXException):
                await asyncio.wait_for(xknx.stop(), self.connection.timeout)
        if self.delivery is not None:
            # Samples already received are still stored.
            self.received.put_nowait(None)
            delivery, self.delivery = self.delivery, None
            await delivery

    def _connected(self) -> XKNX:
        if self.xknx is None or not self.xknx.connection_manager.connected.is_set():
            raise not_connected(self._where())
        return self.xknx

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        xknx = self._connected()
        answers = await asyncio.gather(*(self._read_one(xknx, point) for point in points))
        if points and not any(answers):
            # Nobody answered: if the interface is gone, the device is unreachable, not its points.
            self._connected()
        now = timezone.now()
        return [
            answer
            or Sample(
                point.id, now, None, Quality.BAD, f"{point.address}: no answer within {self.connection.timeout} s"
            )
            for point, answer in zip(points, answers, strict=True)
        ]

    async def _read_one(self, xknx: XKNX, point: PointSpec) -> Sample | None:
        """The point's sample; None when nobody answered."""
        try:
            address = _address(point)
        except DeviceError as error:
            return Sample(point.id, timezone.now(), None, Quality.BAD, str(error))
        telegram = await ValueReader(xknx, address, self.connection.timeout).read()
        if telegram is None or not isinstance(telegram.payload, GroupValueResponse | GroupValueWrite):
            return None
        return decode(point, telegram.payload.value, timezone.now())

    async def write(self, point: PointSpec, value: float) -> None:
        xknx = self._connected()
        address, payload = _address(point), encode(point, value)
        # xknx sends from its queue and only logs a failure: its error counter tells.
        failures = xknx.connection_manager.cemi_count_outgoing_error
        xknx.telegrams.put_nowait(Telegram(destination_address=address, payload=GroupValueWrite(payload)))
        try:
            await asyncio.wait_for(xknx.telegrams.join(), self.connection.timeout)
        except TimeoutError as error:
            raise DeviceUnreachable(
                gettext("%(where)s: %(point)s not sent within %(timeout)s s")
                % {"where": self._where(), "point": point.address, "timeout": self.connection.timeout}
            ) from error
        if xknx.connection_manager.cemi_count_outgoing_error > failures:
            raise DeviceUnreachable(
                gettext("%(where)s: %(point)s could not be sent") % {"where": self._where(), "point": point.address}
            )

    async def subscribe(self, points: list[PointSpec], sink: SampleSink) -> None:
        xknx = self._connected()
        by_address: dict[GroupAddress, list[PointSpec]] = {}
        for point in points:
            by_address.setdefault(_address(point), []).append(point)

        def received(telegram: Telegram) -> None:
            address, payload = telegram.destination_address, telegram.payload
            if isinstance(address, GroupAddress) and isinstance(payload, GroupValueWrite | GroupValueResponse):
                now = timezone.now()
                self.received.put_nowait([decode(point, payload.value, now) for point in by_address[address]])

        xknx.telegram_queue.register_telegram_received_cb(received, group_addresses=list(by_address))
        if self.delivery is None:
            self.delivery = asyncio.create_task(self._deliver(sink))

    async def _deliver(self, sink: SampleSink) -> None:
        while (samples := await self.received.get()) is not None:
            await sink(samples)
