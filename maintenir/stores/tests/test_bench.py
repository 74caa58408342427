import datetime
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from benchmarks.stores_data import layout
from benchmarks.stores_reorder import reorder_orm, reorder_sql
from maintenir.core.management.commands.bench import Command
from maintenir.stores import reorder
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind, PurchaseOrderStatus, Unit
from maintenir.stores.models import Part, StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory, SupplierPartFactory
from maintenir.stores.tests.purchasing_factories import PurchaseOrderLineFactory, ReorderRuleFactory

D = Decimal


@pytest.mark.django_db
def test_the_stores_benchmark_runs_end_to_end(capfd: pytest.CaptureFixture[str], bench_database: list[str]) -> None:
    """A tiny run of `maintenir bench stores` on the suite's database engine."""
    args = ["bench", "stores", "--parts", "300", "--locations", "10", "--movements", "6000", "--seconds", "1"]
    call_command(*args, "--json", *bench_database, stdout=StringIO())
    out = capfd.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert figures["database"] == connection.vendor
    assert figures["parts"] == 300
    assert figures["movements"] == 6000
    assert figures["balances"] > 0
    assert figures["balances_disagreeing_with_ledger"] == 0
    assert figures["offers_disagreeing_with_sql"] == 0
    assert figures["issue_issued"] == figures["issue_ledger_rows_written"] > 0
    assert figures["issue_lost_updates"] == figures["issue_negative_balances"] == 0
    assert figures["issue_sql_lost_updates"] == 0
    assert figures["issue_sql_movements_per_s"] > 0
    assert figures["availability_p95_ms"] >= figures["availability_p50_ms"] > 0
    assert figures["reorder_rules"] > 0
    assert figures["reorder_proposals_with_demand"] > 0
    assert figures["reorder_proposals_with_supplier"] > 0
    assert figures["reorder_s"] > 0
    assert figures["reorder_sql_s"] > 0
    assert figures["reorder_disagreeing_with_sql"] == 0


def test_stores_defaults_and_the_issuers_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(Command, "_run_in_child", lambda self, options, url, data_dir: seen.update(options))
    call_command("bench", "stores")
    assert (seen["parts"], seen["locations"], seen["movements"], seen["seconds"]) == (100_000, 200, 10_000_000, 20)
    call_command("bench", "poll")
    assert seen["seconds"] == 60


def test_the_locations_are_a_central_store_site_stores_bins_and_vans() -> None:
    assert layout(200) == {
        LocationKind.CENTRAL_STORE: 1,
        LocationKind.SITE_STORE: 20,
        LocationKind.BIN: 30,
        LocationKind.VAN: 149,
    }
    with pytest.raises(CommandError, match="at least 4"):
        layout(3)


def _issued(manager: Any, part: Any, store: Any, quantity: int, days_ago: int) -> None:
    movement = stock.issue(manager, part, store, D(quantity))
    moment = timezone.localtime() - datetime.timedelta(days=days_ago)
    StockMovement.objects.filter(pk=movement.pk).update(created=moment.replace(hour=12))


def test_the_reorder_baseline_proposes_what_reorder_proposals_does(manager: Any) -> None:
    """Available + on order - needs at or under the reorder point: order up to the rule's level, at least the
    minimum order of the quickest then cheapest then first-named supplier, in whole units for pieces."""
    store = LocationFactory(kind=LocationKind.CENTRAL_STORE)
    low, litres, needed, covered, absent, tied, plenty = (PartFactory() for _ in range(7))
    Part.objects.filter(pk=litres.pk).update(unit=Unit.LITRE)
    for part, on_hand in ((low, 5), (litres, 1), (needed, 10), (covered, 1), (tied, 50), (plenty, 50)):
        stock.receive(manager, part, store, D(on_hand), D(3))
    StockBalance.objects.filter(part=low, location=store).update(reserved=D(2))  # 3 available
    for part in (low, litres, needed, covered, absent, tied, plenty):
        ReorderRuleFactory(part=part, location=store, reorder_point=D(4), maximum=D(20))
    quick = SupplierPartFactory(part=low, lead_time_days=2, price=D(9), supplier__name="Quick")
    SupplierPartFactory(part=low, lead_time_days=9, price=D(5), minimum_order=D(50))
    SupplierPartFactory(part=litres, lead_time_days=3, minimum_order=D("25.5"))
    first = SupplierPartFactory(part=tied, lead_time_days=5, price=D(4), supplier__name="Alpha")
    SupplierPartFactory(part=tied, lead_time_days=5, price=D(4), supplier__name="Beta")
    PurchaseOrderLineFactory(part=covered, location=store, quantity=D(2))
    PurchaseOrderLineFactory(part=covered, location=store, quantity=D(6), received=D(2))
    PurchaseOrderLineFactory(part=low, location=store, quantity=D(5), received=D(5))  # all received
    PurchaseOrderLineFactory(part=low, location=store, order__status=PurchaseOrderStatus.CANCELLED)
    for quantity, days_ago in ((2, 3), (1, 3), (3, 50), (40, 400)):
        _issued(manager, tied, store, quantity, days_ago)  # 4 left
    needs = {(needed.pk, store.pk): D("8.5"), (plenty.pk, 999_999): D(3)}

    theirs = reorder_sql(needs)

    assert theirs == reorder_orm(needs)
    assert theirs[(low.pk, store.pk)][:3] == (D(17), quick.supplier_id, D(9))
    assert theirs[(litres.pk, store.pk)][0] == D("25.5")
    assert theirs[(needed.pk, store.pk)][0] == D(19)  # 18.5 rounded up to whole pieces
    assert theirs[(absent.pk, store.pk)][:2] == (D(20), None)
    assert theirs[(tied.pk, store.pk)][1] == first.supplier_id
    assert theirs[(tied.pk, store.pk)][3] > 0  # the suggestion from its issues (the oldest is too old)
    assert theirs[(tied.pk, store.pk)][3:] == (
        reorder.suggest(6.0, 9.0 + 9.0, 5, reorder.service_level()).reorder_point,
        reorder.suggest(6.0, 18.0, 5, reorder.service_level()).maximum,
    )
    assert (covered.pk, store.pk) not in theirs
    assert (plenty.pk, store.pk) not in theirs
    assert len(theirs) == 5
