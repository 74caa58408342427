"""Filters shared by the list pages and the API lists."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.assets.models import Equipment, Site
from maintenir.core.models import User
from maintenir.workorders.choices import (
    OPEN_STATUSES,
    Priority,
    WorkOrderStatus,
    WorkOrderType,
    WorkRequestStatus,
)
from maintenir.workorders.models import WorkOrder, WorkRequest


class WorkRequestFilterSet(SearchFilterSet):
    search_fields = ("symptom", "equipment__code", "equipment__name")
    status = django_filters.MultipleChoiceFilter(choices=WorkRequestStatus.choices, label=_("Status"))
    urgency = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Urgency"))
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    equipment = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Equipment"))
    reported_by = django_filters.ModelChoiceFilter(queryset=visible(User), label=_("Reported by"))

    class Meta:
        model = WorkRequest
        fields = ["site", "equipment", "reported_by"]


class WorkOrderFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "equipment__code", "equipment__name")
    status = django_filters.MultipleChoiceFilter(choices=WorkOrderStatus.choices, label=_("Status"))
    work_type = django_filters.MultipleChoiceFilter(choices=WorkOrderType.choices, label=_("Type"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    assignee = django_filters.ModelChoiceFilter(
        field_name="assignees", queryset=visible(User), label=_("Assignee"), distinct=True
    )
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    equipment = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Equipment"))
    is_open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))

    class Meta:
        model = WorkOrder
        fields = ["site", "equipment"]

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
