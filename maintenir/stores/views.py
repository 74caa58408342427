"""Spare-parts pages: thin views over restricted querysets, the filtersets and the stock services."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.stores import purchasing, purchasing_views, services
from maintenir.stores.choices import LocationKind
from maintenir.stores.filtersets import PartFilterSet
from maintenir.stores.forms import PartForm
from maintenir.stores.models import Location, Part, StockBalance
from maintenir.ui.views_helpers import can, can_add, filtered_list, form_page, get_visible, require_add


@login_required
def part_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        Part.objects.select_related("owner"),
        PartFilterSet,
        "stores/part_list.html",
        {"can_add": can_add(request.user, Part)},
    )


@login_required
def part_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Part)
    return _part_form(request, Part())


@login_required
def part_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _part_form(request, get_visible(request, Part.objects.all(), pk, Action.CHANGE))


def _part_form(request: HttpRequest, part: Part) -> HttpResponse:
    form = PartForm(request.POST or None, instance=part, user=request.user)
    return form_page(
        request,
        form,
        lambda form: save_restricted(request.user, form.instance),
        "stores/part_form.html",
        # The reference as saved: a rejected POST has already changed the instance in memory.
        {"part": part, "name": part.reference},
    )


@login_required
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_visible(request, Part.objects.select_related("superseded_by", "owner"), pk)
    user: User = request.user  # type: ignore[assignment]
    context = {
        "part": part,
        "balances": purchasing.with_on_order(
            StockBalance.objects.restrict(user).filter(part=part).select_related("location")
        ),
        "offers": services.offers(user, part, technician=user),
        "equivalents": Part.objects.restrict(user).filter(pk__in=services.equivalents(part)),
        "supersedes": Part.objects.restrict(user).filter(superseded_by=part),
        "can_change": can(user, Action.CHANGE, part),
        **purchasing_views.part_purchasing(user, part),
    }
    return render(request, "stores/part_detail.html", context)


@login_required
def my_van(request: HttpRequest) -> HttpResponse:
    """What the technician carries, one van after the other (most have one)."""
    user: User = request.user  # type: ignore[assignment]
    vans = Location.objects.restrict(user).filter(kind=LocationKind.VAN, technician=user)
    balances = (
        StockBalance.objects.restrict(user)
        .filter(location__in=vans, on_hand__gt=0)
        .select_related("part", "location")
        .order_by("location", "part__reference")
    )
    return render(request, "stores/my_van.html", {"vans": vans, "balances": balances})
