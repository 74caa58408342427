import datetime
from typing import Any

from django.utils import timezone

from maintenir.core.workdays import is_public_holiday
from maintenir.planning.models import DispatchPlan, PlannedVisit, UnplacedOrder


def coming_monday() -> datetime.date:
    """The Monday of the first week to come whose weekdays are all worked: plans are made for days ahead,
    and a public holiday would take a day out of the tests' working week."""
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    while any(is_public_holiday(monday + datetime.timedelta(days=n)) for n in range(5)):
        monday += datetime.timedelta(days=7)
    return monday


def proposed_plan(visit_order: Any, technician: Any, unplaced_order: Any) -> DispatchPlan:
    """A proposed plan giving `visit_order` to `technician` tomorrow at 9:00, with `unplaced_order` left out."""
    starts_at = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(9))
    )
    plan = DispatchPlan.objects.create(
        start_date=starts_at.date(),
        days=1,
        created_by=technician,
        figures={"placed": 1, "unplaced": 1, "weighted_lateness": 0, "travel_minutes": 20, "cost": 1_200_020},
    )
    PlannedVisit.objects.create(
        plan=plan,
        work_order=visit_order,
        technician=technician,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        travel_minutes=10,
        return_minutes=10,
    )
    UnplacedOrder.objects.create(plan=plan, work_order=unplaced_order, reason="No technician holds habilitation BR.")
    return plan
