"""Maintenance plans, triggers, gammes and the preventive forecast: thin views over the preventive services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from maintenir.assets.choices import Technology
from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.preventive import parts, services, training, transfer
from maintenir.preventive.filtersets import GammeFilterSet, MaintenancePlanFilterSet, TrainingSessionFilterSet
from maintenir.preventive.forms import (
    ForecastForm,
    GammeForm,
    GammePartFormSet,
    GammeStepFormSet,
    MaintenancePlanForm,
    TrainingSessionForm,
    TriggerForm,
)
from maintenir.preventive.models import (
    Gamme,
    GammeStep,
    GammeStepRequirement,
    MaintenancePlan,
    PreventiveOrder,
    TrainingSession,
    Trigger,
    TriggerState,
)
from maintenir.stores.models import Part
from maintenir.ui.forms import CsvImportForm
from maintenir.ui.views_helpers import add_row_errors, can, can_add, filtered_list, form_page, get_visible, require_add
from maintenir.workorders import qualifications
from maintenir.workorders import services as workorder_services
from maintenir.workorders.forms import RequirementForm

CHANGELOG_SIZE = 50
RECENT_SIZE = 20
PLAN_ACTIONS = {
    "activate": gettext_lazy("Plan activated: its triggers generate work orders."),
    "suspend": gettext_lazy("Plan suspended: nothing is generated until it is activated again."),
    "archive": gettext_lazy("Plan archived."),
}


# --- Maintenance plans -----------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = MaintenancePlan.objects.select_related("site", "production_line")
    return filtered_list(
        request,
        plans,
        MaintenancePlanFilterSet,
        "preventive/plan_list.html",
        {"can_add": can_add(request.user, MaintenancePlan)},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible(request, MaintenancePlan.objects.select_related("site", "production_line"), pk)
    user: User = request.user  # type: ignore[assignment]
    triggers = (
        Trigger.objects.restrict(user)
        .filter(plan=plan)
        .select_related("gamme", "equipment", "equipment_type")
        .prefetch_related("states__equipment", "states__open_order")
    )
    services.with_next_due([state for trigger in triggers for state in trigger.states.all()], timezone.localdate())
    may_change = can(user, Action.CHANGE, plan)
    context = {
        "plan": plan,
        "triggers": triggers,
        "changes": changes_for(plan)[:CHANGELOG_SIZE],
        "can_change": may_change,
        "actions": [name for name in PLAN_ACTIONS if may_change and plan.status in services.PLAN_ALLOWED_FROM[name]],
    }
    return render(request, "preventive/plan_detail.html", context)


@login_required
def plan_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, MaintenancePlan)
    return _plan_form(request, MaintenancePlan(), initial=request.GET.dict())


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, get_visible(request, MaintenancePlan.objects.all(), pk, Action.CHANGE))


def _plan_form(request: HttpRequest, plan: MaintenancePlan, initial: dict[str, Any] | None = None) -> HttpResponse:
    form = MaintenancePlanForm(request.POST or None, instance=plan, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        lambda form: save_restricted(request.user, form.instance),
        "preventive/plan_form.html",
        {"plan": plan, "name": plan.name},
    )


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    plan = get_visible(request, MaintenancePlan.objects.all(), pk)
    try:
        services.PLAN_TRANSITIONS[name](request.user, plan)  # type: ignore[arg-type]
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, str(PLAN_ACTIONS[name]))
    return redirect(plan)


# --- Triggers --------------------------------------------------------------------------------


@login_required
def trigger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trigger = get_visible(
        request, Trigger.objects.select_related("plan__site", "gamme", "equipment", "equipment_type"), pk
    )
    states = TriggerState.objects.filter(trigger=trigger).select_related("equipment", "open_order")
    context = {
        "trigger": trigger,
        "plan": trigger.plan,
        "states": services.with_next_due(list(states), timezone.localdate()),
        "orders": PreventiveOrder.objects.filter(trigger=trigger)
        .select_related("work_order", "gamme_version")
        .order_by("-scheduled_for")[:RECENT_SIZE],
        "can_change": can(request.user, Action.CHANGE, trigger),
    }
    return render(request, "preventive/trigger_detail.html", context)


@login_required
def trigger_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible(request, MaintenancePlan.objects.select_related("site"), pk)
    require_add(request.user, Trigger)
    return _trigger_form(request, Trigger(plan=plan), plan)


@login_required
def trigger_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trigger = get_visible(request, Trigger.objects.select_related("plan__site"), pk, Action.CHANGE)
    return _trigger_form(request, trigger, trigger.plan)


def _trigger_form(request: HttpRequest, trigger: Trigger, plan: MaintenancePlan) -> HttpResponse:
    form = TriggerForm(request.POST or None, instance=trigger, user=request.user, plan=plan)
    return form_page(
        request,
        form,
        lambda form: services.save_trigger(request.user, form.instance),  # type: ignore[arg-type]
        "preventive/trigger_form.html",
        {"trigger": trigger, "plan": plan},
    )


# --- Gammes ----------------------------------------------------------------------------------


@login_required
def gamme_list(request: HttpRequest) -> HttpResponse:
    gammes = Gamme.objects.select_related("equipment_type")
    return filtered_list(
        request, gammes, GammeFilterSet, "preventive/gamme_list.html", {"can_add": can_add(request.user, Gamme)}
    )


@login_required
def gamme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gamme = get_visible(request, Gamme.objects.select_related("equipment_type"), pk)
    # Requirements are staff records: an operator reading the gamme sees none.
    requirements = GammeStepRequirement.objects.restrict(request.user).select_related(*qualifications.RELATED)
    versions = list(
        gamme.versions.select_related("created_by").prefetch_related(
            "steps", Prefetch("steps__requirements", queryset=requirements)
        )
    )
    context = {
        "gamme": gamme,
        "current": versions[0] if versions else None,
        "versions": versions,
        "total_minutes": sum(step.duration_minutes for step in versions[0].steps.all()) if versions else 0,
        "expected_parts": (
            versions[0].parts.filter(part__in=Part.objects.restrict(request.user)).select_related("part")
            if versions
            else []
        ),
        "changes": changes_for(gamme)[:CHANGELOG_SIZE],
        "can_change": can(request.user, Action.CHANGE, gamme),
        "can_change_requirements": can_add(request.user, GammeStepRequirement),
        "trainings": TrainingSession.objects.restrict(request.user)
        .filter(gammes=gamme)
        .select_related("site", "trainer")
        .prefetch_related("attendees")[:RECENT_SIZE],
        "can_train": can_add(request.user, TrainingSession),
    }
    return render(request, "preventive/gamme_detail.html", context)


@login_required
def step_requirement_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Require a skill, a habilitation or a CCP for a step: every order generated from the gamme requires it."""
    step = get_object_or_404(GammeStep.objects.select_related("version"), pk=pk)
    gamme = get_visible(request, Gamme.objects.all(), step.version.gamme_id)
    require_add(request.user, GammeStepRequirement)
    form = RequirementForm(request.POST or None, user=request.user, with_work_type=False)  # type: ignore[arg-type]

    def save(form: RequirementForm) -> str:
        requirement = GammeStepRequirement(step=step, **form.cleaned_data)
        workorder_services.save_requirement(request.user, requirement)  # type: ignore[arg-type]
        return f"{gamme.get_absolute_url()}#steps"

    context = {"heading": _("Add a requirement to step %(step)s") % {"step": step}, "back": gamme.get_absolute_url()}
    return form_page(request, form, save, "certification/form.html", context)


