"""The OpenAPI document and the interactive docs, served without any external host, to API users only."""

import re
from typing import Any

import pytest
from django.test import Client

from maintenir.api import assets, workorders
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
