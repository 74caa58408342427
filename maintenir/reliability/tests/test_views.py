"""The KPI pages: figures with their definitions, Pareto and trends as SVG, the same numbers as the
API, and nothing of another client."""

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from maintenir.core.tests.clients import client_for
from maintenir.reliability import services
from maintenir.workorders.tests.factories import failure_order

YEAR = "start=2026-01-01&end=2026-12-31"


def page(user: Any, path: str) -> Any:
    return client_for(user).get(path)


@pytest.mark.django_db
def test_the_site_page_states_each_figure_with_its_definition(client_a: Any, history_a: Any) -> None:
    site = history_a["pump"].site
    response = page(client_a, f"/reliability/site/{site.pk}/?{YEAR}")

    assert response.status_code == 200
    text = response.content.decode()
    figures = response.context["figures"]
    assert figures.failures == 4
    assert figures.repair_hours == 13
    assert figures.mttr == 13 / 4
    assert '<strong id="kpi-failures">4</strong>' in text
    for definition in services.DEFINITIONS.values():
        assert str(definition).split("%(")[0].replace("'", "&#x27;") in text
    # One row per equipment, each linking to its own page.
    assert {row.label for row in response.context["rows"]} == {
        str(history_a["pump"]),
        "AHU-01 — Centrale de traitement d'air",
    }
    assert f"/reliability/equipment/{history_a['pump'].pk}/?start=2026-01-01" in text


@pytest.mark.django_db
def test_the_pareto_of_failure_modes_and_of_cost(client_a: Any, history_a: Any, settings: Any) -> None:
    settings.MAINTENIR_LABOUR_HOURLY_COST = 50
    site = history_a["pump"].site
    modes = page(client_a, f"/reliability/site/{site.pk}/?{YEAR}").context["pareto"]
    assert [(bar.label, bar.value, bar.cumulative) for bar in modes] == [
        (str(history_a["leak"]), 2, 0.5),
        ("(not coded)", 1, 0.75),
        (str(history_a["vibration"]), 1, 1.0),
    ]
    cost = page(client_a, f"/reliability/site/{site.pk}/?{YEAR}&pareto=cost").context["pareto"]
    # Labour at 50 per hour plus one part at 100 per failure.
    assert [(bar.label[:6], bar.value) for bar in cost] == [("AHU-01", 7 * 50 + 300), ("PMP-07", 6 * 50 + 100)]


@pytest.mark.django_db
def test_the_charts_are_svg_scaled_to_the_screen(client_a: Any, history_a: Any) -> None:
    response = page(client_a, f"/reliability/equipment/{history_a['pump'].pk}/?{YEAR}")
    text = response.content.decode()

    assert text.count("<svg viewBox=") == 1 + len(response.context["trends"])
    assert 'width="100%"' in text
    months = response.context["trends"][0][2].bars
    assert len(months) == 12
    assert [bar.value for bar in months][:4] == [0, 0, 1, 0]


@pytest.mark.parametrize(
    ("scope", "query"),
    [("all", "group_by=site"), ("site", "group_by=equipment&pareto=equipment"), ("equipment", "pareto=failure_cause")],
)
@pytest.mark.django_db
def test_the_api_returns_the_numbers_of_the_page(client_a: Any, history_a: Any, scope: str, query: str) -> None:
    ids = {"all": None, "site": history_a["pump"].site_id, "equipment": history_a["pump"].pk}
    path = "/reliability/" if scope == "all" else f"/reliability/{scope}/{ids[scope]}/"
    context = page(client_a, f"{path}?{YEAR}&{query}").context
    api = client_for(client_a)
    scope_query = f"scope={scope}" + (f"&id={ids[scope]}" if ids[scope] else "") + f"&{YEAR}"

    group_by = f"&group_by={context['group_by']}" if context["group_by"] else ""
    kpis = api.get(f"/api/reliability/kpis?{scope_query}{group_by}").json()
    assert kpis["totals"] == _json(context["figures"].as_dict())
    assert kpis["rows"] == [_json(row.as_dict()) for row in context["rows"]]
    pareto = api.get(f"/api/reliability/pareto?{scope_query}&by={context['pareto_by']}").json()
    assert [bar["value"] for bar in pareto] == [bar.value for bar in context["pareto"]]
    trend = api.get(f"/api/reliability/trend?{scope_query}").json()
    for (_id, _title, chart), name in zip(context["trends"], ("failures", "mtbf", "mttr"), strict=False):
        assert [month["figures"][name] for month in trend] == [bar.value for bar in chart.bars]


def _json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


@pytest.mark.django_db
def test_another_client_sees_neither_the_site_nor_its_figures(client_b: Any, history_a: Any) -> None:
    site = history_a["pump"].site
    assert page(client_b, f"/reliability/site/{site.pk}/").status_code == 404
    assert page(client_b, f"/reliability/equipment/{history_a['pump'].pk}/").status_code == 404
    response = page(client_b, f"/reliability/?{YEAR}&pareto=equipment")
    assert response.status_code == 200
    assert response.context["figures"].failures == 0
    text = response.content.decode()
    assert site.name not in text
    assert "PMP-07" not in text


@pytest.mark.django_db
def test_an_unknown_scope_is_not_found_and_bad_dates_are_refused(client_a: Any, site_a: Any) -> None:
    assert page(client_a, f"/reliability/building/{site_a.pk}/").status_code == 404
    response = page(client_a, "/reliability/?start=2026-03-01&end=2026-01-01")
    assert "The end is before the start." in response.content.decode()
    api = client_for(client_a).get("/api/reliability/kpis?start=2026-03-01&end=2026-01-01")
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["body", "end"]


@pytest.mark.django_db
def test_availability_shows_enough_digits_to_see_a_stop(client_a: Any, equipment_a: Any) -> None:
    """Two hours of failure in a year is 99,98 %: one decimal would round it to 100,0 %."""
    failure_order(equipment_a, timezone.make_aware(datetime.datetime(2026, 3, 2, 8)), 2)
    response = page(client_a, f"/reliability/equipment/{equipment_a.pk}/?{YEAR}")
    text = response.content.decode()
    assert '<strong id="kpi-availability">99.98 %</strong>' in text
    french = client_for(client_a, HTTP_ACCEPT_LANGUAGE="fr").get(f"/reliability/equipment/{equipment_a.pk}/?{YEAR}")
    assert '<strong id="kpi-availability">99,98 %</strong>' in french.content.decode()