@login_required
@require_POST
def step_requirement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_visible(request, GammeStepRequirement.objects.select_related("step__version"), pk, Action.DELETE)
    workorder_services.delete_requirement(request.user, requirement)  # type: ignore[arg-type]
    messages.success(request, _("Requirement removed."))
    return redirect(reverse("gamme-detail", args=[requirement.step.version.gamme_id]) + "#steps")


@login_required
def gamme_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Gamme)
    return _gamme_form(request, Gamme(), [], [])


@login_required
def gamme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    gamme = get_visible(request, Gamme.objects.all(), pk, Action.CHANGE)
    version = services.current_version(gamme)
    if version is None:
        return _gamme_form(request, gamme, [], [])
    return _gamme_form(request, gamme, services.version_steps(version), services.version_parts(version))


def _kept(formset: Any, required: str) -> list[Any]:
    """The rows of a formset that are filled in and not ticked for deletion."""
    return [row for row in formset.forms if row.cleaned_data.get(required) and not row.cleaned_data.get("DELETE")]


def _values(rows: list[Any]) -> list[dict[str, Any]]:
    return [{name: value for name, value in row.cleaned_data.items() if name != "DELETE"} for row in rows]


def _gamme_form(
    request: HttpRequest, gamme: Gamme, current_steps: list[dict[str, Any]], current_parts: list[dict[str, Any]]
) -> HttpResponse:
    """The gamme, its steps and its expected parts; saving publishes a new version when either changed."""
    form = GammeForm(request.POST or None, instance=gamme, user=request.user)
    steps = GammeStepFormSet(request.POST or None, initial=current_steps, prefix="steps")
    parts = GammePartFormSet(
        request.POST or None,
        initial=[{**row, "part": row["part"].pk} for row in current_parts],
        prefix="parts",
        form_kwargs={"user": request.user},
    )
    if request.method == "POST" and form.is_valid() and steps.is_valid() and parts.is_valid():
        kept, kept_parts = _kept(steps, "instruction"), _kept(parts, "part")
        wanted, wanted_parts = _values(kept), _values(kept_parts)
        unchanged = [{k: v for k, v in step.items() if k != "position"} for step in current_steps] == wanted
        unchanged = unchanged and current_parts == wanted_parts
        try:
            with transaction.atomic():
                if unchanged and gamme.pk:
                    save_restricted(request.user, form.instance)
                else:
                    services.publish_gamme(
                        request.user,  # type: ignore[arg-type]
                        form.instance,
                        wanted,
                        form.cleaned_data["note"],
                        wanted_parts,
                    )
        except ValidationError as error:
            # Each error beside its row: a part's in the parts, a step's (or the gamme's) in the steps.
            part_errors = {name: text for name, text in error.message_dict.items() if name.startswith("parts.")}
            other_errors = {name: text for name, text in error.message_dict.items() if name not in part_errors}
            if part_errors:
                add_row_errors(form, kept_parts, "parts", ValidationError(part_errors))
            if other_errors:
                add_row_errors(form, kept, "steps", ValidationError(other_errors))
        else:
            messages.success(request, _("Saved."))
            return redirect(form.instance)
    context = {"form": form, "steps": steps, "parts": parts, "gamme": gamme, "code": gamme.code}
    return render(request, "preventive/gamme_form.html", context)


