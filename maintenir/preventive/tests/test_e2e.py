"""The preventive journey in a real browser: the manager writes a gamme, puts it in a maintenance
plan on the press every week, activates the plan, sees the coming work and generates the order,
which carries the gamme's steps as its checklist."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import OrganisationFactory, UserFactory
from maintenir.preventive.models import PreventiveOrder
from maintenir.ui.tests.browser import Browser
from maintenir.workorders.choices import WorkOrderType


@pytest.mark.e2e
# The live server needs committed data; restoring the seeded lists afterwards keeps later tests whole.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gamme_to_plan_to_generated_work_order(live_server: Any, browser_page: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    site = SiteFactory(organisation=OrganisationFactory(name="Mécanique Durand"), name="Usine Durand")
    press = EquipmentFactory(site=site, code="PR-01", name="Hydraulic press")
    UserFactory(username="manager", role=Role.MANAGER)
    browser = Browser(page, live_server.url)
    browser.log_in("manager")

    # The gamme, with a measured step.
    browser.go(reverse("gamme-add"))
    page.locator('[name="code"]').fill("press-weekly")
    page.locator('[name="name"]').fill("Weekly press round")
    page.locator('[name="steps-0-instruction"]').fill("Check the oil level")
    page.locator('[name="steps-0-level"]').select_option("1")
    page.locator('[name="steps-1-instruction"]').fill("Measure the working pressure")
    page.locator('[name="steps-1-unit"]').fill("bar")
    page.locator('[name="steps-1-expected_min"]').fill("180")
    page.locator('[name="steps-1-expected_max"]').fill("210")
    page.locator("main").get_by_role("button", name="Save").click()
    browser.saved("Saved.")
    expect(page.locator("#steps")).to_contain_text("Measure the working pressure")

    # The plan, and a weekly trigger on the press from today.
    browser.go(reverse("plan-add"))
    page.locator('[name="site"]').select_option(str(site.pk))
    page.locator('[name="name"]').fill("Press line plan")
    page.locator("main").get_by_role("button", name="Save").click()
    browser.saved("Saved.")
    page.get_by_role("link", name="Add a trigger").click()
    page.locator('[name="gamme"]').select_option(label="press-weekly — Weekly press round")
    page.locator('[name="equipment"]').select_option(str(press.pk))
    page.locator('[name="kind"]').select_option("calendar")
    page.locator('[name="interval"]').fill("1")
    page.locator('[name="interval_unit"]').select_option("week")
    page.locator('[name="start_date"]').fill(timezone.localdate().isoformat())
    page.locator("main").get_by_role("button", name="Save").click()
    browser.saved("Saved.")

    # Activated, the plan shows on the Preventive page; the manager generates at once.
    page.get_by_role("link", name="Press line plan").click()
    page.locator("main").get_by_role("button", name="Activate").click()
    browser.saved("Plan activated")
    browser.go(reverse("preventive-forecast"))
    expect(page.locator("#due-dates")).to_contain_text("PR-01")
    page.get_by_role("button", name="Generate due work now").click()
    browser.saved("1 preventive work order generated.")

    origin = PreventiveOrder.objects.select_related("work_order").get()
    assert origin.work_order.work_type == WorkOrderType.PREVENTIVE_SYSTEMATIC
    assert origin.gamme_version.number == 1
    browser.go(origin.work_order.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Check the oil level")
    expect(page.locator("main")).to_contain_text("Measure the working pressure")
