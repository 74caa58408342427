"""The improvement journey in a real browser: a technician finds the press at the top of the site's
Pareto of failures and proposes an improvement argued from its history; the manager approves it and
raises the improvement work order; once that work is done, the proposal shows its effect, the same
indicators before and after, on a phone-sized screen."""

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.reliability.choices import ProposalStatus
from maintenir.reliability.models import ImprovementProposal
from maintenir.ui.tests.browser import Browser
from maintenir.workorders import services as workorders
from maintenir.workorders.choices import SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import FailureMode
from maintenir.workorders.tests.factories import failure_order


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.mark.e2e
# The live server needs committed data; restoring the seeded lists afterwards keeps later tests whole.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_propose_approve_carry_out_and_measure_an_improvement(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    site: Any = SiteFactory(name="Usine Durand")
    press = EquipmentFactory(site=site, code="PR-01", name="Hydraulic press")
    conveyor = EquipmentFactory(site=site, code="CV-02", name="Conveyor")
    leak, vibration = FailureMode.objects.get(code="ELP"), FailureMode.objects.get(code="VIB")
    for days_ago, hours in ((50, 4), (25, 2), (10, 3)):
        failure_order(press, ago(days_ago), hours, failure_mode=leak, status=WorkOrderStatus.CLOSED)
    failure_order(conveyor, ago(20), 1, failure_mode=vibration, status=WorkOrderStatus.CLOSED)
    manager: Any = UserFactory(username="manager", role=Role.MANAGER)
    tech: Any = UserFactory(username="tech", role=Role.TECHNICIAN, first_name="Théo", last_name="Martin")

    browser = Browser(page, live_server.url)
    browser.log_in("tech")
    browser.go(f"/reliability/site/{site.pk}/?pareto=equipment")
    pareto = page.locator("#pareto")
    top = pareto.locator("tbody tr").first
    expect(top).to_contain_text("PR-01")
    expect(top).to_contain_text("75.0 %")
    top.get_by_role("link", name="Propose an improvement").click()

    # The argument arrives written from the press's last twelve months; the author adds the rest.
    argument = page.get_by_label("Argument")
    expect(argument).to_have_value(re.compile(r"PR-01 — Hydraulic press failed 3 times and was down 9\.0 h"))
    expect(argument).to_have_value(re.compile(r"Top failure modes: ELP — .* \(3\)"))
    page.get_by_label("Title").fill("PTFE seals on the main cylinder")
    page.get_by_label("Failure mode addressed").select_option(str(leak.pk))
    page.get_by_label("Proposed modification").fill("Replace the nitrile seals by PTFE seals.")
    page.get_by_label("Cost").fill("1200")
    page.get_by_label("Expected gain per year").fill("4800")
    page.get_by_label("Effect measured after (days)").fill("30")
    page.get_by_role("button", name="Propose").click()
    browser.saved("Saved.")
    expect(page.locator("#payback")).to_contain_text("3.0 months")
    proposal = ImprovementProposal.objects.get()
    assert (proposal.equipment, proposal.proposed_by, proposal.failure_mode) == (press, tech, leak)
    browser.log_out()

    browser.log_in("manager")
    browser.go(proposal.get_absolute_url())
    page.get_by_label("Note").first.fill("Worth it: the seals cost less than a week of leaks.")
    page.get_by_role("button", name="Approve").click()
    browser.saved("Proposal approved.")
    page.get_by_role("button", name="Raise the improvement work order").click()
    browser.saved("Improvement work order raised.")
    proposal.refresh_from_db()
    order = proposal.work_order
    assert order is not None
    assert proposal.status == ProposalStatus.CARRIED_OUT
    assert (order.work_type, order.equipment) == (WorkOrderType.IMPROVEMENT, press)
    expect(page.locator("#effect")).to_contain_text("Measured once the improvement work order is done.")

    # The technician carries the modification out (the execution page has its own journey).
    workorders.plan_work_order(manager, order, [tech], timezone.now())
    workorders.start_work_order(tech, order)
    workorders.sign_off(tech, order, SignOffRole.TECHNICIAN, "Théo Martin")
    workorders.complete_work_order(tech, order, findings="PTFE seals fitted.")

    page.reload()
    effect = page.locator("#effect")
    expect(effect).to_contain_text("The period after is not over yet")
    failures = effect.locator("tr", has_text="Failures")
    expect(failures.locator("td").nth(1)).to_have_text("2")
    expect(failures.locator("td").nth(2)).to_have_text("0")
    expect(effect.locator("tr", has_text="Downtime (h)").locator("td").nth(1)).to_have_text("5.0")
