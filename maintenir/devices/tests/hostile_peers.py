"""Hostile peers: one per protocol, on 127.0.0.1, answering every request with what no device should send.

Each answer is drawn at random among random bytes, a truncated copy of the request, the request sent
back with a byte flipped, and an empty write; a Modbus TCP peer also sends well-framed answers of the
wrong function or length. Served from a process of their own (`serve`, free of Django so that a spawned
process can import it), so that the poller under test keeps its own core to itself.
"""

import asyncio
import multiprocessing.connection
import random
import struct
from typing import Any

PROTOCOLS = ("modbus_tcp", "opc_ua", "bacnet_ip", "knx_ip")


def garbage(request: bytes, rng: random.Random) -> bytes:
    """A hostile answer to `request`."""
    choice = rng.randrange(5)
    if choice == 0:
        return rng.randbytes(rng.randrange(1, 300))
    if choice == 1:
        return request[: rng.randrange(max(len(request), 1))]
    if choice == 2 and request:
        flipped = bytearray(request)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        return bytes(flipped)
    if choice == 3 and len(request) >= 8:
        # A well-framed Modbus TCP answer (same transaction and unit), of random function and content.
        body = bytes([rng.randrange(256)]) + rng.randbytes(rng.randrange(0, 60))
        return request[:4] + struct.pack(">H", len(body) + 1) + request[6:7] + body
    return b""


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        for _ in range(self.rng.randrange(3)):
            answer = garbage(data, self.rng)
            if answer:
                self.transport.sendto(answer, addr)


async def start(rng: random.Random) -> dict[str, int]:
    """Start one hostile peer per protocol; returns their ports."""

    async def stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await reader.read(1024):
                writer.write(garbage(request, rng))
                await writer.drain()
                if rng.random() < 0.1:
                    break
        except OSError:
            pass
        finally:
            writer.close()

    ports = {}
    for protocol in ("modbus_tcp", "opc_ua"):
        server = await asyncio.start_server(stream, "127.0.0.1", 0)
        ports[protocol] = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    for protocol in ("bacnet_ip", "knx_ip"):
        transport, _ = await loop.create_datagram_endpoint(lambda: _Datagrams(rng), local_addr=("127.0.0.1", 0))
        ports[protocol] = transport.get_extra_info("sockname")[1]
    return ports


def serve(seed: int, ports: multiprocessing.connection.Connection, stop: Any) -> None:
    """The hostile peers until `stop` is set (a child process)."""

    async def main() -> None:
        ports.send(await start(random.Random(seed)))
        while not stop.is_set():
            await asyncio.sleep(0.2)

    asyncio.run(main())
