"""Site and equipment pages: thin views over restricted querysets, the filtersets and the asset services."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maintenir.assets.filtersets import EquipmentFilterSet, SiteFilterSet
from maintenir.assets.forms import (
    BuildingForm,
    CounterReadingForm,
    DocumentForm,
    EquipmentForm,
    FloorForm,
    ProductionLineForm,
    SiteForm,
    SpaceForm,
)
from maintenir.assets.models import (
    Building,
    Counter,
    CounterReading,
    Document,
    Equipment,
    Floor,
    ProductionLine,
    Site,
)
from maintenir.assets.services import equipment_tree, record_counter_reading, save_equipment
from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.core.files import serve_upload
from maintenir.core.services import save_restricted
from maintenir.ui.views_helpers import (
    add_errors,
    can,
    can_add,
    filtered_list,
    form_page,
    get_visible,
    require_add,
)

CHANGELOG_SIZE = 50
RECENT_SIZE = 20


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.select_related("organisation")
    return filtered_list(
        request, sites, SiteFilterSet, "assets/site_list.html", {"can_add": can_add(request.user, Site)}
    )


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_visible(request, Site.objects.select_related("organisation"), pk)
    user = request.user
    buildings = list(
        Building.objects.restrict(user)
        .filter(site=site)
        .prefetch_related(Prefetch("floors", queryset=Floor.objects.prefetch_related("spaces")))
    )
    context = {
        "site": site,
        "buildings": buildings,
        "has_floors": any(building.floors.all() for building in buildings),
        "lines": ProductionLine.objects.restrict(user).filter(site=site),
        "equipment_list": Equipment.objects.restrict(user).filter(site=site).select_related("equipment_type"),
        "documents": Document.objects.restrict(user).filter(site=site).select_related("equipment"),
        "changes": changes_for(site)[:CHANGELOG_SIZE],
        "can_change": can(user, Action.CHANGE, site),
        "can_add_equipment": can_add(user, Equipment),
        "can_add_locations": can_add(user, Building),
    }
    return render(request, "assets/site_detail.html", context)


@dataclass(frozen=True)
class SiteLocation:
    """A kind of place that is added from its site's page."""

    form_class: type[forms.ModelForm]
    title: Promise
    # For floors and spaces: the field choosing the parent, offered among the site's own, and its path to the site.
    parent_field: str | None = None
    parent_site_path: str = ""
    parent_select_related: tuple[str, ...] = ()


SITE_LOCATIONS = {
    "building": SiteLocation(BuildingForm, gettext_lazy("Add a building")),
    "floor": SiteLocation(FloorForm, gettext_lazy("Add a floor"), "building", "site"),
    "space": SiteLocation(SpaceForm, gettext_lazy("Add a space"), "floor", "building__site", ("building",)),
    "productionline": SiteLocation(ProductionLineForm, gettext_lazy("Add a production line")),
}


@login_required
def site_location_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    location = SITE_LOCATIONS[kind]
    site = get_visible(request, Site.objects.all(), pk)
    model = location.form_class._meta.model
    require_add(request.user, model)
    form = location.form_class(request.POST or None, instance=model() if location.parent_field else model(site=site))
    if location.parent_field:
        field = form.fields[location.parent_field]
        field.queryset = (  # type: ignore[attr-defined]
            field.queryset.model.objects.restrict(request.user)  # type: ignore[attr-defined]
            .filter(**{location.parent_site_path: site})
            .select_related(*location.parent_select_related)
        )

    def save(form: forms.ModelForm) -> Site:
        save_restricted(request.user, form.instance)
        return site

    return form_page(request, form, save, "assets/site_location_form.html", {"site": site, "title": location.title})


@login_required
def site_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Site)
    return _site_form(request, Site())


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _site_form(request, get_visible(request, Site.objects.all(), pk, Action.CHANGE))


def _site_form(request: HttpRequest, site: Site) -> HttpResponse:
    form = SiteForm(request.POST or None, instance=site, user=request.user)
    return form_page(
        request,
        form,
        lambda form: save_restricted(request.user, form.instance),
        "assets/site_form.html",
        # The name as saved: a rejected POST has already changed the instance in memory.
        {"site": site, "name": site.name},
    )


@login_required
def equipment_list(request: HttpRequest) -> HttpResponse:
    equipment = Equipment.objects.select_related("site", "equipment_type")
    return filtered_list(
        request,
        equipment,
        EquipmentFilterSet,
        "assets/equipment_list.html",
        {"can_add": can_add(request.user, Equipment)},
        # A menu of every equipment would be huge; the equipment page links to "?parent=<id>".
        hidden_filters=("parent",),
    )


