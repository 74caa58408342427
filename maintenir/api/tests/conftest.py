"""A client organisation's maintenance data in every state the endpoints need, and API call helpers."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from maintenir.assets.tests.factories import CounterFactory, EquipmentFactory
from maintenir.certification import models as certification
from maintenir.certification.choices import PathKind, SessionKind
from maintenir.certification.tests.factories import (
    CandidateFactory,
    CcsFactory,
    DecisionFactory,
    ExperiencePeriodFactory,
    JuryMemberFactory,
    PathFactory,
    RegistrationFactory,
    SessionFactory,
    TitleVersionFactory,
    correspondence,
)
from maintenir.devices.models import ParameterEntry
from maintenir.devices.tests.factories import ApplicationFactory, ParameterSetFactory, PointFactory
from maintenir.people.models import (
    Habilitation,
    Technician,
)
from maintenir.people.tests.factories import (
    HabilitationTypeFactory,
    PreventionPlanFactory,
    SiteRiskFactory,
    SkillFactory,
    habilitation_type,
    staff_records,
)
from maintenir.planning.tests.factories import proposed_plan
from maintenir.preventive.choices import PlanStatus
from maintenir.preventive.models import GammePart
from maintenir.preventive.tests.factories import (
    GammeStepFactory,
    MaintenancePlanFactory,
    TrainingSessionFactory,
    TriggerFactory,
)
from maintenir.reliability.choices import ProposalStatus
from maintenir.reliability.tests.factories import ImprovementProposalFactory
from maintenir.reports.tests.factories import ReportMailingFactory
from maintenir.stores.choices import CountStatus, LocationKind, UnitStatus
from maintenir.stores.tests.factories import (
    CycleCountLineFactory,
    LocationFactory,
    PartFactory,
    PartFitFactory,
    RepairableUnitFactory,
    StockBalanceFactory,
    StockMovementFactory,
)
from maintenir.stores.tests.purchasing_factories import PurchasingWorld, build_purchasing
from maintenir.workorders.choices import DowntimeCause, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import (
    Downtime,
    FailureMode,
    SignOff,
)
from maintenir.workorders.tests.factories import (
    ChecklistStepFactory,
    CommissioningCheckFactory,
    LockoutStepFactory,
    OnCallCallFactory,
    WorkOrderFactory,
    WorkOrderRequirementFactory,
    WorkRequestFactory,
    WorkTypeRequirementFactory,
)

S = WorkOrderStatus


@dataclass
class World:
    """One organisation's site, equipment, requests and orders, in the states the transitions start from."""

    site: Any
    equipment: Any
    equipment_down: Any
    counter: Any
    work_request: Any
    requested: Any
    approved: Any
    planned: Any
    in_progress: Any
    step: Any
    on_hold: Any
    finishing: Any
    done: Any
    downtime: Any
    failure_mode: Any
    gamme: Any
    level_one_gamme: Any
    training: Any
    draft_plan: Any
    plan: Any
    trigger: Any
    device: Any
    point: Any
    parameter_set: Any
    application: Any
    commissioning: Any
    check: Any
    proposal: Any
    approved_proposal: Any
    prevention_plan: Any
    risk: Any
    lockout_order: Any
    lockout_step: Any
    locked_step: Any
    on_call_call: Any
    mailing: Any
    certification: "CertificationWorld"
    people: "PeopleWorld"
    requirement: Any
    type_requirement: Any
    dispatch_plan: Any
    part: Any
    store: Any
    bin: Any
    purchasing: PurchasingWorld
    planned_count: Any
    counting: Any
    counting_line: Any
    fit: Any
    unit: Any
    fitted_unit: Any
    failed_unit: Any
    unit_at_repairer: Any


@dataclass
class CertificationWorld:
    """The training centre's records, which belong to no client organisation."""

    version: Any
    ccp: Any
    candidate: Any
    path: Any
    vae_path: Any
    newcomer: Any
    session: Any
    juror: Any
    registration: Any
    titled: Any
    revised: Any
    new_ccp: Any
    correspondence: Any
    ccs: Any


@dataclass
class PeopleWorld:
    """The maintenance company's staff records, which belong to no client organisation."""

    profile: Any
    skill: Any
    held_skill: Any
    habilitation: Any
    absence: Any
    free_type: Any
    team: Any


