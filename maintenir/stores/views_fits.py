"""Where-used pages: a part's equipment, an equipment's spare parts (loaded into the equipment's page), the
critical spares short, and a part's documents."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.assets.models import Equipment
from maintenir.core.choices import Action
from maintenir.core.files import serve_upload
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.stores import exports, fits
from maintenir.stores.choices import UnitStatus
from maintenir.stores.fit_forms import PartDocumentForm, PartFitForm
from maintenir.stores.models import Part, PartDocument, PartFit, RepairableUnit
from maintenir.ui.exports import export_response
from maintenir.ui.views_helpers import add_errors, can, can_add, get_visible, require_add


def _fragment(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The section alone for htmx (loaded into another page), else a page of its own around it."""
    response = render(request, template, {**context, "as_page": not request.htmx})  # type: ignore[attr-defined]
    patch_vary_headers(response, ("HX-Request",))
    return response


def _next(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure())
    return wanted if allowed else default


@login_required
def equipment_spare_parts(request: HttpRequest, pk: int) -> HttpResponse:
    """The equipment's spare-parts list, critical spares short first, and the repairable units fitted on it."""
    user: User = request.user  # type: ignore[assignment]
    equipment = get_visible(request, Equipment.objects.select_related("site", "equipment_type"), pk)
    context = {
        "equipment": equipment,
        "lines": fits.spare_parts(user, equipment),
        "units": RepairableUnit.objects.restrict(user)
        .filter(equipment=equipment, status=UnitStatus.FITTED)
        .select_related("part"),
        "can_add_fit": can_add(user, PartFit),
    }
    return _fragment(request, "stores/equipment_spare_parts.html", context)


@login_required
def part_where_used(request: HttpRequest, pk: int) -> HttpResponse:
    """The equipment and equipment types a part fits."""
    user: User = request.user  # type: ignore[assignment]
    part = get_visible(request, Part.objects.select_related("owner"), pk)
    fits_ = (
        PartFit.objects.restrict(user)
        .filter(part=part)
        .select_related("equipment", "equipment__site", "equipment_type")
        .order_by("equipment_type__name", "equipment__code")
    )
    context = {"part": part, "fits": fits_, "can_add_fit": can_add(user, PartFit)}
    return _fragment(request, "stores/part_where_used.html", context)


@login_required
def critical_spares_short(request: HttpRequest) -> HttpResponse:
    """Every equipment's critical spares below their minimum: the managers' list to reorder from."""
    lines = fits.critical_short(request.user)
    if download := export_response(request, lines, exports.CRITICAL_SPARES_SHORT):
        return download
    return render(request, "stores/critical_spares_short.html", {"lines": lines})


@login_required
def fit_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, PartFit)
    initial = {name: request.GET[name] for name in ("part", "equipment", "equipment_type") if request.GET.get(name)}
    form = PartFitForm(request.POST or None, instance=PartFit(), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fit = fits.add_fit(request.user, form.instance)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_next(request, fit.part.get_absolute_url()))
    return render(request, "stores/fit_form.html", {"form": form, "next": _next(request, "")})


@login_required
@require_POST
def fit_remove(request: HttpRequest, pk: int) -> HttpResponse:
    fit = get_visible(request, PartFit.objects.select_related("part"), pk, Action.DELETE)
    fits.remove_fit(request.user, fit)
    messages.success(request, _("The part is no longer listed there."))
    return redirect(_next(request, fit.part.get_absolute_url()))


@login_required
def part_documents(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    part = get_visible(request, Part.objects.select_related("owner"), pk)
    return _fragment(request, "stores/part_documents.html", _documents_context(user, part, PartDocumentForm()))


def _documents_context(user: User, part: Part, form: PartDocumentForm) -> dict[str, Any]:
    return {
        "part": part,
        "documents": PartDocument.objects.restrict(user).filter(part=part),
        "form": form,
        "can_add_document": can_add(user, PartDocument) and can(user, Action.CHANGE, part),
    }


@login_required
@require_POST
def part_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a data sheet or a drawing to a part (those who keep the catalogue)."""
    part = get_visible(request, Part.objects.select_related("owner"), pk, Action.CHANGE)
    require_add(request.user, PartDocument)
    form = PartDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document = form.save(commit=False)
        document.part = part
        document.uploaded_by = request.user
        try:
            save_restricted(request.user, document)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Document added."))
            return redirect(part)
    context = _documents_context(request.user, part, form)  # type: ignore[arg-type]
    return render(request, "stores/part_documents.html", {**context, "as_page": True})


@login_required
def part_document_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a part's document to those who may see the part (files are never public)."""
    document = get_visible(request, PartDocument.objects.all(), pk)
    return serve_upload(document.file)
