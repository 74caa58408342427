"""People pages: technicians with their skills, habilitations and absences; teams; habilitation types.

Staff records: client users and operators get a 403 on the lists and a 404 on a record; technicians read
them, managers keep them. Every write goes through `services`.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maintenir.certification.services import certificates_of, may_list_holders
from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.people import services
from maintenir.people.filtersets import TechnicianFilterSet, expiring_by
from maintenir.people.forms import (
    AbsenceForm,
    HabilitationForm,
    HabilitationTypeForm,
    SkillForm,
    TeamForm,
    TechnicianForm,
    TechnicianSkillForm,
)
from maintenir.people.models import (
    Absence,
    Habilitation,
    HabilitationType,
    OnCallDuty,
    Skill,
    StaffModel,
    Team,
    Technician,
    TechnicianSkill,
)
from maintenir.ui.views_helpers import can, can_add, filtered_list, form_page, get_visible, may, require_add

# The generic form page (heading, fields, Save and Cancel).
FORM_TEMPLATE = "certification/form.html"
CHANGELOG_SIZE = 50
PAST_ABSENCES = 10


def _require_staff(request: HttpRequest, model: type[Model]) -> None:
    """403 for those who see no staff records at all (client users, operators)."""
    if not may(request.user, Action.VIEW, model):
        raise PermissionDenied


def _form(request: HttpRequest, form: Any, save: Any, heading: str, back: str) -> HttpResponse:
    return form_page(request, form, save, FORM_TEMPLATE, {"heading": heading, "back": back})


def _expiry(context: dict[str, Any]) -> dict[str, Any]:
    """The days against which habilitations show as expired (red) or expiring soon (amber)."""
    return {"today": timezone.localdate(), "expiring_by": expiring_by(), **context}


# --- Technicians ---------------------------------------------------------------------------------


@login_required
def technician_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request, Technician)
    habilitations = Habilitation.objects.select_related("habilitation_type")
    technicians = Technician.objects.select_related("user", "team").prefetch_related(
        Prefetch("habilitations", queryset=habilitations)
    )
    return filtered_list(
        request,
        technicians,
        TechnicianFilterSet,
        "people/technician_list.html",
        _expiry({"can_add": can_add(request.user, Technician)}),
    )


@login_required
def technician_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    technician = get_visible(request, Technician.objects.select_related("user", "team", "technical_referent__user"), pk)
    now = timezone.now()
    today = timezone.localdate()
    absences = Absence.objects.restrict(user).filter(technician=technician)
    context = {
        "technician": technician,
        "working_days": [WEEKDAYS[int(day) - 1] for day in technician.working_days],
        "skills": TechnicianSkill.objects.restrict(user).filter(technician=technician).select_related("skill"),
        "habilitations": Habilitation.objects.restrict(user)
        .filter(technician=technician)
        .select_related("habilitation_type"),
        # Current and upcoming absences first, soonest first; then the latest past ones.
        "upcoming_absences": absences.filter(ends_at__gte=now).order_by("starts_at"),
        "past_absences": absences.filter(ends_at__lt=now).order_by("-starts_at")[:PAST_ABSENCES],
        # This week's duty and the coming ones.
        "on_call": OnCallDuty.objects.restrict(user)
        .filter(technician=technician, week_start__gt=today - datetime.timedelta(days=7))
        .select_related("team"),
        "referred": Technician.objects.restrict(user).filter(technical_referent=technician).select_related("user"),
        "can_change": can(user, Action.CHANGE, technician),
        "changes": changes_for(technician)[:CHANGELOG_SIZE],
    }
    # The certification records follow their own rules: one's own, or anyone's for those who dispatch.
    if technician.user == user or may_list_holders(user):
        context["certificates"] = certificates_of(user, technician.user)
    return render(request, "people/technician_detail.html", _expiry(context))


@login_required
def technician_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Technician)
    return _technician_form(request, Technician())


@login_required
def technician_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _technician_form(request, get_visible(request, Technician.objects.select_related("user"), pk, Action.CHANGE))


def _technician_form(request: HttpRequest, technician: Technician) -> HttpResponse:
    form = TechnicianForm(request.POST or None, instance=technician, user=request.user)
    heading = str(technician) if technician.pk else _("Add a technician")
    back = technician.get_absolute_url() if technician.pk else reverse("technician-list")
    return _form(request, form, lambda form: services.save_record(request.user, form.instance), heading, back)  # type: ignore[arg-type]


# --- A technician's skills, habilitations and absences -------------------------------------------

# The records kept on a technician's page: their form, the heading of its "add" page and the page's section.
RECORDS: dict[type[StaffModel], tuple[type[Any], Any, str]] = {
    TechnicianSkill: (TechnicianSkillForm, gettext_lazy("Add a skill"), "skills"),
    Habilitation: (HabilitationForm, gettext_lazy("Add a habilitation"), "habilitations"),
    Absence: (AbsenceForm, gettext_lazy("Add an absence"), "absences"),
}


@login_required
def record_add(request: HttpRequest, pk: int, model: type[Any]) -> HttpResponse:
    technician = get_visible(request, Technician.objects.select_related("user"), pk, Action.CHANGE)
    form_class, heading, _section = RECORDS[model]
    form = form_class(request.POST or None, instance=model(technician=technician), user=request.user)
    return _record_form(request, form, str(heading), technician)


@login_required
def record_edit(request: HttpRequest, pk: int, model: type[Any]) -> HttpResponse:
    record = get_visible(request, model.objects.select_related("technician__user"), pk, Action.CHANGE)
    form_class = RECORDS[model][0]
    form = form_class(request.POST or None, instance=record, user=request.user)
    return _record_form(request, form, str(record), record.technician)


def _record_form(request: HttpRequest, form: Any, heading: str, technician: Technician) -> HttpResponse:
    def save(form: Any) -> Technician:
        services.save_record(request.user, form.instance)  # type: ignore[arg-type]
        return technician

    return _form(request, form, save, heading, technician.get_absolute_url())


@login_required
def record_remove(request: HttpRequest, pk: int, model: type[Any]) -> HttpResponse:
    """Ask first, then remove: a habilitation removed by a slip would stop its holder being dispatched."""
    record = get_visible(request, model.objects.select_related("technician__user"), pk, Action.DELETE)
    back = f"{record.technician.get_absolute_url()}#{RECORDS[model][2]}"
    if request.method != "POST":
        return render(request, "people/record_remove.html", {"record": record, "back": back})
    _deleted(request, record)
    return redirect(back)


def _deleted(request: HttpRequest, record: StaffModel) -> None:
    """Delete through the service and say so, or show why it refused."""
    try:
        services.delete_record(request.user, record)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(record)s deleted.") % {"record": record})


# --- Teams ---------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request, Team)
    teams = Team.objects.restrict(request.user).annotate(member_count=Count("members"))
    return render(request, "people/team_list.html", {"teams": teams, "can_add": can_add(request.user, Team)})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_visible(request, Team.objects.all(), pk)
    members = Technician.objects.restrict(request.user).filter(team=team).select_related("user")
    return render(
        request,
        "people/team_detail.html",
        {"team": team, "members": members, "can_change": can(request.user, Action.CHANGE, team)},
    )


@login_required
def team_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Team)
    return _team_form(request, Team())


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_form(request, get_visible(request, Team.objects.all(), pk, Action.CHANGE))


def _team_form(request: HttpRequest, team: Team) -> HttpResponse:
    form = TeamForm(request.POST or None, instance=team)
    heading = str(team) if team.pk else _("Add a team")
    back = team.get_absolute_url() if team.pk else reverse("team-list")
    return _form(request, form, lambda form: services.save_record(request.user, form.instance), heading, back)  # type: ignore[arg-type]


# --- Skills --------------------------------------------------------------------------------------


@login_required
def skill_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request, Skill)
    context = {"skills": Skill.objects.restrict(request.user), "can_add": can_add(request.user, Skill)}
    return render(request, "people/skill_list.html", context)


@login_required
def skill_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Skill)
    form = SkillForm(request.POST or None)

    def save(form: SkillForm) -> str:
        services.save_record(request.user, form.instance)  # type: ignore[arg-type]
        return reverse("skill-list")

    return _form(request, form, save, _("Add a skill to the catalogue"), reverse("skill-list"))


# --- Habilitation types --------------------------------------------------------------------------


@login_required
def habilitation_type_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request, HabilitationType)
    context = {
        "types": HabilitationType.objects.restrict(request.user),
        "can_add": can_add(request.user, HabilitationType),
        "can_delete": may(request.user, Action.DELETE, HabilitationType),
    }
    return render(request, "people/habilitation_type_list.html", context)


@login_required
def habilitation_type_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, HabilitationType)
    form = HabilitationTypeForm(request.POST or None)

    def save(form: HabilitationTypeForm) -> str:
        services.save_record(request.user, form.instance)  # type: ignore[arg-type]
        return reverse("habilitation-type-list")

    return _form(request, form, save, _("Add a habilitation type"), reverse("habilitation-type-list"))


@login_required
@require_POST
def habilitation_type_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _deleted(request, get_visible(request, HabilitationType.objects.all(), pk, Action.DELETE))
    return redirect("habilitation-type-list")
