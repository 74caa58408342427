"""Modbus TCP with pymodbus: contiguous registers are read in one request, every request has a timeout."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from maintenir.devices.choices import BIT_TABLES, REGISTER_COUNT, DataType, Quality, RegisterType
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, Driver, PointSpec, Sample

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
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "device failure, or no device with this unit id",
    5: "acknowledge",
    6: "device busy",
    10: "gateway path unavailable",
    11: "gateway target did not respond",
}


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
    return f"Modbus exception {code}: {EXCEPTION_CODES.get(code, 'unknown')}" if code else str(response)


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
            raise DeviceUnreachable(f"{self._where()}: {error or 'no answer'}") from error
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
            raise DeviceUnreachable(f"{self._where()}: not connected")
        call = getattr(self.client, method)(*args, device_id=self.connection.unit_id, **kwargs)
        try:
            return await asyncio.wait_for(call, self.connection.timeout)
        except TimeoutError as error:
            raise DeviceUnreachable(f"{self._where()}: no answer within {self.connection.timeout} s") from error
        except (OSError, ModbusException) as error:
            raise DeviceUnreachable(f"{self._where()}: {error}") from error

    async def read(self, points: list[PointSpec]) -> list[Sample]:
        assert self.client is not None
        samples = []
        for request in plan_requests(points):
            response = await self._call(READERS[RegisterType(request.table)], request.start, count=request.count)
            now = timezone.now()
            if response.isError():
                error = _error_text(response)
                samples += [Sample(point.id, now, None, Quality.BAD, error) for point in request.points]
                continue
            for point in request.points:
                samples.append(self._decode(point, request, response, now))
        return samples

    def _decode(self, point: PointSpec, request: Request, response: Any, now: Any) -> Sample:
        assert self.client is not None
        first = int(point.address) - request.start
        if point.register_type in BIT_TABLES:
            raw = float(response.bits[first])
        else:
            registers = response.registers[first : first + width(point)]
            data_type = self.client.DATATYPE[point.data_type.upper()]
            raw = float(self.client.convert_from_registers(registers, data_type, word_order=point.word_order))  # type: ignore[arg-type]
        value = point.to_engineering(raw)
        return Sample(point.id, now, value, point.quality_of(value))

    async def write(self, point: PointSpec, value: float) -> None:
        assert self.client is not None
        address = int(point.address)
        if point.register_type == RegisterType.COIL:
            response = await self._call("write_coil", address, bool(value))
        elif point.register_type == RegisterType.HOLDING:
            raw = point.to_raw(value)
            if not point.data_type.startswith("float"):
                raw = round(raw)
            data_type = self.client.DATATYPE[point.data_type.upper()]
            registers = self.client.convert_to_registers(raw, data_type, word_order=point.word_order)  # type: ignore[arg-type]
            response = await self._call("write_registers", address, registers)
        else:
            raise DeviceError(f"{point.register_type} {address} is read-only")
        if response.isError():
            raise DeviceError(f"{self._where()}: {_error_text(response)}")
