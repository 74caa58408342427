import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from benchmarks.stores import ReorderSources, reorder_sql
from benchmarks.stores_data import layout
from maintenir.core.management.commands.bench import Command
from maintenir.stores.choices import LocationKind
from maintenir.stores.tests.factories import LocationFactory, PartFactory, StockBalanceFactory

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
    assert "reorder: not available in this build" in out
    assert figures["reorder"] == "not available in this build"


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


def _rows(*rows: tuple[int, int, int] | tuple[int, int, int, int]) -> str:
    names = ["part_id", "location_id", "reorder_point", "order_up_to"] if len(rows[0]) == 4 else None
    names = names or ["part_id", "location_id", "quantity"]
    return " UNION ALL ".join(
        "SELECT " + ", ".join(f"{value} AS {name}" for value, name in zip(row, names, strict=True)) for row in rows
    )


def test_the_reorder_baseline_proposes_what_falls_to_the_reorder_point(db: None) -> None:
    """Available + on order - needs at or under the reorder point: order up to the rule's level."""
    store = LocationFactory(kind=LocationKind.CENTRAL_STORE)
    low, covered, needed, absent, plenty = (PartFactory() for _ in range(5))
    StockBalanceFactory(part=low, location=store, on_hand=D(5), reserved=D(2))  # 3 available
    StockBalanceFactory(part=covered, location=store, on_hand=D(1))  # + 6 on order
    StockBalanceFactory(part=needed, location=store, on_hand=D(10))  # - 8 needed
    StockBalanceFactory(part=plenty, location=store, on_hand=D(50))
    rules = _rows(*((part.pk, store.pk, 4, 20) for part in (low, covered, needed, absent, plenty)))
    sources = ReorderSources(
        rules=rules,
        on_order=_rows((covered.pk, store.pk, 2), (covered.pk, store.pk, 4)),
        needs=_rows((needed.pk, store.pk, 8)),
    )
    assert reorder_sql(sources) == {
        (low.pk, store.pk): D(17),
        (needed.pk, store.pk): D(18),
        (absent.pk, store.pk): D(20),
    }
