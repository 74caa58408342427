"""Properties of the stock ledger over any sequence of movements."""

from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.stores import services as stock
from maintenir.stores.models import StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory

TEN_THOUSANDTH = Decimal("0.0001")
QUANTITIES = st.integers(min_value=1, max_value=50).map(Decimal)
COSTS = st.decimals(min_value=0, max_value=500, places=2)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), QUANTITIES, COSTS),
        st.tuples(st.just("issue"), QUANTITIES, st.none()),
        st.tuples(st.just("reserve"), QUANTITIES, st.none()),
        st.tuples(st.just("release"), QUANTITIES, st.none()),
        st.tuples(st.just("count"), st.integers(min_value=0, max_value=80).map(Decimal), st.none()),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_balance_follows_a_reference_computation(steps: list[tuple[str, Decimal, Any]], manager: Any) -> None:
    """On hand is the ledger's sum, the average cost the textbook one, and reservations stay within on hand."""
    with transaction.atomic():
        run(steps, manager)
        transaction.set_rollback(True)


def run(steps: list[tuple[str, Decimal, Any]], user: Any) -> None:
    part, location = PartFactory(), LocationFactory()
    on_hand, reserved, average = Decimal(0), Decimal(0), Decimal(0)
    for kind, quantity, cost in steps:
        if kind == "receive":
            stock.receive(user, part, location, quantity, cost)
            # Rounded half up to the ten-thousandth of a euro at each receipt, as the stored average is.
            average = ((on_hand * average + quantity * cost) / (on_hand + quantity)).quantize(
                TEN_THOUSANDTH, ROUND_HALF_UP
            )
            on_hand += quantity
        elif kind in ("issue", "reserve"):
            move = (
                partial(stock.issue, user, part, location, quantity)
                if kind == "issue"
                else partial(stock.reserve, part, location, quantity)
            )
            if quantity > on_hand - reserved:
                with pytest.raises(stock.StockConflict):
                    move()
            else:
                move()
                if kind == "issue":
                    on_hand -= quantity
                else:
                    reserved += quantity
        elif kind == "release":
            stock.release(part, location, quantity)
            reserved = max(Decimal(0), reserved - quantity)
        else:
            try:
                stock.count(user, part, location, quantity)
            except ValidationError:
                assert quantity < reserved
            else:
                on_hand = quantity
        balance = StockBalance.objects.filter(part=part, location=location).first()
        if balance is None:
            # Only refused movements so far: nothing was ever written.
            assert on_hand == reserved == 0
            continue
        ledger = StockMovement.objects.filter(part=part, location=location).aggregate(total=Sum("quantity"))
        assert balance.on_hand == (ledger["total"] or 0) == on_hand
        assert balance.reserved == reserved <= balance.on_hand
        assert balance.average_cost == average


MOVES = st.lists(st.tuples(st.booleans(), QUANTITIES), max_size=15)


@pytest.mark.django_db
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(opening=st.tuples(QUANTITIES, QUANTITIES), moves=MOVES)
def test_transfers_keep_the_total_and_each_ledger(
    opening: tuple[Decimal, Decimal], moves: list[tuple[bool, Decimal]], manager: Any
) -> None:
    """Store ⇄ van, any way and any amount: nothing is created or lost, and each side is its own ledger's sum."""
    with transaction.atomic():
        part, store, van = PartFactory(), LocationFactory(), LocationFactory()
        stock.receive(manager, part, store, opening[0], Decimal("10"))
        stock.receive(manager, part, van, opening[1], Decimal("14"))
        for outward, quantity in moves:
            source, destination = (store, van) if outward else (van, store)
            try:
                stock.transfer(manager, part, source, destination, quantity)
            except stock.StockConflict:
                assert quantity > StockBalance.objects.get(part=part, location=source).on_hand
        balances = {balance.location_id: balance for balance in StockBalance.objects.filter(part=part)}
        assert sum(balance.on_hand for balance in balances.values()) == opening[0] + opening[1]
        for location in (store, van):
            ledger = StockMovement.objects.filter(part=part, location=location).aggregate(total=Sum("quantity"))
            assert balances[location.pk].on_hand == ledger["total"]
            assert Decimal(10) <= balances[location.pk].average_cost <= Decimal(14)
        transaction.set_rollback(True)
