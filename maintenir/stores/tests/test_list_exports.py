"""Every stores list downloads as CSV and Excel, with the rows its page shows to that user and no other's."""

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maintenir.core.tests.clients import client_for
from maintenir.stores.models import CycleCount, Location, RepairableUnit, StockMovement

# (list, the model it lists) for the lists a client opens; their downloads hold that client's rows only.
CLIENT_LISTS = [
    ("location-list", Location),
    ("movement-list", StockMovement),
    ("cyclecount-list", CycleCount),
    ("repairable-list", RepairableUnit),
]
STAFF_LISTS = [
    "purchasing-reorder",
    "purchaserequest-list",
    "purchaseorder-list",
    "supplier-list",
    "critical-spares-short",
]


def rows(user: Any, name: str, kind: str) -> list[tuple[Any, ...]]:
    response = client_for(user).get(reverse(name), {"export": kind})
    assert response.status_code == 200, name
    assert response["Content-Disposition"].endswith(f'.{kind}"')
    if kind == "csv":
        return [tuple(line.split(",")) for line in response.content.decode().splitlines()]
    sheet: Any = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("name", "model"), CLIENT_LISTS)
def test_a_client_downloads_its_own_rows(
    tenant_world: None, client_a: Any, manager: Any, name: str, model: Any, kind: str
) -> None:
    own = model.objects.restrict(client_a).count()
    assert 0 < own < model.objects.count(), "the other client and the company have rows of their own"
    assert len(rows(client_a, name, kind)) == 1 + own
    assert len(rows(manager, name, kind)) == 1 + model.objects.restrict(manager).count()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("name", STAFF_LISTS)
def test_the_companys_lists_download_for_its_managers_only(
    tenant_world: None, manager: Any, client_a: Any, name: str, kind: str
) -> None:
    header, *_ = rows(manager, name, kind)
    assert all(header)
    assert client_for(client_a).get(reverse(name), {"export": kind}).status_code == 403
