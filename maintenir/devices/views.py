"""Device pages: thin views over restricted querysets and the device services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.core.services import save_restricted
from maintenir.devices import transfer
from maintenir.devices.charts import chart_for
from maintenir.devices.forms import DeviceForm, PointForm
from maintenir.devices.history import Span
from maintenir.devices.models import Device, Point
from maintenir.ui.forms import CsvImportForm
from maintenir.ui.views_helpers import can, can_add, form_page, get_visible, require_add

PAGE_SIZE = 50
CHANGELOG_SIZE = 50


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    devices = Device.objects.restrict(request.user).select_related("equipment__site")
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "object_list": page.object_list, "can_add": can_add(request.user, Device)}
    return render(request, "devices/device_list.html", context)


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible(request, Device.objects.select_related("equipment__site"), pk)
    context = {
        "device": device,
        "points": device.points.order_by("name"),
        "changes": changes_for(device)[:CHANGELOG_SIZE],
        "can_change": can(request.user, Action.CHANGE, device),
    }
    return render(request, "devices/device_detail.html", context)


@login_required
def point_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The point's chart over ?span=hour|day|month: the figure alone for htmx, else its page."""
    point = get_visible(request, Point.objects.select_related("device__equipment"), pk)
    span = request.GET.get("span", Span.DAY)
    if span not in Span.values:
        return HttpResponseBadRequest(_("span: choose one of %(spans)s.") % {"spans": ", ".join(Span.values)})
    chart = chart_for(point, span)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "devices/includes/history_chart.html", {"chart": chart})
    return render(request, "devices/point_history.html", {"point": point, "chart": chart})


@login_required
def device_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Device)
    return _device_form(request, Device(), initial=request.GET.dict())


@login_required
def device_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _device_form(request, get_visible(request, Device.objects.all(), pk, Action.CHANGE))


def _device_form(request: HttpRequest, device: Device, initial: dict[str, Any] | None = None) -> HttpResponse:
    form = DeviceForm(request.POST or None, instance=device, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        lambda form: save_restricted(request.user, form.instance),
        "devices/device_form.html",
        {"device": device, "title": device.name if device.pk else _("Add a device")},
    )


@login_required
def point_add(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible(request, Device.objects.all(), pk, Action.CHANGE)
    return _point_form(request, Point(device=device))


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_visible(request, Point.objects.select_related("device"), pk, Action.CHANGE)
    return _point_form(request, point)


def _point_form(request: HttpRequest, point: Point) -> HttpResponse:
    form = PointForm(request.POST or None, instance=point, user=request.user)

    def save(form: PointForm) -> Device:
        save_restricted(request.user, form.instance)
        return point.device

    title = point.name if point.pk else _("Add a point")
    return form_page(request, form, save, "devices/device_form.html", {"device": point.device, "title": title})


@login_required
def points_export(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible(request, Device.objects.all(), pk)
    response = HttpResponse(transfer.export_points(device), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="points-{device.pk}.csv"'
    return response


@login_required
def points_import(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible(request, Device.objects.all(), pk, Action.CHANGE)
    form = CsvImportForm(request.POST or None, request.FILES or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            report = transfer.import_points(request.user, device, form.cleaned_data["file"])  # type: ignore[arg-type]
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("Points imported: %(created)d created, %(updated)d updated.") % vars(report))
            return redirect(device)
    context = {
        "form": form,
        "title": _("Import points into %(device)s") % {"device": device.name},
        "columns": transfer.POINT_COLUMNS,
        "errors": errors,
        "back_url": device.get_absolute_url(),
    }
    return render(request, "ui/import.html", context)
