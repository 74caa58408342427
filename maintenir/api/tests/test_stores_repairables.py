"""The where-used and repairables API beyond permissions: shortages, transitions and their refusals."""

from decimal import Decimal
from typing import Any

from maintenir.api.tests.conftest import World


def test_the_spare_parts_list_says_a_critical_spare_is_short(world: World, as_user: Any, manager: Any) -> None:
    """The world's part: 4 on hand in the client's store, 10 to keep for its equipment."""
    [line] = as_user(manager).get(f"/api/equipment/{world.equipment.pk}/spare-parts").json()
    # Decimals as the database holds them: "4" on SQLite, "4.000" on PostgreSQL.
    assert (line["part"], Decimal(line["available"]), line["short"], Decimal(line["missing"])) == (
        world.part.pk,
        4,
        True,
        6,
    )
    short = as_user(manager).get("/api/critical-spares-short").json()
    assert [(item["equipment"], item["part"]) for item in short] == [(world.equipment.pk, world.part.pk)]


def test_a_unit_goes_round_and_its_history_follows(world: World, as_user: Any, technician: Any, manager: Any) -> None:
    client = as_user(technician)
    unit = f"/api/repairable-units/{world.unit.pk}"
    json = "application/json"
    assert client.post(f"{unit}/fit", {"equipment": world.equipment.pk}, content_type=json).json()["status"] == "fitted"
    refused = client.post(f"{unit}/fit", {"equipment": world.equipment.pk}, content_type=json)
    assert refused.status_code == 409
    assert refused.json()["detail"][0]["loc"] == ["body", "status"]
    client.post(f"{unit}/remove", {"failed": True}, content_type=json)
    client.post(f"{unit}/send-for-repair", {"repairer_name": "Atelier Servo Rhône"}, content_type=json)
    back = as_user(manager).post(
        f"{unit}/return-from-repair", {"location": world.store.pk, "cost": "420"}, content_type=json
    )
    assert (back.json()["status"], back.json()["location"]) == ("in_stock", world.store.pk)
    kinds = [event["kind"] for event in client.get(f"{unit}/events").json()]
    assert kinds == ["back_from_repair", "sent_for_repair", "removed_failed", "fitted"]


def test_a_working_removal_needs_a_location(world: World, as_user: Any, technician: Any) -> None:
    response = as_user(technician).post(
        f"/api/repairable-units/{world.fitted_unit.pk}/remove", {"failed": False}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "location"]
