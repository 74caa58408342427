import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_the_scale_benchmark_serves_every_route_at_both_sizes(
    capfd: pytest.CaptureFixture[str], bench_database: list[str]
) -> None:
    """A small run of `maintenir bench scale`: the demo grown to 300 orders (and 30 first), served by gunicorn,
    every timed route answered by a real request of the user it names, and the throughput measured."""
    args = ["--orders", "300", "--readings", "3000", "--samples", "1", "--clients", "3", "--seconds", "1"]
    call_command("bench", "scale", *args, "--json", *bench_database, stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert figures["database"] == connection.vendor
    assert (figures["small_orders"], figures["small_readings"]) == (30, 300)
    assert len(figures["routes"]) >= 20
    for name, row in figures["routes"].items():
        assert row["small"]["status"] == row["large"]["status"] == 200, name
        assert row["large"]["samples"] == 1
        assert row["large"]["p95_ms"] > 0
    deep = figures["routes"]["order list, deep page"]["path"]
    # The order list pages deep through its cursor, followed as a browser follows the "Next" link.
    assert deep.startswith("/orders/?listed=all&after=")
    for name in ("api_work_orders", "order_list", "baseline"):
        assert figures["throughput"][name]["requests_per_second"] > 0
        assert figures["throughput"][name]["failures"] == 0
    assert figures["throughput"]["api_work_orders"]["ratio_to_baseline"] > 0
