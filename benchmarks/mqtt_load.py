"""The load of `maintenir bench ingest`: readings published to the broker from a process of their own.

Kept free of Django, so that a spawned process can import it without settings; publishing from the
benchmark's own process would take the processor time of the service being measured.
"""

import asyncio
import json
import multiprocessing.connection
import time

import aiomqtt

BATCH = 1000


def publish(
    broker: tuple[str, int],
    root: str,
    point_ids: list[int],
    readings: int,
    watched: list[int],
    limit: float,
    rate: float | None,
    results: multiprocessing.connection.Connection,
) -> None:
    """Publish `readings` readings of `point_ids` in JSON batches (QoS 1), as fast as the broker takes
    them or at `rate` readings a second, with one reading over `limit` of each watched point spread
    over the run; send back {watched point: time of its crossing} and the seconds spent publishing."""

    async def main() -> None:
        batches = max(1, readings // BATCH)
        every = max(1, batches // max(1, len(watched)))
        crossings: dict[int, float] = {}
        started = time.perf_counter()
        async with aiomqtt.Client(*broker, max_inflight_messages=100) as publisher:
            for n in range(batches):
                if rate is not None:
                    await asyncio.sleep(max(0.0, started + n * BATCH / rate - time.perf_counter()))
                items = [{"point": point_ids[(n * BATCH + k) % len(point_ids)], "value": 1.0} for k in range(BATCH)]
                await publisher.publish(root, json.dumps(items), qos=1)
                if n % every == 0 and len(crossings) < len(watched):
                    point = watched[len(crossings)]
                    crossings[point] = time.time()
                    await publisher.publish(f"{root}/{point}", json.dumps(limit * 2), qos=1)
        results.send((crossings, time.perf_counter() - started))

    asyncio.run(main())
