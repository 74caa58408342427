"""The maintenance company's people: technicians with their skills, habilitations and absences; the catalogues.

Staff records: client users and operators see none of them (an empty list, a 404); managers keep them.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    LocalTime,
    Pagination,
    acting_user,
    apply_changes,
    filter_schema,
    filtered,
    get_visible,
    partial_schema,
    restricted,
)
from maintenir.core.models import User
from maintenir.people import services
from maintenir.people.choices import AbsenceReason, HabilitationCategory, SkillLevel
from maintenir.people.filtersets import TechnicianFilterSet
from maintenir.people.models import (
    Absence,
    Habilitation,
    HabilitationType,
    Skill,
    StaffModel,
    Team,
    Technician,
    TechnicianSkill,
)

router = Router(tags=["people"])


class TechnicianFilters(filter_schema(TechnicianFilterSet)):  # type: ignore[misc]
    """The technician list filters of the page, as query parameters."""


# --- Schemas -------------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    description: str


class TeamIn(Input, model=Team):
    name: str
    description: str = ""


class SkillOut(Schema):
    id: int
    code: str
    name: str
    technology: str
    service_lot: str


class SkillIn(Input, model=Skill):
    code: str
    name: str
    technology: str = ""
    service_lot: str = ""


class HabilitationTypeOut(Schema):
    id: int
    code: str
    name: str
    name_fr: str
    label: str
    category: HabilitationCategory
    description: str
    is_standard: bool


class HabilitationTypeIn(Input, model=HabilitationType):
    code: str
    name: str
    name_fr: str = ""
    category: HabilitationCategory = HabilitationCategory.OTHER
    description: str = ""


class TechnicianIn(Input, model=Technician):
    user: int
    team: int | None = None
    is_trainee: bool = False
    technical_referent: int | None = None
    phone: str = ""
    home_base: str = ""
    home_latitude: Decimal | None = None
    home_longitude: Decimal | None = None
    work_start: LocalTime = datetime.time(8, 0)
    work_end: LocalTime = datetime.time(17, 0)
    working_days: str = "12345"


class TechnicianPatch(partial_schema(TechnicianIn, only=set(TechnicianIn.model_fields) - {"user"})):  # type: ignore[misc]
    """A profile stays with its account."""


TECHNICIAN_KEYS: dict[str, type[Model]] = {"user": User, "team": Team, "technical_referent": Technician}


class TechnicianOut(Schema):
    id: int
    user: int = Field(alias="user_id")
    name: str
    team: int | None = Field(None, alias="team_id")
    is_trainee: bool
    technical_referent: int | None = Field(None, alias="technical_referent_id")
    phone: str
    home_base: str
    home_latitude: Decimal | None
    home_longitude: Decimal | None
    work_start: LocalTime
    work_end: LocalTime
    working_days: str

    @staticmethod
    def resolve_name(technician: Technician) -> str:
        return str(technician)


class TechnicianSkillIn(Input):
    skill: int
    level: SkillLevel = SkillLevel.AUTONOMOUS


class TechnicianSkillOut(Schema):
    id: int
    skill: SkillOut
    level: SkillLevel


class HabilitationIn(Input, model=Habilitation):
    habilitation_type: int
    granted_on: datetime.date
    expires_on: datetime.date | None = None
    granted_by: str = ""
    note: str = ""


class HabilitationOut(Schema):
    id: int
    habilitation_type: HabilitationTypeOut
    granted_on: datetime.date
    expires_on: datetime.date | None
    granted_by: str
    note: str


class AbsenceIn(Input, model=Absence):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    reason: AbsenceReason = AbsenceReason.LEAVE
    note: str = ""


class AbsenceOut(AbsenceIn):
    id: int


# --- Helpers -------------------------------------------------------------------------------------


def _save(request: HttpRequest, record: StaffModel, changes: dict[str, Any], keys: dict[str, type[Model]]) -> Any:
    return services.save_record(acting_user(request), apply_changes(request, record, changes, keys))


def _delete(request: HttpRequest, model: type[StaffModel], pk: int) -> Status[None]:
    services.delete_record(acting_user(request), get_visible(restricted(model, request), pk))
    return Status(204, None)


def _technician(request: HttpRequest, technician_id: int) -> Technician:
    return get_visible(restricted(Technician, request).select_related("user"), technician_id)


# --- Catalogues ----------------------------------------------------------------------------------


@router.get("/people/teams", response=list[TeamOut])
@paginate(Pagination)
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    return restricted(Team, request)


@router.post("/people/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn) -> Team:
    return _save(request, Team(), payload.model_dump(), {})


@router.get("/people/skills", response=list[SkillOut])
@paginate(Pagination)
def list_skills(request: HttpRequest) -> QuerySet[Skill]:
    return restricted(Skill, request)


@router.post("/people/skills", response={201: SkillOut})
def create_skill(request: HttpRequest, payload: SkillIn) -> Skill:
    return _save(request, Skill(), payload.model_dump(), {})


@router.get("/people/habilitation-types", response=list[HabilitationTypeOut])
@paginate(Pagination)
def list_habilitation_types(request: HttpRequest) -> QuerySet[HabilitationType]:
    return restricted(HabilitationType, request)


@router.post("/people/habilitation-types", response={201: HabilitationTypeOut})
def create_habilitation_type(request: HttpRequest, payload: HabilitationTypeIn) -> HabilitationType:
    """A free-form habilitation a manager adds (the NF C 18-510 ones are already there)."""
    return _save(request, HabilitationType(), payload.model_dump(), {})


@router.delete("/people/habilitation-types/{type_id}", response={204: None})
def delete_habilitation_type(request: HttpRequest, type_id: int) -> Status[None]:
    """Refused (409) for a standard type or one still held or required."""
    return _delete(request, HabilitationType, type_id)


# --- Technicians ---------------------------------------------------------------------------------


@router.get("/people/technicians", response=list[TechnicianOut])
@paginate(Pagination)
def list_technicians(request: HttpRequest, filters: Query[TechnicianFilters]) -> QuerySet[Technician]:
    return filtered(TechnicianFilterSet, request, restricted(Technician, request).select_related("user"), filters)


@router.post("/people/technicians", response={201: TechnicianOut})
def create_technician(request: HttpRequest, payload: TechnicianIn) -> Technician:
    return _save(request, Technician(), payload.model_dump(), TECHNICIAN_KEYS)


@router.get("/people/technicians/{technician_id}", response=TechnicianOut)
def get_technician(request: HttpRequest, technician_id: int) -> Technician:
    return _technician(request, technician_id)


@router.patch("/people/technicians/{technician_id}", response=TechnicianOut)
def update_technician(request: HttpRequest, technician_id: int, payload: TechnicianPatch) -> Technician:
    technician = _technician(request, technician_id)
    return _save(request, technician, payload.model_dump(exclude_unset=True), TECHNICIAN_KEYS)


@router.get("/people/technicians/{technician_id}/skills", response=list[TechnicianSkillOut])
def list_technician_skills(request: HttpRequest, technician_id: int) -> QuerySet[TechnicianSkill]:
    technician = _technician(request, technician_id)
    return restricted(TechnicianSkill, request).filter(technician=technician).select_related("skill")


@router.post("/people/technicians/{technician_id}/skills", response={201: TechnicianSkillOut})
def add_technician_skill(request: HttpRequest, technician_id: int, payload: TechnicianSkillIn) -> TechnicianSkill:
    record = TechnicianSkill(technician=_technician(request, technician_id))
    return _save(request, record, payload.model_dump(), {"skill": Skill})


@router.delete("/people/technician-skills/{record_id}", response={204: None})
def delete_technician_skill(request: HttpRequest, record_id: int) -> Status[None]:
    return _delete(request, TechnicianSkill, record_id)


@router.get("/people/technicians/{technician_id}/habilitations", response=list[HabilitationOut])
def list_habilitations(request: HttpRequest, technician_id: int) -> QuerySet[Habilitation]:
    technician = _technician(request, technician_id)
    return restricted(Habilitation, request).filter(technician=technician).select_related("habilitation_type")


@router.post("/people/technicians/{technician_id}/habilitations", response={201: HabilitationOut})
def add_habilitation(request: HttpRequest, technician_id: int, payload: HabilitationIn) -> Habilitation:
    record = Habilitation(technician=_technician(request, technician_id))
    return _save(request, record, payload.model_dump(), {"habilitation_type": HabilitationType})


@router.delete("/people/habilitations/{record_id}", response={204: None})
def delete_habilitation(request: HttpRequest, record_id: int) -> Status[None]:
    return _delete(request, Habilitation, record_id)


@router.get("/people/technicians/{technician_id}/absences", response=list[AbsenceOut])
def list_absences(request: HttpRequest, technician_id: int) -> QuerySet[Absence]:
    technician = _technician(request, technician_id)
    return restricted(Absence, request).filter(technician=technician)


@router.post("/people/technicians/{technician_id}/absences", response={201: AbsenceOut})
def add_absence(request: HttpRequest, technician_id: int, payload: AbsenceIn) -> Absence:
    record = Absence(technician=_technician(request, technician_id))
    return _save(request, record, payload.model_dump(), {})


@router.delete("/people/absences/{record_id}", response={204: None})
def delete_absence(request: HttpRequest, record_id: int) -> Status[None]:
    return _delete(request, Absence, record_id)
