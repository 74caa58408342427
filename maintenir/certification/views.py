"""Certification pages: the referential, candidates and their standing, sessions with jury, evaluations and decisions.

Thin views over `services`; every lookup goes through the restricted querysets, so a candidate or a
technician reaches only the records about themselves.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.certification import questions, referential, services
from maintenir.certification.choices import Admissibility, PathKind
from maintenir.certification.filtersets import CandidateFilterSet, SessionFilterSet
from maintenir.certification.forms import (
    AdmissibilityForm,
    CandidateForm,
    DecisionForm,
    ElementForm,
    ExperienceForm,
    JuryMemberForm,
    PathForm,
    RegistrationForm,
    SessionForm,
)
from maintenir.certification.models import (
    ActivityType,
    Candidate,
    EvaluationElement,
    ExperiencePeriod,
    JuryMember,
    Path,
    Registration,
    Session,
    Title,
)
from maintenir.core.choices import Action, Role
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.ui.views_helpers import can, can_add, filtered_list, form_page, get_visible, require_add

FORM_TEMPLATE = "certification/form.html"


def _form(request: HttpRequest, form: Any, save: Callable[[Any], Model], heading: str, back: str) -> HttpResponse:
    """A form page whose Cancel button goes back to `back`; `save` is the service call that returns the page to show."""
    return form_page(request, form, save, FORM_TEMPLATE, {"heading": heading, "back": back})


# --- Referential -----------------------------------------------------------------------------------


@login_required
def title_list(request: HttpRequest) -> HttpResponse:
    titles = Title.objects.restrict(request.user).prefetch_related("versions")
    return render(request, "certification/title_list.html", {"titles": titles})


@login_required
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    title = get_visible(
        request,
        Title.objects.prefetch_related("versions__regulation", "versions__ccps__competences", "ccs_set"),
        pk,
    )
    return render(
        request,
        "certification/title_detail.html",
        {
            "title": title,
            "may_dispatch": services.may_list_holders(request.user),
            "may_read_keeping": referential.may_read(request.user),
            "may_keep": can(request.user, Action.CHANGE, title),
        },
    )


@login_required
def ccp_holders(request: HttpRequest, pk: int) -> HttpResponse:
    """The technicians holding a CCP, for dispatch."""
    ccp = get_visible(request, ActivityType.objects.select_related("version__title"), pk)
    if not services.may_list_holders(request.user):
        raise PermissionDenied
    return render(request, "certification/holders.html", {"ccp": ccp, "holders": services.holders_of(ccp)})


@login_required
def technician_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """What a technician holds: titles, CCPs and CCS, from the certification records about them."""
    person = get_object_or_404(User, pk=pk, role=Role.TECHNICIAN, is_active=True)
    # One's own profile, or anyone's for those who dispatch; the records themselves stay restricted below.
    if person != request.user and not services.may_list_holders(request.user):
        raise Http404
    return render(
        request, "certification/profile.html", {"person": person, **services.certificates_of(request.user, person)}
    )


# --- Candidates --------------------------------------------------------------------------------------


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        Candidate.objects.select_related("user"),
        CandidateFilterSet,
        "certification/candidate_list.html",
        {"can_add": can_add(request.user, Candidate)},
    )


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_visible(request, Candidate.objects.select_related("user"), pk)
    user = request.user
    registrations = (
        Registration.objects.restrict(user)
        .filter(candidate=candidate)
        .select_related("session__centre", "session__ccp", "session__ccs", "session__version__title", "decision")
    )
    paths = list(
        Path.objects.restrict(user)
        .filter(candidate=candidate)
        .select_related("version__title", "version__regulation", "ccs", "admissibility_recorded_by")
        .prefetch_related("experience_periods")
    )
    context = {
        "candidate": candidate,
        "standings": [services.standing(candidate, title) for title in services.titles_of(candidate)],
        "paths": [(path, questions.vae_admissibility(path) if path.kind == PathKind.VAE else None) for path in paths],
        "registrations": registrations,
        "can_change": can(user, Action.CHANGE, candidate),
    }
    return render(request, "certification/candidate_detail.html", context)


@login_required
def candidate_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Candidate)
    return _candidate_form(request, Candidate())


@login_required
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _candidate_form(request, get_visible(request, Candidate.objects.all(), pk, Action.CHANGE))


def _candidate_form(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = CandidateForm(request.POST or None, instance=candidate, user=request.user)
    heading = str(candidate) if candidate.pk else _("Add a candidate")
    back = candidate.get_absolute_url() if candidate.pk else reverse("certification-candidate-list")
    return _form(request, form, lambda form: save_restricted(request.user, form.instance), heading, back)


@login_required
def path_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_visible(request, Candidate.objects.all(), pk, Action.CHANGE)
    form = PathForm(request.POST or None, instance=Path(candidate=candidate), user=request.user)
    return _form(
        request,
        form,
        lambda form: _saved(request, form.instance, candidate),
        _("Add a path"),
        candidate.get_absolute_url(),
    )


@login_required
def path_edit(request: HttpRequest, pk: int) -> HttpResponse:
    path = get_visible(request, Path.objects.select_related("candidate", "version__title", "ccs"), pk, Action.CHANGE)
    form = PathForm(request.POST or None, instance=path, user=request.user)
    if path.admissibility != Admissibility.PENDING:
        # A decided admissibility belongs to a VAE application: the path stays one.
        form.fields["kind"].disabled = True

    def save(form: PathForm) -> Candidate:
        services.change_path(request.user, form.instance)  # type: ignore[arg-type]
        return path.candidate

    return _form(request, form, save, str(path), path.candidate.get_absolute_url())


@login_required
def experience_add(request: HttpRequest, pk: int) -> HttpResponse:
    path = get_visible(request, Path.objects.select_related("candidate"), pk, Action.CHANGE)
    form = ExperienceForm(request.POST or None, instance=ExperiencePeriod(path=path))
    heading = _("Add an experience period")
    return _form(
        request,
        form,
        lambda form: _saved(request, form.instance, path.candidate),
        heading,
        path.candidate.get_absolute_url(),
    )


@login_required
def admissibility(request: HttpRequest, pk: int) -> HttpResponse:
    path = get_visible(request, Path.objects.select_related("candidate", "version__regulation"), pk, Action.CHANGE)
    form = AdmissibilityForm(request.POST or None)

    def save(form: AdmissibilityForm) -> Candidate:
        services.decide_admissibility(request.user, path, form.cleaned_data["admissible"], form.cleaned_data["on"])  # type: ignore[arg-type]
        return path.candidate

    return _form(request, form, save, _("VAE admissibility"), path.candidate.get_absolute_url())


def _saved(request: HttpRequest, instance: Model, shown: Model) -> Model:
    """Save `instance` as the user and go back to the page that shows it."""
    save_restricted(request.user, instance)
    return shown


# --- Sessions ----------------------------------------------------------------------------------------


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        Session.objects.select_related("version__title", "ccp", "ccs", "centre"),
        SessionFilterSet,
        "certification/session_list.html",
        {"can_add": can_add(request.user, Session)},
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_visible(
        request, Session.objects.select_related("version__title", "version__regulation", "ccp", "ccs", "centre"), pk
    )
    user = request.user
    registrations = (
        Registration.objects.restrict(user)
        .filter(session=session)
        .select_related("candidate", "path", "decision__regulation")
        .prefetch_related("elements__ccp", "decision__ccps__ccp")
    )
    context = {
        "session": session,
        "jury_verdict": questions.jury_validity(session),
        "registrations": registrations,
        "can_change": can(user, Action.CHANGE, session),
        "decided": services.is_decided(session),
        "practice_file": session.version.regulation.get_practice_file_display(),
    }
    return render(request, "certification/session_detail.html", context)


@login_required
def session_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Session)
    form = SessionForm(request.POST or None, user=request.user)
    back = reverse("certification-session-list")
    return _form(request, form, lambda form: save_restricted(request.user, form.instance), _("Add a session"), back)


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for_change(request, pk)
    form = SessionForm(request.POST or None, instance=session, user=request.user)
    return _form(
        request,
        form,
        lambda form: services.change_session(request.user, form.instance),  # type: ignore[arg-type]
        str(session),
        session.get_absolute_url(),
    )


def _session_for_change(request: HttpRequest, pk: int) -> Session:
    return get_visible(request, Session.objects.select_related("version__regulation"), pk, Action.CHANGE)


@login_required
def jury_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for_change(request, pk)
    form = JuryMemberForm(request.POST or None, instance=JuryMember(session=session))

    def save(form: JuryMemberForm) -> Session:
        services.add_jury_member(request.user, form.instance)  # type: ignore[arg-type]
        return session

    return _form(request, form, save, _("Add a jury member"), session.get_absolute_url())


@login_required
@require_POST
def jury_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a jury member and go back to the jury, whose composition is checked again there."""
    member = get_visible(request, JuryMember.objects.select_related("session"), pk, Action.DELETE)
    try:
        services.remove_jury_member(request.user, member)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is no longer on the jury.") % {"name": member.name})
    return redirect(f"{member.session.get_absolute_url()}#jury")


