"""The monthly maintenance report, read back from the PDF: its figures are the reliability KPIs."""

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.reports import services
from maintenir.reports.tests.conftest import SEPTEMBER
from maintenir.reports.tests.pdf import pdf_text
from maintenir.workorders.models import FailureMode
from maintenir.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db


def test_the_report_gives_the_month_beside_the_previous_one_from_the_kpis(manager: Any, site_months: Any) -> None:
    text = pdf_text(services.monthly_report(manager, SEPTEMBER, "site", site_months.pk))
    mode = FailureMode.objects.order_by("code").first()
    for expected in (
        "Monthly maintenance report",
        f"September 2026 · {site_months} · 2 equipment",
        "Failures 2 1",
        # September: (1440 − 10) h ÷ 2 failures = 715 h, 10 h ÷ 2 = 5 h; August: (1488 − 2) ÷ 1, 2 ÷ 1.
        "MTBF (h) 715.0 1486.0",
        "MTTR (h) 5.0 2.0",
        "Availability 99.31 % 99.87 %",
        "Downtime (h) 10.0 2.0",
        "Labour (h) 4.0 0.0",
        "Preventive/corrective ratio 0.00 —",
        "Schedule compliance 50.0 % —",
        "Backlog (orders) 2 2",
        "Backlog (h) 5.0 5.0",
        f"Cost €{4 * settings.MAINTENIR_LABOUR_HOURLY_COST:.2f} €0.00",
        "1 of 2 preventive orders due in the month done on time",
        "09/2026 2 715.0 5.0 99.31 %",
        "08/2026 1 1486.0 2.0 99.87 %",
        f"{mode.name} 2 100.0 %",
        "AHU-01 — Centrale de traitement d'air 1 50.0 %",
        "PMP-02 — Pompe de relevage 1 100.0 %",
        "2 open orders, 5.0 h estimated.",
        "Capteur à remplacer",
        "Visite annuelle pompe",
        "MTBF = operating time ÷ number of failures.",
    ):
        assert expected in text, (expected, text)


def test_a_month_without_work_says_so(manager: Any, site_a: Any) -> None:
    text = pdf_text(services.monthly_report(manager, SEPTEMBER, "site", site_a.pk))
    for expected in ("No failure in the month.", "No open order.", "every preventive order due in the month is done"):
        assert expected in text, expected


def test_the_report_queries_do_not_grow_with_the_backlog(
    manager: Any, site_months: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(10):
        WorkOrderFactory(equipment=EquipmentFactory(site=site_months), estimated_hours=Decimal(1))
    # A fixed number: the KPIs of the month, of the one before and of each month of the trend.
    with django_assert_max_num_queries(63):
        services.render_html(
            "reports/monthly.html", services.monthly_context(manager, SEPTEMBER, "site", site_months.pk)
        )


def test_only_managers_get_it(technician: Any, client_a: Any, site_months: Any) -> None:
    for user in (technician, client_a):
        with pytest.raises(PermissionDenied):
            services.monthly_context(user, SEPTEMBER, "site", site_months.pk)


def test_the_page_and_the_api_serve_it_to_managers_only(
    manager: Any, client_a: Any, technician: Any, site_months: Any
) -> None:
    query = f"?month=2026-09&scope=site&id={site_months.pk}"
    page = reverse("monthly-report")
    for url in (page, "/api/reports/monthly"):
        response = client_for(manager).get(url + query)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert "September 2026" in pdf_text(response.content)
        assert client_for(client_a).get(url + query).status_code == 403, url
        assert client_for(technician).get(url + query).status_code == 403, url
        assert client_for(manager).get(url + "?scope=site&id=999999").status_code == 404, url
    assert client_for(manager).get(page + "?month=2026-13").status_code == 400
    assert client_for(manager).get("/api/reports/monthly?month=2026-13").status_code == 422
    assert Client().get(page).status_code == 302
    kpis = reverse("reliability-scope", args=["site", site_months.pk])
    assert f"{page}?scope=site&amp;id={site_months.pk}" in client_for(manager).get(kpis).content.decode()
    assert page not in client_for(client_a).get(kpis).content.decode()
