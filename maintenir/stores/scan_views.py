"""Scanning a part's code (the phone's camera, a hardware scanner, or typed) and printing its QR label."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from maintenir.core.models import User
from maintenir.stores.models import Location, Part, StockBalance
from maintenir.ui.views_helpers import get_visible

CODE_MAX_LENGTH = 100


def label_value(part: Part) -> str:
    """What a part's label carries: its own barcode value if it has one, else its reference."""
    return part.barcode or part.reference


def resolve(user: User, code: str) -> list[Part]:
    """The parts `user` may see whose barcode is `code` or, failing that, whose reference is (any case)."""
    visible = Part.objects.restrict(user)
    by_barcode = list(visible.filter(barcode=code))
    return by_barcode or list(visible.filter(Q(reference__iexact=code)))


@login_required
def part_scan(request: HttpRequest) -> HttpResponse:
    """With `code`: the part it names (with `order`, that order's parts section, the part chosen); else the scanner."""
    user: User = request.user  # type: ignore[assignment]
    code = request.GET.get("code", "").strip()[:CODE_MAX_LENGTH]
    order = request.GET.get("order", "")
    order_id = int(order) if order.isdigit() else None
    found: list[Part] = resolve(user, code) if code else []
    if len(found) == 1:
        if order_id is not None:
            # The order page checks that the order is the user's to see, as for any link to it.
            url = reverse("workorder-execute", args=[order_id])
            return redirect(f"{url}?{urlencode({'part': found[0].pk})}#parts")
        return redirect(found[0])
    if code and not found:
        messages.error(request, _("No part has the code %(code)s.") % {"code": code})
    context = {"code": code, "order": order_id, "matches": found}
    return render(request, "stores/part_scan.html", context)


def qr_image(value: str) -> str:
    return segno.make_qr(value, error="m").svg_data_uri(scale=4, border=2)


@login_required
def part_label(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_visible(request, Part.objects.all(), pk)
    labels = [{"part": part, "value": label_value(part), "qr": qr_image(label_value(part))}]
    return render(request, "stores/labels.html", {"labels": labels, "title": part.reference})


@login_required
def location_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """A sheet of the labels of every part the location holds, to print and stick on its shelves."""
    location: Location = get_visible(request, Location.objects.all(), pk)
    parts = (
        Part.objects.restrict(request.user)
        .filter(pk__in=StockBalance.objects.filter(location=location).values("part"))
        .order_by("reference")
    )
    labels = [{"part": part, "value": label_value(part), "qr": qr_image(label_value(part))} for part in parts]
    return render(request, "stores/labels.html", {"labels": labels, "title": location.name, "location": location})
