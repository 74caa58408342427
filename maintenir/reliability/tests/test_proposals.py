"""Improvement proposals end to end: argued from data, decided by a manager, carried out as an
improvement work order, and their effect measured before and after."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maintenir.core.services import TransitionError
from maintenir.core.tests.clients import client_for
from maintenir.reliability import proposals
from maintenir.reliability.choices import ProposalStatus
from maintenir.reliability.models import ImprovementProposal
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.tests.factories import DowntimeFactory, WorkOrderFactory


def propose(user: Any, equipment: Any, **fields: Any) -> ImprovementProposal:
    defaults = {
        "title": "Replace the seals by PTFE seals",
        "modification": "PTFE seals on both cylinders.",
        "cost": Decimal(1200),
        "expected_gain": Decimal(4800),
    }
    return proposals.propose(user, equipment, **{**defaults, **fields})


@pytest.mark.django_db
def test_the_argument_is_prefilled_from_the_last_twelve_months(history_a: Any, equipment_a: Any) -> None:
    text = proposals.argument_for(equipment_a, today=datetime.date(2026, 6, 15))

    assert "failed 3 times and was down 7.0 h (7.0 h for repairs)" in text
    assert "Top failure modes: ELP — External leakage - process medium (2); (not coded) (1)." in text


@pytest.mark.django_db
def test_payback_is_the_cost_over_the_yearly_gain(technician: Any, equipment_a: Any) -> None:
    proposal = propose(technician, equipment_a)
    assert proposal.payback_months == 3.0
    proposal.expected_gain = Decimal(0)
    assert proposal.payback_months is None


@pytest.mark.django_db
def test_the_workflow_from_proposal_to_measured_effect(
    technician: Any, manager: Any, equipment_a: Any, history_a: Any
) -> None:
    proposal = propose(technician, equipment_a, failure_mode=history_a["leak"], measure_after_days=60)
    assert proposal.status == ProposalStatus.PROPOSED
    assert "failed" in proposal.argument

    with pytest.raises(PermissionDenied):
        proposals.approve(technician, proposal)
    with pytest.raises(TransitionError):
        proposals.carry_out(manager, proposal)
    proposals.approve(manager, proposal, "Worth it")
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPROVED, manager)
    with pytest.raises(TransitionError):
        proposals.reject(manager, proposal, "Too late")

    proposals.carry_out(manager, proposal)
    order = proposal.work_order
    assert (order.work_type, order.status, order.equipment) == (
        WorkOrderType.IMPROVEMENT,
        WorkOrderStatus.APPROVED,
        equipment_a,
    )
    assert proposals.effect(proposal) is None

    done = timezone.make_aware(datetime.datetime(2026, 4, 1))
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrderStatus.DONE, completed_at=done)
    # One failure of 6 hours in the 60 days after, against two of 2 and 1 hours before (see history_a).
    later = WorkOrderFactory(equipment=equipment_a)
    WorkOrder.objects.filter(pk=later.pk).update(created=done + datetime.timedelta(days=10))
    DowntimeFactory(
        equipment=equipment_a,
        work_order=later,
        cause=DowntimeCause.FAILURE,
        started_at=done + datetime.timedelta(days=10),
        ended_at=done + datetime.timedelta(days=10, hours=6),
    )
    proposal.refresh_from_db()

    early = proposals.effect(proposal, now=done + datetime.timedelta(days=20))
    effect = proposals.effect(proposal, now=done + datetime.timedelta(days=61))

    assert early is not None
    assert not early.complete
    assert effect is not None
    assert effect.complete
    assert (effect.before.failures, effect.before.repair_hours) == (2, 3)
    assert (effect.after.failures, effect.after.repair_hours) == (1, 6)
    assert effect.before.mttr == 1.5
    assert effect.after.mttr == 6
    assert effect.before_period.end == effect.after_period.start == done


@pytest.mark.django_db
def test_a_rejection_needs_its_reason(manager: Any, technician: Any, equipment_a: Any) -> None:
    proposal = propose(technician, equipment_a)
    with pytest.raises(TransitionError):
        proposals.reject(manager, proposal, " ")
    proposals.reject(manager, proposal, "The seals are not the cause")
    assert proposal.status == ProposalStatus.REJECTED


@pytest.mark.django_db
def test_pages_of_a_proposal(technician: Any, manager: Any, equipment_a: Any, history_a: Any, client_b: Any) -> None:
    form = client_for(technician).get(
        f"/reliability/proposals/add/?equipment={equipment_a.pk}&failure_mode={history_a['leak'].pk}"
    )
    assert form.status_code == 200
    # Pre-filled from the last twelve months, whose figures depend on today (tested above on a fixed day).
    assert form.context["form"].initial["argument"] == proposals.argument_for(equipment_a)
    assert "failed" in form.content.decode()
    response = client_for(technician).post(
        "/reliability/proposals/add/",
        {
            "equipment": equipment_a.pk,
            "failure_mode": history_a["leak"].pk,
            "title": "PTFE seals",
            "argument": form.context["form"].initial["argument"],
            "kind": "technical",
            "modification": "PTFE seals on both cylinders.",
            "cost": "1200",
            "expected_gain": "4800",
            "measure_after_days": "90",
        },
    )
    proposal = ImprovementProposal.objects.get()
    assert response.status_code == 302
    assert proposal.proposed_by == technician
    detail = client_for(manager).get(proposal.get_absolute_url())
    assert "3.0 months" in detail.content.decode()
    assert detail.context["actions"] == ["approve", "reject"]
    assert client_for(technician).get(proposal.get_absolute_url()).context["actions"] == []

    client_for(manager).post(f"/reliability/proposals/{proposal.pk}/approve/", {"note": "Go"})
    client_for(manager).post(f"/reliability/proposals/{proposal.pk}/carry_out/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CARRIED_OUT
    assert proposal.work_order is not None

    assert client_for(client_b).get(proposal.get_absolute_url()).status_code == 404
    assert "PTFE" not in client_for(client_b).get("/reliability/proposals/").content.decode()
    refused = client_for(client_b).post(f"/reliability/proposals/{proposal.pk}/reject/", {"note": "No"})
    assert refused.status_code == 404


def carried_out(technician: Any, manager: Any, equipment: Any, title: str, done_days_ago: int | None) -> Any:
    """A proposal carried out as an improvement order, done `done_days_ago` days ago (None: not done)."""
    proposal = propose(technician, equipment, title=title, measure_after_days=30)
    proposals.approve(manager, proposal)
    proposals.carry_out(manager, proposal)
    if done_days_ago is not None:
        done = timezone.now() - datetime.timedelta(days=done_days_ago)
        WorkOrder.objects.filter(pk=proposal.work_order_id).update(status=WorkOrderStatus.DONE, completed_at=done)
    proposal.refresh_from_db()
    return proposal


@pytest.mark.django_db
def test_the_list_filters_and_tells_where_each_effect_stands(technician: Any, manager: Any, equipment_a: Any) -> None:
    waiting = propose(technician, equipment_a, title="Guard on the belt")
    carried_out(technician, manager, equipment_a, "Larger oil cooler", None)
    measuring = carried_out(technician, manager, equipment_a, "PTFE seals", 10)
    carried_out(technician, manager, equipment_a, "Soft starter", 40)

    text = client_for(manager).get("/reliability/proposals/").content.decode()
    until = date_filter(timezone.localtime(measuring.effect_measured_on), "SHORT_DATE_FORMAT")
    assert f"Provisional until {until}" in text
    assert "Work under way" in text
    assert text.count("Measured: before and after") == 1
    only_proposed = client_for(manager).get("/reliability/proposals/", {"status": "proposed"})
    assert list(only_proposed.context["object_list"]) == [waiting]
    searched = client_for(manager).get("/reliability/proposals/", {"q": "starter"})
    assert [proposal.title for proposal in searched.context["object_list"]] == ["Soft starter"]


@pytest.mark.django_db
def test_the_api_list_filters_and_leaves_the_effect_to_each_proposal(
    technician: Any, manager: Any, equipment_a: Any
) -> None:
    api = client_for(manager)
    measuring = carried_out(technician, manager, equipment_a, "PTFE seals", 10)
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/improvement-proposals").status_code == 200
    carried_out(technician, manager, equipment_a, "Soft starter", 40)
    propose(technician, equipment_a, title="Guard on the belt")
    with CaptureQueriesContext(connection) as three:
        listed = api.get("/api/improvement-proposals", {"status": "carried_out"}).json()["items"]

    assert len(three) == len(one)
    assert [item["title"] for item in listed] == ["Soft starter", "PTFE seals"]
    assert "effect" not in listed[0]
    measured_on = datetime.datetime.fromisoformat(listed[1]["effect_measured_on"])
    assert abs(measured_on - measuring.effect_measured_on) < datetime.timedelta(milliseconds=1)
    detail = api.get(f"/api/improvement-proposals/{measuring.pk}").json()
    assert detail["effect"]["complete"] is False
    refused = api.get("/api/improvement-proposals", {"status": "finished"})
    assert refused.status_code == 422
    assert "status" in refused.content.decode()
