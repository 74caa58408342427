"""The planning pages: managers propose and decide plans; technicians read them and their day; client users
and operators see none of it."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from maintenir.core.tests.clients import client_for
from maintenir.people.tests.factories import TechnicianFactory
from maintenir.planning.choices import DispatchPlanStatus
from maintenir.planning.models import DispatchPlan
from maintenir.planning.tests.factories import coming_monday
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.tests.factories import WorkOrderFactory

MONDAY = coming_monday()


@pytest.fixture
def planned_world(technician: Any, equipment_a: Any) -> Any:
    site = equipment_a.site
    site.latitude, site.longitude = Decimal("45.75"), Decimal("4.85")
    site.save()
    TechnicianFactory(user=technician, home_latitude=Decimal("45.76"), home_longitude=Decimal("4.84"))
    return WorkOrderFactory(equipment=equipment_a, estimated_hours=Decimal("1"))


def propose(manager: Any) -> Any:
    return client_for(manager).post(
        "/planning/", {"start": MONDAY.isoformat(), "days": 1, "solver": "greedy", "time_limit": 1}
    )


@pytest.mark.django_db
def test_a_manager_proposes_reads_and_accepts_a_plan(manager: Any, technician: Any, planned_world: Any) -> None:
    response = propose(manager)
    plan = DispatchPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    page = client_for(manager).get(plan.get_absolute_url())
    text = page.content.decode()
    assert planned_world.reference in text
    assert "Accept" in text
    assert client_for(manager).post(f"/planning/plans/{plan.pk}/accept/").status_code == 302
    planned_world.refresh_from_db()
    assert planned_world.status == WorkOrderStatus.PLANNED
    assert list(planned_world.assignees.all()) == [technician]


@pytest.mark.django_db
def test_bad_input_names_the_field_and_plans_nothing(manager: Any, planned_world: Any) -> None:
    response = client_for(manager).post("/planning/", {"start": "tomorrow", "days": 0, "solver": "greedy"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"start", "days", "time_limit"}
    assert not DispatchPlan.objects.exists()


@pytest.mark.django_db
def test_a_technician_reads_plans_but_neither_proposes_nor_decides(
    manager: Any, technician: Any, planned_world: Any
) -> None:
    propose(manager)
    plan = DispatchPlan.objects.get()
    as_technician = client_for(technician)
    assert as_technician.get("/planning/").context["form"] is None
    assert as_technician.post("/planning/", {"start": MONDAY.isoformat(), "days": 1}).status_code == 403
    assert as_technician.get(plan.get_absolute_url()).context["decidable"] is False
    assert as_technician.post(f"/planning/plans/{plan.pk}/accept/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == DispatchPlanStatus.PROPOSED


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["client_a", "client_b", "operator_a"])
def test_client_users_and_operators_see_no_planning(
    persona: str, request: pytest.FixtureRequest, manager: Any, planned_world: Any
) -> None:
    propose(manager)
    plan = DispatchPlan.objects.get()
    browser = client_for(request.getfixturevalue(persona))
    for path in ("/planning/", "/planning/calendar/"):
        assert browser.get(path).status_code == 403, path
    assert browser.get(plan.get_absolute_url()).status_code == 404
    assert browser.post(f"/planning/plans/{plan.pk}/accept/").status_code == 404
    assert browser.get("/planning/my-day/").context["orders"] == []


@pytest.mark.django_db
def test_the_calendar_and_my_day_show_the_accepted_plan(manager: Any, technician: Any, planned_world: Any) -> None:
    propose(manager)
    client_for(manager).post(f"/planning/plans/{DispatchPlan.objects.get().pk}/accept/")
    week = client_for(technician).get(f"/planning/calendar/?week={MONDAY.isoformat()}")
    assert planned_world.reference in week.content.decode()
    day = client_for(technician).get(f"/planning/my-day/?day={MONDAY.isoformat()}")
    assert day.context["orders"] == [planned_world]
    assert "geo:45.75" in day.content.decode()


@pytest.mark.django_db
def test_a_stale_plan_says_so_and_offers_to_recompute(manager: Any, technician: Any, planned_world: Any) -> None:
    propose(manager)
    plan = DispatchPlan.objects.get()
    # Someone plans the order by hand before the proposal is accepted.
    planned_world.status, planned_world.planned_start = WorkOrderStatus.PLANNED, timezone.now()
    planned_world.save()
    planned_world.assignees.set([technician])
    client = client_for(manager)
    response = client.post(f"/planning/plans/{plan.pk}/accept/", follow=True)
    text = response.content.decode()
    assert "This plan is out of date" in text
    assert "Planned to Planned" not in text
    assert f"/planning/plans/{plan.pk}/recompute/" in text
    assert f"/planning/plans/{plan.pk}/accept/" not in text
    response = client.post(f"/planning/plans/{plan.pk}/recompute/")
    fresh = DispatchPlan.objects.exclude(pk=plan.pk).get()
    assert response["Location"] == fresh.get_absolute_url()
    plan.refresh_from_db()
    assert (plan.status, fresh.status) == (DispatchPlanStatus.DISCARDED, DispatchPlanStatus.PROPOSED)
