"""Three personas over every list and detail: the owner client, the other client and the maintenance staff."""

from typing import Any

import pytest

from maintenir.api.tests.conftest import World
from maintenir.devices.tests.factories import ParameterSetFactory
from maintenir.preventive.tests.factories import GammeStepFactory

# (list path, attribute of the world whose id each organisation's objects show)
LISTS = [
    ("/api/sites", "site"),
    ("/api/equipment", "equipment"),
    ("/api/work-requests", "work_request"),
    ("/api/work-orders", "approved"),
    ("/api/maintenance-plans", "plan"),
    ("/api/triggers", "trigger"),
    ("/api/devices", "device"),
    ("/api/parameter-sets", "parameter_set"),
    ("/api/parts", "part"),
    ("/api/stock-locations", "store"),
    ("/api/cycle-counts", "counting"),
    ("/api/repairable-units", "unit"),
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
    "/api/parts/{w.part.pk}",
    "/api/parts/{w.part.pk}/offers",
    "/api/cycle-counts/{w.counting.pk}",
    "/api/parts/{w.part.pk}/where-used",
    "/api/equipment/{w.equipment.pk}/spare-parts",
    "/api/repairable-units/{w.unit.pk}",
    "/api/repairable-units/{w.unit.pk}/events",
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


def test_an_operator_reads_the_gammes_of_its_own_plans_only(
    as_user: Any, world: World, world_b: World, operator_a: Any, manager: Any
) -> None:
    """Gammes are the company's reference data; to an operator, only those its client's plans (or its
    site's training sessions) use are its data: not a generic gamme, not another client's."""
    generic = GammeStepFactory().version.gamme
    client = as_user(operator_a)
    listed = {item["id"] for item in client.get("/api/gammes", {"limit": 1000}).json()["items"]}
    assert {world.gamme.pk, world.level_one_gamme.pk} <= listed
    assert not {world_b.gamme.pk, world_b.level_one_gamme.pk, generic.pk} & listed
    assert client.get(f"/api/gammes/{world.gamme.pk}").status_code == 200
    for hidden in (world_b.gamme, generic):
        assert client.get(f"/api/gammes/{hidden.pk}").status_code == 404
        assert client.get(f"/api/gammes/{hidden.pk}/versions").status_code == 404
    exported = client.get("/api/gammes/export").content.decode()
    assert world.gamme.code in exported
    assert world_b.gamme.code not in exported
    assert generic.code not in exported
    staff = {item["id"] for item in as_user(manager).get("/api/gammes", {"limit": 1000}).json()["items"]}
    assert {world.gamme.pk, world_b.gamme.pk, generic.pk} <= staff


def test_a_company_parameter_set_is_for_the_staff_only(as_user: Any, world: World, client_a: Any, manager: Any) -> None:
    template = ParameterSetFactory()
    assert template.pk not in {item["id"] for item in as_user(client_a).get("/api/parameter-sets").json()["items"]}
    assert template.pk in {item["id"] for item in as_user(manager).get("/api/parameter-sets").json()["items"]}


# Purchasing is the company's: every list refuses a client's user, every object is not found for them.
PURCHASING_LISTS = ["/api/suppliers", "/api/reorder-rules", "/api/reorder-proposals", "/api/purchase-requests"]
PURCHASING_DETAILS = [
    "/api/suppliers/{w.purchasing.supplier.pk}",
    "/api/suppliers/{w.purchasing.supplier.pk}/parts",
    "/api/purchase-orders/{w.purchasing.sent.pk}",
    "/api/purchase-orders/{w.purchasing.sent.pk}/pdf",
]


@pytest.mark.parametrize("persona", ["client_a", "operator_a", "manager", "technician"])
def test_purchasing_is_for_the_companys_staff_only(
    request: pytest.FixtureRequest, as_user: Any, world: World, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    staff = persona in {"manager", "technician"}
    for path in [*PURCHASING_LISTS, "/api/purchase-orders"]:
        assert client.get(path).status_code == (200 if staff else 403), path
    for path in PURCHASING_DETAILS:
        assert client.get(path.format(w=world)).status_code == (200 if staff else 404), path
    if staff:
        listed = {item["id"] for item in client.get("/api/purchase-orders").json()["items"]}
        assert {world.purchasing.sent.pk, world.purchasing.draft.pk} <= listed
