import datetime
from typing import Any

from django.utils import timezone

from maintenir.planning.models import DispatchPlan, PlannedVisit, UnplacedOrder


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
