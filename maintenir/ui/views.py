from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from maintenir.core.choices import Role
from maintenir.planning import services as planning
from maintenir.ui import queries
from maintenir.ui.forms import SearchForm
from maintenir.ui.search import global_search
from maintenir.workorders.oncall import calls_to_acknowledge


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's starting point: the backlog for managers, today's work for technicians, their sites for clients,
    the candidates for the training centre (a candidate sees their own record there)."""
    user = request.user
    if user.works_on_certification_only:  # type: ignore[union-attr]
        return redirect("certification-candidate-list")
    if user.is_manager:  # type: ignore[union-attr]
        to_schedule = queries.to_schedule(user)
        awaiting = queries.requests_awaiting_approval(user)
        to_follow_up = queries.measurements_to_follow_up(user)
        context = {
            "backlog": queries.backlog_by_priority(user),
            "overdue": queries.overdue_orders(user),
            "down": queries.equipment_down(user),
            "on_call": calls_to_acknowledge(user),  # type: ignore[arg-type]
            "to_schedule": to_schedule[: queries.HOME_LIST_SIZE],
            "to_schedule_count": to_schedule.count(),
            "awaiting": awaiting[: queries.HOME_SHORT_LIST_SIZE],
            "awaiting_count": awaiting.count(),
            "to_follow_up": to_follow_up[: queries.HOME_LIST_SIZE],
            "to_follow_up_count": to_follow_up.count(),
        }
        return render(request, "ui/home_manager.html", context)
    if user.role == Role.TECHNICIAN:  # type: ignore[union-attr]
        today = timezone.localdate()
        context = {
            "orders": planning.my_day(user, today),  # type: ignore[arg-type]
            "day": today,
            "on_call": calls_to_acknowledge(user),  # type: ignore[arg-type]
        }
        return render(request, "ui/home_technician.html", context)
    context = {"sites": queries.my_sites(user), "requests": queries.recent_requests(user)}
    return render(request, "ui/home_client.html", context)


@require_safe
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The global search: its results page, or only the results for the header's field as one types."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "query": query, "groups": global_search(request, query)}
    template = "ui/includes/search_results.html" if request.htmx else "ui/search.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
