from typing import Any

import pytest
from django.core.management import call_command

from benchmarks.plan import run
from maintenir.core.management.commands.bench import Command


def test_the_plan_benchmark_reports_both_solvers_and_no_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("benchmarks.plan.TIME_LIMIT", 2)
    figures = run(orders=30, technicians=4)
    assert figures["optimiser_placed"] >= figures["greedy_placed"] > 0
    assert figures["optimiser_violations"] == figures["greedy_violations"] == 0
    assert {"weighted_lateness_ratio", "travel_ratio", "lateness_plus_travel_cut_percent"} <= figures.keys()


@pytest.mark.parametrize(("name", "orders"), [("plan", 500), ("kpi", 1_000_000)])
def test_orders_default_per_benchmark(name: str, orders: int, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(Command, "_run_in_child", lambda self, options, url, data_dir: seen.update(options))
    call_command("bench", name)
    assert seen["orders"] == orders
    assert seen["technicians"] == 40
