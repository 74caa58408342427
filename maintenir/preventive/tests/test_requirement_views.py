"""What a gamme's steps require, on the gamme page: managers add and remove, the others read or see nothing."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.people.tests.factories import habilitation_type
from maintenir.preventive.models import GammeStepRequirement
from maintenir.preventive.tests.factories import GammeStepFactory, GammeStepRequirementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requirement() -> Any:
    """Step 1 of a gamme requires the B1V habilitation."""
    return GammeStepRequirementFactory(habilitation_type=habilitation_type("B1V"), step=GammeStepFactory())


def urls(requirement: Any) -> tuple[str, str]:
    return (
        reverse("gamme-step-requirement-add", args=[requirement.step.pk]),
        reverse("gamme-step-requirement-delete", args=[requirement.pk]),
    )


def requirements() -> list[Any]:
    return list(GammeStepRequirement.objects.values())


def test_the_anonymous_are_sent_to_log_in(requirement: Any) -> None:
    add, delete = urls(requirement)
    assert Client().get(add).url.startswith(reverse("login"))
    assert Client().post(delete).url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["client_a", "operator_a", "technician"])
def test_only_managers_change_the_requirements(request: Any, persona: str, requirement: Any) -> None:
    client = client_for(request.getfixturevalue(persona))
    add, delete = urls(requirement)
    before = requirements()
    assert client.get(add).status_code in (403, 404)
    assert client.post(add, {"habilitation_type": habilitation_type("H0V").pk}).status_code in (403, 404)
    assert client.post(delete).status_code in (403, 404)
    assert requirements() == before


def test_a_technician_reads_and_an_operator_does_not(technician: Any, operator_a: Any, requirement: Any) -> None:
    url = requirement.step.version.gamme.get_absolute_url()
    page = client_for(technician).get(url).content.decode()
    assert "Habilitation B1V" in page
    assert "Add a requirement" not in page
    assert "Habilitation B1V" not in client_for(operator_a).get(url).content.decode()


def test_a_manager_adds_and_removes_a_requirement(manager: Any, requirement: Any) -> None:
    client = client_for(manager)
    add, delete = urls(requirement)
    gamme_url = requirement.step.version.gamme.get_absolute_url()
    assert "Add a requirement" in client.get(gamme_url).content.decode()
    response = client.post(add, {"habilitation_type": habilitation_type("H0V").pk})
    assert response.url == f"{gamme_url}#steps"
    assert requirement.step.requirements.filter(habilitation_type__code="H0V").exists()
    assert client.post(delete).status_code == 302
    assert not GammeStepRequirement.objects.filter(pk=requirement.pk).exists()


def test_a_skill_without_its_level_names_the_field_and_writes_nothing(manager: Any, requirement: Any) -> None:
    add, _delete = urls(requirement)
    skill = GammeStepRequirementFactory().skill
    before = requirements()
    response = client_for(manager).post(add, {"skill": skill.pk})
    assert response.status_code == 200
    assert "min_level" in response.context["form"].errors
    assert requirements() == before
