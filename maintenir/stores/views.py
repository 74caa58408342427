"""Spare-parts pages: thin views over restricted querysets, the filtersets and the stock services."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.stores import exports, purchasing, purchasing_views, services
from maintenir.stores.choices import LocationKind
from maintenir.stores.filtersets import PartFilterSet
from maintenir.stores.forms import PartForm, StoresImportForm
from maintenir.stores.importers import KINDS
from maintenir.stores.models import Location, Part, StockBalance
from maintenir.ui.exports import export_response
from maintenir.ui.views_helpers import can, can_add, filtered_list, form_page, get_visible, require_add


@login_required
def part_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        Part.objects.select_related("owner"),
        PartFilterSet,
        "stores/part_list.html",
        {"can_add": can_add(request.user, Part)},
        export=exports.PARTS,
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
    balances = StockBalance.objects.restrict(user).filter(part=part).select_related("location", "part")
    if download := export_response(request, balances, exports.BALANCES):
        return download
    context = {
        "part": part,
        "balances": purchasing.with_on_order(balances),
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
    if download := export_response(request, balances, exports.BALANCES):
        return download
    return render(request, "stores/my_van.html", {"vans": vans, "balances": balances})


PROGRESS_SECONDS = 3600


def _progress_key(user: Any, token: str) -> str:
    # The user's id in the key: nobody follows another user's import.
    return f"stores-import:{user.pk}:{token}"


class _ProgressInCache:
    """The importer's progress, written to the cache that every web worker shares whenever its percentage or
    stage changes, for the page that polls it while the upload's request runs the import."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if (stage, percent) != self.shown:
            self.shown = (stage, percent)
            cache.set(self.key, {"stage": stage, "percent": percent, "finished": False}, PROGRESS_SECONDS)

    def finish(self, imported: bool) -> None:
        stage, percent = self.shown or ("", 0)
        state = {"stage": stage, "percent": 100 if imported else percent, "finished": True, "imported": imported}
        cache.set(self.key, state, PROGRESS_SECONDS)


@login_required
def stores_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or Excel file of one of the stores' kinds; all or nothing, errors by line and column."""
    require_add(request.user, Part)
    form = StoresImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"kinds": KINDS}
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        progress = _ProgressInCache(_progress_key(request.user, form.cleaned_data["token"]))
        try:
            context["report"] = KINDS[kind].importer(request.user, form.cleaned_data["file"], progress)
        except ValidationError as error:
            context["errors"] = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        progress.finish("report" in context)
        context["imported_kind"] = KINDS[kind].label
        # A new form, and so a new token, for the next file.
        form = StoresImportForm(initial={"kind": kind})
    return render(request, "stores/import.html", {**context, "form": form})


@login_required
def stores_import_progress(request: HttpRequest, token: str) -> HttpResponse:
    require_add(request.user, Part)
    state = cache.get(_progress_key(request.user, token))
    return render(request, "stores/includes/import_progress.html", {"state": state, "token": token})
