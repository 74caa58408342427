"""KPI pages per scope (all equipment, a client, a site, a line, an equipment type, an equipment):
thin views over `services`, with each figure's definition stated on the page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from maintenir.reliability import charts, services
from maintenir.reliability.choices import GroupBy, ParetoBy
from maintenir.reliability.forms import KpiForm
from maintenir.workorders.choices import DowntimeCause

# The breakdown a scope shows unless another is asked for; an equipment has none.
DEFAULT_GROUP_BY = {
    services.SCOPE_ALL: GroupBy.SITE,
    GroupBy.ORGANISATION: GroupBy.SITE,
    GroupBy.SITE: GroupBy.EQUIPMENT,
    GroupBy.PRODUCTION_LINE: GroupBy.EQUIPMENT,
    GroupBy.EQUIPMENT_TYPE: GroupBy.EQUIPMENT,
}
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
    figures = services.totals(equipment, period)
    months = services.trend(equipment, period)
    bars = services.pareto(equipment, period, pareto_by)
    context = {
        "form": form,
        "kind": kind,
        "scope_name": scope_name,
        "period": period,
        "figures": figures,
        "downtime_by_cause": [(cause.label, figures.downtime.get(cause, 0.0)) for cause in DowntimeCause],
        # The scope pages of the breakdown's rows keep the period, not the breakdown.
        "period_query": urlencode({"start": period.first_day, "end": period.last_day}),
        "rows": services.kpis(equipment, period, group_by) if group_by else [],
        "group_by": group_by,
        "group_label": GroupBy(group_by).label if group_by else "",
        "definitions": services.DEFINITIONS,
        "cost_definition": services.DEFINITIONS["cost"] % {"rate": services.labour_rate()},
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
