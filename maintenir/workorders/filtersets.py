"""Filters shared by the list pages and the API lists."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.assets.models import Equipment, Site
from maintenir.core.models import User
from maintenir.workorders.choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    ListedOrders,
    Priority,
    WorkOrderStatus,
    WorkOrderType,
    WorkRequestStatus,
)
from maintenir.workorders.models import WorkOrder, WorkRequest

# Where the equipment of an order or a request stands, and the site itself.
LOCATION_FIELDS = (
    *("site__name", "site__code", "site__city", "equipment__code", "equipment__name"),
    *("equipment__building__name", "equipment__floor__name", "equipment__space__name"),
    "equipment__production_line__name",
)
PERSON_FIELDS = ("username", "first_name", "last_name")


# Filters on the row's own columns say distinct=False: there are no duplicates to remove, and a DISTINCT
# would sort every matching row before the page could be read from an index.


class WorkRequestFilterSet(SearchFilterSet):
    search_fields = (
        "symptom",
        *LOCATION_FIELDS,
        *(f"reported_by__{field}" for field in PERSON_FIELDS),
        *(f"work_order__assignees__{field}" for field in PERSON_FIELDS),
    )
    # DI-000008 is the request itself; OT-000014 the request that became that order.
    search_references = {"DI": "pk", "OT": "work_order"}
    status = django_filters.MultipleChoiceFilter(choices=WorkRequestStatus.choices, label=_("Status"), distinct=False)
    urgency = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Urgency"), distinct=False)
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    equipment = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Equipment"))
    reported_by = django_filters.ModelChoiceFilter(queryset=visible(User), label=_("Reported by"))

    class Meta:
        model = WorkRequest
        fields = ["site", "equipment", "reported_by"]


class WorkOrderFilterSet(SearchFilterSet):
    search_fields = ("title", "description", *LOCATION_FIELDS, *(f"assignees__{field}" for field in PERSON_FIELDS))
    # OT-000014 is the order itself; DI-000008 the order its request became.
    search_references = {"OT": "pk", "DI": "work_request"}
    status = django_filters.MultipleChoiceFilter(choices=WorkOrderStatus.choices, label=_("Status"), distinct=False)
    work_type = django_filters.MultipleChoiceFilter(choices=WorkOrderType.choices, label=_("Type"), distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"), distinct=False)
    assignee = django_filters.ModelChoiceFilter(
        field_name="assignees", queryset=visible(User), label=_("Assignee"), method="filter_assignee"
    )
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    equipment = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Equipment"))
    listed = django_filters.ChoiceFilter(
        choices=ListedOrders.choices, method="filter_listed", label=_("Show"), empty_label=None
    )
    is_open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))

    class Meta:
        model = WorkOrder
        fields = ["site", "equipment"]

    def filter_assignee(self, queryset: QuerySet, name: str, value: User | None) -> QuerySet:
        # A subquery rather than a join: no duplicate rows, so no DISTINCT sorting every order of the assignee.
        if value is None:
            return queryset
        assigned = WorkOrder.assignees.through.objects.filter(user=value).values("workorder_id")
        return queryset.filter(pk__in=assigned)

    def filter_listed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == ListedOrders.UNFINISHED:
            return queryset.exclude(status__in=FINISHED_STATUSES)
        if value == ListedOrders.FINISHED:
            return queryset.filter(status__in=FINISHED_STATUSES)
        return queryset

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