@login_required
def registration_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for_change(request, pk)
    form = RegistrationForm(request.POST or None, instance=Registration(session=session), user=request.user)

    def save(form: RegistrationForm) -> Session:
        services.register(request.user, session, form.cleaned_data["candidate"], form.cleaned_data["path"])  # type: ignore[arg-type]
        return session

    return _form(request, form, save, _("Register a candidate"), session.get_absolute_url())


def _registration_for_change(request: HttpRequest, pk: int) -> Registration:
    registrations = Registration.objects.select_related("session__version__regulation", "candidate", "path")
    return get_visible(request, registrations, pk, Action.CHANGE)


@login_required
def element_add(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration_for_change(request, pk)
    session = registration.session
    form = ElementForm(request.POST or None, instance=EvaluationElement(registration=registration), session=session)

    def save(form: ElementForm) -> Session:
        services.record_element(request.user, form.instance)  # type: ignore[arg-type]
        return session

    return _form(request, form, save, _("Record an evaluation element"), session.get_absolute_url())


@login_required
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration_for_change(request, pk)
    session = registration.session
    form = DecisionForm(request.POST or None, session=session)

    def save(form: DecisionForm) -> Session:
        data = form.cleaned_data
        services.record_decision(
            request.user,  # type: ignore[arg-type]
            registration,
            title_granted=data["title_granted"],
            ccps=data["ccps"],
            ccs_granted=data["ccs_granted"],
            notes=data["notes"],
        )
        return session

    return _form(request, form, save, _("Record the decision"), session.get_absolute_url())