# --- Training of operators --------------------------------------------------------------------

TRAINING_RELATED = ("site", "trainer")


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    sessions = TrainingSession.objects.select_related(*TRAINING_RELATED).prefetch_related("gammes", "attendees")
    return filtered_list(
        request,
        sessions,
        TrainingSessionFilterSet,
        "preventive/training_list.html",
        {"can_add": can_add(request.user, TrainingSession)},
    )


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_visible(request, TrainingSession.objects.select_related(*TRAINING_RELATED), pk)
    context = {
        "session": session,
        "gammes": session.gammes.all(),
        "attendees": session.attendees.all(),
        "changes": changes_for(session)[:CHANGELOG_SIZE],
        "can_change": can(request.user, Action.CHANGE, session),
    }
    return render(request, "preventive/training_detail.html", context)


@login_required
def training_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, TrainingSession)
    return _training_form(request, TrainingSession(), initial=request.GET.dict())


@login_required
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _training_form(request, get_visible(request, TrainingSession.objects.all(), pk, Action.CHANGE))


def _training_form(
    request: HttpRequest, session: TrainingSession, initial: dict[str, Any] | None = None
) -> HttpResponse:
    form = TrainingSessionForm(request.POST or None, instance=session, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        lambda form: training.save_training_session(
            request.user,  # type: ignore[arg-type]
            form.instance,
            form.cleaned_data["gammes"],
            form.cleaned_data["attendees"],
        ),
        "preventive/training_form.html",
        {"session": session},
    )


