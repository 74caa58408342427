"""Personas shared by every app's tests: two client organisations and the maintenance company's staff.

The outsider persona (the other client) is what catches tenancy leaks.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from maintenir.assets.tests.factories import (
    CounterFactory,
    CounterReadingFactory,
    DocumentFactory,
    EquipmentFactory,
    ProductionLineFactory,
    SiteFactory,
    SpaceFactory,
)
from maintenir.certification.tests.factories import certification_records
from maintenir.core.choices import Role
from maintenir.core.tests.factories import OrganisationFactory, UserFactory
from maintenir.devices.tests.factories import ApplicationFactory, PointFactory
from maintenir.people.tests.factories import PreventionPlanFactory, SiteRiskFactory, staff_records
from maintenir.planning.tests.factories import proposed_plan
from maintenir.preventive.tests.factories import GammeStepRequirementFactory, TrainingSessionFactory, TriggerFactory
from maintenir.reliability.tests.factories import (
    EquipmentEventFactory,
    ImprovementProposalFactory,
    ProductionRecordFactory,
)
from maintenir.reports.tests.factories import ReportMailingFactory
from maintenir.stores.choices import LocationKind
from maintenir.stores.tests.factories import (
    CycleCountLineFactory,
    FittedUnitFactory,
    InterchangeabilityFactory,
    LocationFactory,
    PartDocumentFactory,
    PartFactory,
    PartFitFactory,
    StockBalanceFactory,
    StockMovementFactory,
    SupplierPartFactory,
)
from maintenir.stores.tests.purchasing_factories import purchasing_records
from maintenir.ui.tests.browser import chromium_page
from maintenir.workorders.tests.factories import (
    ChecklistStepFactory,
    CommissioningRunFactory,
    DowntimeFactory,
    LockoutStepFactory,
    OnCallCallFactory,
    PartReservationFactory,
    PartUsageFactory,
    SignOffFactory,
    SupervisionFactory,
    TimeEntryFactory,
    WorkOrderFactory,
    WorkOrderRequirementFactory,
    WorkRequestFactory,
    WorkRequestPhotoFactory,
    WorkTypeRequirementFactory,
)

# Property tests check rules, not speed: on a loaded two-core machine a deadline only makes them flaky.
hypothesis_settings.register_profile("maintenir", deadline=None)
hypothesis_settings.load_profile("maintenir")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    # Assertions read the English messages; the French catalogue has its own tests.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    # The personas are created in almost every test; a slow hash would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def training_staff(db: None) -> Any:
    return UserFactory(username="centre", role=Role.TRAINING_STAFF)


@pytest.fixture
def candidate_user(db: None) -> Any:
    return UserFactory(username="candidate", role=Role.CANDIDATE)


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


def populate_site(site: Any, equipment: Any, reporter: Any) -> None:
    """One row of every tenant-scoped model under `site`, for tenancy tests."""
    SpaceFactory(floor__building__site=site)
    ProductionLineFactory(site=site)
    CounterReadingFactory(counter=CounterFactory(equipment=equipment))
    DocumentFactory(site=site, equipment=equipment)
    WorkRequestPhotoFactory(work_request=WorkRequestFactory(equipment=equipment, reported_by=reporter))
    order = WorkOrderFactory(equipment=equipment)
    ChecklistStepFactory(work_order=order)
    LockoutStepFactory(work_order=order)
    OnCallCallFactory(work_request__equipment=equipment, work_request__reported_by=reporter)
    TimeEntryFactory(work_order=order, technician=reporter)
    PartUsageFactory(work_order=order)
    DowntimeFactory(equipment=equipment, work_order=order)
    SignOffFactory(work_order=order)
    WorkOrderRequirementFactory(work_order=order)
    SupervisionFactory(work_order=order, trainee=reporter, tutor=reporter)
    TriggerFactory(plan__site=site, equipment=equipment)
    TrainingSessionFactory(site=site, trainer=reporter)
    ReportMailingFactory(work_order=order, sent_by=reporter)
    ApplicationFactory(
        parameter_set__site=site, device=PointFactory(device__equipment=equipment).device, applied_by=reporter
    )
    CommissioningRunFactory(commissioning_check__work_order__equipment=equipment, run_by=reporter)
    ProductionRecordFactory(equipment=equipment)
    EquipmentEventFactory(equipment=equipment)
    ImprovementProposalFactory(equipment=equipment, proposed_by=reporter)
    PreventionPlanFactory(site=site)
    SiteRiskFactory(site=site)
    # Spare parts the client owns, kept in its own store on its site.
    owned_part = PartFactory(owner=site.organisation)
    store = LocationFactory(kind=LocationKind.SITE_STORE, site=site, owner=site.organisation)
    StockBalanceFactory(part=owned_part, location=store)
    StockMovementFactory(part=owned_part, location=store)
    InterchangeabilityFactory(part=owned_part)
    PartReservationFactory(work_order=order, part=owned_part, location=store)
    CycleCountLineFactory(cycle_count__location=store, part=owned_part)
    # Where it fits, its data sheet, and a serial-numbered unit fitted on the equipment.
    PartFitFactory(part=owned_part, equipment=equipment, critical=True, minimum_stock=5)
    PartDocumentFactory(part=owned_part)
    FittedUnitFactory(part__owner=site.organisation, equipment=equipment)


@pytest.fixture
def tenant_world(equipment_a: Any, equipment_b: Any, technician: Any, candidate_user: Any) -> None:
    """Both client organisations with a row of every tenant-scoped model, the training centre's records
    (which belong to no client) about a technician, a candidate and nobody, and the technician's staff records."""
    populate_site(equipment_a.site, equipment_a, technician)
    populate_site(equipment_b.site, equipment_b, technician)
    for holder in (technician, candidate_user, None):
        certification_records(holder)
    staff_records(technician)
    proposed_plan(WorkOrderFactory(equipment=equipment_a), technician, WorkOrderFactory(equipment=equipment_b))
    WorkTypeRequirementFactory()
    GammeStepRequirementFactory()
    # The maintenance company's own stock, which no client sees.
    company_part = SupplierPartFactory().part
    StockBalanceFactory(part=company_part, location=LocationFactory())
    purchasing_records()


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A phone-sized page of Debian's chromium, for the end-to-end journeys."""
    yield from chromium_page(monkeypatch)


@pytest.fixture
def bench_database() -> list[str]:
    """`maintenir bench` arguments that run it on the suite's database engine (a throwaway database)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return ["--database", f"postgres://{login}@{db['HOST']}:{db['PORT']}/postgres"]
