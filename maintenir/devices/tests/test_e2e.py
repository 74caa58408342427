import datetime
import math
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.devices.choices import Quality
from maintenir.devices.models import Point, Reading
from maintenir.devices.tests.factories import PointFactory
from maintenir.ui.tests.browser import Browser


@pytest.mark.e2e
# The live server needs committed data; restoring the seeded lists afterwards keeps later tests whole.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_technician_reads_a_point_history_on_a_phone(live_server: Any, browser_page: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    ahu = EquipmentFactory(code="AHU-01", name="Air handling unit")
    point = PointFactory(device__equipment=ahu, device__name="AHU controller", name="supply_temp", unit="°C")
    now = timezone.now()
    Reading.objects.bulk_create(
        Reading(
            point=point,
            time=now - datetime.timedelta(minutes=2 * n),
            value=19 + 2 * math.sin(n / 40),
            quality=Quality.BAD if n % 97 == 0 else Quality.GOOD,
        )
        for n in range(1, 1500)
    )
    Point.objects.filter(pk=point.pk).update(last_value=19.5, last_time=now, last_quality=Quality.GOOD)
    UserFactory(username="tech", role=Role.TECHNICIAN)
    browser = Browser(page, live_server.url)
    browser.log_in("tech")

    browser.go(ahu.get_absolute_url())
    figure = page.locator(f"#history-{point.pk}")
    expect(figure.get_by_role("img", name="supply_temp — Last day (°C)")).to_be_visible()
    expect(figure).to_contain_text("Last value: 19.500 °C")
    box = figure.locator("svg").bounding_box()
    assert box is not None
    assert box["width"] <= 412
    # The month, swapped in place by htmx: the page stays where it is.
    figure.get_by_role("link", name="Last month").click()
    month = page.locator(f"#history-{point.pk}").get_by_role("img", name="supply_temp — Last month (°C)")
    expect(month).to_be_visible()
    assert page.url.endswith(ahu.get_absolute_url())
