"""Tenant scoping of every restricted model, for every persona and action."""

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from maintenir.core.choices import Action, Role
from maintenir.core.models import RestrictedModel, User
from maintenir.core.tests.factories import UserFactory

RESTRICTED_MODELS = [
    *(model for model in apps.get_models() if issubclass(model, RestrictedModel)),
    User,
]
# Catalogues shared by every client: they carry no organisation.
# Gammes are the maintenance company's, applied to every client's equipment.
SHARED_CATALOGUES = {"assets.EquipmentType", "preventive.Gamme", "preventive.GammeVersion"} | {
    f"workorders.{name}" for name in ("FailureMode", "FailureMechanism", "FailureCause", "Remedy", "DetectionMethod")
}
# Reference data that a client organisation's user reads only where that organisation's own records
# use it: the paths from a row to those organisations.
USED_BY_ORGANISATION = {
    "preventive.Gamme": ("triggers__plan__site__organisation", "training_sessions__site__organisation"),
    "preventive.GammeVersion": (
        "gamme__triggers__plan__site__organisation",
        "gamme__training_sessions__site__organisation",
    ),
}
# The training centre's records belong to no client: client roles have no permission on them at all.
CERTIFICATION_RECORDS = {
    f"certification.{name}"
    for name in (
        *("RegulationVersion", "Title", "TitleVersion", "ActivityType", "Competence", "Ccs", "Correspondence"),
        *("Centre", "Candidate", "Path", "ExperiencePeriod", "Session", "JuryMember", "Registration"),
        *("EvaluationElement", "Decision", "GrantedCcp"),
    )
}
# The maintenance company's own staff records: no client role has any permission on them.
STAFF_RECORDS = {
    f"people.{name}"
    for name in ("Team", "Technician", "Skill", "TechnicianSkill", "HabilitationType", "Habilitation", "Absence")
} | {"people.OnCallDuty", "workorders.WorkTypeRequirement", "preventive.GammeStepRequirement"}
# Dispatch plans are the maintenance company's working documents, across its clients.
STAFF_RECORDS |= {"planning.DispatchPlan", "planning.PlannedVisit", "planning.UnplacedOrder"}
# Suppliers, their prices, reorder rules and purchases are the company's purchasing records.
STAFF_RECORDS |= {
    f"stores.{name}"
    for name in ("Supplier", "SupplierPart", "ReorderRule", "PurchaseRequest", "PurchaseOrder", "PurchaseOrderLine")
}
NO_CLIENT = SHARED_CATALOGUES | CERTIFICATION_RECORDS | STAFF_RECORDS
PERSONAS = [
    "administrator",
    "manager",
    "technician",
    "operator_a",
    "client_a",
    "client_b",
    "training_staff",
    "candidate_user",
]


def label(model: type) -> str:
    return str(model._meta.label)


@pytest.mark.parametrize("model", RESTRICTED_MODELS, ids=label)
def test_tenant_path_resolves_unless_shared_catalogue(model: Any, tenant_world: None, org_a: Any) -> None:
    if model.tenant_path is None:
        assert label(model) in NO_CLIENT
        return
    assert label(model) not in NO_CLIENT
    own = model.objects.filter(**{model.tenant_path: org_a.pk})
    others = model.objects.exclude(**{model.tenant_path: org_a.pk})
    if model is not User:
        assert own.exists(), "each organisation owns a row of this model"
        assert others.exists()


@pytest.mark.parametrize("model", RESTRICTED_MODELS, ids=label)
def test_restrict_for_every_persona_and_action(
    model: Any, tenant_world: None, request: pytest.FixtureRequest, org_a: Any, org_b: Any
) -> None:
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS}
    everything = set(model.objects.all())
    for persona, user in users.items():
        for action in Action:
            visible = set(model.objects.restrict(user, action))
            where = f"{persona} {action}"
            if user.role not in model.role_permissions.get(action, frozenset()):
                assert not visible, where
            elif user.role in model.self_roles:
                own = model.objects.filter(**{model.owner_path: user.pk}) if model.owner_path else model.objects.none()
                assert visible == set(own), where
            elif user.organisation_id is not None and label(model) in USED_BY_ORGANISATION:
                used = Q()
                for path in USED_BY_ORGANISATION[label(model)]:
                    used |= Q(**{path: user.organisation_id})
                assert visible == set(model.objects.filter(used)), where
            elif user.organisation_id is None or model.tenant_path is None:
                assert visible == everything, where
            else:
                assert visible == set(model.objects.filter(**{model.tenant_path: user.organisation_id})), where
                other = org_b if user.organisation_id == org_a.pk else org_a
                assert not visible & set(model.objects.filter(**{model.tenant_path: other.pk})), where
    for action in Action:
        assert not model.objects.restrict(AnonymousUser(), action).exists()
        assert not model.objects.restrict(None, action).exists()


@pytest.mark.parametrize("model", RESTRICTED_MODELS, ids=label)
def test_other_client_never_sees_rows(model: Any, tenant_world: None, client_b: Any, org_a: Any) -> None:
    if model.tenant_path is not None:
        assert not model.objects.restrict(client_b).filter(**{model.tenant_path: org_a.pk}).exists()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.OPERATOR])
def test_organisation_role_without_organisation_sees_nothing(role: str, tenant_world: None) -> None:
    # Such a user can only come from a path that skipped validation; fail closed rather than show every client.
    stray = UserFactory(username="stray", role=role, organisation=None)
    for model in RESTRICTED_MODELS:
        assert not model.objects.restrict(stray).exists(), label(model)


def test_inactive_user_gets_nothing(tenant_world: None, manager: Any) -> None:
    manager.is_active = False
    for model in RESTRICTED_MODELS:
        assert not model.objects.restrict(manager).exists(), label(model)


def test_superuser_sees_everything(tenant_world: None, client_a: Any) -> None:
    client_a.is_superuser = True
    for model in RESTRICTED_MODELS:
        assert model.objects.restrict(client_a, Action.DELETE).count() == model.objects.count(), label(model)
