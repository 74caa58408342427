"""Bearer tokens and Django sessions; anonymous calls are refused."""

import datetime
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.http import HttpRequest
from django.test import Client

from maintenir.api.tests.conftest import World
from maintenir.core.models import ObjectChange
from maintenir.core.services import issue_token
from maintenir.workorders.models import WorkRequest


def test_a_bearer_token_authenticates_and_is_the_acting_user(world: World, client_a: Any) -> None:
    key = issue_token(client_a)
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get(f"/api/sites/{world.site.pk}").status_code == 200
    response = client.post(
        "/api/work-requests", {"site": world.site.pk, "symptom": "Door stuck"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["reported_by"] == client_a.pk
    change = ObjectChange.objects.filter(object_id=response.json()["id"], action="create").first()
    assert change is not None
    assert change.user == client_a


def test_a_wrong_token_is_unauthorised(world: World, client_a: Any) -> None:
    issue_token(client_a)
    client = Client(headers={"Authorization": "Bearer not-a-token"})
    assert client.get("/api/sites").status_code == 401


def test_an_inactive_users_token_is_unauthorised(world: World, client_a: Any) -> None:
    key = issue_token(client_a)
    client_a.is_active = False
    client_a.save()
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/sites").status_code == 401


def test_the_session_authenticates(world: World, client_a: Any) -> None:
    client = Client()
    # The login throttle needs the request, which the test client does not give.
    assert client.login(request=HttpRequest(), username=client_a.username, password="secret-password")
    response = client.get("/api/sites")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_the_session_needs_the_csrf_token_for_writes(world: World, client_a: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(client_a)
    body = {"site": world.site.pk, "symptom": "Door stuck"}
    refused = client.post("/api/work-requests", body, content_type="application/json")
    assert refused.status_code == 403
    assert not WorkRequest.objects.filter(symptom="Door stuck").exists()

    client.get("/api/docs")  # a page that renders the CSRF token, which sets its cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post("/api/work-requests", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_anonymous_post_without_csrf_is_unauthorised_not_forbidden(world: World) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/work-requests", {"site": world.site.pk, "symptom": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_repeated_bad_tokens_from_one_address_are_throttled(world: World, client_a: Any) -> None:
    attacker = Client(headers={"Authorization": "Bearer not-a-token"}, REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        assert attacker.get("/api/sites").status_code == 401
    throttled = attacker.get("/api/sites")
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == str(15 * 60)
    assert "Too many failed authentication attempts" in throttled.json()["detail"]
    assert AccessAttempt.objects.get(ip_address="203.0.113.9").path_info == "/api/sites"

    # Another address is not concerned, and a valid token still works from the throttled one.
    assert Client(headers={"Authorization": "Bearer not-a-token"}).get("/api/sites").status_code == 401
    key = issue_token(client_a)
    valid = Client(headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR="203.0.113.9")
    assert valid.get("/api/sites").status_code == 200

    # The throttle lifts once the lock has passed.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    assert attacker.get("/api/sites").status_code == 401
