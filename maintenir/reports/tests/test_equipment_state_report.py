"""The client's equipment-state report of a site over a period, read back from the PDF."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.preventive import services as preventive
from maintenir.preventive.choices import IntervalUnit
from maintenir.preventive.tests.factories import GammeFactory, MaintenancePlanFactory, TriggerFactory
from maintenir.reliability.choices import ProposalStatus
from maintenir.reliability.services import Period
from maintenir.reliability.tests.factories import ImprovementProposalFactory
from maintenir.reports import services
from maintenir.reports.tests.pdf import pdf_text
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.tests.factories import (
    ChecklistStepFactory,
    DowntimeFactory,
    TimeEntryFactory,
    WorkOrderFactory,
    WorkRequestFactory,
)

pytestmark = pytest.mark.django_db

# Two weeks away from a daylight-saving change: 336 hours.
PERIOD = Period.of_days(datetime.date(2026, 11, 2), datetime.date(2026, 11, 15))


def at(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour))


@pytest.fixture
def site_history(equipment_a: Any, manager: Any, technician: Any) -> dict[str, Any]:
    """AHU-01 failed once in the period (12 h down, repaired); PMP-02 is down since before it."""
    site = equipment_a.site
    pump = EquipmentFactory(site=site, code="PMP-02", name="Pompe de relevage", status=EquipmentStatus.DOWN)
    DowntimeFactory(equipment=pump, cause=DowntimeCause.FAILURE, started_at=at(14, 6))
    repair = WorkOrderFactory(
        equipment=equipment_a,
        title="Courroie ventilateur cassée",
        status=WorkOrderStatus.DONE,
        findings="Courroie remplacée, tension réglée.",
        completed_at=at(5, 19),
    )
    WorkOrder.objects.filter(pk=repair.pk).update(created=at(5, 8))
    DowntimeFactory(
        equipment=equipment_a, work_order=repair, cause=DowntimeCause.FAILURE, started_at=at(5, 8), ended_at=at(5, 20)
    )
    TimeEntryFactory(work_order=repair, technician=technician, date=datetime.date(2026, 11, 5), hours=Decimal("3.5"))
    ChecklistStepFactory(
        work_order=repair,
        instruction="Mesurer l'intensité moteur",
        unit="A",
        expected_max=Decimal(12),
        measured_value=Decimal("13.4"),
        is_done=True,
        done_at=at(5, 18),
    )
    before = WorkOrderFactory(equipment=equipment_a, title="Hors période", status=WorkOrderStatus.DONE)
    WorkOrder.objects.filter(pk=before.pk).update(completed_at=at(1, 12))
    WorkOrderFactory(equipment=pump, title="Remplacer la garniture mécanique", status=WorkOrderStatus.PLANNED)
    WorkRequestFactory(equipment=pump, symptom="Bruit anormal au démarrage")
    ImprovementProposalFactory(
        equipment=equipment_a, title="Variateur sur le ventilateur", status=ProposalStatus.APPROVED
    )
    ImprovementProposalFactory(equipment=equipment_a, title="Proposition refusée", status=ProposalStatus.REJECTED)
    gamme = GammeFactory(code="visite-cta")
    preventive.publish_gamme(manager, gamme, [{"instruction": "Changer les filtres", "duration_minutes": 30}])
    trigger = TriggerFactory.build(
        plan=MaintenancePlanFactory(site=site),
        equipment=equipment_a,
        gamme=gamme,
        interval=1,
        interval_unit=IntervalUnit.MONTH,
        start_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    preventive.save_trigger(manager, trigger)
    return {"site": site, "pump": pump, "next_visit": trigger.start_date}


def test_the_report_states_each_equipment_and_what_was_done_is_open_is_planned_and_recommended(
    client_a: Any, site_history: dict[str, Any]
) -> None:
    text = pdf_text(services.equipment_state_report(client_a, site_history["site"], PERIOD))
    next_visit = site_history["next_visit"].strftime("%m/%d/%Y")
    for expected in (
        "Equipment-state report",
        "Tertiaire Lumière · Siège Lumière · 11/02/2026 to 11/15/2026",
        # (336 − 12) ÷ 336 = 96.4 %: one failure, twelve hours down
        "In service 96 % 1 12 0",
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
