"""Repairable units' pages: the list, a new unit into stock, a unit's history and its transitions."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError
from maintenir.stores import exports, repairables
from maintenir.stores.choices import UnitStatus
from maintenir.stores.filtersets import RepairableUnitFilterSet
from maintenir.stores.fit_forms import (
    RestrictedForm,
    UnitFitForm,
    UnitReceiveForm,
    UnitRemoveForm,
    UnitRepairForm,
    UnitReturnForm,
    UnitScrapForm,
)
from maintenir.stores.models import Part, RepairableUnit
from maintenir.ui.views_helpers import (
    add_errors,
    can,
    can_add,
    filtered_list,
    get_visible,
    may,
    require_add,
    show_refusal,
)

# Each transition: its form, the service call from the cleaned form, and the states it starts from.
Transition = tuple[type[RestrictedForm], Callable[[User, RepairableUnit, dict[str, Any]], Any], frozenset[str]]
TRANSITIONS: dict[str, Transition] = {
    "fit": (
        UnitFitForm,
        lambda user, unit, data: repairables.fit(user, unit, data["equipment"], data["work_order"]),
        frozenset({UnitStatus.IN_STOCK}),
    ),
    "remove": (
        UnitRemoveForm,
        lambda user, unit, data: repairables.remove(
            user, unit, data["failed"], data["note"], data["location"], data["work_order"]
        ),
        frozenset({UnitStatus.FITTED}),
    ),
    "repair": (
        UnitRepairForm,
        lambda user, unit, data: repairables.send_for_repair(
            user, unit, data["repairer"], data["repairer_name"], data["reference"]
        ),
        frozenset({UnitStatus.FAILED}),
    ),
    "return": (
        UnitReturnForm,
        lambda user, unit, data: repairables.return_from_repair(
            user, unit, data["location"], data["cost"], data["reference"]
        ),
        frozenset({UnitStatus.AT_REPAIRER}),
    ),
    "scrap": (
        UnitScrapForm,
        lambda user, unit, data: repairables.scrap(user, unit, data["note"]),
        frozenset({UnitStatus.IN_STOCK, UnitStatus.FAILED, UnitStatus.AT_REPAIRER}),
    ),
}
TITLES = {
    "fit": gettext_lazy("Fit on an equipment"),
    "remove": gettext_lazy("Remove"),
    "repair": gettext_lazy("Send for repair"),
    "return": gettext_lazy("Back from repair"),
    "scrap": gettext_lazy("Scrap"),
}


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        RepairableUnit.objects.select_related("part", "location", "equipment"),
        RepairableUnitFilterSet,
        "stores/unit_list.html",
        {"can_add": can_add(request.user, RepairableUnit) and may(request.user, Action.VIEW, Part)},
        export=exports.REPAIRABLE_UNITS,
    )


@login_required
def unit_add(request: HttpRequest) -> HttpResponse:
    """A new serial-numbered unit into stock (its receipt in the ledger)."""
    require_add(request.user, RepairableUnit)
    form = UnitReceiveForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reference = {"reference": data["reference"]}
        try:
            unit = repairables.receive(
                request.user, data["part"], data["serial_number"], data["location"], data["unit_cost"], **reference
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(unit)
    return render(request, "stores/unit_form.html", {"form": form})


def _forms(user: User, unit: RepairableUnit, bound: tuple[str, RestrictedForm] | None = None) -> list[Any]:
    """The transitions open from the unit's state, each with its form (the one posted keeps its errors)."""
    if not can(user, Action.CHANGE, unit):
        return []
    found = []
    for name, (form_class, _call, sources) in TRANSITIONS.items():
        if unit.status not in sources or (name == "scrap" and not may(user, Action.CHANGE, Part)):
            continue
        form = bound[1] if bound and bound[0] == name else form_class(user=user, prefix=name)
        found.append((name, TITLES[name], form))
    return found


def _render_unit(request: HttpRequest, unit: RepairableUnit, bound: Any = None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "unit": unit,
        "events": unit.events.restrict(user).select_related("equipment", "location", "repairer", "user"),
        "transitions": _forms(user, unit, bound),
    }
    return render(request, "stores/unit_detail.html", context)


def _visible_unit(request: HttpRequest, pk: int, action: str = Action.VIEW) -> RepairableUnit:
    queryset = RepairableUnit.objects.select_related("part", "location", "equipment", "owner")
    return get_visible(request, queryset, pk, action)


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit and its history across equipment, with the transitions open from where it is."""
    return _render_unit(request, _visible_unit(request, pk))


@login_required
@require_POST
def unit_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    if transition not in TRANSITIONS:
        raise Http404
    unit = _visible_unit(request, pk, Action.CHANGE)
    form_class, call, _sources = TRANSITIONS[transition]
    form = form_class(request.POST, user=request.user, prefix=transition)
    if form.is_valid():
        try:
            call(request.user, unit, form.cleaned_data)  # type: ignore[arg-type]
        except TransitionError as error:
            # The unit moved on meanwhile: its page shows where it is now and what may be done.
            show_refusal(request, error)
            return redirect(unit)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(unit)
    return _render_unit(request, unit, (transition, form))
