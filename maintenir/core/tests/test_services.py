"""Saving under permission checks, users and API tokens."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenir.assets.models import Equipment, Site
from maintenir.core.choices import Role
from maintenir.core.models import ApiToken, ObjectChange, User
from maintenir.core.services import (
    check_model_permission,
    create_user,
    delete_restricted,
    issue_token,
    save_restricted,
    user_for_token,
)
from maintenir.core.tests.factories import UserFactory


@pytest.fixture
def manager_of_a(org_a: Any) -> Any:
    """In-house staff attached to one client: they see only that client."""
    return UserFactory(username="manager-a", role=Role.MANAGER, organisation=org_a)


@pytest.mark.parametrize("persona", ["client_a", "manager_of_a"])
def test_cannot_create_in_an_invisible_organisation(persona: str, request: pytest.FixtureRequest, org_b: Any) -> None:
    user = request.getfixturevalue(persona)
    changes = ObjectChange.objects.count()
    with pytest.raises(PermissionDenied):
        save_restricted(user, Site(organisation=org_b, code="intrus", name="Intrus"))
    assert not Site.objects.filter(code="intrus").exists()
    assert ObjectChange.objects.count() == changes


def test_staff_with_organisation_creates_in_it(manager_of_a: Any, org_a: Any) -> None:
    site = save_restricted(manager_of_a, Site(organisation=org_a, code="annexe", name="Annexe"))
    assert Site.objects.filter(pk=site.pk, organisation=org_a).exists()


def test_cannot_move_an_object_to_an_invisible_organisation(manager_of_a: Any, site_a: Any, org_b: Any) -> None:
    changes = ObjectChange.objects.count()
    site_a.organisation = org_b
    with pytest.raises(PermissionDenied):
        save_restricted(manager_of_a, site_a)
    assert Site.objects.get(pk=site_a.pk).organisation_id != org_b.pk
    assert ObjectChange.objects.count() == changes


def test_cannot_change_an_object_of_another_client(client_b: Any, site_a: Any) -> None:
    site_a.name = "Renamed"
    with pytest.raises(PermissionDenied):
        save_restricted(client_b, site_a)
    assert Site.objects.get(pk=site_a.pk).name == "Siège Lumière"


def test_invalid_object_is_not_saved(manager: Any, site_a: Any, site_b: Any, equipment_b: Any) -> None:
    changes = ObjectChange.objects.count()
    equipment = Equipment(
        site=site_a, parent=equipment_b, code="X", name="X", equipment_type=equipment_b.equipment_type
    )
    with pytest.raises(ValidationError):
        save_restricted(manager, equipment)
    assert not Equipment.objects.filter(code="X").exists()
    assert ObjectChange.objects.count() == changes


def test_delete_needs_the_role(technician: Any, manager: Any, site_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        delete_restricted(technician, site_a)
    assert Site.objects.filter(pk=site_a.pk).exists()
    delete_restricted(manager, site_a)
    assert not Site.objects.filter(pk=site_a.pk).exists()


def test_inactive_user_has_no_model_permission(manager: Any) -> None:
    manager.is_active = False
    with pytest.raises(PermissionDenied):
        check_model_permission(manager, "add", Site)


@pytest.mark.parametrize("role", [Role.CLIENT, Role.OPERATOR])
def test_organisation_roles_require_an_organisation(role: str, org_a: Any) -> None:
    with pytest.raises(ValidationError) as error:
        User(username="someone", role=role).full_clean(exclude=["password"])
    assert "organisation" in error.value.message_dict
    User(username="someone", role=role, organisation=org_a).full_clean(exclude=["password"])
    with pytest.raises(ValidationError):
        create_user("someone", "a-long-password", role)
    assert not User.objects.filter(username="someone").exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN])
def test_staff_need_no_organisation(role: str, db: None) -> None:
    user = create_user("someone", "a-long-password", role)
    assert user.check_password("a-long-password")
    assert user.organisation is None


def test_token_is_stored_as_digest_only(technician: Any) -> None:
    key = issue_token(technician, "tablet")
    token = ApiToken.objects.get(user=technician)
    assert key not in {token.digest, token.prefix}
    assert token.digest == ApiToken.digest_of(key)
    assert token.prefix == key[:8]
    assert token.last_used is None
    assert user_for_token(key) == technician
    token.refresh_from_db()
    assert token.last_used is not None


def test_unknown_key_and_inactive_user_are_refused(technician: Any) -> None:
    key = issue_token(technician)
    assert user_for_token(key + "x") is None
    technician.is_active = False
    technician.save()
    assert user_for_token(key) is None


def test_a_token_s_last_use_is_written_once_a_minute(technician: Any) -> None:
    key = issue_token(technician)
    user_for_token(key)
    first = ApiToken.objects.get(user=technician).last_used
    with CaptureQueriesContext(connection) as queries:
        assert user_for_token(key) == technician
    assert len(queries) == 1
    assert ApiToken.objects.get(user=technician).last_used == first
    ApiToken.objects.filter(user=technician).update(last_used=first - datetime.timedelta(seconds=61))
    user_for_token(key)
    assert ApiToken.objects.get(user=technician).last_used > first
