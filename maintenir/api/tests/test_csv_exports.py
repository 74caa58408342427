"""The API's CSV exports write text a spreadsheet would run as a formula behind a quote."""

from typing import Any

import pytest

from maintenir.core.tests.clients import HOSTILE, client_for, csv_rows
from maintenir.devices.tests.factories import PointFactory
from maintenir.preventive.tests.factories import GammeStepFactory, TriggerFactory

pytestmark = pytest.mark.django_db


def test_point_list(technician: Any, equipment_a: Any) -> None:
    point = PointFactory(device__equipment=equipment_a, name=HOSTILE, unit="+HYPERLINK(1)", min_value=-2.5)
    [row] = csv_rows(client_for(technician).get(f"/api/devices/{point.device.pk}/points/export"))
    assert (row["name"], row["unit"], row["min_value"]) == ("'" + HOSTILE, "'+HYPERLINK(1)", "-2.5")


def test_gammes(manager: Any) -> None:
    GammeStepFactory(version__gamme__name=HOSTILE, version__gamme__description="\t=1", instruction="-x")
    [row] = csv_rows(client_for(manager).get("/api/gammes/export"))
    assert (row["name"], row["description"], row["instruction"]) == ("'" + HOSTILE, "'\t=1", "'-x")


def test_triggers(manager: Any) -> None:
    trigger = TriggerFactory(gamme=GammeStepFactory(version__gamme__code="@cta").version.gamme)
    [row] = csv_rows(client_for(manager).get("/api/triggers/export"))
    assert (row["gamme"], row["plan"]) == ("'@cta", str(trigger.plan_id))
