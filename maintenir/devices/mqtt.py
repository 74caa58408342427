"""MQTT ingestion: readings published to the broker are stored like polled ones.

Topic layout (QoS 1):

- ``maintenir/readings/<point id>`` — one reading: a bare number (``21.5``) or an object
  ``{"value": 21.5, "time": "2026-11-23T10:15:00+01:00"}`` (time optional: reception time).
- ``maintenir/readings`` — a batch: a JSON array of ``{"point": <id>, "value": …, "time": …}``.

A malformed message or item is counted and logged with its reason and never stops the service;
the valid readings of a batch are kept. Readings of unknown or disabled points are rejected.

Nothing the broker has accepted is lost, and nothing is stored twice, when the broker, the connection
or the service itself goes away (even killed): the service keeps a persistent session (a client id of
its own, clean session off), so the broker holds the QoS 1 messages published meanwhile (across its own
restart when its persistence is on), and it acknowledges a message only once its readings are committed.
What the broker sends again after a crash is stored then, except the messages of the last two writes,
whose acknowledgements may have been lost with the process: the same transaction records them (packet id
and a digest of topic and payload) in `IngestSession`, and their second delivery is acknowledged, not stored.

Several services share the readings with a shared subscription (`$share/<group>/…`): the broker gives
each message to one of them. A killed service's share waits for it in its session until it is back.
"""

import asyncio
import contextlib
import datetime
import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

import aiomqtt
import orjson
from asgiref.sync import sync_to_async
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from maintenir.devices import services
from maintenir.devices.choices import Quality
from maintenir.devices.drivers.base import Sample, SampleRow
from maintenir.devices.models import IngestSession

logger = logging.getLogger(__name__)
TOPIC_ROOT = "maintenir/readings"
# Readings are written in batches: at most this many, or after this long. Each write also commits and
# moves the points' current values: under a flood, 20 000 a batch store half as much again per second as 5 000.
FLUSH_SIZE = 20000
FLUSH_SECONDS = 0.2
# Messages the broker may send ahead of their acknowledgement, which comes once their readings are committed:
# a write starts when a quarter of them wait, so that the broker never stops for want of acknowledgements.
RECEIVE_MAXIMUM = 2000
# A service leaving its group has stored what its session held once nothing came for this long.
LEAVE_IDLE_SECONDS = 2.0
# Batches parsed ahead of the writer; beyond, reading from the broker waits (it keeps the rest).
WRITE_QUEUE = 4
POINTS_REFRESH = 30.0


NUMBERS = (int, float)


@dataclass
class Parsed:
    samples: list[SampleRow] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)


def parse_message(
    topic: str, payload: bytes, known_points: Collection[int], now: datetime.datetime, root: str = TOPIC_ROOT
) -> Parsed:
    """The readings of one message, and the count of what was rejected, by reason."""
    parsed = Parsed()
    try:
        data = _loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        parsed.rejected["not JSON"] += 1
        return parsed
    if topic == root:
        if not isinstance(data, list):
            parsed.rejected["a batch must be a JSON array"] += 1
            return parsed
        # Looked up once: this loop runs for every reading of the flood.
        append, isfinite, good = parsed.samples.append, math.isfinite, Quality.GOOD.value
        for item in data:
            # The common item, {"point": <known id>, "value": <finite number>}, is taken at once;
            # anything else goes through the checks that name what is wrong.
            if type(item) is dict and len(item) == 2:
                point: Any = item.get("point")
                value: Any = item.get("value")
                if type(point) is int and point in known_points and type(value) in NUMBERS and isfinite(value):
                    append((point, now, float(value), good, ""))
                    continue
            _add(parsed, item.get("point") if isinstance(item, dict) else None, item, known_points, now)
        return parsed
    point = topic.removeprefix(root + "/")
    if point == topic or "/" in point or not point.isdigit():
        parsed.rejected["unknown topic"] += 1
        return parsed
    _add(parsed, int(point), data if isinstance(data, dict) else {"value": data}, known_points, now)
    return parsed


def _loads(payload: bytes) -> Any:
    """orjson parses a batch four times faster than the standard library; what it refuses (NaN, integers
    beyond 64 bits: not JSON, strictly) the standard library reads, so the item that has it is rejected
    with its own reason and the batch's other readings are kept."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return json.loads(payload)


def _add(parsed: Parsed, point: Any, item: Any, known_points: Collection[int], now: datetime.datetime) -> None:
    if not isinstance(item, dict):
        parsed.rejected["an item must be an object"] += 1
        return
    if not isinstance(point, int) or isinstance(point, bool) or point not in known_points:
        parsed.rejected["unknown point"] += 1
        return
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        parsed.rejected["value is not a finite number"] += 1
        return
    time = _time(item.get("time"), now)
    if time is None:
        parsed.rejected["time is not an ISO 8601 date and time"] += 1
        return
    parsed.samples.append(Sample(point, time, float(value), Quality.GOOD))


def _time(text: Any, now: datetime.datetime) -> datetime.datetime | None:
    """The reading's time: given in ISO 8601 (local time when it has no offset), else the reception time."""
    if text is None:
        return now
    try:
        time = parse_datetime(text) if isinstance(text, str) else None
    except ValueError:
        return None
    if time is not None and timezone.is_naive(time):
        time = timezone.make_aware(time)
    return time


