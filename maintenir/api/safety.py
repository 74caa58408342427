"""Safety: each site's prevention plans and risks, the lockout (consignation) steps of work orders, and
the on-call calls of urgent requests."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from maintenir.api.common import Input, acting_user, get_visible, partial_schema, restricted
from maintenir.assets.models import Site
from maintenir.core.choices import Action
from maintenir.core.services import check_model_permission, check_permission, delete_restricted, save_restricted
from maintenir.people import safety
from maintenir.people.choices import PreventionDocumentKind, RiskRating
from maintenir.people.models import HabilitationType, PreventionPlan, SiteRisk
from maintenir.workorders import oncall, services
from maintenir.workorders.choices import Energy
from maintenir.workorders.models import LockoutStep, OnCallCall, WorkOrder

router = Router(tags=["safety"])


# --- Schemas ---------------------------------------------------------------------------------


class PreventionPlanIn(Input, model=PreventionPlan):
    kind: PreventionDocumentKind = PreventionDocumentKind.PREVENTION_PLAN
    reference: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    client_contact: str = ""
    measures: str = ""


class PreventionPlanPatch(partial_schema(PreventionPlanIn)):  # type: ignore[misc]
    """Only the fields sent change."""


class PreventionPlanOut(Schema):
    id: int
    site: int = Field(alias="site_id")
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    reference: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    valid_today: bool
    client_contact: str
    measures: str
    document_url: str | None = Field(None, description="The uploaded document, for those who may see the plan.")

    @staticmethod
    def resolve_valid_today(plan: PreventionPlan) -> bool:
        return plan.is_valid_on(timezone.localdate())

    @staticmethod
    def resolve_document_url(plan: PreventionPlan) -> str | None:
        return reverse("prevention-plan-document", args=[plan.pk]) if plan.document else None


class SiteRiskIn(Input, model=SiteRisk):
    hazard: str
    location: str = ""
    severity: RiskRating
    likelihood: RiskRating
    measures: str = ""
    required_habilitation: str | None = Field(None, description="The code of a habilitation type, e.g. B1V.")


class SiteRiskPatch(partial_schema(SiteRiskIn)):  # type: ignore[misc]
    """Only the fields sent change."""


class SiteRiskOut(Schema):
    id: int
    site: int = Field(alias="site_id")
    hazard: str
    location: str
    severity: int
    likelihood: int
    score: int
    measures: str
    required_habilitation: str | None = Field(None, alias="required_habilitation.code")


class LockoutStepIn(Input, model=LockoutStep):
    isolation_point: str
    energy: Energy = Energy.ELECTRICAL
    action: str


class LockoutStepPatch(partial_schema(LockoutStepIn)):  # type: ignore[misc]
    """Only the fields sent change."""


class LockoutStepOut(Schema):
    id: int
    work_order: int = Field(alias="work_order_id")
    position: int
    isolation_point: str
    energy: str
    energy_display: str = Field(alias="get_energy_display")
    action: str
    confirmed_by: int | None = Field(None, alias="confirmed_by_id")
    confirmed_at: datetime.datetime | None
    released_by: int | None = Field(None, alias="released_by_id")
    released_at: datetime.datetime | None
    is_locked: bool


class OnCallCallOut(Schema):
    id: int
    work_request: int = Field(alias="work_request_id")
    work_request_reference: str = Field(alias="work_request.reference")
    team: int = Field(alias="team_id")
    week_start: datetime.date
    rank: int
    technician: int = Field(alias="technician_id")
    technician_name: str
    called_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    managers_alerted: bool

    @staticmethod
    def resolve_technician_name(call: OnCallCall) -> str:
        return str(call.technician)


# --- Prevention plans and risks --------------------------------------------------------------


def _site(request: HttpRequest, site_id: int) -> Site:
    return get_visible(restricted(Site, request), site_id)


def _plans(request: HttpRequest) -> QuerySet[PreventionPlan]:
    return restricted(PreventionPlan, request)


def _risks(request: HttpRequest) -> QuerySet[SiteRisk]:
    return safety.risks_by_score(restricted(SiteRisk, request))


def _habilitation(request: HttpRequest, code: str | None) -> HabilitationType | None:
    """The habilitation type a risk requires, named by its code."""
    if code is None:
        return None
    found = restricted(HabilitationType, request).filter(code=code).first()
    if found is None:
        raise ValidationError({"required_habilitation": _("No habilitation %(code)s.") % {"code": code}})
    return found


@router.get("/sites/{site_id}/prevention-plans", response=list[PreventionPlanOut])
def list_prevention_plans(request: HttpRequest, site_id: int) -> QuerySet[PreventionPlan]:
    """The site's prevention plans (or PPSPS), latest first."""
    return safety.visible_plans(acting_user(request), _site(request, site_id))


@router.post("/sites/{site_id}/prevention-plans", response={201: PreventionPlanOut})
def add_prevention_plan(request: HttpRequest, site_id: int, payload: PreventionPlanIn) -> PreventionPlan:
    plan = PreventionPlan(site=_site(request, site_id), **payload.model_dump())
    return save_restricted(acting_user(request), plan)  # type: ignore[return-value]


@router.get("/prevention-plans/{plan_id}", response=PreventionPlanOut)
def get_prevention_plan(request: HttpRequest, plan_id: int) -> PreventionPlan:
    return get_visible(_plans(request), plan_id)


@router.patch("/prevention-plans/{plan_id}", response=PreventionPlanOut)
def update_prevention_plan(request: HttpRequest, plan_id: int, payload: PreventionPlanPatch) -> PreventionPlan:
    plan = get_visible(_plans(request), plan_id)
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(plan, name, value)
    return save_restricted(acting_user(request), plan)  # type: ignore[return-value]


