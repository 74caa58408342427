"""The commissioning report: checks run against a real pymodbus server, then rendered by WeasyPrint."""

import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.devices.choices import DataType, RegisterType
from maintenir.devices.tests.factories import DeviceFactory, PointFactory
from maintenir.devices.tests.peers import modbus_peer_in_thread
from maintenir.reports import services
from maintenir.workorders import commissioning
from maintenir.workorders import services as wo
from maintenir.workorders.choices import SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.tests.factories import PNG_BASE64, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_order(equipment_a: Any, technician: Any) -> Any:
    """A commissioning order with one check passed, one failed, signed with a reservation."""
    order = WorkOrderFactory(
        equipment=equipment_a,
        work_type=WorkOrderType.INSTALLATION,
        status=WorkOrderStatus.IN_PROGRESS,
        title="Mise en service éclairage plateau",
        assignees=[technician],
    )
    with modbus_peer_in_thread(holding={10: 0}) as peer:
        device = DeviceFactory(equipment=equipment_a, name="Contrôleur éclairage KNX/Modbus", port=peer.port)
        coil = {"register_type": RegisterType.COIL, "data_type": DataType.BOOL, "address": "3", "unit": ""}
        command = PointFactory(device=device, name="circuit_1_command", writable=True, **coil)
        status = PointFactory(device=device, name="circuit_1_status", **coil)
        fault = PointFactory(device=device, name="fault", address="10", data_type=DataType.UINT16, unit="")
        add = commissioning.add_check
        add(
            technician,
            order,
            name="Circuit 1 allumé",
            command_point=command,
            command_value=1,
            point=status,
            expected_value=1,
        )
        add(technician, order, name="Défaut câblé", point=fault, expected_value=1, timeout=0.3)
        commissioning.run_all(technician, order)
    wo.sign_off(
        technician,
        order,
        SignOffRole.TECHNICIAN,
        "Julien Moreau",
        signature=f"data:image/png;base64,{PNG_BASE64}",
        reservations="Contact de défaut à câbler par le lot électricité.",
    )
    return order


def test_the_report_lists_every_check_its_result_and_the_reservations(technician: Any, signed_order: Any) -> None:
    context = services.commissioning_context(technician, signed_order)
    html = services.render_html("reports/commissioning.html", context)
    for text in (
        "Tertiaire Lumière",
        signed_order.site.name,
        signed_order.equipment.code,
        "Contrôleur éclairage KNX/Modbus",
        "Circuit 1 allumé",
        "Défaut câblé",
        "Passed",
        "Failed",
        "= 1 within 5 s",
        "Contact de défaut à câbler par le lot électricité.",
        "Julien Moreau",
        f'src="data:image/png;base64,{PNG_BASE64}"',
    ):
        assert text in html, text
    assert "Provisional" not in html
    document = services.render_document(html)
    assert len(document.pages) >= 1
    assert document.write_pdf().startswith(b"%PDF-")
    assert {font.family for font in document.fonts.values()} == {"DejaVu Sans"}


def test_the_pdf_renders_without_a_warning(
    technician: Any, signed_order: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = services.commissioning_report(technician, signed_order)
    assert pdf.startswith(b"%PDF-")
    assert not caplog.records  # the signature (a data: URL) loaded, nothing refused


def test_an_unsigned_order_gives_a_report_marked_as_a_draft(technician: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, work_type=WorkOrderType.INSTALLATION)
    html = services.render_html("reports/commissioning.html", services.commissioning_context(technician, order))
    assert "<h1>Commissioning report — Draft — not signed off</h1>" in html
    assert "Draft — not signed off: this order has not been signed off yet" in html
    assert "No commissioning check." in html
    assert services.commissioning_filename(order) == f"{order.reference}-commissioning-draft.pdf"


def test_the_draft_and_then_the_final_report_from_the_order_page_and_the_api(technician: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(
        equipment=equipment_a,
        work_type=WorkOrderType.INSTALLATION,
        status=WorkOrderStatus.IN_PROGRESS,
        assignees=[technician],
    )
    client = client_for(technician)
    url = reverse("commissioning-report", args=[order.pk])
    page = client.get(order.get_absolute_url()).content.decode()
    link = page[page.index(f'href="{url}"') :]
    assert "Draft — not signed off" in link[: link.index("</p>")]
    draft = client.get(url)
    assert f'filename="{order.reference}-commissioning-draft.pdf"' in draft["Content-Disposition"]
    french = client_for(technician, HTTP_ACCEPT_LANGUAGE="fr").get(order.get_absolute_url()).content.decode()
    assert "Brouillon — non signé" in french

    wo.sign_off(
        technician, order, SignOffRole.TECHNICIAN, "Julien Moreau", signature=f"data:image/png;base64,{PNG_BASE64}"
    )
    page = client.get(order.get_absolute_url()).content.decode()
    link = page[page.index(f'href="{url}"') :]
    assert "Draft" not in link[: link.index("</p>")]
    final = client.get(f"/api/work-orders/{order.pk}/commissioning-report")
    assert f'filename="{order.reference}-commissioning.pdf"' in final["Content-Disposition"]
    html = services.render_html("reports/commissioning.html", services.commissioning_context(technician, order))
    assert "Draft" not in html


def test_only_commissioning_orders_have_one_and_only_for_who_may_see_them(
    technician: Any, client_b: Any, equipment_a: Any, signed_order: Any
) -> None:
    with pytest.raises(ValidationError):
        services.commissioning_report(technician, WorkOrderFactory(equipment=equipment_a))
    with pytest.raises(PermissionDenied):
        services.commissioning_report(client_b, signed_order)


def test_the_fetcher_reads_only_local_static_media_and_data_urls(settings: Any, tmp_path: Any) -> None:
    fetcher = services.LocalFetcher()
    assert fetcher.fetch("file:///static/ui/maintenir.css").read().startswith(b"/*")
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "plan.txt").write_text("plan")
    assert fetcher.fetch("file:///media/plan.txt").read() == b"plan"
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"
    for refused in (
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/static/ui/maintenir.css",
        "file:///etc/passwd",
        "file:///media/../../etc/passwd",
        "file:///static/../settings.py",
        "file://remote-host/static/ui/maintenir.css",
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


def test_a_remote_image_in_a_report_is_not_fetched(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        services.render_document('<img src="https://example.com/logo.png"><p>Report</p>')
    assert any("not fetched: https://example.com/logo.png" in record.getMessage() for record in caplog.records)


# --- The page serving it ---------------------------------------------------------------------


def test_the_client_downloads_its_report_and_the_other_client_gets_404(
    client_a: Any, client_b: Any, signed_order: Any, equipment_a: Any
) -> None:
    url = reverse("commissioning-report", args=[signed_order.pk])
    response = client_for(client_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert client_for(client_b).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    corrective = WorkOrderFactory(equipment=equipment_a)
    assert client_for(client_a).get(reverse("commissioning-report", args=[corrective.pk])).status_code == 404
