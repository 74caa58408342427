"""The main journey in a real browser: an operator reports a stopped press, the manager turns the
request into a work order, the technician carries it out on the execution page and the press is
back in service — with every step in the change logs."""

import re
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.changelog import changes_for
from maintenir.core.choices import ChangeAction, Role
from maintenir.core.tests.factories import OrganisationFactory, UserFactory
from maintenir.ui.tests.browser import Browser
from maintenir.workorders.choices import WorkOrderStatus, WorkRequestStatus
from maintenir.workorders.models import FailureMode, WorkOrder, WorkRequest


@pytest.mark.e2e
# The live server needs committed data; restoring the seeded lists afterwards keeps later tests whole.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fault_report_to_completed_work_order(live_server: Any, browser_page: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    organisation = OrganisationFactory(name="Mécanique Durand", code="durand")
    site = SiteFactory(organisation=organisation, name="Usine Durand")
    press = EquipmentFactory(site=site, code="PR-01", name="Hydraulic press")
    UserFactory(username="operator", role=Role.OPERATOR, organisation=organisation)
    UserFactory(username="manager", role=Role.MANAGER)
    UserFactory(username="tech", role=Role.TECHNICIAN, first_name="Théo", last_name="Martin")
    mode = FailureMode.objects.get(code="ELP")

    browser = Browser(page, live_server.url)
    go, log_in, log_out, saved = browser.go, browser.log_in, browser.log_out, browser.saved

    # The operator reports the fault from the press's page.
    log_in("operator")
    go(press.get_absolute_url())
    page.locator("main").get_by_role("link", name="Report a fault").click()
    page.get_by_label("What is wrong?").fill("Oil leaking under the main cylinder, press stopped")
    page.get_by_label("Urgency").select_option(label="Urgent")
    page.get_by_label("Equipment stopped").check()
    page.get_by_role("button", name="Send the request").click()
    saved("Saved.")
    work_request = WorkRequest.objects.get()
    press.refresh_from_db()
    assert press.status == EquipmentStatus.DOWN
    log_out()

    # The manager approves it into a corrective order, adds a measured step and assigns the technician.
    log_in("manager")
    go(work_request.get_absolute_url())
    approve = page.locator("#approve")
    approve.get_by_label("Title").fill("Repair the oil leak on PR-01")
    approve.get_by_label("Type").select_option("corrective")
    approve.get_by_label("Théo Martin").check()
    approve.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order = WorkOrder.objects.get()
    assert order.status == WorkOrderStatus.PLANNED
    page.get_by_label("Instruction").fill("Measure the system pressure after the repair")
    page.get_by_label("Measurement required").check()
    page.get_by_label("Unit").fill("bar")
    page.get_by_label("Expected minimum").fill("180")
    page.get_by_label("Expected maximum").fill("210")
    page.get_by_role("button", name="Add the step").click()
    saved("Checklist step added.")
    log_out()

    # The technician carries it out on the execution page.
    log_in("tech")
    go(reverse("workorder-execute", args=[order.pk]))
    page.get_by_role("button", name="Start").click()
    saved("Work started.")
    step = page.locator(".step").first
    step.get_by_label("Done").check()
    step.get_by_label("Measured value (bar)").fill("195")
    step.get_by_role("button", name="Save the step").click()
    expect(step.locator(".badge-ok")).to_have_text("Done")  # the row came back through htmx
    page.locator("#time").get_by_label("Hours").fill("1.5")
    page.locator("#time").get_by_label("Note").fill("Replaced the cylinder seal")
    page.get_by_role("button", name="Log time").click()
    saved("Time logged.")
    failure = page.locator("#failure")
    failure.get_by_label("Failure mode").select_option(str(mode.pk))
    failure.get_by_label("Findings").fill("Worn rod seal")
    page.get_by_role("button", name="Save the failure coding").click()
    saved("Failure coding saved.")
    page.locator("#sign-offs").get_by_label("Name").first.fill("Théo Martin")
    page.get_by_role("button", name="Sign off as technician").click()
    saved("Technician sign-off recorded.")
    page.get_by_role("button", name="Complete").click()
    saved("Work order completed.")

    order.refresh_from_db()
    press.refresh_from_db()
    work_request.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE
    assert work_request.status == WorkRequestStatus.APPROVED
    assert press.status == EquipmentStatus.IN_SERVICE
    assert order.failure_mode == mode
    assert order.time_entries.get().hours == 1.5
    assert order.steps.get().measured_value == 195

    # The press went down with the report and came back in service with the completion.
    press_updates = changes_for(press).filter(
        object_type=ContentType.objects.get_for_model(press), object_id=press.pk, action=ChangeAction.UPDATE
    )
    statuses = [change.postchange_data["status"] for change in press_updates.order_by("time", "pk")]
    assert statuses == [EquipmentStatus.DOWN, EquipmentStatus.IN_SERVICE]
    go(press.get_absolute_url())
    expect(page.locator("main")).to_contain_text("In service")
    changelog = page.locator("#changelog")
    expect(changelog).to_contain_text("DownIn service")  # status: before, after

    # The order's change log shows every step of the work.
    go(order.get_absolute_url())
    changelog = page.locator("#changelog")
    for text in [
        "Repair the oil leak on PR-01",  # created by the approval
        "Théo Martin",  # the technician assigned
        "PlannedIn progress",  # started
        "Measure the system pressure",  # checklist step recorded
        "1.5",  # time logged
        "External leakage",  # failure coded
        "Technician: Théo Martin",  # signed off
        "In progressDone",  # completed
    ]:
        expect(changelog).to_contain_text(text)
    go(work_request.get_absolute_url())
    expect(page.locator("#changelog")).to_contain_text("Oil leaking under the main cylinder")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bad_value_on_the_execution_page_is_shown_where_it_was_entered(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    site = SiteFactory(organisation=OrganisationFactory(code="durand"), name="Usine Durand")
    technician = UserFactory(username="tech", role=Role.TECHNICIAN)
    order = WorkOrder.objects.create(
        site=site, equipment=EquipmentFactory(site=site), title="Overhaul", status=WorkOrderStatus.IN_PROGRESS
    )
    order.assignees.add(technician)
    # A long checklist puts the time form well below the first screen of a phone.
    for position in range(1, 16):
        order.steps.create(position=position, instruction=f"Check point {position} of the overhaul")
    execute = reverse("workorder-execute", args=[order.pk])

    browser = Browser(page, live_server.url)
    browser.log_in("tech")
    browser.go(execute)
    hours = page.locator("#id_time-hours")
    hours.fill("abc")
    page.get_by_role("button", name="Log time").click()
    expect(page).to_have_url(f"{live_server.url}{execute}#action-time")
    error = page.locator("#time .has-error").get_by_text("Enter a number.")
    expect(error).to_be_in_viewport()
    expect(hours).to_have_value("abc")
    expect(page.locator("#error-summary")).to_contain_text("Hours: Enter a number.")
    assert not order.time_entries.exists()