def build_people(technician: Any) -> PeopleWorld:
    profile = Technician.objects.filter(user=technician).first() or staff_records(technician)
    return PeopleWorld(
        profile=profile,
        skill=SkillFactory(),
        held_skill=profile.skills.first(),
        habilitation=profile.habilitations.first(),
        absence=profile.absences.first(),
        free_type=HabilitationTypeFactory(),
        team=profile.team,
    )


def build_certification() -> CertificationWorld:
    version = TitleVersionFactory()
    ccp = certification.ActivityType.objects.create(version=version, position=1, name="Installer")
    session = SessionFactory(kind=SessionKind.TITLE, version=version)
    jury = JuryMemberFactory.create_batch(2, session=session)
    registration = RegistrationFactory(session=session)
    revised = TitleVersionFactory(
        title=version.title,
        revises=version,
        valid_from=datetime.date(2031, 1, 1),
        valid_until=datetime.date(2039, 12, 31),
    )
    candidate = registration.candidate
    return CertificationWorld(
        version=version,
        ccp=ccp,
        candidate=candidate,
        path=registration.path,
        vae_path=ExperiencePeriodFactory(path__candidate=candidate, path__version=version).path,
        newcomer=PathFactory(candidate=CandidateFactory(), version=version, kind=PathKind.CONTINUOUS),
        session=session,
        juror=jury[0],
        registration=registration,
        titled=DecisionFactory(registration=RegistrationFactory(session__version=version), title_granted=True),
        revised=revised,
        new_ccp=certification.ActivityType.objects.create(version=revised, position=2, name="Mettre en service"),
        correspondence=correspondence(
            certification.ActivityType.objects.create(version=revised, position=1, name="Installer"), ccp
        ),
        ccs=CcsFactory(title=version.title),
    )


def lockout_holder_once(technician: Any) -> Technician:
    """The technician's profile with a valid BC habilitation; both organisations' worlds share the technician."""
    profile = Technician.objects.filter(user=technician).first() or staff_records(technician)
    Habilitation.objects.get_or_create(
        technician=profile,
        habilitation_type=habilitation_type("BC"),
        defaults={"granted_on": timezone.localdate() - datetime.timedelta(days=30)},
    )
    return profile


