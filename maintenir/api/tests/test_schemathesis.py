"""Generated requests over the whole OpenAPI document, on the demo data, as a manager and as a client user: never a
server error, and every answer as the document says (status code, media type, body, headers)."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maintenir.core.models import User
from maintenir.core.services import issue_token
from maintenir.demo.services import build_demo
from maintenir.wsgi import application

# The negative-testing checks (negative_data_rejection, positive_data_acceptance…) are left out: a request valid by
# the document may still be refused for the state of the data (409) or the user's role (403).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# The demo's manager, and a user of one client organisation (the office building's). The coverage phase (values at
# and past each bound, missing fields, other methods) runs as the manager only: input is validated the same way for
# both, what differs for the client user is what they may see and do, which the examples and fuzzing exercise.
PERSONAS = {
    "manager": SchemathesisConfig.from_dict({}),
    "client-a": SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
}


@pytest.fixture(scope="module")
def requests_made(request: pytest.FixtureRequest) -> Iterator[list[int]]:
    """Count the requests the application handles, and report the count at the end."""
    made = [0]

    def count(**kwargs: Any) -> None:
        made[0] += 1

    request_started.connect(count, weak=False)
    yield made
    request_started.disconnect(count)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            checks = ", ".join(check.__name__ for check in CHECKS)
            reporter.write_line(f"Schemathesis: {made[0]} requests handled, checks: {checks}")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo data, built once for the module and rolled back at its end; each persona's run in a savepoint."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), transaction.atomic():
        assert build_demo() is True
        yield
        transaction.set_rollback(True)


@pytest.fixture
def same_connection() -> Iterator[None]:
    # The WSGI handler would close the connection that holds the test's transaction before and after each
    # request (as Django's test client, leave it open).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=PERSONAS)
def persona(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def token(persona: str, demo: None, db: None, same_connection: None) -> str:
    return issue_token(User.objects.get(username=persona))


@pytest.fixture
def api_schema(persona: str, token: str, requests_made: list[int]) -> Any:
    # Loaded with the persona's token: the document may be for signed-in users only.
    headers = {"Authorization": f"Bearer {token}"}
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=PERSONAS[persona], headers=headers)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_as_documented(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
