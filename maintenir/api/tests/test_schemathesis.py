"""Generated requests over the whole OpenAPI document, on the demo data, as a manager and as a client user: never a
server error, and every answer as the document says (status code, media type, body, headers)."""

import itertools
import random
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

from maintenir.assets.models import Counter, Equipment, Site
from maintenir.certification import models as certification
from maintenir.core.models import User
from maintenir.core.services import issue_token
from maintenir.demo.services import build_demo
from maintenir.devices.models import Application, Device, ParameterSet, Point
from maintenir.people import models as people
from maintenir.planning.models import DispatchPlan
from maintenir.preventive.models import Gamme, MaintenancePlan, TrainingSession, Trigger
from maintenir.reliability.models import ImprovementProposal
from maintenir.workorders import models as workorders
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
# and past each bound, missing fields) runs as the manager only: input is validated the same way for both, what
# differs for the client user is what they may see and do, which the examples and fuzzing exercise. Methods a path
# does not have all meet the same JSON 405 (test_input_limits): not probed path by path.
PERSONAS = {
    "manager": SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}}),
    "client-a": SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
}


# The model of each kind of id in the paths, by the path segment before it: generated ids would name no object, so
# each request names one of the demo's (seen or not by the user, in any state).
OBJECTS: dict[str, Any] = {
    "absences": people.Absence,
    "applications": Application,
    "calls": workorders.OnCallCall,
    "candidates": certification.Candidate,
    "ccps": certification.ActivityType,
    "commissioning-checks": workorders.CommissioningCheck,
    "counters": Counter,
    "decisions": certification.Decision,
    "devices": Device,
    "downtimes": workorders.Downtime,
    "equipment": Equipment,
    "gammes": Gamme,
    "habilitation-types": people.HabilitationType,
    "habilitations": people.Habilitation,
    "improvement-proposals": ImprovementProposal,
    "jury": certification.JuryMember,
    "lockout-steps": workorders.LockoutStep,
    "maintenance-plans": MaintenancePlan,
    "parameter-sets": ParameterSet,
    "paths": certification.Path,
    "plans": DispatchPlan,
    "points": Point,
    "prevention-plans": people.PreventionPlan,
    "registrations": certification.Registration,
    "risks": people.SiteRisk,
    "sessions": certification.Session,
    "sites": Site,
    "steps": workorders.ChecklistStep,
    "technician-skills": people.TechnicianSkill,
    "technicians": people.Technician,
    "titles": certification.Title,
    "training-sessions": TrainingSession,
    "triggers": Trigger,
    "work-order-requirements": workorders.WorkOrderRequirement,
    "work-orders": workorders.WorkOrder,
    "work-requests": workorders.WorkRequest,
    "work-type-requirements": workorders.WorkTypeRequirement,
}


def name_demo_objects(case: Any, ids: dict[str, list[int]]) -> None:
    """Put ids of demo objects in the case's path, where it has a valid id (an invalid one stays, to be refused)."""
    parts = case.operation.path.split("/")
    chosen = random.Random(repr(case.path_parameters))
    for segment, part in itertools.pairwise(parts):
        name = part.strip("{}")
        value = (case.path_parameters or {}).get(name)
        if part.startswith("{") and ids.get(segment) and isinstance(value, int) and 0 < value < 2**63:
            case.path_parameters[name] = chosen.choice(ids[segment])


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


@pytest.fixture
def demo_ids(demo: None, db: None) -> dict[str, list[int]]:
    return {segment: list(model._default_manager.values_list("pk", flat=True)) for segment, model in OBJECTS.items()}


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
def test_every_answer_is_as_documented(case: Any, token: str, demo_ids: dict[str, list[int]]) -> None:
    name_demo_objects(case, demo_ids)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
