"""Generated requests over the whole OpenAPI document: whatever a client sends, never a server error."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from maintenir.api.tests.conftest import World
from maintenir.core.services import issue_token
from maintenir.wsgi import application

with override_settings(MAINTENIR_PUBLIC_API_DOCS=True):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def manager_token(world: World, manager: Any) -> Iterator[str]:
    # The WSGI handler would close the connection that holds the test's transaction before and after each
    # request (as Django's test client, leave it open).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield issue_token(manager)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_is_a_server_error(case: Any, manager_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {manager_token}"}, checks=[not_a_server_error])
