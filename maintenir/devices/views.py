"""Device pages: thin views over restricted querysets and the device services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.core.services import save_restricted
from maintenir.devices import parameters, transfer
from maintenir.devices.charts import chart_for
from maintenir.devices.choices import ApplicationStatus
from maintenir.devices.forms import (
    ApplyForm,
    DeviceForm,
    ParameterEntryFormSet,
    ParameterSetForm,
    PointForm,
    writable_point_names,
)
from maintenir.devices.history import Span, fitting_span
from maintenir.devices.models import Application, Device, ParameterSet, Point, PointWrite
from maintenir.ui.forms import CsvImportForm
from maintenir.ui.pagination import paginate
from maintenir.ui.views_helpers import add_errors, add_row_errors, can, can_add, form_page, get_visible, require_add

PAGE_SIZE = 50
CHANGELOG_SIZE = 50
APPLICATIONS_SHOWN = 50


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    devices = Device.objects.restrict(request.user).select_related("equipment__site")
    page = paginate(request, devices, PAGE_SIZE)
    context = {"page": page, "object_list": page.object_list, "can_add": can_add(request.user, Device)}
    return render(request, "devices/device_list.html", context)


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible(request, Device.objects.select_related("equipment__site"), pk)
    rights = parameters.write_rights(request.user)  # type: ignore[arg-type]
    context = {
        "device": device,
        "points": device.points.order_by("name"),
        "changes": changes_for(device)[:CHANGELOG_SIZE],
        "can_change": can(request.user, Action.CHANGE, device),
        "can_apply": rights.covers(device),
        **applications_context(request, device.applications.all(), rights),
    }
    return render(request, "devices/device_detail.html", context)


@login_required
def point_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The point's chart over ?span=hour|day|month (without it, the span that holds its readings):
    the figure alone for htmx, else its page."""
    point = get_visible(request, Point.objects.select_related("device__equipment"), pk)
    span = request.GET.get("span") or fitting_span(point)
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

    title = point.label if point.pk else _("Add a point")
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


# --- Parameter sets --------------------------------------------------------------------------


@login_required
def parameterset_list(request: HttpRequest) -> HttpResponse:
    """The sets; `?device=` (from a device page) is carried to each set's page to preselect that device."""
    sets = ParameterSet.objects.restrict(request.user).annotate(entry_count=Count("entries")).order_by("name")
    page = paginate(request, sets, PAGE_SIZE)
    context = {
        "page": page,
        "object_list": page.object_list,
        "can_add": can_add(request.user, ParameterSet),
        "device": request.GET.get("device", ""),
    }
    return render(request, "devices/parameterset_list.html", context)


@login_required
def parameterset_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, ParameterSet)
    return _parameterset_form(request, ParameterSet())


@login_required
def parameterset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _parameterset_form(request, get_visible(request, ParameterSet.objects.all(), pk, Action.CHANGE))


def _parameterset_form(request: HttpRequest, parameter_set: ParameterSet) -> HttpResponse:
    """The set and its entries; saving replaces the entries with those of the rows filled in."""
    form = ParameterSetForm(request.POST or None, instance=parameter_set, user=request.user)
    current = list(parameter_set.entries.values("point_name", "value")) if parameter_set.pk else []
    entries = ParameterEntryFormSet(
        request.POST or None,
        initial=current,
        prefix="entries",
        form_kwargs={"point_names": writable_point_names(request.user)},
    )
    if request.method == "POST" and form.is_valid() and entries.is_valid():
        kept = [
            row for row in entries.forms if row.cleaned_data.get("point_name") and not row.cleaned_data.get("DELETE")
        ]
        try:
            parameters.save_parameter_set(
                request.user,  # type: ignore[arg-type]
                form.instance,
                [(row.cleaned_data["point_name"], row.cleaned_data["value"]) for row in kept],
            )
        except ValidationError as error:
            add_row_errors(form, kept, "entries", error)
        else:
            messages.success(request, _("Saved."))
            return redirect(form.instance)
    context = {"form": form, "entries": entries, "parameter_set": parameter_set}
    return render(request, "devices/parameterset_form.html", context)


