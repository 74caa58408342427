"""Three personas over every list and detail: the owner client, the other client and the maintenance staff."""

from typing import Any

import pytest

from maintenir.api.tests.conftest import World

# (list path, attribute of the world whose id each organisation's objects show)
LISTS = [
    ("/api/sites", "site"),
    ("/api/equipment", "equipment"),
    ("/api/work-requests", "work_request"),
    ("/api/work-orders", "approved"),
    ("/api/maintenance-plans", "plan"),
    ("/api/triggers", "trigger"),
    ("/api/devices", "device"),
]
# Paths formatted with one organisation's world as `w`.
DETAILS = [
    "/api/sites/{w.site.pk}",
    "/api/equipment/{w.equipment.pk}",
    "/api/equipment/{w.equipment.pk}/changes",
    "/api/equipment/{w.equipment.pk}/counters",
    "/api/work-requests/{w.work_request.pk}",
    "/api/work-orders/{w.in_progress.pk}",
    "/api/work-orders/{w.in_progress.pk}/steps",
    "/api/work-orders/{w.in_progress.pk}/transitions",
    "/api/work-orders/{w.in_progress.pk}/changes",
    "/api/work-orders/{w.commissioning.pk}/commissioning-checks",
    "/api/work-orders/{w.commissioning.pk}/commissioning-report",
    "/api/maintenance-plans/{w.plan.pk}",
    "/api/triggers/{w.trigger.pk}",
    "/api/equipment/{w.equipment.pk}/next-due",
    "/api/devices/{w.device.pk}",
    "/api/devices/{w.device.pk}/points",
    "/api/points/{w.point.pk}/readings",
    "/api/points/{w.point.pk}/history",
]
# Persona → which organisations' data it sees.
SEES = {"client_a": {"a"}, "client_b": {"b"}, "manager": {"a", "b"}}


@pytest.fixture
def worlds(world: World, world_b: World) -> dict[str, World]:
    return {"a": world, "b": world_b}


@pytest.mark.parametrize("persona", SEES)
@pytest.mark.parametrize(("path", "attribute"), LISTS)
def test_lists_show_only_the_visible_organisations(
    request: pytest.FixtureRequest, as_user: Any, worlds: dict[str, World], persona: str, path: str, attribute: str
) -> None:
    response = as_user(request.getfixturevalue(persona)).get(path, {"limit": 1000})
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    for organisation, world in worlds.items():
        assert (getattr(world, attribute).pk in ids) == (organisation in SEES[persona])


@pytest.mark.parametrize("persona", SEES)
@pytest.mark.parametrize("path", DETAILS)
def test_details_are_found_only_in_the_visible_organisations(
    request: pytest.FixtureRequest, as_user: Any, worlds: dict[str, World], persona: str, path: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    for organisation, world in worlds.items():
        response = client.get(path.format(w=world))
        assert response.status_code == (200 if organisation in SEES[persona] else 404), (organisation, response.content)
