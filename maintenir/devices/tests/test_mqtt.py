"""MQTT ingestion: the message parser, and the service against the Mosquitto broker on 127.0.0.1."""

import asyncio
import contextlib
import datetime
import getpass
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import aiomqtt
import paho.mqtt.client
import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.devices import mqtt
from maintenir.devices.models import Reading
from maintenir.devices.mqtt import IngestStats, ingest, parse_message
from maintenir.devices.tests.factories import PointFactory
from maintenir.devices.tests.peers import free_port

BROKER = ("127.0.0.1", 1883)
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
ROOT = "maintenir/readings"


def test_a_single_reading_and_a_batch() -> None:
    single = parse_message(f"{ROOT}/7", b"21.5", {7}, NOW)
    assert [(point, value, time) for point, time, value, *_ in single.samples] == [(7, 21.5, NOW)]
    batch = parse_message(
        ROOT,
        json.dumps(
            [
                {"point": 7, "value": 1, "time": "2026-11-23T09:00:00+00:00"},
                {"point": 8, "value": 2},
                {"point": 99, "value": 3},
                {"point": 7, "value": "high"},
                {"point": 7, "value": 4, "time": "yesterday"},
                "junk",
            ]
        ).encode(),
        {7, 8},
        NOW,
    )
    assert [(point, value) for point, _time, value, *_ in batch.samples] == [(7, 1.0), (8, 2.0)]
    assert batch.samples[0].time == datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    assert batch.rejected == {
        "unknown point": 1,
        "value is not a finite number": 1,
        "time is not an ISO 8601 date and time": 1,
        "an item must be an object": 1,
    }


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (f"{ROOT}/7", b"{", "not JSON"),
        (f"{ROOT}/7", b"\xff\xfe", "not JSON"),
        (f"{ROOT}/7", b"NaN", "value is not a finite number"),
        (f"{ROOT}/7", b"true", "value is not a finite number"),
        (f"{ROOT}/x", b"1", "unknown topic"),
        (f"{ROOT}/7/8", b"1", "unknown topic"),
        (ROOT, b'{"point": 7, "value": 1}', "a batch must be a JSON array"),
    ],
)
def test_malformed_messages_are_counted_with_their_reason(topic: str, payload: bytes, reason: str) -> None:
    parsed = parse_message(topic, payload, {7}, NOW)
    assert parsed.samples == []
    assert parsed.rejected == {reason: 1}


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["point", "value", "time", "x"]), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.sampled_from([ROOT, f"{ROOT}/7", f"{ROOT}/8"]), json_values | st.binary(max_size=40))
def test_no_payload_breaks_the_parser(topic: str, payload: Any) -> None:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    parsed = parse_message(topic, raw, {7, 8}, NOW)
    assert all(sample[0] in {7, 8} for sample in parsed.samples)
    assert parsed.samples or parsed.rejected or (isinstance(payload, list) and not payload)


