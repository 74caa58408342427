"""Planning pages: the managers' dispatch plans (propose, read, accept, discard), the week calendar per
technician, and each technician's day."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maintenir.core.choices import Action
from maintenir.core.services import check_model_permission
from maintenir.planning import services
from maintenir.planning.choices import DispatchPlanStatus
from maintenir.planning.forms import DayForm, ProposePlanForm, WeekForm
from maintenir.planning.models import DispatchPlan, PlannedVisit
from maintenir.ui.views_helpers import add_errors, can, can_add, get_visible, require_add, show_refusal

PLAN_LIST_SIZE = 20


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    check_model_permission(request.user, Action.VIEW, DispatchPlan)
    plans = DispatchPlan.objects.restrict(request.user).select_related("created_by")[:PLAN_LIST_SIZE]
    form = ProposePlanForm(request.POST or None) if can_add(request.user, DispatchPlan) else None
    if request.method == "POST":
        require_add(request.user, DispatchPlan)
        if form is not None and form.is_valid():
            try:
                plan = services.propose_plan(
                    request.user,  # type: ignore[arg-type]
                    form.cleaned_data["start"],
                    form.cleaned_data["days"],
                    solver=form.cleaned_data["solver"],
                    time_limit_seconds=form.cleaned_data["time_limit"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect(plan)
    return render(request, "planning/plan_list.html", {"plans": plans, "form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible(request, DispatchPlan.objects.select_related("created_by", "decided_by"), pk)
    visits = plan.visits.select_related("work_order__site", "technician").order_by("technician", "starts_at")
    technicians = [
        (technician, [(day, list(of_day)) for day, of_day in groupby(theirs, key=_local_day)])
        for technician, theirs in groupby(visits, key=lambda visit: visit.technician)
    ]
    decidable = plan.status == DispatchPlanStatus.PROPOSED and can(request.user, Action.CHANGE, plan)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "technicians": technicians,
            "unplaced": plan.unplaced.select_related("work_order__site"),
            "decidable": decidable,
            "stale": services.stale_orders(plan) if plan.status == DispatchPlanStatus.PROPOSED else [],
        },
    )


def _local_day(visit: PlannedVisit) -> datetime.date:
    return timezone.localtime(visit.starts_at).date()


DECISIONS = {
    "accept": (services.accept_plan, gettext_lazy("The plan is accepted: the orders are assigned and planned.")),
    "discard": (services.discard_plan, gettext_lazy("The plan is discarded.")),
    "recompute": (services.recompute_plan, gettext_lazy("A new plan is proposed from the orders as they are now.")),
}


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    plan = get_visible(request, DispatchPlan.objects.all(), pk, Action.CHANGE)
    decide = DECISIONS.get(decision)
    if decide is None:
        raise PermissionDenied
    perform, done = decide
    try:
        result = perform(request.user, plan)  # type: ignore[arg-type]
    except ValidationError as error:
        show_refusal(request, error)
        return redirect(plan)
    messages.success(request, str(done))
    # Recomputing shows the new plan.
    return redirect(result)


@login_required
def week_calendar(request: HttpRequest) -> HttpResponse:
    check_model_permission(request.user, Action.VIEW, DispatchPlan)
    form = WeekForm(request.GET or None, user=request.user)
    monday = form.monday()
    team = form.cleaned_data.get("team") if form.is_bound and form.is_valid() else None
    return render(
        request,
        "planning/calendar.html",
        {
            "form": form,
            "monday": monday,
            "days": [monday + datetime.timedelta(days=offset) for offset in range(7)],
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "rows": services.week_calendar(request.user, monday, team.pk if team else None),  # type: ignore[arg-type]
            "team": team,
        },
    )


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    form = DayForm(request.GET or None)
    day = form.day_shown()
    return render(
        request,
        "planning/my_day.html",
        {
            "form": form,
            "day": day,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "orders": services.my_day(request.user, day),  # type: ignore[arg-type]
        },
    )
