"""The livret de certification and the parchemin served as PDF pages, through the same visibility checks."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from maintenir.certification.models import Candidate, Decision, Title
from maintenir.reports import certification
from maintenir.reports.views import pdf_response
from maintenir.ui.views_helpers import get_visible


@login_required
def livret(request: HttpRequest, pk: int, title_pk: int) -> HttpResponse:
    candidate = get_visible(request, Candidate.objects.all(), pk)
    title = get_visible(request, Title.objects.all(), title_pk)
    pdf = certification.livret(request.user, candidate, title)  # type: ignore[arg-type]
    return pdf_response(pdf, f"livret-{candidate.pk}-{title.pk}.pdf")


@login_required
def parchemin(request: HttpRequest, pk: int) -> HttpResponse:
    decisions = Decision.objects.select_related(
        "registration__candidate", "registration__session__version__title", "registration__session__ccs"
    )
    decision = get_visible(request, decisions, pk)
    pdf = certification.parchemin(request.user, decision)  # type: ignore[arg-type]
    return pdf_response(pdf, f"parchemin-{decision.pk}.pdf")
