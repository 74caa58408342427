"""Bad input on every create endpoint: a 422 naming the field, and nothing written."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from maintenir.api.tests.conftest import World, call, error_fields
from maintenir.core.tests.tables import snapshot

# (path, persona, body, field the error must name)
BAD_INPUT: list[tuple[str, str, Callable[[World], dict[str, Any]], str]] = [
    ("/api/sites", "manager", lambda w: {"organisation": w.site.organisation_id, "code": "x"}, "name"),
    (
        "/api/sites",
        "manager",
        lambda w: {"organisation": w.site.organisation_id, "code": "no spaces", "name": "X"},
        "code",
    ),
    ("/api/sites", "manager", lambda w: {"organisation": 999999, "code": "x", "name": "X"}, "organisation"),
    (
        "/api/sites",
        "manager",
        lambda w: {"organisation": w.site.organisation_id, "code": w.site.code, "name": "Same code"},
        "__all__",
    ),
    (
        "/api/equipment",
        "technician",
        lambda w: {"site": w.site.pk, "code": "E1", "name": "E", "equipment_type": 999999},
        "equipment_type",
    ),
    (
        "/api/equipment",
        "technician",
        lambda w: {
            "site": w.site.pk,
            "code": "E1",
            "name": "E",
            "equipment_type": w.equipment.equipment_type_id,
            "installation_date": "2026-01-10",
            "warranty_end": "2025-01-10",
        },
        "warranty_end",
    ),
    (
        "/api/equipment",
        "technician",
        lambda w: {
            "site": w.site.pk,
            "code": "E1",
            "name": "E",
            "equipment_type": w.equipment.equipment_type_id,
            "technologies": ["telepathy"],
        },
        "technologies",
    ),
    (
        "/api/equipment/{w.equipment.pk}/counters/{w.counter.pk}/readings",
        "technician",
        lambda w: {"value": -1},
        "value",
    ),
    ("/api/equipment/{w.equipment.pk}/downtimes", "technician", lambda w: {"cause": "boredom"}, "cause"),
    ("/api/equipment/{w.equipment_down.pk}/downtimes", "technician", lambda w: {"cause": "failure"}, "equipment"),
    ("/api/work-requests", "client_a", lambda w: {"site": w.site.pk, "symptom": ""}, "symptom"),
    ("/api/work-requests", "client_a", lambda w: {"site": w.site.pk, "symptom": "x", "equipment": 999999}, "equipment"),
    (
        "/api/work-requests/{w.work_request.pk}/approve",
        "manager",
        lambda w: {"assignees": [999999]},
        "assignees",
    ),
    ("/api/work-requests/{w.work_request.pk}/reject", "manager", lambda w: {"reason": " "}, "reason"),
    ("/api/work-orders", "manager", lambda w: {"site": w.site.pk}, "title"),
    ("/api/work-orders", "manager", lambda w: {"site": w.site.pk, "title": "T", "priority": 9}, "priority"),
    (
        "/api/work-orders",
        "manager",
        lambda w: {
            "site": w.site.pk,
            "title": "T",
            "steps": [{"instruction": "x", "expected_min": 5, "expected_max": 1}],
        },
        "expected_max",
    ),
    ("/api/work-orders/{w.in_progress.pk}/time", "technician", lambda w: {"hours": 30}, "hours"),
    (
        "/api/work-orders/{w.in_progress.pk}/parts",
        "technician",
        lambda w: {"description": "x", "quantity": 0},
        "quantity",
    ),
    (
        "/api/work-orders/{w.in_progress.pk}/failure-coding",
        "technician",
        lambda w: {"failure_mode": "NO-SUCH-CODE"},
        "failure_mode",
    ),
    (
        "/api/work-orders/{w.in_progress.pk}/sign-offs",
        "technician",
        lambda w: {"role": "technician", "name": "T", "signature": "javascript:alert(1)"},
        "signature",
    ),
    ("/api/work-orders/{w.approved.pk}/plan", "manager", lambda w: {"assignees": []}, "assignees"),
    (
        "/api/gammes",
        "manager",
        lambda w: {"code": "g1", "name": "G", "steps": [{"instruction": ""}]},
        "steps.1.instruction",
    ),
    (
        "/api/gammes",
        "manager",
        lambda w: {
            "code": "g1",
            "name": "G",
            "steps": [
                {"instruction": "Ok"},
                {"instruction": "Measure", "unit": "bar", "expected_min": 7, "expected_max": 5},
            ],
        },
        "steps.2.expected_max",
    ),
    ("/api/gammes", "manager", lambda w: {"code": w.gamme.code, "name": "Same code", "steps": []}, "code"),
    ("/api/maintenance-plans", "manager", lambda w: {"site": w.site.pk, "name": ""}, "name"),
    (
        "/api/triggers",
        "manager",
        lambda w: {"plan": w.plan.pk, "gamme": w.gamme.pk, "equipment": w.equipment.pk, "kind": "calendar"},
        "interval",
    ),
    (
        "/api/triggers",
        "manager",
        lambda w: {
            "plan": w.plan.pk,
            "gamme": w.gamme.pk,
            "equipment": w.equipment.pk,
            "kind": "condition",
            "counter_kind": "cycles",
            "operator": "outside",
            "threshold": 10,
        },
        "threshold_high",
    ),
    (
        "/api/triggers",
        "manager",
        lambda w: {"plan": w.plan.pk, "gamme": w.gamme.pk, "kind": "calendar", "interval": 1},
        "equipment",
    ),
    (
        "/api/devices",
        "technician",
        lambda w: {"equipment": w.equipment.pk, "name": "D", "protocol": "smoke", "host": "h"},
        "protocol",
    ),
    (
        "/api/devices/{w.device.pk}/points",
        "technician",
        lambda w: {"name": "p", "address": "forty", "register_type": "holding", "data_type": "uint16"},
        "address",
    ),
]


@pytest.mark.parametrize(
    ("path", "persona", "body", "field"), BAD_INPUT, ids=[f"{p} {f}" for p, _u, _b, f in BAD_INPUT]
)
def test_bad_input_names_the_field_and_writes_nothing(
    request: pytest.FixtureRequest, as_user: Any, world: World, path: str, persona: str, body: Any, field: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    before = snapshot()
    response = call(client, "post", path.format(w=world), body(world))
    assert response.status_code == 422, response.content
    expected = "body" if field == "__all__" else field
    assert expected in error_fields(response), response.json()
    assert snapshot() == before


def test_a_refused_transition_is_a_conflict(as_user: Any, world: World, manager: Any) -> None:
    before = snapshot()
    response = as_user(manager).post(f"/api/work-orders/{world.done.pk}/approve")
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "status"]
    assert snapshot() == before


def test_patch_never_changes_the_status(as_user: Any, world: World, manager: Any) -> None:
    response = call(
        as_user(manager), "patch", f"/api/work-orders/{world.approved.pk}", {"status": "closed", "title": "T"}
    )
    assert response.status_code == 200
    world.approved.refresh_from_db()
    assert (world.approved.status, world.approved.title) == ("approved", "T")


def test_a_counter_reading_cannot_go_down(as_user: Any, world: World, technician: Any) -> None:
    path = f"/api/equipment/{world.equipment.pk}/counters/{world.counter.pk}/readings"
    client = as_user(technician)
    assert call(client, "post", path, {"value": 100}).status_code == 201
    response = call(client, "post", path, {"value": 50})
    assert response.status_code == 422
    assert error_fields(response) == {"value"}
    counters = client.get(f"/api/equipment/{world.equipment.pk}/counters").json()
    assert Decimal(counters[0]["value"]) == 100


def test_a_refused_plan_transition_is_a_conflict(as_user: Any, world: World, manager: Any) -> None:
    client = as_user(manager)
    assert client.post(f"/api/maintenance-plans/{world.plan.pk}/archive").status_code == 200
    before = snapshot()
    response = client.post(f"/api/maintenance-plans/{world.plan.pk}/activate")
    assert response.status_code == 409
    assert error_fields(response) == {"status"}
    assert snapshot() == before
