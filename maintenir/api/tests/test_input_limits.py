"""Input no database can store answers a 422 naming the field, and every error of the API is JSON."""

from typing import Any

import pytest
from django.test import Client

from maintenir.api import workorders
from maintenir.api.tests.conftest import World, call, error_fields
from maintenir.core.tests.tables import snapshot

HUGE = 2**70

# (method, path, persona, body or None, field the error must name)
HUGE_INTEGERS: list[tuple[str, str, str, Any, str]] = [
    ("get", f"/api/work-orders?limit={HUGE}", "manager", None, "limit"),
    ("get", f"/api/equipment?offset={HUGE}", "manager", None, "offset"),
    ("get", f"/api/work-orders?site={HUGE}", "manager", None, "site"),
    ("get", f"/api/equipment?site={HUGE}", "client_a", None, "site"),
    ("get", f"/api/devices?equipment={HUGE}", "technician", None, "equipment"),
    ("get", f"/api/report-mailings?site={HUGE}", "manager", None, "site"),
    ("get", f"/api/preventive/forecast?site={HUGE}", "manager", None, "site"),
    ("post", "/api/work-requests/{w.work_request.pk}/approve", "manager", {"assignees": [HUGE]}, "assignees"),
    (
        "post",
        "/api/work-orders",
        "manager",
        lambda w: {"site": w.site.pk, "title": "T", "equipment": HUGE},
        "equipment",
    ),
    ("post", "/api/sites", "manager", {"organisation": HUGE, "code": "x", "name": "X"}, "organisation"),
    ("patch", "/api/equipment/{w.equipment.pk}", "manager", {"site": HUGE}, "site"),
    ("post", "/api/training-sessions", "manager", lambda w: {"site": w.site.pk, "gammes": [HUGE]}, "gammes"),
]


@pytest.mark.parametrize(("method", "path", "persona", "body", "field"), HUGE_INTEGERS)
def test_an_integer_past_64_bits_is_refused_naming_the_field(
    request: pytest.FixtureRequest,
    as_user: Any,
    world: World,
    method: str,
    path: str,
    persona: str,
    body: Any,
    field: str,
) -> None:
    client = as_user(request.getfixturevalue(persona))
    before = snapshot()
    data = body(world) if callable(body) else body
    response = call(client, method, path.format(w=world), data)
    assert response.status_code == 422, response.content
    assert field in error_fields(response), response.json()
    assert snapshot() == before


# (path, persona, field): a text field that may be blank but not null.
NULLED_TEXT: list[tuple[str, str, str]] = [
    ("/api/sites/{w.site.pk}", "manager", "description"),
    ("/api/equipment/{w.equipment.pk}", "manager", "manufacturer"),
    ("/api/work-orders/{w.approved.pk}", "manager", "description"),
    ("/api/maintenance-plans/{w.plan.pk}", "manager", "description"),
    ("/api/risks/{w.risk.pk}", "manager", "measures"),
    ("/api/points/{w.point.pk}", "manager", "description"),
    ("/api/people/technicians/{w.people.profile.pk}", "manager", "phone"),
]