@login_required
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    equipment = get_visible(request, _equipment_with_relations(), pk)
    return _render_equipment(request, equipment)


def _equipment_with_relations() -> Any:
    return Equipment.objects.select_related(
        "site__organisation", "parent", "building", "floor", "space", "production_line", "equipment_type"
    ).prefetch_related("technologies")


def _render_equipment(
    request: HttpRequest,
    equipment: Equipment,
    reading_form: tuple[int, CounterReadingForm] | None = None,
    document_form: DocumentForm | None = None,
) -> HttpResponse:
    """The equipment page; a rejected reading or upload is shown again with its errors next to the fields."""
    user = request.user
    latest = CounterReading.objects.filter(counter=OuterRef("pk")).order_by("-read_at")
    counters = (
        Counter.objects.restrict(user)
        .filter(equipment=equipment)
        .annotate(current=Subquery(latest.values("value")[:1]), current_at=Subquery(latest.values("read_at")[:1]))
    )
    counter_forms = [
        (
            counter,
            reading_form[1]
            if reading_form and reading_form[0] == counter.pk
            else CounterReadingForm(prefix=f"counter-{counter.pk}"),
        )
        for counter in counters
    ]
    downtimes = equipment.downtimes.restrict(user).select_related("work_order")
    context = {
        "equipment": equipment,
        "ancestors": equipment.ancestors(),
        "tree": equipment_tree(equipment),
        "counter_forms": counter_forms,
        "documents": Document.objects.restrict(user).filter(equipment=equipment).select_related("uploaded_by"),
        "document_form": document_form or DocumentForm(),
        "open_downtimes": downtimes.filter(ended_at__isnull=True),
        "past_downtimes": downtimes.filter(ended_at__isnull=False)[:RECENT_SIZE],
        "work_orders": equipment.work_orders.restrict(user).order_by("-created")[:RECENT_SIZE],
        "changes": changes_for(equipment)[:CHANGELOG_SIZE],
        "can_change": can(user, Action.CHANGE, equipment),
        "can_add_reading": can_add(user, CounterReading),
        "can_add_document": can_add(user, Document),
    }
    return render(request, "assets/equipment_detail.html", context)


@login_required
def equipment_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Equipment)
    # Links such as a site's "Add equipment" preset fields through the query string.
    return _equipment_form(request, Equipment(), initial=request.GET.dict())


@login_required
def equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _equipment_form(request, get_visible(request, Equipment.objects.all(), pk, Action.CHANGE))


def _equipment_form(request: HttpRequest, equipment: Equipment, initial: dict[str, Any] | None = None) -> HttpResponse:
    form = EquipmentForm(request.POST or None, instance=equipment, user=request.user, initial=initial)

    def save(form: EquipmentForm) -> Equipment:
        return save_equipment(request.user, form.instance, form.cleaned_data["technologies"])

    return form_page(
        request, form, save, "assets/equipment_form.html", {"equipment": equipment, "code": equipment.code}
    )


@login_required
@require_POST
def equipment_reading_add(request: HttpRequest, pk: int) -> HttpResponse:
    equipment = get_visible(request, _equipment_with_relations(), pk)
    counter = get_object_or_404(
        Counter.objects.restrict(request.user).filter(equipment=equipment), pk=request.POST.get("counter")
    )
    if not can_add(request.user, CounterReading):
        raise PermissionDenied
    form = CounterReadingForm(request.POST, prefix=f"counter-{counter.pk}")
    if form.is_valid():
        try:
            record_counter_reading(request.user, counter, form.cleaned_data["value"], form.cleaned_data["read_at"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Reading recorded."))
            return redirect(equipment)
    return _render_equipment(request, equipment, reading_form=(counter.pk, form))


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a piece of the equipment's technical file."""
    equipment = get_visible(request, _equipment_with_relations(), pk)
    require_add(request.user, Document)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document = form.save(commit=False)
        document.site = equipment.site
        document.equipment = equipment
        document.uploaded_by = request.user
        try:
            save_restricted(request.user, document)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Document added."))
            return redirect(equipment)
    return _render_equipment(request, equipment, document_form=form)


@login_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a document's file to those who may see the document (files are never public)."""
    document = get_visible(request, Document.objects.all(), pk)
    return serve_upload(document.file)
