"""Cycle count pages: plan (managers), count one line at a time on a phone, complete (thin views over
`maintenir.stores.counts`)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.stores import counts, exports
from maintenir.stores.choices import CountStatus
from maintenir.stores.filtersets import CycleCountFilterSet
from maintenir.stores.forms import CountLineForm, CountPlanForm
from maintenir.stores.models import CycleCount, CycleCountLine
from maintenir.ui.views_helpers import add_errors, can, can_add, filtered_list, get_visible, require_add


@login_required
def cyclecount_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        CycleCount.objects.select_related("location"),
        CycleCountFilterSet,
        "stores/cyclecount_list.html",
        {"can_add": can_add(request.user, CycleCount)},
        export=exports.CYCLE_COUNTS,
    )


@login_required
def cyclecount_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, CycleCount)
    form = CountPlanForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = counts.plan(request.user, data["location"], data["planned_for"], data["lines"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Count planned."))
            return redirect(count)
    return render(request, "stores/cyclecount_form.html", {"form": form})


@login_required
def cyclecount_detail(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_visible(request, CycleCount.objects.select_related("location", "created_by", "completed_by"), pk)
    lines = list(count.lines.select_related("part", "movement"))
    context = {
        "count": count,
        "lines": lines,
        "uncounted": sum(line.counted is None for line in lines),
        "next_line": counts.next_line(count),
        "can_count": can(request.user, Action.CHANGE, count),
    }
    return render(request, "stores/cyclecount_detail.html", context)


def _transition(request: HttpRequest, pk: int, service: Callable[[User, CycleCount], Any], done: str) -> HttpResponse:
    count = get_visible(request, CycleCount.objects.all(), pk, Action.CHANGE)
    try:
        service(request.user, count)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(count)


@login_required
@require_POST
def cyclecount_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, counts.start, _("Counting started."))


@login_required
@require_POST
def cyclecount_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, counts.complete, _("Count completed: the stock is what was counted."))


@login_required
def cyclecount_line(request: HttpRequest, pk: int) -> HttpResponse:
    """One line to count, on a phone: the part, where, and what was found (not what the books say)."""
    line = get_visible(request, CycleCountLine.objects.select_related("part", "cycle_count__location"), pk)
    count = line.cycle_count
    form = CountLineForm(request.POST or None, initial={"counted": line.counted})
    if request.method == "POST":
        # Recording is a change of the count: a reader of it gets 403 here, not an error on the form.
        get_visible(request, CycleCount.objects.all(), count.pk, Action.CHANGE)
        if form.is_valid():
            try:
                counts.record(request.user, line, form.cleaned_data["counted"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                following = counts.next_line(count, after=line)
                return redirect(following if following is not None else count)
    context = {
        "line": line,
        "count": count,
        "form": form,
        "counting": count.status == CountStatus.IN_PROGRESS and can(request.user, Action.CHANGE, count),
    }
    return render(request, "stores/cyclecount_line.html", context)