# --- CSV ------------------------------------------------------------------------------------


def _csv_download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def gamme_export(request: HttpRequest) -> HttpResponse:
    return _csv_download(transfer.export_gammes(request.user), "gammes.csv")  # type: ignore[arg-type]


@login_required
def trigger_export(request: HttpRequest) -> HttpResponse:
    plan_id = request.GET.get("plan")
    plan = get_visible(request, MaintenancePlan.objects.all(), plan_id) if plan_id else None
    return _csv_download(transfer.export_triggers(request.user, plan), "triggers.csv")  # type: ignore[arg-type]


@login_required
def gamme_import(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Gamme)
    return _import_page(request, transfer.import_gammes, _("Import gammes"), transfer.GAMME_COLUMNS, "gamme-list")


@login_required
def trigger_import(request: HttpRequest) -> HttpResponse:
    require_add(request.user, Trigger)
    return _import_page(request, transfer.import_triggers, _("Import triggers"), transfer.TRIGGER_COLUMNS, "plan-list")


def _import_page(request: HttpRequest, importer: Any, title: str, columns: list[str], back: str) -> HttpResponse:
    """Upload a CSV file; all or nothing, the errors listed by line and column."""
    form = CsvImportForm(request.POST or None, request.FILES or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            report = importer(request.user, form.cleaned_data["file"])
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(
                request,
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % vars(report),
            )
            return redirect(back)
    context = {"form": form, "title": title, "columns": columns, "errors": errors, "back_url": reverse(back)}
    return render(request, "ui/import.html", context)


# --- Forecast --------------------------------------------------------------------------------


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ForecastForm(request.GET or None, user=user)
    site = weeks = None
    if form.is_valid():
        site, weeks = form.cleaned_data["site"], form.cleaned_data["weeks"]
    today = timezone.localdate()
    result = services.forecast(user, today, weeks or 8, site_id=site.pk if site else None)
    rows = [
        (result.site_names[site_id], dict(Technology.choices).get(technology, technology), hours)
        for (site_id, technology), hours in sorted(
            result.hours.items(), key=lambda item: (result.site_names[item[0][0]], item[0][1])
        )
    ]
    context = {
        "form": form,
        "forecast": result,
        "rows": rows,
        "totals": [result.total(index) for index in range(len(result.weeks))],
        "can_generate": can_add(user, MaintenancePlan),
        "part_needs": parts.need_lines(user, weeks or 8, site.pk if site else None),
        "compliance": services.recent_compliance(user, today, site.pk if site else None)[2],
        "compliance_days": services.COMPLIANCE_DAYS,
    }
    return render(request, "preventive/forecast.html", context)


@login_required
@require_POST
def generate_now(request: HttpRequest) -> HttpResponse:
    """Run the generator at once (managers), rather than wait for its periodic run."""
    services.check_may_generate(request.user)  # type: ignore[arg-type]
    report = services.generate()
    messages.success(
        request,
        ngettext(
            "%(count)d preventive work order generated.",
            "%(count)d preventive work orders generated.",
            len(report.orders),
        )
        % {"count": len(report.orders)},
    )
    return redirect("preventive-forecast")
