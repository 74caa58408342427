import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.devices.charts import HEIGHT, WIDTH, draw
from maintenir.devices.choices import Quality
from maintenir.devices.history import Bucket, History, Span
from maintenir.devices.models import Point, Reading
from maintenir.devices.tests.factories import PointFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def point_a(equipment_a: Any) -> Any:
    point = PointFactory(device__equipment=equipment_a, device__name="Compteur TGBT", name="active_power", unit="kW")
    now = timezone.now()
    Reading.objects.bulk_create(
        Reading(point=point, time=now - datetime.timedelta(minutes=10 * n + 5), value=20.0 + n, quality=Quality.GOOD)
        for n in range(12)
    )
    Point.objects.filter(pk=point.pk).update(
        last_value=20.0, last_time=now - datetime.timedelta(minutes=5), last_quality=Quality.GOOD
    )
    point.refresh_from_db()
    return point


def history_url(point: Any, span: str = "day") -> str:
    return f"{reverse('point-history', args=[point.pk])}?span={span}"


def test_the_drawing_fits_the_box_and_breaks_at_gaps() -> None:
    since = datetime.datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    buckets = [
        Bucket(since + datetime.timedelta(minutes=5 * n), 300, 2, 2, float(n), float(n) + 2, float(n) + 1)
        for n in (0, 1, 2, 10, 11)
    ] + [Bucket(since + datetime.timedelta(minutes=60), 300, 1, 0, None, None, None)]
    chart = draw(History(PointFactory.build(), Span.DAY, since, since + datetime.timedelta(days=1), buckets))
    # Two stretches: 0–2 and 10–11, the bucket without values and the gap between them cut the line.
    assert len(chart.lines) == len(chart.bands) == 2
    coordinates = [float(n) for path in chart.lines + chart.bands for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    xs, ys = coordinates[0::2], coordinates[1::2]
    assert all(chart.left <= x <= chart.right_edge for x in xs)
    assert all(0 <= y <= chart.bottom_edge for y in ys)
    assert (chart.low, chart.high, chart.count) == (0.0, 13.0, 11)
    assert chart.mean == pytest.approx(sum([1, 2, 3, 11, 12]) / 5)


def test_an_empty_history_draws_nothing() -> None:
    since = datetime.datetime(2026, 6, 1, tzinfo=UTC)
    chart = draw(History(PointFactory.build(), Span.HOUR, since, since + datetime.timedelta(hours=1), []))
    assert (chart.lines, chart.bands, chart.count, chart.mean) == ([], [], 0, None)


def test_the_equipment_page_charts_each_point_of_its_devices(client_a: Any, point_a: Any) -> None:
    page = client_for(client_a).get(point_a.device.equipment.get_absolute_url()).content.decode()
    assert 'id="history"' in page
    assert "Compteur TGBT" in page
    figure = page[page.index(f'id="history-{point_a.pk}"') :]
    figure = figure[: figure.index("</figure>")]
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' in figure
    assert 'width="100%"' in figure
    assert 'role="img"' in figure
    assert "<title" in figure
    assert "active_power — Last day (kW)" in figure
    assert "Last value: 20 kW at" in figure
    assert "12 readings, minimum 20 kW, maximum 31 kW" in figure
    assert 'class="chart-mean"' in figure
    assert 'class="chart-band"' in figure
    assert ">kW</text>" in figure
    # Each span is a link: in place with htmx, the point's history page without JavaScript.
    for span in Span:
        assert f'href="{history_url(point_a, span)}"' in figure
    assert figure.count('aria-current="true"') == 1


@pytest.mark.parametrize(
    ("minutes_back", "span"),
    [((), Span.DAY), ((2, 12, 22), Span.HOUR), ((5, 300), Span.DAY), ((5, 3 * 24 * 60), Span.MONTH)],
)
def test_the_chart_opens_on_the_span_that_holds_the_readings(
    client_a: Any, equipment_a: Any, minutes_back: tuple[int, ...], span: Span
) -> None:
    """Twenty minutes of live data is the last hour, not a sliver of the last day."""
    point = PointFactory(device__equipment=equipment_a, name="supply_temperature")
    now = timezone.now()
    Reading.objects.bulk_create(
        Reading(point=point, time=now - datetime.timedelta(minutes=back), value=20.0, quality=Quality.GOOD)
        for back in minutes_back
    )
    page = client_for(client_a).get(equipment_a.get_absolute_url()).content.decode()
    assert f"supply_temperature — {span.label}" in page
    without_span = client_for(client_a).get(reverse("point-history", args=[point.pk])).content.decode()
    assert f"supply_temperature — {span.label}" in without_span


def test_the_chart_refreshes_itself_while_the_page_is_open(client_a: Any, point_a: Any) -> None:
    page = client_for(client_a).get(point_a.device.equipment.get_absolute_url()).content.decode()
    figure = page[page.index(f'<figure class="chart" id="history-{point_a.pk}"') :]
    opening = figure[: figure.index(">")]
    assert f'hx-get="{history_url(point_a, "day")}"' in opening
    assert 'hx-trigger="every 20s"' in opening
    assert 'hx-swap="outerHTML"' in opening
    assert "<script" not in figure[: figure.index("</figure>")]


def test_an_equipment_without_devices_has_no_readings_section(client_a: Any, equipment_a: Any) -> None:
    page = client_for(client_a).get(equipment_a.get_absolute_url()).content.decode()
    assert 'id="history"' not in page


def test_an_equipment_page_shows_only_its_own_points(client_a: Any, point_a: Any) -> None:
    sibling = PointFactory(device__equipment=EquipmentFactory(site=point_a.device.equipment.site), name="other_one")
    page = client_for(client_a).get(point_a.device.equipment.get_absolute_url()).content.decode()
    assert f'id="history-{sibling.pk}"' not in page


def test_htmx_gets_the_figure_of_another_span(client_a: Any, point_a: Any) -> None:
    response = client_for(client_a).get(history_url(point_a, "hour"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith("<figure")
    assert "<html" not in body
    assert "active_power — Last hour (kW)" in body
    assert f'href="{history_url(point_a, "hour")}" hx-get' in body


def test_without_javascript_the_span_opens_the_point_history_page(client_a: Any, point_a: Any) -> None:
    page = client_for(client_a).get(history_url(point_a, "month")).content.decode()
    assert "<html" in page
    assert "active_power — Last month (kW)" in page
    assert point_a.device.get_absolute_url() in page
    assert "<th>Maximum</th>" in page
    assert "<td>31</td></tr>" in page
    assert (
        reverse("point-history", args=[point_a.pk])
        in client_for(client_a).get(point_a.device.get_absolute_url()).content.decode()
    )


def test_a_bad_span_is_named(client_a: Any, point_a: Any) -> None:
    response = client_for(client_a).get(history_url(point_a, "week"))
    assert response.status_code == 400
    assert "span" in response.content.decode()


def test_another_client_gets_404_and_anonymous_the_login(client_b: Any, point_a: Any) -> None:
    assert client_for(client_b).get(history_url(point_a)).status_code == 404
    assert client_for(client_b).get(history_url(point_a), HTTP_HX_REQUEST="true").status_code == 404
    assert Client().get(history_url(point_a))["Location"].startswith(reverse("login"))


def test_the_api_gives_the_buckets(client_a: Any, client_b: Any, point_a: Any) -> None:
    response = client_for(client_a).get(f"/api/points/{point_a.pk}/history", {"span": "hour"})
    assert response.status_code == 200
    body = response.json()
    assert (body["point"], body["span"], body["unit"]) == (point_a.pk, "hour", "kW")
    assert len(body["buckets"]) == 6
    assert body["buckets"][-1] | {"start": None} == {
        "start": None,
        "seconds": 0,
        "count": 1,
        "valid_count": 1,
        "min": 20.0,
        "max": 20.0,
        "mean": 20.0,
    }
    assert client_for(client_b).get(f"/api/points/{point_a.pk}/history").status_code == 404
    bad = client_for(client_a).get(f"/api/points/{point_a.pk}/history", {"span": "week"})
    assert bad.status_code == 422
    assert "span" in bad.json()["detail"][0]["loc"]
