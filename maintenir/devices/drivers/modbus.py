"""Modbus TCP with pymodbus: contiguous registers are read in one request, every request has a timeout."""

import asyncio
import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.client.mixin import ModbusClientMixin
from pymodbus.exceptions import ModbusException

from maintenir.devices.choices import BIT_TABLES, REGISTER_COUNT, DataType, Quality, RegisterType
from maintenir.devices.drivers.base import (
    FLOAT32_MAX,
    INTEGER_RANGES,
    Connection,
    DeviceError,
    DeviceUnreachable,
    Driver,
    PointSpec,
    Sample,
    ValueRefused,
    no_answer,
    not_connected,
    round_float32,
    unreachable,
)

# Registers or bits per request, within the protocol's limits (125 registers, 2000 bits).
MAX_REGISTERS = 120
MAX_BITS = 2000
# Reading a few unused registers between two points costs less than a second request.
MAX_GAP = 8
READERS = {
    RegisterType.HOLDING: "read_holding_registers",
    RegisterType.INPUT: "read_input_registers",
    RegisterType.COIL: "read_coils",
    RegisterType.DISCRETE: "read_discrete_inputs",
}
EXCEPTION_CODES = {
    1: _("illegal function"),
    2: _("illegal data address"),
    3: _("illegal data value"),
    4: _("device failure, or no device with this unit id"),
    5: _("acknowledge"),
    6: _("device busy"),
    10: _("gateway path unavailable"),
    11: _("gateway target did not respond"),
}
# A gateway answers these for every request to a device behind it that is gone or unknown.
GATEWAY_EXCEPTIONS = frozenset({10, 11})
CONVERT = ModbusClientMixin.convert_from_registers


@dataclass
class Request:
    """One read of a run of registers (or bits) and the points it serves."""

    table: str
    start: int
    count: int
    points: list[PointSpec] = field(default_factory=list)


def width(point: PointSpec) -> int:
    return 1 if point.register_type in BIT_TABLES else REGISTER_COUNT[DataType(point.data_type)]


def plan_requests(points: list[PointSpec]) -> list[Request]:
    """Group the points into as few reads as possible: same table, close addresses, within the size limit."""
    requests: list[Request] = []
    for point in sorted(points, key=lambda point: (point.register_type, int(point.address))):
        address, size = int(point.address), width(point)
        limit = MAX_BITS if point.register_type in BIT_TABLES else MAX_REGISTERS
        last = requests[-1] if requests else None
        if (
            last is not None
            and last.table == point.register_type
            and address <= last.start + last.count + MAX_GAP
            and max(last.start + last.count, address + size) - last.start <= limit
        ):
            last.count = max(last.count, address + size - last.start)
            last.points.append(point)
        else:
            requests.append(Request(point.register_type, address, size, [point]))
    return requests


def _error_text(response: Any) -> str:
    code = getattr(response, "exception_code", None)
    if not code:
        return gettext("unexpected answer (%(answer)s)") % {"answer": response}
    return gettext("%(meaning)s (Modbus exception %(code)d)") % {
        "meaning": EXCEPTION_CODES.get(code, gettext("unknown exception")),
        "code": code,
    }


def point_name(point: PointSpec) -> str:
    """The point as the device knows it, e.g. "Holding register 20"."""
    try:
        table = str(RegisterType(point.register_type).label)
    except ValueError:
        table = point.register_type
    return f"{table} {point.address}"


def decode(point: PointSpec, words: Sequence[int] | Sequence[bool], now: datetime.datetime) -> Sample:
    """The point's sample from the registers (or bits) read for it; a bad one saying why when they do not
    make a number of its type, never an exception."""

    def bad(reason: str) -> Sample:
        return Sample(point.id, now, None, Quality.BAD, f"{point_name(point)}: {reason}")

    try:
        if point.register_type in BIT_TABLES:
            if len(words) != 1:
                raise ValueError
            raw = float(bool(words[0]))
        else:
            data_type = DataType(point.data_type)
            if len(words) != REGISTER_COUNT[data_type] or any(not 0 <= int(word) <= 0xFFFF for word in words):
                raise ValueError
            raw = float(CONVERT(list(words), ModbusClientMixin.DATATYPE[data_type.name], word_order=point.word_order))  # type: ignore[arg-type]
            if data_type == DataType.FLOAT32:
                raw = round_float32(raw)
        value = point.to_engineering(raw)
    except (ValueError, TypeError, OverflowError, KeyError, ModbusException):
        return bad(
            gettext("%(count)d value(s) received do not make a %(type)s")
            % {"count": len(words), "type": point.data_type or point.register_type}
        )
    if not math.isfinite(value):
        return bad(gettext("the device sent %(value)s, not a number") % {"value": value})
    return Sample(point.id, now, value, point.quality_of(value))


