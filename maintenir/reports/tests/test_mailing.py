"""Reports e-mailed from their page and through the API: the PDF attached, the sending recorded."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.reports import mailing
from maintenir.reports.choices import ReportKind
from maintenir.reports.models import ReportMailing
from maintenir.reports.tests.conftest import PERIOD, SEPTEMBER
from maintenir.reports.tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def attached_text(message: Any) -> str:
    """The text of the one PDF attached to an e-mail."""
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".pdf")
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    return pdf_text(content)


def test_the_intervention_report_is_emailed_from_its_page(technician: Any, done_order: Any) -> None:
    organisation = done_order.site.organisation
    organisation.contact_email = "maintenance@lumiere.example"
    organisation.save()
    page = client_for(technician)
    url = reverse("intervention-report-send", args=[done_order.pk])
    form = page.get(url).content.decode()
    assert 'value="maintenance@lumiere.example"' in form  # the client's contact by default
    assert "Not sent yet." in form

    response = page.post(
        url, {"recipients": "maintenance@lumiere.example; a.roux@lumiere.example", "message": "Bonjour"}
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["maintenance@lumiere.example", "a.roux@lumiere.example"]
    assert message.subject == f"Intervention report {done_order.reference}"
    assert message.body.startswith("Bonjour")
    text = attached_text(message)
    for expected in (done_order.reference, "162.5 bar", "Total: 3.75 h", "Parts cost: €115.30"):
        assert expected in text, expected
    sent = ReportMailing.objects.get()
    assert (sent.kind, sent.work_order, sent.sent_by, sent.organisation) == (
        ReportKind.INTERVENTION,
        done_order,
        technician,
        organisation,
    )
    shown = page.get(url).content.decode()
    assert "Sent to maintenance@lumiere.example, a.roux@lumiere.example on" in shown


def test_the_client_emails_the_equipment_state_report_through_the_api(
    client_a: Any, site_history: dict[str, Any]
) -> None:
    site = site_history["site"]
    response = client_for(client_a).post(
        f"/api/sites/{site.pk}/equipment-state-report/email?start={PERIOD.first_day}&end={PERIOD.last_day}",
        {"recipients": ["direction@lumiere.example"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["recipients"] == ["direction@lumiere.example"]
    [message] = mail.outbox
    text = attached_text(message)
    for expected in ("Equipment-state report", "In service 96.43 % 1 12 0", "Courroie ventilateur cassée"):
        assert expected in text, expected
    listed = client_for(client_a).get("/api/report-mailings").json()["items"]
    assert [item["site"] for item in listed] == [site.pk]


def test_the_monthly_report_is_emailed_with_its_figures(manager: Any, site_months: Any) -> None:
    report = mailing.monthly(manager, SEPTEMBER, "site", site_months.pk)
    mailing.send_report(manager, report, ["direction@example.com"])
    text = attached_text(mail.outbox[0])
    for expected in ("Monthly maintenance report", "Failures 2 1", "MTBF (h) 715.0 1486.0", "MTTR (h) 5.0 2.0"):
        assert expected in text, expected
    assert mailing.sendings(manager, report).get().recipients == ["direction@example.com"]
    # A monthly report goes to no one by default: it is the managers' own.
    assert report.default_recipients == []


def test_a_bad_address_is_named_and_nothing_is_sent(technician: Any, done_order: Any) -> None:
    url = reverse("intervention-report-send", args=[done_order.pk])
    response = client_for(technician).post(url, {"recipients": "ok@example.com, pas-une-adresse", "message": ""})
    assert response.status_code == 200
    assert "Not an e-mail address: pas-une-adresse." in response.content.decode()
    api = client_for(technician).post(
        f"/api/work-orders/{done_order.pk}/intervention-report/email",
        {"recipients": ["ok@example.com", "@example"]},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert "@example" in api.content.decode()
    assert not mail.outbox
    assert not ReportMailing.objects.exists()


def test_only_reports_one_may_see_are_sent(
    client_b: Any, technician: Any, done_order: Any, site_months: Any, org_b: Any
) -> None:
    outsider = client_for(client_b)
    assert outsider.get(reverse("intervention-report-send", args=[done_order.pk])).status_code == 404
    assert (
        outsider.post(
            reverse("equipment-state-report-send", args=[site_months.pk]), {"recipients": "x@example.com"}
        ).status_code
        == 404
    )
    assert (
        outsider.post(
            f"/api/work-orders/{done_order.pk}/intervention-report/email",
            {"recipients": ["x@example.com"]},
            content_type="application/json",
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        mailing.monthly(technician, SEPTEMBER, "site", site_months.pk)
    monthly = client_for(technician).post(
        reverse("monthly-report-send") + f"?month=2026-09&scope=site&id={site_months.pk}",
        {"recipients": "x@example.com"},
    )
    assert monthly.status_code == 403
    assert not mail.outbox
    assert not ReportMailing.objects.exists()