def applications_context(
    request: HttpRequest, applications: QuerySet[Application], rights: parameters.WriteRights
) -> dict[str, Any]:
    """The applications the user may see, newest first, with what each wrote, and which they may revert."""
    shown = list(
        applications.restrict(request.user)  # type: ignore[attr-defined]
        .select_related("parameter_set", "device__equipment", "applied_by", "tutor", "reverted_by")
        .prefetch_related(Prefetch("writes", queryset=PointWrite.objects.select_related("point")))[:APPLICATIONS_SHOWN]
    )
    revertible = {
        application.pk
        for application in shown
        if application.status == ApplicationStatus.APPLIED
        and not parameters.revert_refusal(request.user, application, rights)  # type: ignore[arg-type]
    }
    return {"applications": shown, "revertible": revertible}


def _parameterset_page(
    request: HttpRequest, parameter_set: ParameterSet, rights: parameters.WriteRights, form: ApplyForm | None
) -> HttpResponse:
    """The set, the form to apply it for those who may write to some device, and its applications."""
    entries = list(parameter_set.entries.all())
    # An entry names points by their name; people read the display name the points of that name carry.
    labels = dict(
        Point.objects.restrict(request.user)
        .filter(name__in=[entry.point_name for entry in entries])
        .exclude(display_name="")
        .values_list("name", "display_name")
    )
    context = {
        "parameter_set": parameter_set,
        "entries": [(entry, labels.get(entry.point_name, "")) for entry in entries],
        "apply_form": form,
        # Technicians read why they may not apply; other roles have no business with it.
        "apply_refusal": parameters.write_refusal(rights) if rights.technician else "",
        "can_change": can(request.user, Action.CHANGE, parameter_set),
        **applications_context(request, parameter_set.applications.all(), rights),
    }
    return render(request, "devices/parameterset_detail.html", context)


@login_required
def parameterset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    parameter_set = get_visible(request, ParameterSet.objects.select_related("site"), pk)
    rights = parameters.write_rights(request.user)  # type: ignore[arg-type]
    form = None
    if not parameters.write_refusal(rights):
        form = ApplyForm(
            user=request.user,
            parameter_set=parameter_set,
            rights=rights,
            initial={"devices": request.GET.getlist("device")},
        )
    return _parameterset_page(request, parameter_set, rights, form)


@login_required
@require_POST
def parameterset_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the set to the devices chosen, each verified by reading back; one message per device.

    A device the user may not write to is refused (403) by the service, before anything is written."""
    parameter_set = get_visible(request, ParameterSet.objects.all(), pk)
    rights = parameters.write_rights(request.user)  # type: ignore[arg-type]
    if not rights.in_trade:
        raise PermissionDenied(parameters.write_refusal(rights))
    form = ApplyForm(request.POST, user=request.user, parameter_set=parameter_set, rights=rights)
    if form.is_valid():
        try:
            applications = parameters.apply_parameter_set(
                request.user,  # type: ignore[arg-type]
                parameter_set,
                list(form.cleaned_data["devices"]),
                form.cleaned_data.get("tutor"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            for application in applications:
                names = {"set": parameter_set.name, "device": application.device.name, "error": application.error}
                if application.status == ApplicationStatus.APPLIED:
                    messages.success(request, _("%(set)s applied to %(device)s and read back.") % names)
                else:
                    messages.error(
                        request, _("%(set)s not applied to %(device)s, put back as it was: %(error)s") % names
                    )
            return redirect(reverse("parameterset-detail", args=[parameter_set.pk]) + "#applications")
    return _parameterset_page(request, parameter_set, rights, form)


@login_required
@require_POST
def application_revert(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the device back the values it had before the application (relinquished where commanded)."""
    application = get_visible(request, Application.objects.select_related("parameter_set", "device"), pk)
    try:
        parameters.revert_application(request.user, application)  # type: ignore[arg-type]
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(set)s reverted on %(device)s.") % {"set": application.parameter_set, "device": application.device},
        )
    return redirect(reverse("parameterset-detail", args=[application.parameter_set_id]) + "#applications")
