"""The OpenAPI document and the interactive docs, served without any external host, to API users only."""

import json
import re
from typing import Any

import pytest
from django.test import Client
from ninja.openapi.schema import OpenAPISchema
from ninja.responses import NinjaJSONEncoder

from maintenir.api import assets, workorders
from maintenir.api.main import api
from maintenir.core.services import issue_token


@pytest.fixture
def reader(technician: Any) -> Client:
    client = Client()
    client.force_login(technician)
    return client


def test_openapi_lists_every_route(reader: Client) -> None:
    response = reader.get("/api/openapi.json")
    assert response.status_code == 200
    documented = {(method, path) for path, operations in response.json()["paths"].items() for method in operations}
    declared = {
        (method.lower(), "/api" + path)
        for router in (assets.router, workorders.router)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert declared <= documented
    assert len(declared) > 40


def test_openapi_documents_the_filters(reader: Client) -> None:
    paths = reader.get("/api/openapi.json").json()["paths"]
    parameters = {parameter["name"] for parameter in paths["/api/work-orders"]["get"]["parameters"]}
    assert {"q", "status", "site", "assignee", "is_open", "overdue", "due_before", "limit", "offset"} <= parameters


def test_docs_load_no_external_asset(reader: Client) -> None:
    response = reader.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert re.findall(r"https?://", html) == []
    bundled = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in bundled
    for url in bundled:
        assert Client().get(url).status_code == 200, url


def test_anonymous_users_get_neither_the_docs_nor_the_description(db: None) -> None:
    description = Client().get("/api/openapi.json")
    assert description.status_code == 401
    assert description.json() == {"detail": "Unauthorized"}
    docs = Client().get("/api/docs")
    assert docs.status_code == 302
    assert docs.url == "/login/?next=/api/docs"
    assert Client(headers={"Authorization": "Bearer not-a-token"}).get("/api/openapi.json").status_code == 401


def test_a_bearer_token_reads_the_description(technician: Any) -> None:
    client = Client(headers={"Authorization": f"Bearer {issue_token(technician)}"})
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Maintenir API"


def test_the_docs_can_be_opened_to_anyone(settings: Any, db: None) -> None:
    settings.MAINTENIR_PUBLIC_API_DOCS = True
    assert Client().get("/api/openapi.json").status_code == 200
    assert Client().get("/api/docs").status_code == 200


def document() -> dict[str, Any]:
    """The OpenAPI document as /api/openapi.json serves it."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="api/"), cls=NinjaJSONEncoder))


def test_no_two_schemas_share_a_name() -> None:
    """Ninja files every schema under its class name: a second schema of that name would silently replace the
    first, and the document would describe one body or enum with another's fields or values."""
    seen: dict[str, Any] = {}
    clashes: set[str] = set()

    class Recording(OpenAPISchema):
        def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
            for name, definition in definitions.items():
                if seen.setdefault(name, definition) != definition:
                    clashes.add(name)
            super().add_schema_definitions(definitions)

    Recording(api, "api/")
    assert clashes == set()
    assert len(seen) > 150


def test_the_three_plan_bodies_are_documented_apart() -> None:
    paths = document()["paths"]
    bodies = {
        path: paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for path in ("/api/maintenance-plans", "/api/work-orders/{order_id}/plan", "/api/planning/plans")
    }
    assert bodies == {
        "/api/maintenance-plans": "MaintenancePlanIn",
        "/api/work-orders/{order_id}/plan": "WorkOrderPlanIn",
        "/api/planning/plans": "DispatchPlanIn",
    }


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/gammes/export", "text/csv"),
        ("/api/triggers/export", "text/csv"),
        ("/api/devices/{device_id}/points/export", "text/csv"),
        ("/api/work-orders/{order_id}/intervention-report", "application/pdf"),
        ("/api/certification/decisions/{decision_id}/parchemin", "application/pdf"),
    ],
)
def test_files_are_documented_in_their_media_type(path: str, media_type: str) -> None:
    responses = document()["paths"][path]["get"]["responses"]
    assert list(responses["200"]["content"]) == [media_type]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/api/work-orders", {"200", "401", "403", "422"}),
        ("get", "/api/work-orders/{order_id}", {"200", "401", "403", "404", "422"}),
        ("post", "/api/work-orders", {"201", "400", "401", "403", "413", "422"}),
        ("post", "/api/work-orders/{order_id}/start", {"200", "401", "403", "404", "409", "422"}),
        ("post", "/api/work-orders/{order_id}/hold", {"200", "400", "401", "403", "404", "409", "413", "422"}),
        ("get", "/api/reliability/kpis", {"200", "401", "403", "404", "422"}),
        ("get", "/api/people/teams", {"200", "401", "403", "422"}),
    ],
)
def test_the_error_statuses_are_documented(method: str, path: str, statuses: set[str]) -> None:
    responses = document()["paths"][path][method]["responses"]
    assert set(responses) == statuses
    errors = {
        status: responses[status]["content"]["application/json"]["schema"] for status in statuses - {"200", "201"}
    }
    expected = {status: "FieldErrorsOut" if status in {"409", "422"} else "ErrorOut" for status in errors}
    assert {status: schema["$ref"].rsplit("/", 1)[1] for status, schema in errors.items()} == expected


def test_a_time_of_day_is_documented_without_an_offset() -> None:
    schemas = document()["components"]["schemas"]
    for name in ("TechnicianIn", "TechnicianOut"):
        work_start = schemas[name]["properties"]["work_start"]
        assert "format" not in work_start
        assert re.fullmatch(work_start["pattern"], "08:00:00")
        assert re.fullmatch(work_start["pattern"], "08:00")
        assert not re.fullmatch(work_start["pattern"], "08:00:00Z")
