"""MQTT ingestion: the message parser, and the service against the Mosquitto broker on 127.0.0.1."""

import asyncio
import datetime
import json
import os
import socket
import uuid
from typing import Any

import aiomqtt
import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.devices.models import Reading
from maintenir.devices.mqtt import IngestStats, ingest, parse_message
from maintenir.devices.tests.factories import PointFactory

BROKER = ("127.0.0.1", 1883)
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
ROOT = "maintenir/readings"


def test_a_single_reading_and_a_batch() -> None:
    single = parse_message(f"{ROOT}/7", b"21.5", {7}, NOW)
    assert [(s.point_id, s.value, s.time) for s in single.samples] == [(7, 21.5, NOW)]
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
    assert [(s.point_id, s.value) for s in batch.samples] == [(7, 1.0), (8, 2.0)]
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
    assert all(sample.point_id in {7, 8} for sample in parsed.samples)
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
