"""Maintenir's URLs plus the scale benchmark's baseline: the API's first 50 work orders by the API's query,
as JSON, with nothing else around them (no schema, no count), to compare the API's throughput with."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path

from maintenir import urls
from maintenir.core.choices import Action
from maintenir.workorders.models import WorkOrder

FIELDS = [
    "id",
    "site_id",
    "site__name",
    "equipment_id",
    "equipment__code",
    "work_type",
    "title",
    "description",
    "priority",
    "status",
    "due_date",
    "planned_start",
    "estimated_hours",
    "requested_by_id",
    "started_at",
    "completed_at",
    "closed_at",
    "findings",
    "failure_mode_id",
    "created",
    "last_updated",
]


@login_required
def baseline(request: HttpRequest) -> JsonResponse:
    orders = WorkOrder.objects.restrict(request.user, Action.VIEW).values(*FIELDS)[:50]
    return JsonResponse({"items": list(orders)})


urlpatterns = [path("bench/baseline/", baseline), *urls.urlpatterns]
handler404 = urls.handler404