@dataclass
class IngestStats:
    messages: int = 0
    stored: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    # Messages delivered again after a crash whose readings were already stored.
    redelivered: int = 0


# A received QoS 1 message, to acknowledge once its readings are stored: (packet id, digest of topic and payload).
Received = tuple[int, str]


@dataclass
class Batch:
    samples: list[SampleRow]
    received: list[Received]
    # The connection the messages came on: acknowledged on it, or the broker sends them again on the next.
    connection: int


def digest(topic: str, payload: bytes) -> str:
    return hashlib.blake2b(topic.encode() + b"\0" + payload, digest_size=8).hexdigest()


def unacknowledged(client_id: str) -> dict[int, str]:
    """The messages recorded as stored but maybe not acknowledged, by the last run of this session."""
    session = IngestSession.objects.filter(client_id=client_id).first()
    return dict(session.unacknowledged) if session else {}


@transaction.atomic
def store(samples: list[SampleRow], client_id: str | None, pending: dict[int, str]) -> int:
    """Store the readings and, in the same transaction, the messages they came in (`pending`) until acknowledged."""
    stored = services.store_samples(samples) if samples else 0
    if client_id is not None:
        IngestSession.objects.update_or_create(
            client_id=client_id, defaults={"unacknowledged": [[mid, key] for mid, key in pending.items()]}
        )
    return stored


def connect_properties(persistent: bool) -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    # MQTT 5 lets the client say how many messages may wait for its acknowledgement: enough for the writes
    # in progress and the next ones parsed meanwhile (Mosquitto's own limit, max_inflight_messages, is 20).
    properties.ReceiveMaximum = RECEIVE_MAXIMUM
    # A session that never expires, as with MQTT 3.1.1: what is published while the service is away waits.
    properties.SessionExpiryInterval = 0xFFFFFFFF if persistent else 0
    return properties


def topic_filters(root: str, group: str | None) -> list[tuple[str, int]]:
    prefix = f"$share/{group}/" if group else ""
    return [(prefix + root, 1), (prefix + root + "/+", 1)]


