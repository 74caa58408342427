"""The reliability page reads on a phone and on a desk: the definitions of the indicators get the width
of the screen instead of a sliver beside their names, and the Pareto chart's labels stay inside the
chart, above the table that follows it."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.reliability.services import PARETO_BARS
from maintenir.ui.tests.browser import open_browser, screenshot_path, session_cookies
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import FailureMode
from maintenir.workorders.tests.factories import failure_order

# The narrowest dd of the indicators, the labels of the Pareto chart sticking out of it, and how far the
# chart's box reaches into the table below it.
MEASURE = """() => {
  const chart = document.querySelector("#pareto-chart svg").getBoundingClientRect();
  const table = document.querySelector("#pareto table").getBoundingClientRect();
  const outside = [...document.querySelectorAll("#pareto-chart text")].filter((label) => {
    const box = label.getBoundingClientRect();
    return box.left < chart.left - 1 || box.right > chart.right + 1 || box.top < chart.top - 1
      || box.bottom > chart.bottom + 1;
  });
  return {
    definitions: Math.min(...[...document.querySelectorAll("#figures dd")].map((dd) => dd.clientWidth)),
    outside: outside.map((label) => label.textContent),
    overlap: chart.bottom - table.top,
  };
}"""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from open_browser(monkeypatch)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_definitions_and_the_pareto_chart_read_on_a_phone_and_a_desk(
    width: int, live_server: Any, browser: Any
) -> None:
    site: Any = SiteFactory(name="Usine Durand")
    # More failure modes than the chart has bars: the most bars there can be, the last one "Others".
    machines = [EquipmentFactory(site=site, name=f"Presse hydraulique à double effet {n}") for n in range(9)]
    modes = list(FailureMode.objects.order_by("-name")[:9])
    for n, (machine, mode) in enumerate(zip(machines, modes, strict=True)):
        for days_ago in range(n + 1):
            started = timezone.now() - datetime.timedelta(days=5 + days_ago * 7)
            failure_order(machine, started, 2, failure_mode=mode, status=WorkOrderStatus.CLOSED)
    manager = UserFactory(username="manager", role=Role.MANAGER)
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    context.add_cookies(session_cookies(live_server.url, manager, "fr"))
    tab = context.new_page()

    tab.goto(f"{live_server.url}{reverse('reliability-scope', args=['site', site.pk])}")
    measured = tab.evaluate(MEASURE)
    tab.screenshot(path=screenshot_path(f"reliability-{width}.png"), full_page=True)

    assert len(tab.locator("#pareto tbody tr").all()) == PARETO_BARS
    if width == 360:
        assert measured["definitions"] >= 290, f"definitions {measured['definitions']} px wide on a phone"
    assert not measured["outside"], f"labels outside the Pareto chart: {measured['outside']}"
    assert measured["overlap"] <= 0, f"the Pareto chart runs {measured['overlap']} px into its table"
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
