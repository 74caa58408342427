"""Bulk writes: the values callers give (floats, ints, dates, JSON) reach every database as they would
through the ORM."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from maintenir.assets.models import CounterReading
from maintenir.assets.tests.factories import CounterFactory
from maintenir.core import bulk
from maintenir.core.models import ObjectChange


@pytest.mark.django_db
def test_inserted_and_updated_values_read_back_as_the_orm_gives_them(equipment_a: Any) -> None:
    counter: Any = CounterFactory(equipment=equipment_a)
    read_at = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        # A float, an int and a Decimal for a decimal column.
        bulk.insert(
            CounterReading,
            [{"counter_id": counter.pk, "value": value, "read_at": read_at} for value in (12.5, 7, Decimal("3.25"))],
        )
    assert sorted(CounterReading.objects.values_list("value", flat=True)) == [Decimal("3.25"), 7, Decimal("12.5")]
    first = CounterReading.objects.order_by("value").first()
    assert first is not None
    assert first.read_at == read_at
    with transaction.atomic():
        bulk.update(CounterReading, ["value"], [{"id": first.pk, "value": 4.75}])
    first.refresh_from_db()
    assert first.value == Decimal("4.75")


@pytest.mark.django_db
def test_rows_go_in_the_order_of_their_names(manager: Any) -> None:
    now = timezone.now()
    kind = ContentType.objects.get_for_model(CounterReading)
    request = uuid.uuid4()
    with transaction.atomic():
        bulk.insert_rows(
            ObjectChange,
            [
                "time",
                "user_id",
                "user_name",
                "request_id",
                "action",
                "object_type_id",
                "object_id",
                "object_repr",
                "postchange_data",
            ],
            [
                (
                    now - datetime.timedelta(minutes=n),
                    manager.pk,
                    "manager",
                    request,
                    "update",
                    kind.pk,
                    n,
                    f"#{n}",
                    {"n": n},
                )
                for n in range(3)
            ],
        )
    changes = ObjectChange.objects.order_by("object_id")
    assert [(change.object_id, change.postchange_data, change.request_id) for change in changes] == [
        (n, {"n": n}, request) for n in range(3)
    ]
    assert changes[2].time == now - datetime.timedelta(minutes=2)
