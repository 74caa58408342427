"""Personas shared by every app's tests: two client organisations and the maintenance company's staff.

The outsider persona (the other client) is what catches tenancy leaks.
"""

from pathlib import Path
from typing import Any

import pytest

from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def org_a(db: None) -> Any:
    return OrganisationFactory(name="Tertiaire Lumière", code="client-a")


@pytest.fixture
def org_b(db: None) -> Any:
    return OrganisationFactory(name="Mécanique Durand", code="client-b")


@pytest.fixture
def administrator(db: None) -> Any:
    return UserFactory(username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def manager(db: None) -> Any:
    return UserFactory(username="manager", role=Role.MANAGER)


@pytest.fixture
def technician(db: None) -> Any:
    return UserFactory(username="tech", role=Role.TECHNICIAN)


@pytest.fixture
def other_technician(db: None) -> Any:
    return UserFactory(username="tech2", role=Role.TECHNICIAN)


@pytest.fixture
def operator_a(org_a: Any) -> Any:
    return UserFactory(username="operator", role=Role.OPERATOR, organisation=org_a)


@pytest.fixture
def client_a(org_a: Any) -> Any:
    return UserFactory(username="client-a", role=Role.CLIENT, organisation=org_a)


@pytest.fixture
def client_b(org_b: Any) -> Any:
    return UserFactory(username="client-b", role=Role.CLIENT, organisation=org_b)


@pytest.fixture
def site_a(org_a: Any) -> Any:
    return SiteFactory(organisation=org_a, code="site-a", name="Siège Lumière")


@pytest.fixture
def site_b(org_b: Any) -> Any:
    return SiteFactory(organisation=org_b, code="site-b", name="Usine Durand")


@pytest.fixture
def equipment_a(site_a: Any) -> Any:
    return EquipmentFactory(site=site_a, code="AHU-01", name="Centrale de traitement d'air")


@pytest.fixture
def equipment_b(site_b: Any) -> Any:
    return EquipmentFactory(site=site_b, code="PR-01", name="Presse hydraulique")
