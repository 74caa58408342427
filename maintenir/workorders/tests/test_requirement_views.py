"""Requirements on the work-order page and the work-type catalogue: who sees, who changes, and the assign form."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.people.choices import SkillLevel
from maintenir.people.tests.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory
from maintenir.workorders import services
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import WorkOrderRequirement, WorkTypeRequirement
from maintenir.workorders.tests.factories import (
    WorkOrderFactory,
    WorkOrderRequirementFactory,
    WorkTypeRequirementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(equipment_a: Any) -> Any:
    return WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED)


def test_anonymous_is_sent_to_login(order: Any) -> None:
    requirement = WorkOrderRequirementFactory(work_order=order)
    for response in (
        Client().get(reverse("worktype-requirements")),
        Client().post(reverse("workorder-requirement-add", args=[order.pk])),
        Client().post(reverse("workorder-requirement-delete", args=[requirement.pk])),
    ):
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert WorkOrderRequirement.objects.count() == 1


def test_other_client_gets_404_and_nothing_changes(client_b: Any, order: Any) -> None:
    requirement = WorkOrderRequirementFactory(work_order=order)
    client = client_for(client_b)
    assert client.post(reverse("workorder-requirement-delete", args=[requirement.pk])).status_code == 404
    assert client.post(reverse("workorder-requirement-add", args=[order.pk])).status_code == 404
    assert WorkOrderRequirement.objects.count() == 1


def test_client_sees_neither_the_requirements_nor_the_catalogue(client_a: Any, order: Any) -> None:
    WorkOrderRequirementFactory(work_order=order, skill=SkillFactory(name="Hydraulics"))
    client = client_for(client_a)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Hydraulics" not in page
    assert client.get(reverse("worktype-requirements")).status_code == 403


def test_technician_reads_but_may_not_change(technician: Any, order: Any) -> None:
    requirement = WorkOrderRequirementFactory(work_order=order, skill=SkillFactory(name="Hydraulics"))
    WorkTypeRequirementFactory(work_type=WorkOrderType.CORRECTIVE, skill=SkillFactory(name="Pneumatics"))
    client = client_for(technician)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Skill Hydraulics, level Autonomous" in page
    assert "Pneumatics" in page
    assert client.post(reverse("workorder-requirement-delete", args=[requirement.pk])).status_code == 403
    catalogue = client.get(reverse("worktype-requirements"))
    assert "Pneumatics" in catalogue.content.decode()
    assert client.post(reverse("worktype-requirements"), {"work_type": "corrective"}).status_code == 403
    assert WorkOrderRequirement.objects.count() == WorkTypeRequirement.objects.count() == 1


def test_manager_adds_and_removes_requirements(manager: Any, order: Any) -> None:
    skill = SkillFactory(name="Hydraulics")
    client = client_for(manager)
    response = client.post(
        reverse("workorder-requirement-add", args=[order.pk]),
        {"requirement-add-skill": skill.pk, "requirement-add-min_level": SkillLevel.EXPERT},
    )
    assert response.status_code == 302
    requirement = WorkOrderRequirement.objects.get(work_order=order)
    assert requirement.min_level == SkillLevel.EXPERT
    # Neither or two at once is refused, on the page, and nothing is written.
    response = client.post(reverse("workorder-requirement-add", args=[order.pk]), {})
    assert "exactly one of" in response.content.decode()
    client.post(reverse("workorder-requirement-delete", args=[requirement.pk]))
    assert not WorkOrderRequirement.objects.exists()
    response = client.post(
        reverse("worktype-requirements"),
        {"work_type": WorkOrderType.INSTALLATION, "skill": skill.pk, "min_level": SkillLevel.BASIC},
    )
    assert response.status_code == 302
    row = WorkTypeRequirement.objects.get()
    client.post(reverse("worktype-requirement-delete", args=[row.pk]))
    assert not WorkTypeRequirement.objects.exists()


def test_assign_form_says_who_lacks_what_and_the_page_shows_the_tutor(manager: Any, order: Any) -> None:
    skill = SkillFactory(name="Hydraulics")
    WorkOrderRequirementFactory(work_order=order, skill=skill)
    alice = TechnicianFactory(user__first_name="Alice", user__last_name="Martin")
    TechnicianSkillFactory(technician=alice, skill=skill)
    tom = TechnicianFactory(user__first_name="Tom", user__last_name="Petit", is_trainee=True)
    client = client_for(manager)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Tom Petit — lacks: skill Hydraulics, level Autonomous" in page
    assert "Alice Martin —" not in page
    services.assign_work_order(manager, order, [alice.user, tom.user])
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Tom Petit (trainee, with tutor Alice Martin)" in page
