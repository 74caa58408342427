"""The intervention report costs parts from stock at their issue movement, free-text parts at their typed cost."""

from decimal import Decimal
from typing import Any

import pytest

from maintenir.reliability.tests.test_parts_cost import issued_and_typed
from maintenir.reports import services

pytestmark = pytest.mark.django_db


def test_parts_cost_from_the_issue_movement(manager: Any, equipment_a: Any) -> None:
    order = issued_and_typed(manager, equipment_a)
    context = services.intervention_context(manager, order)
    lines = [(part.description, unit_cost, cost) for part, unit_cost, cost in context["parts"]]
    assert lines[0][1:] == (Decimal("9.8286"), Decimal("68.8002"))
    assert lines[1:] == [("Joint torique Ø40", Decimal("12.50"), Decimal("25.00")), ("Chiffons", None, None)]
    assert context["parts_cost"] == Decimal("93.8002")
