"""KPI pages per scope (all equipment, a client, a site, a line, an equipment type, an equipment):
thin views over `services`, with each figure's definition stated on the page."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from maintenir.assets.models import Equipment
from maintenir.core import formats
from maintenir.core.changelog import changes_for
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.reliability import charts, proposals, services
from maintenir.reliability.choices import GroupBy, ParetoBy
from maintenir.reliability.filtersets import ImprovementProposalFilterSet
from maintenir.reliability.forms import DecisionForm, KpiForm, ProposalForm
from maintenir.reliability.models import ImprovementProposal
from maintenir.ui.views_helpers import can, can_add, filtered_list, form_page, get_visible, require_add
from maintenir.workorders.choices import DowntimeCause

# The breakdown a scope shows unless another is asked for; an equipment has none.
DEFAULT_GROUP_BY = {
    services.SCOPE_ALL: GroupBy.SITE,
    GroupBy.ORGANISATION: GroupBy.SITE,
    GroupBy.SITE: GroupBy.EQUIPMENT,
    GroupBy.PRODUCTION_LINE: GroupBy.EQUIPMENT,
    GroupBy.EQUIPMENT_TYPE: GroupBy.EQUIPMENT,
}
CHANGELOG_SIZE = 50
TREND_FIGURES = (
    ("failures", _("Failures")),
    ("mtbf", _("MTBF (h)")),
    ("mttr", _("MTTR (h)")),
    ("availability", _("Availability")),
    ("downtime_hours", _("Downtime (h)")),
    ("cost", _("Cost")),
)


@login_required
def kpi_page(request: HttpRequest, kind: str = services.SCOPE_ALL, pk: int | None = None) -> HttpResponse:
    equipment, scope_name = services.scope_equipment(request.user, kind, pk)
    form = KpiForm(request.GET or None)
    period = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    group_by = data.get("group_by") or DEFAULT_GROUP_BY.get(kind)
    pareto_by = ParetoBy(data.get("pareto") or ParetoBy.FAILURE_MODE)
    rows = services.kpis(equipment, period, group_by) if group_by else []
    # The groups share out the scope's equipment: the totals are their sum, not another pass.
    figures = services.combined(rows) if group_by else services.totals(equipment, period)
    months = services.trend(equipment, period)
    bars = services.pareto(equipment, period, pareto_by)
    context = {
        "form": form,
        "kind": kind,
        "scope_pk": pk,
        "can_propose": can_add(request.user, ImprovementProposal),
        "scope_name": scope_name,
        "period": period,
        "figures": figures,
        "downtime_by_cause": [(cause.label, figures.downtime.get(cause, 0.0)) for cause in DowntimeCause],
        # The scope pages of the breakdown's rows keep the period, not the breakdown.
        "period_query": urlencode({"start": period.first_day.isoformat(), "end": period.last_day.isoformat()}),
        "rows": rows,
        "group_by": group_by,
        "group_label": GroupBy(group_by).label if group_by else "",
        "definitions": services.DEFINITIONS,
        "cost_definition": services.DEFINITIONS["cost"] % {"rate": formats.money(services.labour_rate())},
        "pareto_by": pareto_by,
        "pareto": bars,
        "pareto_chart": charts.bar_chart([(bar.label, bar.value) for bar in bars], cumulative=True),
        "trends": [
            (
                f"trend-{name}",
                label,
                charts.bar_chart([(f"{month.first_day:%m/%y}", getattr(figures, name)) for month, figures in months]),
            )
            for name, label in TREND_FIGURES
        ],
    }
    return render(request, "reliability/kpis.html", context)


# --- Improvement proposals -------------------------------------------------------------------

# Each decision: (the service, taking the user, the proposal and the note; the message once done).
PROPOSAL_ACTIONS: dict[str, tuple[Callable[[User, ImprovementProposal, str], Any], Any]] = {
    "approve": (proposals.approve, gettext_lazy("Proposal approved.")),
    "reject": (proposals.reject, gettext_lazy("Proposal rejected.")),
    "carry_out": (
        lambda user, proposal, note: proposals.carry_out(user, proposal),
        gettext_lazy("Improvement work order raised."),
    ),
}


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        ImprovementProposal.objects.select_related("equipment__site", "work_order"),
        ImprovementProposalFilterSet,
        "reliability/proposal_list.html",
        {"can_add": can_add(request.user, ImprovementProposal)},
    )


@login_required
def proposal_add(request: HttpRequest) -> HttpResponse:
    require_add(request.user, ImprovementProposal)
    user: User = request.user  # type: ignore[assignment]
    initial: dict[str, Any] = {}
    if request.method != "POST" and request.GET.get("equipment"):
        equipment = get_visible(request, Equipment.objects.all(), request.GET["equipment"])
        initial = {
            "equipment": equipment,
            "failure_mode": request.GET.get("failure_mode"),
            "argument": proposals.argument_for(equipment),
        }
    form = ProposalForm(request.POST or None, user=user, initial=initial)

    def save(form: ProposalForm) -> ImprovementProposal:
        data = dict(form.cleaned_data)
        return proposals.propose(user, data.pop("equipment"), **data)

    return form_page(request, form, save, "reliability/proposal_form.html")


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_visible(
        request, ImprovementProposal.objects.select_related("equipment", "work_order", "failure_mode"), pk
    )
    user: User = request.user  # type: ignore[assignment]
    may_decide = user.is_manager and can(user, Action.CHANGE, proposal)
    context = {
        "proposal": proposal,
        "actions": [
            name for name in PROPOSAL_ACTIONS if may_decide and proposal.status in proposals.ALLOWED_FROM[name]
        ],
        "decision_form": DecisionForm(),
        "effect": proposals.effect(proposal),
        "changes": changes_for(proposal)[:CHANGELOG_SIZE],
    }
    return render(request, "reliability/proposal_detail.html", context)


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in PROPOSAL_ACTIONS:
        raise Http404
    proposal = get_visible(request, ImprovementProposal.objects.select_related("equipment__site"), pk)
    user: User = request.user  # type: ignore[assignment]
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide, done = PROPOSAL_ACTIONS[action]
    try:
        decide(user, proposal, note)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(done))
    return redirect(proposal)
