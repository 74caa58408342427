"""Stock location pages: the stores, bins and vans, what each holds, the ledger, and the movement forms (thin
views over `maintenir.stores.services`; a refused movement, a StockConflict included, is a form error)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.stores import exports, services
from maintenir.stores.choices import LocationKind
from maintenir.stores.counts import OPEN_STATUSES
from maintenir.stores.filtersets import LocationFilterSet, MovementFilterSet
from maintenir.stores.forms import AdjustmentForm, LocationForm, ReceiptForm, TransferForm
from maintenir.stores.models import CycleCount, Location, Part, StockBalance, StockMovement
from maintenir.ui.views_helpers import add_errors, can, can_add, filtered_list, form_page, get_visible, may, require_add

RECENT_MOVEMENTS = 20
VALUE = ExpressionWrapper(F("on_hand") * F("average_cost"), output_field=DecimalField(max_digits=26, decimal_places=7))


@login_required
def location_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        Location.objects.select_related("parent", "site", "technician", "owner"),
        LocationFilterSet,
        "stores/location_list.html",
        {"can_add": can_add(request.user, Location)},
        export=exports.LOCATIONS,
    )


@login_required
def location_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Location)
    return _location_form(request, Location())


@login_required
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _location_form(request, get_visible(request, Location.objects.all(), pk, Action.CHANGE))


def _location_form(request: HttpRequest, location: Location) -> HttpResponse:
    form = LocationForm(request.POST or None, instance=location, user=request.user)
    return form_page(
        request,
        form,
        lambda form: save_restricted(request.user, form.instance),
        "stores/location_form.html",
        {"location": location, "name": location.name},
    )


@login_required
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_visible(request, Location.objects.select_related("parent", "site", "technician", "owner"), pk)
    user: User = request.user  # type: ignore[assignment]
    balances = (
        StockBalance.objects.restrict(user)
        .filter(location=location)
        .exclude(on_hand=0, reserved=0)
        .select_related("part")
        .annotate(value=VALUE)
        .order_by("part__reference")
    )
    context = {
        "location": location,
        "balances": balances,
        "total_value": balances.aggregate(total=Sum("value"))["total"] or Decimal(0),
        "movements": StockMovement.objects.restrict(user)
        .filter(location=location)
        .select_related("part", "user")[:RECENT_MOVEMENTS],
        "bins": Location.objects.restrict(user).filter(parent=location),
        "counts": CycleCount.objects.restrict(user).filter(location=location, status__in=OPEN_STATUSES),
        "can_change": can(user, Action.CHANGE, location),
        "can_move": may(user, Action.ADD, StockMovement),
        "can_adjust": may(user, Action.CHANGE, Part),
        "can_plan": may(user, Action.ADD, CycleCount),
    }
    return render(request, "stores/location_detail.html", context)


@login_required
def movement_list(request: HttpRequest) -> HttpResponse:
    """The stock ledger, newest first, filtered by part, location, kind and dates."""
    return filtered_list(
        request,
        StockMovement.objects.select_related("part", "location", "user"),
        MovementFilterSet,
        "stores/movement_list.html",
        export=exports.MOVEMENTS,
    )


def _movement_page(
    request: HttpRequest,
    form_class: type[forms.Form],
    move: Callable[[User, dict[str, Any]], Location],
    title: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """A movement's form: on a valid POST, `move` calls the service and names the location to go back to."""
    user: User = request.user  # type: ignore[assignment]
    form = form_class(request.POST or None, user=user, initial=initial or request.GET.dict())  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        try:
            location = move(user, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Stock moved."))
            return redirect(location)
    return render(request, "stores/movement_form.html", {"form": form, "title": title})


def _require_mover(user: Any) -> None:
    if not may(user, Action.ADD, StockMovement):
        raise PermissionDenied


@login_required
def receive(request: HttpRequest) -> HttpResponse:
    _require_mover(request.user)

    def move(user: User, data: dict[str, Any]) -> Location:
        services.receive(
            user, data["part"], data["location"], data["quantity"], data["unit_cost"], data["reference"], data["note"]
        )
        return data["location"]

    return _movement_page(request, ReceiptForm, move, _("Receive goods"))


@login_required
def transfer(request: HttpRequest) -> HttpResponse:
    """Between two locations; `?van=load` (store → my van) or `?van=unload` (my van → store) fills in the van."""
    _require_mover(request.user)
    user: User = request.user  # type: ignore[assignment]
    initial = request.GET.dict()
    van = Location.objects.restrict(user).filter(kind=LocationKind.VAN, technician=user).first()
    direction = initial.pop("van", "")
    if van is not None and direction in {"load", "unload"}:
        initial["destination" if direction == "load" else "source"] = str(van.pk)

    def move(user: User, data: dict[str, Any]) -> Location:
        services.transfer(user, data["part"], data["source"], data["destination"], data["quantity"], note=data["note"])
        return data["destination"]

    title = {"load": _("Load my van"), "unload": _("Back to the store")}.get(direction, _("Transfer stock"))
    return _movement_page(request, TransferForm, move, title, initial)


@login_required
def adjust(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.CHANGE, Part):
        raise PermissionDenied

    def move(user: User, data: dict[str, Any]) -> Location:
        services.adjust(user, data["part"], data["location"], data["quantity"], data["note"])
        return data["location"]

    return _movement_page(request, AdjustmentForm, move, _("Adjust stock"))