@pytest.fixture
def broker() -> None:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Mosquitto is not running on 127.0.0.1:1883")
        pytest.skip("Mosquitto is not running on 127.0.0.1:1883")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readings_published_to_the_broker_are_stored(broker: None, equipment_a: Any) -> None:
    point = PointFactory(device__equipment=equipment_a, name="vibration")
    # A topic of its own, so that parallel test runs on the same broker do not meet.
    root = f"test-{uuid.uuid4().hex}/readings"
    hour_ago = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    payloads = [
        (f"{root}/{point.pk}", b"3.5"),
        (root, json.dumps([{"point": point.pk, "value": 3.6}, {"point": point.pk, "value": "x"}]).encode()),
        (f"{root}/{point.pk}", b"not json"),
        # Measured an hour ago, delivered last: it does not become the current value.
        (f"{root}/{point.pk}", json.dumps({"value": 3.1, "time": hour_ago}).encode()),
    ]

    async def scenario() -> IngestStats:
        stop = asyncio.Event()
        stats = IngestStats()
        service = asyncio.create_task(ingest("mqtt://127.0.0.1:1883", stop, stats, root=root))
        await asyncio.sleep(0.5)  # subscribed
        async with aiomqtt.Client(*BROKER) as publisher:
            for topic, payload in payloads:
                await publisher.publish(topic, payload, qos=1)
        for _ in range(50):
            if stats.messages == len(payloads) and stats.stored == 3:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await service
        return stats

    stats = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert stats.stored == 3
    assert stats.rejected == {"value is not a finite number": 1, "not JSON": 1}
    assert sorted(Reading.objects.values_list("value", flat=True)) == [3.1, 3.5, 3.6]
    point.refresh_from_db()
    assert point.last_value == 3.6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_message_is_lost_when_it_arrives_as_the_wait_for_it_ends(
    broker: None, equipment_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service waits for the next message at most a flush interval; with a very short one, most
    messages arrive just as a wait ends. Each must still be read: the broker has it as delivered."""
    monkeypatch.setattr(mqtt, "FLUSH_SECONDS", 0.0002)
    point = PointFactory(device__equipment=equipment_a)
    root = f"test-{uuid.uuid4().hex}/readings"
    published = 400

    async def publish() -> None:
        async with aiomqtt.Client(*BROKER, max_inflight_messages=50) as publisher:
            await asyncio.gather(
                *(publisher.publish(f"{root}/{point.pk}", str(n).encode(), qos=1) for n in range(published))
            )

    async def scenario() -> IngestStats:
        stop = asyncio.Event()
        stats = IngestStats()
        service = asyncio.create_task(ingest("mqtt://127.0.0.1:1883", stop, stats, root=root))
        await asyncio.sleep(0.5)  # subscribed
        # From a thread of its own, so that messages come in while the service is busy.
        await asyncio.to_thread(asyncio.run, publish())
        for _ in range(100):
            if stats.stored == published:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await service
        return stats

    stats = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert (stats.messages, stats.stored) == (published, published)
    assert Reading.objects.count() == published


def start_broker(directory: Path, port: int) -> subprocess.Popen[bytes]:
    """A private Mosquitto that saves its sessions and queued messages on disk when stopped."""
    config = directory / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {directory}/\nuser {getpass.getuser()}\n"
    )
    process = subprocess.Popen(["mosquitto", "-c", str(config)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        time.sleep(0.05)
    process.kill()
    pytest.fail("the private Mosquitto did not start")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_lost_when_the_broker_or_the_service_restarts(equipment_a: Any, tmp_path: Path) -> None:
    if shutil.which("mosquitto") is None:
        if os.environ.get("CI"):
            pytest.fail("mosquitto is not installed")
        pytest.skip("mosquitto is not installed")
    point = PointFactory(device__equipment=equipment_a, name="vibration")
    port = free_port()
    broker = start_broker(tmp_path, port)

    def restart_broker() -> None:
        nonlocal broker
        broker.terminate()
        broker.wait()
        broker = start_broker(tmp_path, port)

    async def publish(values: range) -> None:
        """Publish like a gateway does: QoS 1, and what the broker has not acknowledged is sent again."""
        pending = list(values)
        while pending:
            try:
                async with aiomqtt.Client("127.0.0.1", port=port) as publisher:
                    while pending:
                        await publisher.publish(f"{ROOT}/{point.pk}", str(pending[0]).encode(), qos=1)
                        pending.pop(0)
            except aiomqtt.MqttError:
                await asyncio.sleep(0.1)

    async def stored(values: range) -> None:
        while not set(await sync_to_async(stored_values)()) >= set(values):
            await asyncio.sleep(0.05)

    def start_service(stats: IngestStats) -> tuple[asyncio.Event, asyncio.Task[IngestStats]]:
        stop = asyncio.Event()
        url = f"mqtt://127.0.0.1:{port}"
        return stop, asyncio.create_task(ingest(url, stop, stats, client_id="ingest-under-test"))

    async def scenario() -> IngestStats:
        stats = IngestStats()
        stop, service = start_service(stats)
        await asyncio.sleep(0.5)  # subscribed
        await publish(range(100))
        await stored(range(100))
        # The broker restarts under the running service, which reconnects after a pause: what is
        # published meanwhile waits in its session.
        await asyncio.to_thread(restart_broker)
        await publish(range(100, 200))
        await stored(range(200))
        # The service is stopped, the broker restarts, and the readings published all along arrive
        # when the service is back.
        stop.set()
        await service
        await publish(range(200, 300))
        await asyncio.to_thread(restart_broker)
        await publish(range(300, 400))
        stop, service = start_service(stats)
        await stored(range(400))
        stop.set()
        await service
        return stats

    def stored_values() -> list[int]:
        return [int(value) for value in Reading.objects.filter(point=point).values_list("value", flat=True)]

    try:
        stats = asyncio.run(asyncio.wait_for(scenario(), 60))
    finally:
        broker.terminate()
        broker.wait()
    # QoS 1 is "at least once": a message may come twice around a restart, none is missing.
    assert set(stored_values()) == set(range(400))
    assert stats.rejected == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_service_leaving_its_group_stores_its_share_first_and_the_others_get_the_rest(
    broker: None, equipment_a: Any
) -> None:
    point = PointFactory(device__equipment=equipment_a)
    tag = uuid.uuid4().hex[:12]
    root, group, ids = f"test-{tag}/readings", f"test-{tag}", [f"test-{tag}-a", f"test-{tag}-b"]
    url = "mqtt://127.0.0.1:1883"

    async def publish(values: range) -> None:
        async with aiomqtt.Client(*BROKER) as publisher:
            for value in values:
                await publisher.publish(f"{root}/{point.pk}", str(value).encode(), qos=1)

    async def until_stored(count: int) -> None:
        while await sync_to_async(Reading.objects.count)() < count:
            await asyncio.sleep(0.1)

    async def scenario() -> tuple[IngestStats, IngestStats]:
        stops = [asyncio.Event(), asyncio.Event()]
        stats = [IngestStats(), IngestStats()]
        services = [
            asyncio.create_task(ingest(url, stop, stat, root=root, client_id=client_id, group=group))
            for stop, stat, client_id in zip(stops, stats, ids, strict=True)
        ]
        await asyncio.sleep(1.0)  # subscribed
        stops[1].set()
        await services[1]
        # b is away: the broker keeps its share in its session.
        await publish(range(20))
        await asyncio.wait_for(until_stored(10), 10)
        leaving = IngestStats()
        await ingest(url, asyncio.Event(), leaving, root=root, client_id=ids[1], group=group, leave=True)
        await asyncio.wait_for(until_stored(20), 10)
        # b is no longer in the group: a gets everything.
        await publish(range(20, 30))
        await asyncio.wait_for(until_stored(30), 10)
        stops[0].set()
        await services[0]
        return stats[0], leaving

    try:
        staying, leaving = asyncio.run(asyncio.wait_for(scenario(), 60))
    finally:
        asyncio.run(forget(ids[0]))
    assert sorted(Reading.objects.values_list("value", flat=True)) == [float(value) for value in range(30)]
    assert leaving.stored == 10
    assert staying.stored == 20


async def forget(client_id: str) -> None:
    async with aiomqtt.Client(*BROKER, identifier=client_id, clean_session=True):
        pass


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_messages_stored_but_never_acknowledged_are_not_stored_again_when_delivered_again(
    broker: None, equipment_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between the commit and the acknowledgement: the broker delivers the messages again."""
    point = PointFactory(device__equipment=equipment_a)
    tag = uuid.uuid4().hex[:12]
    root, client_id = f"test-{tag}/readings", f"test-{tag}"
    url = "mqtt://127.0.0.1:1883"
    published = 50

    async def publish() -> None:
        async with aiomqtt.Client(*BROKER, max_inflight_messages=published) as publisher:
            await asyncio.gather(
                *(publisher.publish(f"{root}/{point.pk}", str(n).encode(), qos=1) for n in range(published))
            )

    async def run(stats: IngestStats, until: int) -> None:
        stop = asyncio.Event()
        service = asyncio.create_task(ingest(url, stop, stats, root=root, client_id=client_id))
        await asyncio.sleep(0.5)  # subscribed
        for _ in range(100):
            if stats.messages >= until and await sync_to_async(Reading.objects.count)() >= until:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await service

    async def both(*coroutines: Any) -> None:
        await asyncio.gather(*coroutines)

    first, second = IngestStats(), IngestStats()
    try:
        with monkeypatch.context() as patched:
            # One write, so that its messages are those recorded.
            patched.setattr(mqtt, "FLUSH_SECONDS", 2.0)
            # The acknowledgements never reach the broker, as when the process dies right after its commit.
            patched.setattr(paho.mqtt.client.Client, "ack", lambda *args: paho.mqtt.client.MQTT_ERR_SUCCESS)
            asyncio.run(asyncio.wait_for(run(first, 0), 10))  # the session, subscribed
            asyncio.run(asyncio.wait_for(both(publish(), run(first, published)), 30))
        asyncio.run(asyncio.wait_for(run(second, published), 30))
    finally:
        asyncio.run(forget(client_id))
    assert first.stored == published
    assert (second.messages, second.redelivered, second.stored) == (published, published, 0)
    assert Reading.objects.count() == published
