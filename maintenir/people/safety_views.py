"""Pages of a site's safety documents (kept by managers, read by everyone who sees the site) and of the
on-call rosters (kept by managers, read by the technicians)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.assets.models import Site
from maintenir.core.choices import Action
from maintenir.core.files import serve_upload
from maintenir.core.services import delete_restricted, save_restricted
from maintenir.people import oncall
from maintenir.people.models import OnCallDuty, PreventionPlan, SiteRisk, Team, Technician
from maintenir.people.safety_forms import PreventionPlanForm, RosterForm, SiteRiskForm
from maintenir.ui.views_helpers import add_errors, can, form_page, get_visible, require_add


def _safety_form(
    request: HttpRequest,
    form_class: type[forms.ModelForm],
    instance: PreventionPlan | SiteRisk,
    title: str,
    delete_url: str,
) -> HttpResponse:
    """Add or edit a plan or a risk; back to the site's page once saved."""
    form = form_class(request.POST or None, request.FILES or None, instance=instance)

    def save(form: forms.ModelForm) -> Site:
        save_restricted(request.user, form.instance)
        return instance.site

    context = {
        "site": instance.site,
        "title": title,
        "delete_url": reverse(delete_url, args=[instance.pk]) if instance.pk else "",
    }
    return form_page(request, form, save, "people/safety_form.html", context)


@login_required
def prevention_plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_visible(request, Site.objects.all(), pk)
    require_add(request.user, PreventionPlan)
    return _safety_form(request, PreventionPlanForm, PreventionPlan(site=site), _("Add a prevention plan"), "")


@login_required
def prevention_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible(request, PreventionPlan.objects.select_related("site"), pk, Action.CHANGE)
    return _safety_form(request, PreventionPlanForm, plan, _("Edit the prevention plan"), "prevention-plan-delete")


@login_required
def prevention_plan_document(request: HttpRequest, pk: int) -> FileResponse:
    """The plan's document, to those who may see the plan (files are never public)."""
    plan = get_visible(request, PreventionPlan.objects.exclude(document=""), pk)
    return serve_upload(plan.document)


@login_required
def site_risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_visible(request, Site.objects.all(), pk)
    require_add(request.user, SiteRisk)
    return _safety_form(request, SiteRiskForm, SiteRisk(site=site), _("Add a risk"), "")


@login_required
def site_risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_visible(request, SiteRisk.objects.select_related("site"), pk, Action.CHANGE)
    return _safety_form(request, SiteRiskForm, risk, _("Edit the risk"), "site-risk-delete")


@login_required
@require_POST
def safety_delete(request: HttpRequest, pk: int, model: type[PreventionPlan] | type[SiteRisk]) -> HttpResponse:
    instance = get_visible(request, model.objects.select_related("site"), pk, Action.DELETE)
    site = instance.site
    delete_restricted(request.user, instance)
    messages.success(request, _("Deleted."))
    return redirect(site)


# --- On-call rosters -------------------------------------------------------------------------


def _week(request: HttpRequest) -> datetime.date:
    asked = parse_date(request.GET.get("week", "")) if request.GET.get("week") else None
    return oncall.week_of(asked or timezone.localdate())


@login_required
def on_call_rosters(request: HttpRequest) -> HttpResponse:
    """Every team's roster for a week (this week unless ?week=)."""
    week = _week(request)
    duties = (
        OnCallDuty.objects.restrict(request.user)
        .filter(week_start=week)
        .select_related("team", "technician__user")
        .order_by("team__name", "rank")
    )
    teams = Team.objects.restrict(request.user)
    context = {
        "week": week,
        "previous_week": week - datetime.timedelta(days=7),
        "next_week": week + datetime.timedelta(days=7),
        "teams": [(team, [duty for duty in duties if duty.team_id == team.pk]) for team in teams],
    }
    return render(request, "people/on_call_rosters.html", context)


@login_required
def on_call_roster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager sets who is called, in which order, for one team and week."""
    team = get_visible(request, Team.objects.all(), pk, Action.CHANGE)
    week = _week(request)
    members = Technician.objects.restrict(request.user).filter(team=team).select_related("user")
    current = [duty.technician for duty in oncall.roster(team, week)]
    form = RosterForm(request.POST or None, members=members, initial_ranks=current)
    if request.method == "POST" and form.is_valid():
        try:
            oncall.set_roster(request.user, team, week, form.technicians())  # type: ignore[arg-type]
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('on-call-rosters')}?week={week.isoformat()}")
    context = {"team": team, "week": week, "form": form, "can_edit": can(request.user, Action.CHANGE, team)}
    return render(request, "people/on_call_roster_form.html", context)
