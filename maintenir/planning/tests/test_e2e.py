"""The dispatch journey in a real browser: the manager proposes a plan for the next working day, reads
who does what and what could not be placed, accepts it; the technician finds the order on their day,
on a phone-sized screen."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.core.workdays import is_working_day
from maintenir.people.tests.factories import TechnicianFactory, habilitation_type
from maintenir.ui.tests.browser import Browser
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import WorkOrderRequirement
from maintenir.workorders.tests.factories import WorkOrderFactory


@pytest.mark.e2e
# The live server needs committed data; restoring the seeded lists afterwards keeps later tests whole.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_propose_accept_and_find_the_order_on_my_day(live_server: Any, browser_page: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    site = SiteFactory(name="Usine Durand", latitude=Decimal("45.75"), longitude=Decimal("4.85"))
    press = EquipmentFactory(site=site, code="PR-01", name="Hydraulic press")
    UserFactory(username="manager", role=Role.MANAGER)
    julien = UserFactory(username="julien", role=Role.TECHNICIAN, first_name="Julien", last_name="Moreau")
    TechnicianFactory(user=julien, home_latitude=Decimal("45.76"), home_longitude=Decimal("4.84"))
    leak = WorkOrderFactory(equipment=press, title="Oil leak on the main cylinder", estimated_hours=Decimal("2"))
    switchboard = WorkOrderFactory(equipment=press, title="Replace the press's main switch")
    WorkOrderRequirement.objects.create(work_order=switchboard, habilitation_type=habilitation_type("BR"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    while not is_working_day(tomorrow):
        tomorrow += datetime.timedelta(days=1)

    browser = Browser(page, live_server.url)
    browser.log_in("manager")
    browser.go("/planning/")
    page.locator('[name="start"]').fill(tomorrow.isoformat())
    page.locator('[name="days"]').fill("1")
    page.locator('[name="time_limit"]').fill("2")
    page.get_by_role("button", name="Propose a plan").click()
    expect(page.locator("#plan-figures")).to_contain_text("1")
    expect(page.locator("main")).to_contain_text(leak.reference)
    expect(page.locator("#unplaced")).to_contain_text("habilitation BR")
    page.get_by_role("button", name="Accept: assign and plan the orders").click()
    browser.saved("The plan is accepted")
    leak.refresh_from_db()
    assert leak.status == WorkOrderStatus.PLANNED
    assert list(leak.assignees.all()) == [julien]

    browser.log_out()
    browser.log_in("julien")
    browser.go(f"/planning/my-day/?day={tomorrow.isoformat()}")
    expect(page.locator("#my-day")).to_contain_text("Oil leak on the main cylinder")
    page.get_by_role("link", name=str(leak)).click()
    expect(page.locator("main")).to_contain_text("Oil leak on the main cylinder")
