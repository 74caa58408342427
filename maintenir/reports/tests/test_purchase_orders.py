"""The purchase order PDF and its sending to the supplier."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from maintenir.reports.purchase_orders import purchase_order_pdf
from maintenir.reports.tests.pdf import pdf_text
from maintenir.stores import purchasing
from maintenir.stores.choices import PurchaseOrderStatus
from maintenir.stores.tests.purchasing_factories import PurchaseOrderLineFactory


@pytest.fixture
def line(db: None) -> Any:
    return PurchaseOrderLineFactory(
        order__number="PO-2026-0042",
        order__status=PurchaseOrderStatus.DRAFT,
        order__supplier__name="Roulements du Rhône",
        part__reference="RLT-6205-SKF",
        supplier_reference="6205-2RSH",
        quantity=12,
        unit_price="7.8",
    )


def test_the_pdf_names_the_order_and_its_lines(manager: Any, line: Any) -> None:
    text = pdf_text(purchase_order_pdf(manager, line.order))
    assert "PO-2026-0042" in text
    assert "RLT-6205-SKF" in text
    assert "6205-2RSH" in text
    assert "€93.60" in text


def test_the_pdf_speaks_french_with_french_numbers(manager: Any, line: Any) -> None:
    with translation.override("fr"):
        text = pdf_text(purchase_order_pdf(manager, line.order))
    assert "Bon de commande" in text
    assert "93,60 €" in text


def test_a_client_may_not_render_an_order(client_a: Any, line: Any) -> None:
    with pytest.raises(PermissionDenied):
        purchase_order_pdf(client_a, line.order)


def test_sending_e_mails_the_pdf_to_the_supplier(manager: Any, line: Any) -> None:
    order = purchasing.send_order(manager, line.order, lambda order: purchase_order_pdf(manager, order))
    assert order.status == PurchaseOrderStatus.SENT
    assert (order.sent_by, order.expected) == (manager, timezone.localdate(order.sent_at))
    [email] = mail.outbox
    assert email.to == ["orders@roulements-rhone.example"]
    assert email.subject == "Purchase order PO-2026-0042"
    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == ("PO-2026-0042.pdf", "application/pdf")
    assert "RLT-6205-SKF" in pdf_text(content)
    with pytest.raises(ValidationError):
        purchasing.send_order(manager, order, lambda order: purchase_order_pdf(manager, order))


def test_a_supplier_without_an_address_gets_nothing(manager: Any, line: Any) -> None:
    line.order.supplier.email = ""
    line.order.supplier.save()
    with pytest.raises(ValidationError) as refused:
        purchasing.send_order(manager, line.order, lambda order: purchase_order_pdf(manager, order))
    assert "supplier" in refused.value.message_dict
    assert mail.outbox == []
    line.order.refresh_from_db()
    assert line.order.status == PurchaseOrderStatus.DRAFT
