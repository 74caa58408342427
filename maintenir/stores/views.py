"""Spare-parts pages: thin views over restricted querysets, the filtersets and the stock services."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maintenir.core.models import User
from maintenir.stores import services
from maintenir.stores.choices import LocationKind
from maintenir.stores.filtersets import PartFilterSet
from maintenir.stores.models import Location, Part, StockBalance
from maintenir.ui.views_helpers import filtered_list, get_visible


@login_required
def part_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(request, Part.objects.select_related("owner"), PartFilterSet, "stores/part_list.html")


@login_required
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_visible(request, Part.objects.select_related("superseded_by", "owner"), pk)
    user: User = request.user  # type: ignore[assignment]
    context = {
        "part": part,
        "balances": StockBalance.objects.restrict(user).filter(part=part).select_related("location"),
        "offers": services.offers(user, part, technician=user),
        "equivalents": Part.objects.restrict(user).filter(pk__in=services.equivalents(part)),
        "supersedes": Part.objects.restrict(user).filter(superseded_by=part),
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
