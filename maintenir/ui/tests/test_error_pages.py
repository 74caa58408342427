"""Pages that say something went wrong keep the site's menu and language; a refusal is one log line."""

import logging
from typing import Any

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import client_for

pytestmark = pytest.mark.django_db

MISSING = "/equipment/999999/"
NO_SUCH_ROUTE = "/no-such-page/"


def test_a_missing_page_keeps_the_menu_in_french(manager: Any) -> None:
    response = client_for(manager, HTTP_ACCEPT_LANGUAGE="fr").get(MISSING)
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="fr">' in page
    for text in ("Page introuvable", "Retour à l'accueil", 'id="main-nav"', "Ordres de travail", "Se déconnecter"):
        assert text in page, text
    assert "Not Found" not in page


def test_a_missing_page_without_login_has_no_menu() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(NO_SUCH_ROUTE)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'id="main-nav"' not in page


def test_a_refused_page_keeps_the_menu_and_logs_one_line(client_a: Any, caplog: pytest.LogCaptureFixture) -> None:
    path = reverse("monthly-report")
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client_for(client_a, HTTP_ACCEPT_LANGUAGE="fr").get(path)
    assert response.status_code == 403
    page = response.content.decode()
    for text in ("Accès refusé", 'id="main-nav"', "Seul un responsable"):
        assert text in page, text
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == f"Forbidden: {path} (user {client_a.username})"
    assert "Traceback" not in caplog.text


def test_the_api_still_answers_json(client_a: Any) -> None:
    response = client_for(client_a).get("/api/reports/monthly")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_the_server_error_page_needs_neither_request_nor_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        page = get_template("500.html").render()
    assert "Server error" in page
