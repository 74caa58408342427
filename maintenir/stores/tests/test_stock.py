"""The stock rules: the ledger and its balance move together, at weighted average cost, never below zero."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind, MovementKind
from maintenir.stores.models import StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory

D = Decimal


@pytest.fixture
def part(db: None) -> Any:
    return PartFactory(reference="RLT-6205")


@pytest.fixture
def store(db: None) -> Any:
    return LocationFactory(code="lyon", name="Lyon central store")


def balance(part: Any, location: Any) -> StockBalance:
    return StockBalance.objects.get(part=part, location=location)


def test_receipts_average_their_costs_and_issues_keep_it(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(10), D("4.00"), reference="BL-1")
    stock.receive(manager, part, store, D(30), D("6.00"), reference="BL-2")
    assert balance(part, store).average_cost == D("5.5000")
    movement = stock.issue(manager, part, store, D(8), reference="OT-000001")
    assert (movement.kind, movement.quantity, movement.unit_cost) == (MovementKind.ISSUE, D(-8), D("5.5000"))
    current = balance(part, store)
    assert (current.on_hand, current.average_cost) == (D(32), D("5.5000"))


def test_an_issue_beyond_the_stock_is_refused_naming_part_and_location(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(2), D(5))
    with pytest.raises(stock.StockConflict, match=r"Only 2 of RLT-6205 available at Lyon central store; 3 asked"):
        stock.issue(manager, part, store, D(3))
    assert balance(part, store).on_hand == D(2)
    assert StockMovement.objects.count() == 1


def test_an_issue_cannot_take_stock_reserved_for_other_work(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(3), D(5))
    stock.reserve(part, store, D(2))
    with pytest.raises(stock.StockConflict, match="Only 1 of RLT-6205"):
        stock.issue(manager, part, store, D(2))
    stock.issue(manager, part, store, D(2), from_reserved=D(2))
    assert (balance(part, store).on_hand, balance(part, store).reserved) == (D(1), D(0))


def test_a_reservation_cannot_exceed_what_is_available(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(3), D(5))
    stock.reserve(part, store, D(2))
    with pytest.raises(stock.StockConflict):
        stock.reserve(part, store, D(2))
    assert stock.available(part, store) == D(1)
    stock.release(part, store, D(2))
    assert stock.available(part, store) == D(3)


def test_the_database_refuses_a_negative_balance(part: Any, store: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.create(part=part, location=store, on_hand=D(-1))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.create(part=part, location=store, on_hand=D(1), reserved=D(2))


def test_a_transfer_writes_two_paired_rows_at_the_source_cost(manager: Any, part: Any, store: Any) -> None:
    van = LocationFactory(kind=LocationKind.VAN, technician=manager, code="van-1", name="Van 1")
    stock.receive(manager, part, store, D(5), D(10))
    stock.receive(manager, part, van, D(1), D(16))
    out, into = stock.transfer(manager, part, store, van, D(2), reference="load")
    assert (out.quantity, into.quantity, out.counterpart, into.counterpart) == (D(-2), D(2), into, out)
    assert into.unit_cost == D(10)
    assert balance(part, van).average_cost == D(12)
    assert (balance(part, store).on_hand, balance(part, van).on_hand) == (D(3), D(3))


def test_a_transfer_of_what_is_not_there_moves_nothing(manager: Any, part: Any, store: Any) -> None:
    van = LocationFactory(kind=LocationKind.VAN, technician=manager, code="van-1")
    stock.receive(manager, part, store, D(1), D(10))
    with pytest.raises(stock.StockConflict):
        stock.transfer(manager, part, store, van, D(2))
    assert StockMovement.objects.count() == 1
    assert not StockBalance.objects.filter(location=van, on_hand__gt=0).exists()


def test_a_count_records_the_difference(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(10), D(3))
    movement = stock.count(manager, part, store, D(7), reference="INV-2026")
    assert (movement.kind, movement.quantity) == (MovementKind.COUNT, D(-3))
    assert balance(part, store).on_hand == D(7)
    assert stock.count(manager, part, store, D(7)).quantity == 0


def test_a_count_below_what_is_reserved_asks_to_release_first(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(4), D(3))
    stock.reserve(part, store, D(3))
    with pytest.raises(stock.StockConflict, match="reserved for work orders"):
        stock.count(manager, part, store, D(2))


def test_an_adjustment_is_a_managers_act_with_its_reason(manager: Any, technician: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(4), D(3))
    with pytest.raises(PermissionDenied):
        stock.adjust(technician, part, store, D(-1), "dropped")
    with pytest.raises(ValidationError, match="Say why"):
        stock.adjust(manager, part, store, D(-1), " ")
    stock.adjust(manager, part, store, D(-1), "Dropped and cracked")
    assert balance(part, store).on_hand == D(3)


def test_a_return_takes_back_the_cost_it_was_issued_at(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(2), D(10))
    issued = stock.issue(manager, part, store, D(2))
    stock.receive(manager, part, store, D(2), D(20))
    stock.return_to_stock(manager, part, store, D(2), issued.unit_cost, reference="OT-000002")
    assert balance(part, store).average_cost == D(15)


def test_a_client_may_neither_move_nor_see_the_companys_stock(
    client_a: Any, manager: Any, part: Any, store: Any
) -> None:
    stock.receive(manager, part, store, D(2), D(10))
    with pytest.raises(PermissionDenied):
        stock.issue(client_a, part, store, D(1))
    assert not StockBalance.objects.restrict(client_a).exists()


def test_client_owned_stock_is_seen_by_that_client_and_the_staff_only(
    client_a: Any, client_b: Any, manager: Any, technician: Any, org_a: Any, site_a: Any
) -> None:
    own_part = PartFactory(owner=org_a)
    own_store = LocationFactory(kind=LocationKind.SITE_STORE, site=site_a, owner=org_a)
    stock.receive(manager, own_part, own_store, D(2), D(10))
    for user in (client_a, manager, technician):
        assert StockBalance.objects.restrict(user).filter(part=own_part).exists()
        assert StockMovement.objects.restrict(user).filter(part=own_part).exists()
    assert not StockBalance.objects.restrict(client_b).exists()
    assert not StockMovement.objects.restrict(client_b).exists()


def test_a_clients_part_is_kept_only_in_its_own_locations(manager: Any, org_a: Any, store: Any) -> None:
    with pytest.raises(ValidationError, match="only in that client's locations"):
        stock.receive(manager, PartFactory(owner=org_a), store, D(1), D(1))


def test_on_hand_stays_the_sum_of_the_ledger(manager: Any, part: Any, store: Any) -> None:
    stock.receive(manager, part, store, D(5), D(2))
    stock.issue(manager, part, store, D(3))
    stock.count(manager, part, store, D(4))
    total = StockMovement.objects.filter(part=part, location=store).aggregate(total=Sum("quantity"))["total"]
    assert balance(part, store).on_hand == total == D(4)


def test_the_average_cost_rounds_half_up_to_the_ten_thousandth() -> None:
    assert stock.weighted_average(D(1), D("1.0290"), D(1), D("1.0299")) == D("1.0295")


def test_an_issue_costs_a_handful_of_queries(manager: Any, technician: Any, django_assert_max_num_queries: Any) -> None:
    """Issuing is what eight technicians do at once at the end of a shift: the permission checks, the locked
    balance, its update and the ledger row, and nothing more (no change-log copy of what the ledger holds)."""
    part, store = PartFactory(), LocationFactory()
    stock.receive(manager, part, store, Decimal(10), Decimal("7.20"))
    with django_assert_max_num_queries(7):
        stock.issue(technician, part, store, Decimal(1))