@pytest.mark.parametrize(("path", "persona", "field"), NULLED_TEXT)
def test_null_for_a_field_that_cannot_be_null_is_refused_naming_it(
    request: pytest.FixtureRequest, as_user: Any, world: World, path: str, persona: str, field: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    before = snapshot()
    response = call(client, "patch", path.format(w=world), {field: None})
    assert response.status_code == 422, response.content
    assert error_fields(response) == {field}, response.json()
    assert snapshot() == before


def test_a_field_left_out_of_a_patch_keeps_its_value(as_user: Any, world: World, manager: Any) -> None:
    world.site.description = "Kept"
    world.site.save()
    response = call(as_user(manager), "patch", f"/api/sites/{world.site.pk}", {"name": "Renamed"})
    assert response.status_code == 200, response.content
    world.site.refresh_from_db()
    assert (world.site.name, world.site.description) == ("Renamed", "Kept")


# (path, persona, raw JSON body, field): a lone surrogate or NUL, as a client can send them.
UNSTORABLE_TEXT: list[tuple[str, str, str, str, str]] = [
    ("post", "/api/work-orders", "manager", '{"site": %(site)d, "title": "x\\ud800y"}', "title"),
    ("post", "/api/work-orders", "manager", '{"site": %(site)d, "title": "x\\u0000y"}', "title"),
    ("post", "/api/work-requests", "client_a", '{"site": %(site)d, "symptom": "a\\udfffb"}', "symptom"),
    ("patch", "/api/sites/%(site)d", "manager", '{"description": "nul\\u0000"}', "description"),
    ("patch", "/api/equipment/%(equipment)d", "manager", '{"name": "\\ud83d"}', "name"),
    ("post", "/api/work-requests/%(request)d/reject", "manager", '{"reason": "\\u0000"}', "reason"),
]


@pytest.mark.parametrize(("method", "path", "persona", "raw", "field"), UNSTORABLE_TEXT)
def test_a_lone_surrogate_or_nul_in_text_is_refused_naming_the_field(
    request: pytest.FixtureRequest,
    as_user: Any,
    world: World,
    method: str,
    path: str,
    persona: str,
    raw: str,
    field: str,
) -> None:
    client = as_user(request.getfixturevalue(persona))
    ids = {"site": world.site.pk, "equipment": world.equipment.pk, "request": world.work_request.pk}
    before = snapshot()
    response = getattr(client, method)(path % ids, (raw % ids).encode(), content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in error_fields(response), response.json()
    assert snapshot() == before


def test_a_surrogate_pair_is_text_like_any_other(as_user: Any, world: World, manager: Any) -> None:
    raw = b'{"description": "\\ud83d\\udd27"}'
    response = as_user(manager).patch(f"/api/sites/{world.site.pk}", raw, content_type="application/json")
    assert response.status_code == 200, response.content
    world.site.refresh_from_db()
    assert world.site.description == "\U0001f527"


def test_unparsable_json_is_a_json_400(as_user: Any, world: World, manager: Any) -> None:
    response = as_user(manager).post("/api/work-orders", b'{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_an_unexpected_error_is_a_json_500_without_internals(
    monkeypatch: pytest.MonkeyPatch, world: World, manager: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(workorders, "filtered", broken)
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    response = client.get("/api/work-orders")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": "Internal server error."}
    assert "secret internals" in caplog.text


@pytest.mark.parametrize("path", ["/api/no-such-thing", "/api/work-orders/1/no-such-action", "/api/"])
def test_an_unknown_api_path_is_a_json_404(as_user: Any, manager: Any, path: str) -> None:
    response = as_user(manager).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_stays_an_html_page(as_user: Any, manager: Any) -> None:
    response = as_user(manager).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_path_does_not_have_is_a_json_405(as_user: Any, manager: Any) -> None:
    response = as_user(manager).delete("/api/work-orders")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed."}
    assert "GET" in response["Allow"]


# (method, path, persona, body, field): a text longer than the model's field takes.
TOO_LONG: list[tuple[str, str, str, Any, str]] = [
    ("patch", "/api/sites/{w.site.pk}", "manager", {"name": "x" * 201}, "name"),
    ("patch", "/api/work-orders/{w.approved.pk}", "manager", {"description": "x" * 10_001}, "description"),
    ("patch", "/api/work-requests/{w.work_request.pk}", "manager", {"symptom": "x" * 4001}, "symptom"),
    ("patch", "/api/maintenance-plans/{w.plan.pk}", "manager", {"name": "x" * 201}, "name"),
    ("post", "/api/work-orders/{w.in_progress.pk}/time", "technician", {"hours": "1", "note": "x" * 201}, "note"),
    ("patch", "/api/points/{w.point.pk}", "manager", {"unit": "x" * 21}, "unit"),
    ("patch", "/api/people/technicians/{w.people.profile.pk}", "manager", {"phone": "x" * 51}, "phone"),
    ("patch", "/api/risks/{w.risk.pk}", "manager", {"hazard": "x" * 201}, "hazard"),
    ("post", "/api/improvement-proposals/{w.proposal.pk}/reject", "manager", {"note": "x" * 10_001}, "note"),
]


@pytest.mark.parametrize(("method", "path", "persona", "body", "field"), TOO_LONG)
def test_a_text_longer_than_its_field_is_refused_naming_it(
    request: pytest.FixtureRequest,
    as_user: Any,
    world: World,
    method: str,
    path: str,
    persona: str,
    body: Any,
    field: str,
) -> None:
    client = as_user(request.getfixturevalue(persona))
    before = snapshot()
    response = call(client, method, path.format(w=world), body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == {field}, response.json()
    assert snapshot() == before


@pytest.mark.parametrize("raw", [b"[]", b"[1]", b'"text"', b"3", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_refused(as_user: Any, world: World, manager: Any, raw: bytes) -> None:
    before = snapshot()
    response = as_user(manager).post("/api/preventive/generate", raw, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert snapshot() == before


def test_a_time_of_day_with_a_time_zone_is_refused(as_user: Any, world: World, manager: Any) -> None:
    path = f"/api/people/technicians/{world.people.profile.pk}"
    response = call(as_user(manager), "patch", path, {"work_start": "07:30:00Z"})
    assert response.status_code == 422, response.content
    assert error_fields(response) == {"work_start"}
    response = call(as_user(manager), "patch", path, {"work_start": "07:30"})
    assert response.status_code == 200, response.content
    assert response.json()["work_start"] == "07:30:00"


@pytest.mark.parametrize(
    "query",
    ["start=0001-01-01&end=9999-12-31", "start=1900-01-01", "end=9999-12-31", "start=2010-01-01&end=2020-01-01"],
)
def test_a_reliability_period_is_at_most_ten_years(as_user: Any, world: World, manager: Any, query: str) -> None:
    response = as_user(manager).get(f"/api/reliability/trend?{query}")
    assert response.status_code == 422, response.content
    assert error_fields(response) & {"start", "end"}
    assert as_user(manager).get("/api/reliability/trend?start=2010-02-01&end=2020-01-31").status_code == 200