def encode(point: PointSpec, value: float) -> list[int] | bool:
    """The registers (or the coil's state) of an engineering value; raises ValueRefused when the point's
    type cannot hold it, before anything is sent."""
    where = point_name(point)
    if not math.isfinite(value):
        raise ValueRefused(gettext("%(point)s: %(value)s is not a number") % {"point": where, "value": value})
    if point.register_type == RegisterType.COIL:
        if value not in (0, 1):
            raise ValueRefused(gettext("%(point)s: a coil is 0 or 1, not %(value)s") % {"point": where, "value": value})
        return bool(value)
    data_type = DataType(point.data_type)
    try:
        raw: float = point.to_raw(value)
    except ZeroDivisionError:
        raise ValueRefused(gettext("%(point)s: its scale is 0") % {"point": where}) from None
    low: float
    high: float
    if data_type in INTEGER_RANGES:
        low, high = INTEGER_RANGES[data_type]
    elif data_type == DataType.FLOAT32:
        low, high = -FLOAT32_MAX, FLOAT32_MAX
    else:
        low, high = -math.inf, math.inf
    if not math.isfinite(raw) or not low <= (raw if data_type not in INTEGER_RANGES else round(raw)) <= high:
        raise ValueRefused(
            gettext("%(point)s: %(value)s is outside %(type)s (%(low)s…%(high)s) after scaling")
            % {"point": where, "value": f"{value:g}", "type": data_type, "low": f"{low:g}", "high": f"{high:g}"}
        )
    if data_type in INTEGER_RANGES:
        raw = round(raw)
    registers: list[int] = ModbusClientMixin.convert_to_registers(
        raw,
        ModbusClientMixin.DATATYPE[data_type.name],
        word_order=point.word_order,  # type: ignore[arg-type]
    )
    return registers


class ModbusDriver(Driver):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.client: AsyncModbusTcpClient | None = None

    async def connect(self) -> None:
        # Reconnection is the acquisition service's job (with backoff), not the client's.
        self.client = AsyncModbusTcpClient(
            self.connection.host,
            port=self.connection.port,
            timeout=self.connection.timeout,
            retries=0,
            reconnect_delay=0,
        )
        try:
            connected = await asyncio.wait_for(self.client.connect(), self.connection.timeout)
        except (TimeoutError, OSError, ModbusException) as error:
            raise unreachable(self._where(), error) from error
        if not connected:
            raise DeviceUnreachable(f"{self._where()}: connection refused")

    async def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def _where(self) -> str:
        return f"{self.connection.host}:{self.connection.port}"

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.client is None or not self.client.connected:
            raise not_connected(self._where())
        call = getattr(self.client, method)(*args, device_id=self.connection.unit_id, **kwargs)
        try:
            return await asyncio.wait_for(call, self.connection.timeout)
        except TimeoutError as error:
            raise no_answer(self._where(), self.connection.timeout) from error
        except (OSError, ModbusException) as error:
            raise unreachable(self._where(), error) from error

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        assert self.client is not None
        samples = []
        for request in plan_requests(points):
            response = await self._call(READERS[RegisterType(request.table)], request.start, count=request.count)
            now = timezone.now()
            if response.isError():
                self._check_gateway(response)
                error = _error_text(response)
                samples += [Sample(point.id, now, None, Quality.BAD, error) for point in request.points]
                continue
            # Bits come in whole bytes: only the ones asked for count.
            words = response.bits[: request.count] if request.table in BIT_TABLES else response.registers
            for point in request.points:
                first = int(point.address) - request.start
                samples.append(decode(point, words[first : first + width(point)], now))
        return samples

    def _check_gateway(self, response: Any) -> None:
        """A gateway's answer that the device behind it is gone is the device's unreachability, not its points'."""
        if getattr(response, "exception_code", None) in GATEWAY_EXCEPTIONS:
            raise DeviceUnreachable(
                gettext("%(where)s, unit %(unit)d: %(reason)s")
                % {"where": self._where(), "unit": self.connection.unit_id, "reason": _error_text(response)}
            )

    async def write(self, point: PointSpec, value: float) -> None:
        assert self.client is not None
        address = int(point.address)
        if point.register_type not in {RegisterType.COIL, RegisterType.HOLDING}:
            raise DeviceError(gettext("%(point)s is read-only") % {"point": point_name(point)})
        encoded = encode(point, value)
        if isinstance(encoded, bool):
            response = await self._call("write_coil", address, encoded)
        else:
            response = await self._call("write_registers", address, encoded)
        if response.isError():
            self._check_gateway(response)
            raise DeviceError(f"{self._where()}: {_error_text(response)}")
