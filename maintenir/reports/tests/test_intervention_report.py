"""The intervention report of a work order, read back from the PDF."""

import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.reports import services
from maintenir.reports.tests.pdf import pdf_text
from maintenir.workorders.tests.factories import (
    ChecklistStepFactory,
    TimeEntryFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def test_the_report_shows_what_was_found_done_measured_used_and_signed(
    technician: Any, done_order: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = services.intervention_report(technician, done_order)
    assert not caplog.records  # the photo (a media file) and the signature loaded
    text = pdf_text(pdf)
    mode, cause = done_order.failure_mode, done_order.failure_cause
    for expected in (
        "Intervention report",
        done_order.reference,
        "Tertiaire Lumière",
        "Siège Lumière",
        "AHU-01",
        "Flaque d'huile sous le vérin",
        "Joint de tige usé, remplacé.",
        f"{mode.code} — {mode.name}",
        f"{cause.code} — {cause.name}",
        "Mesurer la pression hydraulique",
        "between 150 and 180 bar",
        "162.5 bar",
        "at most 60 °C 71.2 °C out of range",
        "Total: 3.75 h",
        "Kit joints vérin 2 €37.40 €74.80",
        "Huile HV46 5 €8.10 €40.50",
        "Parts cost: €115.30",
        "3.5",
        "Agnès Roux",
        "Photos",
    ):
        assert expected in text, expected
    assert "162.5 bar out of range" not in text
    assert "Provisional" not in text


def test_an_order_without_records_gives_a_provisional_report(technician: Any, equipment_a: Any) -> None:
    text = pdf_text(services.intervention_report(technician, WorkOrderFactory(equipment=equipment_a)))
    for expected in ("Provisional", "Not coded.", "No step.", "No time booked.", "No part used.", "Not signed yet."):
        assert expected in text, expected
    assert "Photos" not in text


def test_the_report_queries_do_not_grow_with_its_rows(
    technician: Any, done_order: Any, django_assert_max_num_queries: Any
) -> None:
    for position in range(3, 13):
        ChecklistStepFactory(work_order=done_order, position=position, is_done=True, done_by=technician)
        TimeEntryFactory(work_order=done_order, technician=technician)
    with django_assert_max_num_queries(9):
        services.render_html("reports/intervention.html", services.intervention_context(technician, done_order))


def test_only_for_who_may_see_the_order(client_b: Any, training_staff: Any, done_order: Any) -> None:
    for user in (client_b, training_staff):
        with pytest.raises(PermissionDenied):
            services.intervention_report(user, done_order)


def test_the_page_and_the_api_serve_it_to_the_client_and_not_to_another(
    client_a: Any, client_b: Any, training_staff: Any, done_order: Any
) -> None:
    page = reverse("intervention-report", args=[done_order.pk])
    api = f"/api/work-orders/{done_order.pk}/intervention-report"
    for url in (page, api):
        response = client_for(client_a).get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert done_order.reference in pdf_text(response.content)
        assert client_for(client_b).get(url).status_code == 404, url
    assert client_for(training_staff).get(page).status_code == 404
    assert Client().get(page).status_code == 302
    detail = client_for(client_a).get(reverse("workorder-detail", args=[done_order.pk]))
    assert page in detail.content.decode()
