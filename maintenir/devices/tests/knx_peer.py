"""A KNX line on 127.0.0.1 for the driver tests: a second xknx instance in routing mode.

KNXnet/IP routing is UDP multicast; the peer and the driver join a private (administratively
scoped) group on a free port of the loopback interface, so parallel runs and real installations
(224.0.23.12:3671) never hear each other.
"""

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from xknx import XKNX
from xknx.devices import ExposeSensor
from xknx.dpt import DPTBase
from xknx.io import ConnectionConfig, ConnectionType
from xknx.telegram import Telegram
from xknx.telegram.apci import GroupValueWrite

from maintenir.devices.drivers.base import Connection

GROUP = "239.255.71.1"
# A room controller's group addresses, their datapoint types and first values.
TEMPERATURE = "1/0/1"  # 9.001, read-only
SETPOINT = "1/0/2"  # 9.001, writable, answers reads with the last value written
SWITCH = "1/1/1"  # 1.001, the light's command
SWITCH_STATUS = "1/1/2"  # 1.001, the light's state, following its command
PERCENT = "1/2/1"  # 5.001, a valve position
SILENT = "1/7/200"  # nobody answers
DPTS = {TEMPERATURE: "9.001", SETPOINT: "9.001", SWITCH: "1.001", SWITCH_STATUS: "1.001", PERCENT: "5.001"}
VALUES = {TEMPERATURE: 21.5, SETPOINT: 20.0, SWITCH_STATUS: False, PERCENT: 40}
# Where a value written shows: the writable addresses and the state they drive.
APPLIED_TO = {SETPOINT: SETPOINT, SWITCH: SWITCH_STATUS, PERCENT: PERCENT}

# xknx warns at every GroupValueRead nobody answers, which some tests do on purpose.
logging.getLogger("xknx").setLevel(logging.ERROR)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def routing(port: int, individual_address: str) -> ConnectionConfig:
    return ConnectionConfig(
        connection_type=ConnectionType.ROUTING,
        multicast_group=GROUP,
        multicast_port=port,
        local_ip="127.0.0.1",
        individual_address=individual_address,
    )


@dataclass
class KnxPeer:
    xknx: XKNX
    port: int
    exposed: dict[str, ExposeSensor]
    # (group address, decoded value) of every GroupValueWrite received.
    writes: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def connection(self) -> Connection:
        """How the driver reaches this line."""
        return Connection(GROUP, self.port, timeout=1.0, options={"connection": "routing"})

    async def written(self, count: int) -> list[tuple[str, Any]]:
        """The writes received, once there are `count` of them (or after a second)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1):
                while len(self.writes) < count:
                    await asyncio.sleep(0.01)
        return self.writes

    def received(self, telegram: Telegram) -> None:
        address = str(telegram.destination_address)
        if isinstance(telegram.payload, GroupValueWrite) and address in DPTS:
            value = DPTBase.parse_transcoder(DPTS[address]).from_knx(telegram.payload.value)  # type: ignore[union-attr]
            value = value.value if isinstance(value, Enum) else value
            self.writes.append((address, value))
            if address in APPLIED_TO:
                self.exposed[APPLIED_TO[address]].initialize_value(value)


@contextlib.asynccontextmanager
async def knx_peer() -> AsyncIterator[KnxPeer]:
    """The room controller on a fresh KNX line (its own multicast port)."""
    port = free_udp_port()
    xknx = XKNX(connection_config=routing(port, "1.1.10"))
    exposed = {}
    for address, value in VALUES.items():
        value_type = "binary" if DPTS[address].startswith("1.") else DPTS[address]
        sensor = ExposeSensor(xknx, value_type=value_type, group_address=address)
        sensor.initialize_value(value)
        xknx.devices.async_add(sensor)
        exposed[address] = sensor
    peer = KnxPeer(xknx, port, exposed)
    xknx.telegram_queue.register_telegram_received_cb(peer.received)
    async with xknx:
        yield peer
