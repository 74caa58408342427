"""Filters through the shared FilterSets, pagination and query budgets of the lists."""

from typing import Any

import pytest

from maintenir.api.tests.conftest import World, error_fields
from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.services import technology_tags
from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.workorders.tests.factories import WorkOrderFactory, WorkRequestFactory


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_filters_narrow_the_lists(as_user: Any, world: World, world_b: World, manager: Any) -> None:
    client = as_user(manager)
    assert _ids(client.get("/api/sites", {"q": world.site.name[:5]})) == {world.site.pk}
    assert _ids(client.get("/api/equipment", {"site": world_b.site.pk})) == {
        world_b.equipment.pk,
        world_b.equipment_down.pk,
    }
    assert _ids(client.get("/api/equipment", {"status": [EquipmentStatus.DOWN], "site": world.site.pk})) == set()
    assert _ids(client.get("/api/work-orders", {"status": ["planned", "on_hold"], "site": world.site.pk})) == {
        world.planned.pk,
        world.on_hold.pk,
    }
    assert world.done.pk not in _ids(client.get("/api/work-orders", {"is_open": "true"}))
    assert _ids(client.get("/api/work-requests", {"site": world.site.pk, "status": "submitted"})) == {
        world.work_request.pk
    }


def test_the_technology_filter(as_user: Any, world: World, manager: Any) -> None:
    world.equipment.technologies.set(technology_tags(["pneumatic"]))
    assert _ids(as_user(manager).get("/api/equipment", {"technology": "pneumatic"})) == {world.equipment.pk}


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/work-orders", {"status": "lost"}, "status"),
        ("/api/work-orders", {"due_before": "someday"}, "due_before"),
        ("/api/equipment", {"criticality": "extreme"}, "criticality"),
        ("/api/sites", {"organisation": "abc"}, "organisation"),
    ],
)
def test_an_invalid_filter_value_is_a_422_naming_it(
    as_user: Any, world: World, manager: Any, path: str, query: dict[str, str], field: str
) -> None:
    response = as_user(manager).get(path, query)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_another_clients_object_is_an_invalid_filter_not_a_leak(as_user: Any, world: World, world_b: World) -> None:
    """The FilterSet's choices are restricted to what the user may see."""
    client = as_user(world.work_request.reported_by)
    response = client.get("/api/equipment", {"site": world_b.site.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "site"]


def test_pagination(as_user: Any, world: World, manager: Any) -> None:
    client = as_user(manager)
    everything = client.get("/api/work-orders").json()
    first = client.get("/api/work-orders", {"limit": 2, "offset": 0}).json()
    second = client.get("/api/work-orders", {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == everything["count"] == len(everything["items"]) > 4
    assert [item["id"] for item in first["items"] + second["items"]] == [item["id"] for item in everything["items"][:4]]
    assert client.get("/api/work-orders", {"limit": 0}).status_code == 422


@pytest.mark.parametrize("path", ["/api/work-orders", "/api/work-requests", "/api/sites"])
def test_the_cursor_walks_every_row_once_in_order(as_user: Any, world: World, manager: Any, path: str) -> None:
    """Keyset lists (orders, requests) and lists ordered through a relation (sites, by offset) alike."""
    client = as_user(manager)
    everything = client.get(path).json()
    assert everything["next"] is None
    assert not everything["count_capped"]
    walked: list[int] = []
    query: dict[str, Any] = {"limit": 1}
    while True:
        page = client.get(path, query).json()
        assert page["count"] == everything["count"]
        walked += [item["id"] for item in page["items"]]
        if page["next"] is None:
            break
        query = {"limit": 1, "cursor": page["next"]}
    assert walked == [item["id"] for item in everything["items"]]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJvIjoxfQ:1abc:def"])
def test_a_cursor_not_made_by_the_list_is_a_422(
    as_user: Any, world: World, world_b: World, manager: Any, cursor: str
) -> None:
    response = as_user(manager).get("/api/work-orders", {"cursor": cursor})
    assert response.status_code == 422
    assert "cursor" in error_fields(response)
    # A cursor of another list's ordering is refused too.
    other = as_user(manager).get("/api/work-requests", {"limit": 1}).json()["next"]
    assert other is not None
    assert as_user(manager).get("/api/work-orders", {"cursor": other}).status_code == 422


def _many(world: World, technician: Any) -> None:
    """Ten more rows in every list, each with the relations their output shows."""
    for _ in range(10):
        equipment = EquipmentFactory(site=world.site)
        equipment.technologies.set(technology_tags(["electrical", "mechanical"]))
        WorkOrderFactory(equipment=equipment).assignees.add(technician)
        WorkRequestFactory(equipment=equipment, reported_by=technician)


# Session, user, count, page, plus one query per prefetched relation: never one per row.
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/api/sites", 4),
        ("/api/equipment", 5),
        ("/api/work-requests", 4),
        ("/api/work-orders", 5),
        ("/api/equipment-types", 4),
        ("/api/failure-modes", 4),
        ("/api/equipment/{w.equipment.pk}/changes", 6),
        ("/api/work-orders/{w.in_progress.pk}/transitions", 5),
    ],
)
def test_lists_keep_to_a_query_budget(
    as_user: Any,
    world: World,
    manager: Any,
    technician: Any,
    django_assert_max_num_queries: Any,
    path: str,
    budget: int,
) -> None:
    _many(world, technician)
    client = as_user(manager)
    with django_assert_max_num_queries(budget):
        response = client.get(path.format(w=world))
    assert response.status_code == 200
