import datetime
import math
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.devices.choices import ApplicationStatus, Quality
from maintenir.devices.models import Application, ParameterEntry, Point, Reading
from maintenir.devices.tests.factories import ParameterSetFactory, PointFactory
from maintenir.devices.tests.peers import modbus_peer_in_thread
from maintenir.devices.tests.test_parameters import air_handling_unit, float32
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
        for n in range(1, 700)  # the last 23 hours: the chart opens on the day
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


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_technician_applies_a_parameter_set_from_the_device_page_and_reverts_it(
    live_server: Any, browser_page: Any, settings: Any, at_work: Any
) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    with modbus_peer_in_thread(holding={**dict(enumerate(float32(19.0))), 2: 40}) as peer:
        device = air_handling_unit(EquipmentFactory(code="AHU-01"), peer.port)
        winter = ParameterSetFactory(name="Winter setpoints")
        ParameterEntry.objects.create(parameter_set=winter, point_name="heating_setpoint", value=20.5)
        ParameterEntry.objects.create(parameter_set=winter, point_name="fan_speed", value=60)
        # At work on the unit: a technician writes to the devices of the equipment of their open orders.
        at_work(UserFactory(username="tech", role=Role.TECHNICIAN), device.equipment)
        browser = Browser(page, live_server.url)
        browser.log_in("tech")

        browser.go(device.get_absolute_url())
        page.get_by_role("link", name="Apply a parameter set").click()
        page.get_by_role("link", name="Winter setpoints").click()
        # Coming from the device's page, the device is already ticked.
        expect(page.get_by_label("AHU-01 — CTA")).to_be_checked()
        page.get_by_role("button", name="Apply to the devices ticked").click()
        browser.saved("Winter setpoints applied to CTA and read back.")
        applied = page.locator("#applications article").first
        expect(applied).to_contain_text("Applied and verified")
        expect(applied.get_by_role("row", name="heating_setpoint")).to_contain_text("20.500")

        applied.get_by_role("button", name="Revert").click()
        browser.saved("Winter setpoints reverted on CTA.")
        expect(page.locator("#applications article").first).to_contain_text("Reverted")
        expect(page.get_by_role("button", name="Revert")).to_have_count(0)
    assert Application.objects.get().status == ApplicationStatus.REVERTED