def build_world(site: Any, equipment: Any, reporter: Any, technician: Any) -> World:
    def order(status: str, **fields: Any) -> Any:
        work_order = WorkOrderFactory(equipment=equipment, status=status, **fields)
        if status not in {S.REQUESTED, S.APPROVED}:
            work_order.assignees.add(technician)
        return work_order

    in_progress = order(S.IN_PROGRESS)
    done = order(S.DONE)
    finishing = order(S.IN_PROGRESS, work_type=WorkOrderType.IMPROVEMENT)
    SignOff.objects.create(
        work_order=finishing, role=SignOffRole.TECHNICIAN, name="Tech", signed_at=timezone.now(), user=technician
    )
    equipment_down = EquipmentFactory(site=site)
    gamme = GammeStepFactory().version.gamme
    level_one_gamme = GammeStepFactory(level=1).version.gamme
    plan = MaintenancePlanFactory(site=site)
    point = PointFactory(device__equipment=equipment, name="active_power", writable=True)
    parameter_set = ParameterSetFactory(site=site)
    # Its device answers nowhere (port 502 of 127.0.0.1): a run records an error at once.
    commissioning = order(S.IN_PROGRESS, work_type=WorkOrderType.INSTALLATION)
    ParameterEntry.objects.create(parameter_set=parameter_set, point_name="active_power", value=50)
    # An order under lockout: one isolation to confirm (added once the work began), one confirmed to release.
    lockout_order = order(S.IN_PROGRESS)
    profile = lockout_holder_once(technician)
    work_request = WorkRequestFactory(equipment=equipment, reported_by=reporter)
    # Spare parts the client owns, in its store on the site, with a bin in it.
    part = PartFactory(owner=site.organisation)
    store = LocationFactory(kind=LocationKind.SITE_STORE, site=site, owner=site.organisation)
    StockBalanceFactory(part=part, location=store, on_hand=4)
    StockMovementFactory(part=part, location=store, quantity=4)
    GammePart.objects.create(version=gamme.versions.get(), part=part, quantity=1)
    # Cycle counts of its bin (so that its store may have one planned): one to start, one being counted.
    bin_ = LocationFactory(kind=LocationKind.BIN, parent=store, site=site, owner=site.organisation)
    planned_count = CycleCountLineFactory(cycle_count__location=bin_, part=part).cycle_count
    counting_line = CycleCountLineFactory(
        cycle_count__location=bin_,
        cycle_count__status=CountStatus.IN_PROGRESS,
        part=part,
        expected=0,
        counted=0,
    )
    # A repairable of the client's: a unit on its shelf (in the ledger), one fitted, one failed, one at the repairer.
    repairable = PartFactory(owner=site.organisation, is_repairable=True)
    StockBalanceFactory(part=repairable, location=store, on_hand=1)

    def unit(status: str, **where: Any) -> Any:
        return RepairableUnitFactory(part=repairable, status=status, **{"location": None, **where})

    return World(
        site=site,
        equipment=equipment,
        equipment_down=equipment_down,
        counter=CounterFactory(equipment=equipment),
        work_request=work_request,
        requested=order(S.REQUESTED),
        approved=order(S.APPROVED),
        planned=order(S.PLANNED),
        in_progress=in_progress,
        step=ChecklistStepFactory(work_order=in_progress, position=1),
        on_hold=order(S.ON_HOLD),
        finishing=finishing,
        done=done,
        downtime=Downtime.objects.create(
            equipment=equipment_down, cause=DowntimeCause.FAILURE, started_at=timezone.now()
        ),
        failure_mode=FailureMode.objects.order_by("code").first(),
        gamme=gamme,
        level_one_gamme=level_one_gamme,
        training=TrainingSessionFactory(site=site, trainer=technician, gammes=[level_one_gamme]),
        draft_plan=MaintenancePlanFactory(site=site, status=PlanStatus.DRAFT),
        plan=plan,
        trigger=TriggerFactory(plan=plan, gamme=gamme, equipment=equipment, start_date=timezone.localdate()),
        device=point.device,
        point=point,
        parameter_set=parameter_set,
        application=ApplicationFactory(parameter_set=parameter_set, device=point.device, applied_by=technician),
        commissioning=commissioning,
        check=CommissioningCheckFactory(work_order=commissioning, point=point),
        certification=build_certification(),
        people=build_people(technician),
        requirement=WorkOrderRequirementFactory(work_order=order(S.APPROVED)),
        type_requirement=WorkTypeRequirementFactory(work_type=WorkOrderType.IMPROVEMENT),
        dispatch_plan=proposed_plan(order(S.APPROVED), technician, order(S.APPROVED)),
        proposal=ImprovementProposalFactory(equipment=equipment, proposed_by=technician),
        approved_proposal=ImprovementProposalFactory(
            equipment=equipment, proposed_by=technician, status=ProposalStatus.APPROVED
        ),
        prevention_plan=PreventionPlanFactory(site=site),
        risk=SiteRiskFactory(site=site),
        lockout_order=lockout_order,
        lockout_step=LockoutStepFactory(work_order=lockout_order, position=1),
        locked_step=LockoutStepFactory(
            work_order=lockout_order, position=2, confirmed_by=technician, confirmed_at=timezone.now()
        ),
        on_call_call=OnCallCallFactory(work_request=work_request, technician=profile),
        mailing=ReportMailingFactory(work_order=done, sent_by=technician),
        part=part,
        store=store,
        purchasing=build_purchasing(),
        bin=bin_,
        planned_count=planned_count,
        counting=counting_line.cycle_count,
        counting_line=counting_line,
        fit=PartFitFactory(part=part, equipment=equipment, critical=True, minimum_stock=10),
        unit=unit(UnitStatus.IN_STOCK, location=store),
        fitted_unit=unit(UnitStatus.FITTED, equipment=equipment),
        failed_unit=unit(UnitStatus.FAILED),
        unit_at_repairer=unit(UnitStatus.AT_REPAIRER),
    )


@pytest.fixture
def world(site_a: Any, equipment_a: Any, client_a: Any, technician: Any) -> World:
    return build_world(site_a, equipment_a, client_a, technician)


@pytest.fixture
def world_b(site_b: Any, equipment_b: Any, client_b: Any, technician: Any) -> World:
    return build_world(site_b, equipment_b, client_b, technician)


@pytest.fixture
def as_user() -> Callable[[Any], Client]:
    """A test client logged in (by session) as this user; None stays anonymous."""

    def make(user: Any) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def call(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body or {}, content_type="application/json")


def error_fields(response: Any) -> set[str]:
    """The field each 422 error names: the last text element of its `loc`."""
    return {
        next(str(part) for part in reversed(item["loc"]) if isinstance(part, str)) for item in response.json()["detail"]
    }