async def ingest(
    url: str,
    stop: asyncio.Event,
    stats: IngestStats | None = None,
    root: str = TOPIC_ROOT,
    client_id: str | None = None,
    group: str | None = None,
    leave: bool = False,
) -> IngestStats:
    """Subscribe to the readings topics and store what arrives until `stop` is set; reconnects on its own.

    With a `client_id` the session is persistent; without, it ends with the connection (demo, tests).
    With a `group`, the subscription is shared with the group's other services. To `leave` it, the service
    unsubscribes, stores what its session still holds, then ends the session: the others take its share.
    """
    stats = stats or IngestStats()
    persistent = client_id is not None
    # The clients of successive connections share one inbox, so a disconnection drops nothing received.
    inbox: asyncio.Queue[aiomqtt.Message] = asyncio.Queue()
    # Batches wait here for the writer, which stores them while the next ones are parsed.
    batches: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=WRITE_QUEUE)
    # Stored, but not acknowledged on the connection they came on: the broker will send them again.
    stored_unacknowledged = await sync_to_async(unacknowledged)(client_id) if client_id is not None else {}
    connection = 0
    current: aiomqtt.Client | None = None

    async def write() -> None:
        # The acknowledgements of the batch before may still be on their way when the process dies: kept too.
        previous: list[Received] = []
        while (batch := await batches.get()) is not None:
            pending = {**stored_unacknowledged, **dict(previous), **dict(batch.received)}
            previous = batch.received
            while True:
                try:
                    stats.stored += await sync_to_async(store)(batch.samples, client_id, pending)
                    break
                except DatabaseError:
                    # Kept and tried again: a reading is stored or counted as rejected, never dropped.
                    logger.exception("%d readings not stored yet", len(batch.samples))
                    await asyncio.sleep(1.0)
            if current is not None and batch.connection == connection:
                # In the order received, as MQTT asks. paho sends it from the event loop, which runs this.
                for mid, _key in batch.received:
                    current._client.ack(mid, 1)
            elif persistent:
                stored_unacknowledged.update(batch.received)
            batches.task_done()
        batches.task_done()

    writer = asyncio.create_task(write())
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    known: set[int] = set()
    known_at = -math.inf
    buffer: list[SampleRow] = []
    received: list[Received] = []
    buffered_at = 0.0
    last_message = 0.0

    def take(message: aiomqtt.Message) -> None:
        nonlocal buffered_at
        stats.messages += 1
        payload = message.payload if isinstance(message.payload, bytes) else b""
        topic = str(message.topic)
        if not buffer and not received:
            buffered_at = loop.time()
        if message.qos and persistent:
            key = digest(topic, payload)
            if stored_unacknowledged.get(message.mid) == key:
                # Stored before the process or the connection went away: acknowledged, not stored again.
                del stored_unacknowledged[message.mid]
                stats.redelivered += 1
                received.append((message.mid, key))
                return
            # A packet id given to another message: the broker had the acknowledgement of the one recorded.
            stored_unacknowledged.pop(message.mid, None)
            received.append((message.mid, key))
        elif message.qos:
            received.append((message.mid, ""))
        parsed = parse_message(topic, payload, known, timezone.now(), root)
        buffer.extend(parsed.samples)
        for reason, count in parsed.rejected.items():
            stats.rejected[reason] += count
            logger.warning("MQTT %s: %d rejected: %s", message.topic, count, reason)

    async def flush() -> None:
        nonlocal buffer, received
        if buffer or received:
            await batches.put(Batch(buffer, received, connection))
            buffer, received = [], []

    stopping = asyncio.ensure_future(stop.wait())
    backoff = 1.0
    while not stop.is_set():
        # The wait for the next message is never cancelled while the connection lasts: cancelling
        # aiomqtt's iterator just as a message comes in would lose that message.
        receiving: asyncio.Future[aiomqtt.Message] | None = None
        connection += 1
        try:
            client = aiomqtt.Client(
                parts.hostname or "127.0.0.1",
                port=parts.port or 1883,
                identifier=client_id,
                protocol=aiomqtt.ProtocolVersion.V5,
                clean_start=not persistent,
                properties=connect_properties(persistent),
                queue_type=cast("type[asyncio.Queue[aiomqtt.Message]]", lambda maxsize: inbox),
            )
            # Before connecting: the broker sends what the session holds as soon as it accepts the connection.
            # aiomqtt has no manual acknowledgement; its paho client has.
            client._client.manual_ack_set(True)
            async with client:
                current = client
                if leave:
                    await client.unsubscribe([topic for topic, _qos in topic_filters(root, group)])
                    last_message = loop.time()
                else:
                    await client.subscribe(topic_filters(root, group))
                backoff = 1.0
                messages = client.messages
                while not stop.is_set():
                    if loop.time() - known_at > POINTS_REFRESH:
                        # Points added since the start are accepted without a restart.
                        known, known_at = await sync_to_async(services.ingestible_points)(), loop.time()
                    receiving = receiving or asyncio.ensure_future(anext(messages))
                    await asyncio.wait(
                        (receiving, stopping), timeout=FLUSH_SECONDS, return_when=asyncio.FIRST_COMPLETED
                    )
                    if receiving.done():
                        message, receiving = receiving.result(), None
                        take(message)
                        last_message = loop.time()
                    elif leave and loop.time() - last_message > LEAVE_IDLE_SECONDS:
                        stop.set()
                    if (
                        len(buffer) >= FLUSH_SIZE
                        or len(received) >= RECEIVE_MAXIMUM // 4
                        or ((buffer or received) and loop.time() - buffered_at >= FLUSH_SECONDS)
                    ):
                        await flush()
                # Stopping: what was received is stored and acknowledged before leaving.
                await flush()
                await batches.join()
            current = None
            # Leaving the connection ends the wait: with the message it was getting, or with an error.
            if receiving is not None:
                with contextlib.suppress(aiomqtt.MqttError):
                    message = await receiving
                    # In a session, what is not acknowledged comes again; without, it is stored now.
                    if not persistent:
                        take(message)
        except aiomqtt.MqttError as error:
            current = None
            logger.warning("MQTT broker %s: %s; reconnecting in %.0f s", url, error, backoff)
            if persistent:
                # Not acknowledged: the broker sends them again on the next connection. What the writer
                # has is stored first, so that its second delivery is recognised.
                buffer, received = [], []
                while not inbox.empty():
                    inbox.get_nowait()
                await batches.join()
            await asyncio.wait((stopping,), timeout=backoff)
            backoff = min(backoff * 2, 60.0)
    # Without a session, received messages would be lost with the connection: stored all the same.
    while not persistent and not inbox.empty():
        take(inbox.get_nowait())
    await flush()
    await batches.put(None)
    await writer
    if leave and client_id is not None:
        # Everything acknowledged: a clean start ends the session the broker kept.
        async with aiomqtt.Client(
            parts.hostname or "127.0.0.1", port=parts.port or 1883, identifier=client_id, clean_session=True
        ):
            pass
    return stats
