"""The client's equipment-state report of a site over a period, read back from the PDF."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.reports import services
from maintenir.reports.tests.conftest import PERIOD
from maintenir.reports.tests.pdf import pdf_text
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.tests.factories import (
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def test_the_report_states_each_equipment_and_what_was_done_is_open_is_planned_and_recommended(
    client_a: Any, site_history: dict[str, Any]
) -> None:
    text = pdf_text(services.equipment_state_report(client_a, site_history["site"], PERIOD))
    next_visit = site_history["next_visit"].strftime("%m/%d/%Y")
    for expected in (
        "Equipment-state report",
        "Tertiaire Lumière · Siège Lumière · 11/02/2026 to 11/15/2026",
        # (336 − 12) ÷ 336 = 96.4 %: one failure, twelve hours down
        "In service 96.43 % 1 12 0",
        "Down down since 11/14/2026 6 a.m.",
        "Courroie ventilateur cassée",
        "Courroie remplacée, tension réglée.",
        "3.5",
        "Remplacer la garniture mécanique Planned",
        "Bruit anormal au démarrage",
        f"{next_visit} AHU-01 visite-cta",
        "AHU-01 — Variateur sur le ventilateur (approved)",
        "Mesurer l'intensité moteur at most 12 A 13.4 A",
    ):
        assert expected in text, (expected, text)
    assert "Hors période" not in text
    assert "Proposition refusée" not in text


def test_an_empty_site_says_so(client_a: Any, site_a: Any) -> None:
    text = pdf_text(services.equipment_state_report(client_a, site_a, PERIOD))
    for expected in (
        "No equipment.",
        "No work completed in the period.",
        "No open issue.",
        "No operation recommended.",
    ):
        assert expected in text, expected


def test_the_report_queries_do_not_grow_with_the_equipment(
    client_a: Any, site_history: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    site = site_history["site"]
    for _ in range(10):
        equipment = EquipmentFactory(site=site)
        WorkOrderFactory(equipment=equipment, status=WorkOrderStatus.APPROVED, work_type=WorkOrderType.CORRECTIVE)
    with django_assert_max_num_queries(20):
        services.render_html("reports/equipment_state.html", services.equipment_state_context(client_a, site, PERIOD))


def test_only_for_who_may_see_the_site(client_b: Any, training_staff: Any, site_a: Any) -> None:
    for user in (client_b, training_staff):
        with pytest.raises(PermissionDenied):
            services.equipment_state_report(user, site_a, PERIOD)


def test_the_page_and_the_api_serve_it_to_the_client_and_not_to_another(
    client_a: Any, client_b: Any, site_history: dict[str, Any]
) -> None:
    site = site_history["site"]
    query = "?start=2026-11-02&end=2026-11-15"
    page = reverse("equipment-state-report", args=[site.pk])
    api = f"/api/sites/{site.pk}/equipment-state-report"
    for url in (page, api):
        response = client_for(client_a).get(url + query)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert "11/02/2026 to 11/15/2026" in pdf_text(response.content)
        assert client_for(client_b).get(url + query).status_code == 404, url
    assert client_for(client_a).get(api + "?start=2026-11-15&end=2026-11-02").status_code == 422
    assert client_for(client_a).get(page + "?start=2026-11-15&end=2026-11-02").status_code == 400
    assert Client().get(page).status_code == 302
    assert page in client_for(client_a).get(reverse("site-detail", args=[site.pk])).content.decode()