@router.delete("/prevention-plans/{plan_id}", response={204: None})
def delete_prevention_plan(request: HttpRequest, plan_id: int) -> Status[None]:
    delete_restricted(acting_user(request), get_visible(_plans(request), plan_id))
    return Status(204, None)


@router.get("/sites/{site_id}/risks", response=list[SiteRiskOut])
def list_site_risks(request: HttpRequest, site_id: int) -> QuerySet[SiteRisk]:
    """The site's risks, highest score (severity × likelihood) first."""
    return safety.visible_risks(acting_user(request), _site(request, site_id))


@router.post("/sites/{site_id}/risks", response={201: SiteRiskOut})
def add_site_risk(request: HttpRequest, site_id: int, payload: SiteRiskIn) -> SiteRisk:
    site = _site(request, site_id)
    # Refused roles learn nothing about the habilitation catalogue.
    check_model_permission(acting_user(request), Action.ADD, SiteRisk)
    fields = payload.model_dump(exclude={"required_habilitation"})
    risk = SiteRisk(
        site=site,
        required_habilitation=_habilitation(request, payload.required_habilitation),
        **fields,
    )
    return save_restricted(acting_user(request), risk)  # type: ignore[return-value]


@router.get("/risks/{risk_id}", response=SiteRiskOut)
def get_site_risk(request: HttpRequest, risk_id: int) -> SiteRisk:
    return get_visible(_risks(request), risk_id)


@router.patch("/risks/{risk_id}", response=SiteRiskOut)
def update_site_risk(request: HttpRequest, risk_id: int, payload: SiteRiskPatch) -> SiteRisk:
    risk = get_visible(_risks(request), risk_id)
    check_permission(acting_user(request), Action.CHANGE, risk)
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(risk, name, _habilitation(request, value) if name == "required_habilitation" else value)
    return save_restricted(acting_user(request), risk)  # type: ignore[return-value]


@router.delete("/risks/{risk_id}", response={204: None})
def delete_site_risk(request: HttpRequest, risk_id: int) -> Status[None]:
    delete_restricted(acting_user(request), get_visible(_risks(request), risk_id))
    return Status(204, None)


# --- Lockout (consignation) ------------------------------------------------------------------


def _order(request: HttpRequest, order_id: int) -> WorkOrder:
    return get_visible(restricted(WorkOrder, request), order_id)


def _lockout_step(request: HttpRequest, order_id: int, step_id: int) -> LockoutStep:
    steps = restricted(LockoutStep, request).filter(work_order=_order(request, order_id))
    return get_visible(steps.select_related("work_order"), step_id)


@router.get("/work-orders/{order_id}/lockout-steps", response=list[LockoutStepOut])
def list_lockout_steps(request: HttpRequest, order_id: int) -> QuerySet[LockoutStep]:
    return restricted(LockoutStep, request).filter(work_order=_order(request, order_id))


@router.post("/work-orders/{order_id}/lockout-steps", response={201: LockoutStepOut})
def add_lockout_step(request: HttpRequest, order_id: int, payload: LockoutStepIn) -> LockoutStep:
    return services.add_lockout_step(acting_user(request), _order(request, order_id), **payload.model_dump())


@router.patch("/work-orders/{order_id}/lockout-steps/{step_id}", response=LockoutStepOut)
def update_lockout_step(request: HttpRequest, order_id: int, step_id: int, payload: LockoutStepPatch) -> LockoutStep:
    step = _lockout_step(request, order_id, step_id)
    return services.update_lockout_step(acting_user(request), step, **payload.model_dump(exclude_unset=True))


@router.delete("/work-orders/{order_id}/lockout-steps/{step_id}", response={204: None})
def delete_lockout_step(request: HttpRequest, order_id: int, step_id: int) -> Status[None]:
    services.delete_lockout_step(acting_user(request), _lockout_step(request, order_id, step_id))
    return Status(204, None)


@router.post("/work-orders/{order_id}/lockout-steps/{step_id}/confirm", response=LockoutStepOut)
def confirm_lockout_step(request: HttpRequest, order_id: int, step_id: int) -> LockoutStep:
    """The isolation is in place (needs a valid BC habilitation); the order starts once all are confirmed."""
    return services.confirm_lockout_step(acting_user(request), _lockout_step(request, order_id, step_id))


@router.post("/work-orders/{order_id}/lockout-steps/{step_id}/release", response=LockoutStepOut)
def release_lockout_step(request: HttpRequest, order_id: int, step_id: int) -> LockoutStep:
    """The isolation is removed; the order is done only once all are released."""
    return services.release_lockout_step(acting_user(request), _lockout_step(request, order_id, step_id))


# --- On-call calls ---------------------------------------------------------------------------


def _calls(request: HttpRequest) -> QuerySet[OnCallCall]:
    return restricted(OnCallCall, request).select_related("work_request", "technician__user")


@router.get("/on-call/calls", response=list[OnCallCallOut])
def list_on_call_calls(request: HttpRequest, waiting: bool = False) -> QuerySet[OnCallCall]:
    """The calls of urgent requests outside working hours, latest first; `waiting`: those nobody answered yet."""
    calls = _calls(request)
    return calls.filter(pk__in=oncall.waiting_calls().values("pk")) if waiting else calls


@router.post("/on-call/calls/{call_id}/acknowledge", response=OnCallCallOut)
def acknowledge_on_call_call(request: HttpRequest, call_id: int) -> OnCallCall:
    """The technician called takes the request: it is no longer escalated."""
    return oncall.acknowledge_call(acting_user(request), get_visible(_calls(request), call_id))
