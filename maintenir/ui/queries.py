"""The home page's queries, all through restricted querysets so each role sees only its own scope."""

from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.models import Equipment, Site
from maintenir.workorders.choices import OPEN_STATUSES, Priority, WorkOrderStatus, WorkRequestStatus
from maintenir.workorders.models import OUT_OF_RANGE, ChecklistStep, WorkOrder, WorkRequest

HOME_LIST_SIZE = 20
# The oldest few of a list the home page counts, each with its link.
HOME_SHORT_LIST_SIZE = 5


def open_orders(user: Any) -> QuerySet:
    return WorkOrder.objects.restrict(user).filter(status__in=OPEN_STATUSES)


def backlog_by_priority(user: Any) -> list[tuple[Priority, int]]:
    """(priority, number of open work orders) for every priority, most urgent first."""
    counts = dict(open_orders(user).values_list("priority").annotate(n=Count("pk")).order_by())
    return [(priority, counts.get(priority.value, 0)) for priority in Priority]


def overdue_orders(user: Any) -> QuerySet:
    return (
        open_orders(user)
        .filter(due_date__lt=timezone.localdate())
        .select_related("site", "equipment")
        .order_by("due_date", "priority")[:HOME_LIST_SIZE]
    )


def equipment_down(user: Any) -> QuerySet:
    return (
        Equipment.objects.restrict(user)
        .filter(status=EquipmentStatus.DOWN)
        .select_related("site")
        .order_by("site__name", "code")[:HOME_LIST_SIZE]
    )


def to_schedule(user: Any) -> QuerySet:
    """Approved or planned orders with no planned start: work nobody has put in a day yet."""
    return (
        open_orders(user)
        .filter(status__in=(WorkOrderStatus.APPROVED, WorkOrderStatus.PLANNED), planned_start__isnull=True)
        .select_related("site", "equipment")
        .order_by(F("due_date").asc(nulls_last=True), "priority", "pk")
    )


def requests_awaiting_approval(user: Any) -> QuerySet:
    """Work requests not yet decided, the oldest first."""
    return (
        WorkRequest.objects.restrict(user)
        .filter(status=WorkRequestStatus.SUBMITTED)
        .select_related("site", "equipment")
        .order_by("created", "pk")
    )


def measurements_to_follow_up(user: Any) -> QuerySet:
    """Measurements out of their tolerance that no corrective order follows up yet, the latest first."""
    return (
        ChecklistStep.objects.restrict(user)
        .filter(OUT_OF_RANGE, follow_ups__isnull=True)
        .exclude(work_order__status=WorkOrderStatus.CANCELLED)
        .select_related("work_order__site", "work_order__equipment")
        .order_by(F("done_at").desc(nulls_last=True), "-pk")
    )


def my_sites(user: Any) -> QuerySet:
    return Site.objects.restrict(user).order_by("name")


def recent_requests(user: Any) -> QuerySet:
    return WorkRequest.objects.restrict(user).select_related("site", "equipment").order_by("-created")[:HOME_LIST_SIZE]
