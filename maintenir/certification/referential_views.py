"""Pages that keep the referential: title versions and their end, CCPs, correspondences, CCS, approved centres.

Administrators write; the training centre reads; other roles are refused. Thin views over `referential`.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.certification import referential, services
from maintenir.certification.choices import VersionStatus
from maintenir.certification.forms import (
    CcpForm,
    CcsForm,
    CentreForm,
    ClosureForm,
    CorrespondenceForm,
    RevisionForm,
    VersionForm,
)
from maintenir.certification.models import ActivityType, Ccs, Centre, Correspondence, Title, TitleVersion
from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.ui.views_helpers import can, can_add, form_page, get_visible, require_add

FORM_TEMPLATE = "certification/form.html"
CHANGELOG_SIZE = 50


def _visible(request: HttpRequest, queryset: Any, pk: int, action: str = Action.VIEW) -> Any:
    referential.check_read(request.user)
    return get_visible(request, queryset, pk, action)


def _form(request: HttpRequest, form: Any, save: Callable[[Any], Any], heading: str, back: str) -> HttpResponse:
    return form_page(request, form, save, FORM_TEMPLATE, {"heading": heading, "back": back})


def _versions() -> Any:
    return TitleVersion.objects.select_related("title", "regulation", "revises")


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible(request, _versions(), pk)
    closing = version.valid_until
    context = {
        "version": version,
        "ccps": version.ccps.all(),
        "correspondences": referential.correspondences_into(version),
        "revisions": version.revisions.all(),
        "effects": referential.closure_effects(version, closing)
        if version.status == VersionStatus.CLOSED and closing
        else [],
        "can_change": can(request.user, Action.CHANGE, version),
        "changes": changes_for(version)[:CHANGELOG_SIZE],
    }
    return render(request, "certification/version_detail.html", context)


@login_required
def version_add(request: HttpRequest, pk: int) -> HttpResponse:
    referential.check_read(request.user)
    require_add(request.user, TitleVersion)
    title = get_visible(request, Title.objects.all(), pk)
    form = VersionForm(request.POST or None, instance=TitleVersion(title=title))
    return _form(
        request,
        form,
        lambda form: referential.save(request.user, form.instance),
        _("Add a version"),
        title.get_absolute_url(),
    )


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible(request, _versions(), pk, Action.CHANGE)
    form = VersionForm(request.POST or None, instance=version)
    back = version.get_absolute_url()
    return _form(request, form, lambda form: referential.save(request.user, form.instance), str(version), back)


@login_required
def version_revise(request: HttpRequest, pk: int) -> HttpResponse:
    old = _visible(request, _versions(), pk, Action.CHANGE)
    form = RevisionForm(request.POST or None, instance=TitleVersion(title=old.title, regulation=old.regulation))
    return _form(
        request,
        form,
        lambda form: referential.revise(request.user, old, form.instance),
        _("Revise %(version)s") % {"version": old},
        old.get_absolute_url(),
    )


@login_required
def version_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a version: the page shows, for the date given, the CCP holders and their new deadlines."""
    version = _visible(request, _versions(), pk, Action.CHANGE)
    form = ClosureForm(request.POST or None, initial={"valid_until": version.valid_until})
    # "Show the deadlines" posts the form too (its token stays out of the address) and records nothing.
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            effects = referential.close(request.user, version, form.cleaned_data["valid_until"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The version is closed; %(count)s candidates holding CCPs have a new deadline.")
                % {"count": len(effects)},
            )
            return redirect(version)
    day = form.cleaned_data["valid_until"] if form.is_bound and form.is_valid() else version.valid_until
    effects = referential.closure_effects(version, day) if isinstance(day, datetime.date) else []
    return render(
        request, "certification/version_close.html", {"version": version, "form": form, "effects": effects, "day": day}
    )


@login_required
def ccp_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible(request, _versions(), pk, Action.CHANGE)
    form = CcpForm(request.POST or None, instance=ActivityType(version=version))

    def save(form: CcpForm) -> TitleVersion:
        referential.save(request.user, form.instance)
        return version

    return _form(request, form, save, _("Add a CCP"), version.get_absolute_url())


@login_required
def correspondence_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible(request, _versions(), pk, Action.CHANGE)
    form = CorrespondenceForm(request.POST or None, version=version)

    def save(form: CorrespondenceForm) -> TitleVersion:
        services.add_correspondence(request.user, form.cleaned_data["new_ccp"], form.cleaned_data["old_ccps"])
        return version

    return _form(request, form, save, _("Add a correspondence"), version.get_absolute_url())


@login_required
@require_POST
def correspondence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    correspondences = Correspondence.objects.select_related("new_ccp__version")
    correspondence = _visible(request, correspondences, pk, Action.DELETE)
    referential.remove_correspondence(request.user, correspondence)
    messages.success(request, _("The correspondence is removed."))
    return redirect(f"{correspondence.new_ccp.version.get_absolute_url()}#correspondences")


@login_required
def ccs_add(request: HttpRequest, pk: int) -> HttpResponse:
    referential.check_read(request.user)
    require_add(request.user, Ccs)
    title = get_visible(request, Title.objects.all(), pk)
    form = CcsForm(request.POST or None, instance=Ccs(title=title))
    return _form(
        request, form, lambda form: _saved(request, form.instance, title), _("Add a CCS"), title.get_absolute_url()
    )


@login_required
def ccs_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ccs = _visible(request, Ccs.objects.select_related("title"), pk, Action.CHANGE)
    form = CcsForm(request.POST or None, instance=ccs)
    back = ccs.title.get_absolute_url()
    return _form(request, form, lambda form: _saved(request, form.instance, ccs.title), str(ccs), back)


def _saved(request: HttpRequest, instance: Model, shown: Model) -> Model:
    referential.save(request.user, instance)
    return shown


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    referential.check_read(request.user)
    return render(
        request,
        "certification/centre_list.html",
        {"centres": Centre.objects.restrict(request.user), "can_add": can_add(request.user, Centre)},
    )


@login_required
def centre_add(request: HttpRequest) -> HttpResponse:
    referential.check_read(request.user)
    require_add(request.user, Centre)
    return _centre_form(request, Centre())


@login_required
def centre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _centre_form(request, _visible(request, Centre.objects.all(), pk, Action.CHANGE))


def _centre_form(request: HttpRequest, centre: Centre) -> HttpResponse:
    form = CentreForm(request.POST or None, instance=centre)
    back = centre.get_absolute_url() if centre.pk else reverse("certification-centre-list")
    heading = str(centre) if centre.pk else _("Add an approved centre")
    return _form(request, form, lambda form: referential.save(request.user, form.instance), heading, back)


@login_required
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    centre = _visible(request, Centre.objects.all(), pk)
    context = {
        "centre": centre,
        "can_change": can(request.user, Action.CHANGE, centre),
        "changes": changes_for(centre)[:CHANGELOG_SIZE],
    }
    return render(request, "certification/centre_detail.html", context)
