"""The OpenAPI document and the interactive docs, served without any external host."""

import re

from django.test import Client

from maintenir.api import assets, workorders


def test_openapi_lists_every_route() -> None:
    response = Client().get("/api/openapi.json")
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


def test_openapi_documents_the_filters() -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    parameters = {parameter["name"] for parameter in paths["/api/work-orders"]["get"]["parameters"]}
    assert {"q", "status", "site", "assignee", "is_open", "overdue", "due_before", "limit", "offset"} <= parameters


def test_docs_load_no_external_asset() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert re.findall(r"https?://", html) == []
    bundled = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in bundled
    for url in bundled:
        assert Client().get(url).status_code == 200, url
