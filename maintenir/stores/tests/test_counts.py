"""Cycle counts: the rotating selection, recording, and completion through the ledger, all or nothing."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.stores import counts
from maintenir.stores import services as stock
from maintenir.stores.choices import CountStatus, MovementKind
from maintenir.stores.models import CycleCount, StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory

D = Decimal
TODAY = datetime.date(2026, 12, 7)


def stocked(manager: Any, location: Any, *quantities: int) -> list[Any]:
    parts = [PartFactory(reference=f"CNT-{n:02d}") for n in range(len(quantities))]
    for part, quantity in zip(parts, quantities, strict=True):
        stock.receive(manager, part, location, D(quantity), D("4.50"))
    return parts


def test_a_count_of_every_part_freezes_what_was_expected_when_it_starts(manager: Any) -> None:
    store = LocationFactory()
    first, second = stocked(manager, store, 5, 3)
    count = counts.plan(manager, store, TODAY)
    assert [line.part for line in count.lines.all()] == [first, second]
    assert count.lines.filter(expected__isnull=False).count() == 0
    counts.start(manager, count)
    stock.receive(manager, first, store, D(2), D("4.50"))
    assert {line.part_id: line.expected for line in count.lines.all()} == {first.pk: D(5), second.pk: D(3)}


def test_the_rotation_counts_the_parts_counted_longest_ago_first(manager: Any) -> None:
    store = LocationFactory()
    old, recent, never = stocked(manager, store, 1, 1, 1)
    stock.count(manager, old, store, D(1))
    stock.count(manager, recent, store, D(1))
    assert counts.rotation(store) == [never.pk, old.pk, recent.pk]
    count = counts.plan(manager, store, TODAY, lines=2)
    assert {line.part_id for line in count.lines.all()} == {never.pk, old.pk}


def test_completion_puts_each_discrepancy_in_the_ledger_as_a_count(manager: Any, technician: Any) -> None:
    store = LocationFactory()
    short, right = stocked(manager, store, 5, 3)
    count = counts.start(technician, counts.plan(manager, store, TODAY))
    short_line, right_line = count.lines.order_by("part__reference")
    counts.record(technician, short_line, D(4))
    counts.record(technician, right_line, D(3))
    counts.complete(technician, count)
    count.refresh_from_db()
    assert count.status == CountStatus.COMPLETED
    assert count.completed_by == technician
    short_line.refresh_from_db()
    assert short_line.difference == D(-1)
    assert short_line.movement is not None
    assert short_line.movement.kind == MovementKind.COUNT
    assert short_line.movement.quantity == D(-1)
    assert short_line.movement.reference == count.reference
    assert StockBalance.objects.get(part=short, location=store).on_hand == D(4)
    assert StockBalance.objects.get(part=right, location=store).on_hand == D(3)


def test_completion_is_refused_while_a_line_is_uncounted(manager: Any) -> None:
    store = LocationFactory()
    parts = stocked(manager, store, 5, 3)
    count = counts.start(manager, counts.plan(manager, store, TODAY))
    counts.record(manager, count.lines.get(part=parts[0]), D(1))
    with pytest.raises(ValidationError) as refused:
        counts.complete(manager, count)
    assert parts[1].reference in str(refused.value.message_dict["lines"])
    count.refresh_from_db()
    assert count.status == CountStatus.IN_PROGRESS
    assert not StockMovement.objects.filter(kind=MovementKind.COUNT).exists()


def test_a_count_below_what_is_reserved_refuses_the_whole_completion(manager: Any) -> None:
    store = LocationFactory()
    first, reserved = stocked(manager, store, 5, 3)
    stock.reserve(reserved, store, D(2))
    count = counts.start(manager, counts.plan(manager, store, TODAY))
    counts.record(manager, count.lines.get(part=first), D(1))
    counts.record(manager, count.lines.get(part=reserved), D(1))
    with pytest.raises(stock.StockConflict):
        counts.complete(manager, count)
    # The first line's movement went with the refusal: nothing of the count is in the ledger.
    assert StockBalance.objects.get(part=first, location=store).on_hand == D(5)
    assert not StockMovement.objects.filter(kind=MovementKind.COUNT).exists()
    assert CycleCount.objects.get().status == CountStatus.IN_PROGRESS


def test_one_count_at_a_time_per_location_and_never_an_empty_one(manager: Any) -> None:
    store = LocationFactory()
    with pytest.raises(ValidationError, match="holds no part"):
        counts.plan(manager, store, TODAY)
    stocked(manager, store, 1)
    counts.plan(manager, store, TODAY)
    with pytest.raises(ValidationError, match="already has a count"):
        counts.plan(manager, store, TODAY)


def test_a_technician_counts_but_does_not_plan(manager: Any, technician: Any, client_a: Any) -> None:
    store = LocationFactory()
    stocked(manager, store, 2)
    with pytest.raises(PermissionDenied):
        counts.plan(technician, store, TODAY)
    count = counts.plan(manager, store, TODAY)
    with pytest.raises(PermissionDenied):
        counts.start(client_a, count)
    counts.start(technician, count)


def test_lines_are_recorded_only_while_counting(manager: Any) -> None:
    store = LocationFactory()
    stocked(manager, store, 2)
    count = counts.plan(manager, store, TODAY)
    with pytest.raises(ValidationError, match="planned"):
        counts.record(manager, count.lines.get(), D(2))
    counts.start(manager, count)
    with pytest.raises(ValidationError):
        counts.record(manager, count.lines.get(), D(-1))


@pytest.mark.django_db
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    held=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
    found=st.lists(st.integers(min_value=0, max_value=40), min_size=6, max_size=6),
    lines=st.none() | st.integers(min_value=1, max_value=6),
)
def test_after_any_count_on_hand_is_what_was_counted_and_the_ledger_sums_to_it(
    held: list[int], found: list[int], lines: int | None, manager: Any
) -> None:
    with transaction.atomic():
        store = LocationFactory()
        parts = [PartFactory() for _ in held]
        for part, quantity in zip(parts, held, strict=True):
            if quantity:
                stock.receive(manager, part, store, D(quantity), D("2.25"))
            else:
                # Held at zero: a balance with nothing on it, still counted.
                StockBalance.objects.create(part=part, location=store)
        count = counts.start(manager, counts.plan(manager, store, TODAY, lines=lines))
        counted = {}
        for line, quantity in zip(count.lines.all(), found, strict=False):
            counts.record(manager, line, D(quantity))
            counted[line.part_id] = D(quantity)
        counts.complete(manager, count)
        for part in parts:
            balance = StockBalance.objects.get(part=part, location=store)
            ledger = StockMovement.objects.filter(part=part, location=store).aggregate(total=Sum("quantity"))["total"]
            assert (ledger or D(0)) == balance.on_hand
            assert balance.on_hand == counted.get(part.pk, D(held[parts.index(part)]))
        transaction.set_rollback(True)
