"""The titre professionnel referential, candidates, sessions, juries, evaluations, decisions and documents."""

import datetime
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from maintenir.api.common import (
    ChangeOut,
    Input,
    Pagination,
    PdfFile,
    acting_user,
    answers,
    apply_changes,
    get_visible,
    partial_schema,
    resolve,
    resolve_many,
    restricted,
)
from maintenir.certification import questions, referential, services
from maintenir.certification.choices import ElementKind, MemberProfile, PathKind, SessionKind, VersionStatus
from maintenir.certification.models import (
    ActivityType,
    Candidate,
    Ccs,
    Centre,
    Correspondence,
    Decision,
    EvaluationElement,
    ExperiencePeriod,
    JuryMember,
    Path,
    Registration,
    RegulationVersion,
    Session,
    Title,
    TitleVersion,
)
from maintenir.core.changelog import changes_for
from maintenir.core.models import ObjectChange, User
from maintenir.core.services import save_restricted
from maintenir.reports import certification as documents
from maintenir.reports.views import pdf_response

M = TypeVar("M", bound=Model)
router = Router(tags=["certification"])


# --- Schemas -------------------------------------------------------------------------------------


class TitleOut(Schema):
    id: int
    name: str
    tp_code: str
    rncp: str
    level: str
    nsf_code: str
    rome_codes: list[str]


class CompetenceOut(Schema):
    id: int
    position: int
    name: str


class CcpOut(Schema):
    id: int
    position: int
    name: str
    competences: list[CompetenceOut]

    @staticmethod
    def resolve_competences(ccp: ActivityType) -> list[Any]:
        return list(ccp.competences.all())


class RegulationOut(Schema):
    code: str
    name: str
    issuing_authority: str
    practice_file: str
    vae_min_experience_months: int
    ccs_experience_months: int
    ccp_evaluators: str
    jury_min_members: int
    member_min_years_in_trade: int
    member_max_years_out: int | None
    capitalisation_window: str
    capitalisation_years: int
    closure_grace_months: int
    final_interview: str


class VersionOut(Schema):
    id: int
    name: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    status: str
    revises: int | None = Field(None, alias="revises_id")
    regulation: RegulationOut
    ccps: list[CcpOut]

    @staticmethod
    def resolve_ccps(version: TitleVersion) -> list[Any]:
        return list(version.ccps.all())


class CcsOut(Schema):
    id: int
    name: str


class TitleDetailOut(TitleOut):
    versions: list[VersionOut]
    ccs: list[CcsOut]

    @staticmethod
    def resolve_versions(title: Title) -> list[Any]:
        return list(title.versions.all())

    @staticmethod
    def resolve_ccs(title: Title) -> list[Any]:
        return list(title.ccs_set.all())


class HolderOut(Schema):
    id: int
    username: str
    name: str = Field(alias="get_full_name")


class CentreOut(Schema):
    id: int
    name: str
    approval_number: str
    city: str


class CandidateIn(Input, model=Candidate):
    first_name: str
    last_name: str
    email: str = ""
    user: int | None = Field(None, description="The technician or candidate account of this person.")


class CandidatePatch(partial_schema(CandidateIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


class CandidateOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    user: int | None = Field(None, alias="user_id")


class PathIn(Input):
    kind: PathKind
    version: int
    ccs: int | None = None
    started_on: datetime.date


PATH_KEYS: dict[str, type[Model]] = {"version": TitleVersion, "ccs": Ccs}


class PathPatch(partial_schema(PathIn)):  # type: ignore[misc]
    """Only the fields sent are changed; refused once a decision is recorded on one of the path's registrations."""


class PathOut(Schema):
    id: int
    candidate: int = Field(alias="candidate_id")
    kind: str
    version: int = Field(alias="version_id")
    ccs: int | None = Field(None, alias="ccs_id")
    started_on: datetime.date
    admissibility: str
    admissibility_on: datetime.date | None
    admissibility_recorded_by: int | None = Field(None, alias="admissibility_recorded_by_id")
    admissibility_recorded_at: datetime.datetime | None
    admissibility_regulation: str | None = Field(
        None, description="Code of the rules the admissibility was decided under (in force on the path's start)."
    )
    experience_months: int = Field(alias="experience")

    @staticmethod
    def resolve_admissibility_regulation(path: Path) -> str | None:
        return path.admissibility_regulation.code if path.admissibility_regulation else None


class ExperienceIn(Input, model=ExperiencePeriod):
    employer: str
    job: str = ""
    started_on: datetime.date
    ended_on: datetime.date
    related: bool = True


class ExperienceOut(ExperienceIn):
    id: int
    path: int = Field(alias="path_id")


class AdmissibilityIn(Input):
    admissible: bool
    on: datetime.date = Field(description="Date of the notification.")


class JuryMemberIn(Input, model=JuryMember):
    name: str
    profile: MemberProfile
    years_in_trade: int = Field(ge=0)
    years_out_of_trade: int = Field(0, ge=0)
    approved: bool = False
    approval_reference: str = ""


class JuryMemberOut(JuryMemberIn):
    id: int


class SessionIn(Input):
    kind: SessionKind
    version: int
    ccp: int | None = None
    ccs: int | None = None
    centre: int
    date: datetime.date


SESSION_KEYS: dict[str, type[Model]] = {"version": TitleVersion, "ccp": ActivityType, "ccs": Ccs, "centre": Centre}


class SessionPatch(partial_schema(SessionIn)):  # type: ignore[misc]
    """Only the fields sent are changed; refused once a decision is recorded for the session."""


class SessionOut(Schema):
    id: int
    kind: str
    version: int = Field(alias="version_id")
    ccp: int | None = Field(None, alias="ccp_id")
    ccs: int | None = Field(None, alias="ccs_id")
    centre: int = Field(alias="centre_id")
    date: datetime.date
    jury: list[JuryMemberOut]
    jury_problems: list[str] = Field(description="Why the jury is not validly composed; empty when it is.")

    @staticmethod
    def resolve_jury(session: Session) -> list[Any]:
        return list(session.jury.all())

    @staticmethod
    def resolve_jury_problems(session: Session) -> list[str]:
        return session.jury_problems()


class RegistrationIn(Input):
    candidate: int
    path: int


class RegistrationOut(Schema):
    id: int
    session: int = Field(alias="session_id")
    candidate: int = Field(alias="candidate_id")
    path: int = Field(alias="path_id")


class ElementIn(Input, model=EvaluationElement):
    kind: ElementKind
    ccp: int | None = None
    result: str = ""


class ElementOut(ElementIn):
    id: int
    registration: int = Field(alias="registration_id")
    ccp: int | None = Field(None, alias="ccp_id")
    recorded_by: int = Field(alias="recorded_by_id")


class DecisionIn(Input, model=Decision):
    title_granted: bool = False
    ccps: list[int] = Field(default_factory=list, description="CCPs granted (when the title is not).")
    ccs_granted: bool = False
    notes: str = ""


class DecisionOut(Schema):
    id: int
    registration: int = Field(alias="registration_id")
    title_granted: bool
    ccs_granted: bool
    decided_on: datetime.date
    ccps: list[int]
    regulation: str | None = Field(None, description="Code of the rules applied: those in force on the session date.")

    @staticmethod
    def resolve_regulation(decision: Decision) -> str | None:
        return decision.regulation.code if decision.regulation else None

    @staticmethod
    def resolve_ccps(decision: Decision) -> list[int]:
        return [granted.ccp_id for granted in decision.ccps.all()]


class HeldOut(Schema):
    ccp: int
    name: str
    obtained_on: datetime.date | None = None


class StandingOut(Schema):
    title: int
    version: int
    title_granted: bool
    held: list[HeldOut]
    missing: list[HeldOut]
    deadline: datetime.date | None = Field(description="Last day to sit the missing CCPs; null when not bounded.")
    final_interview: str | None
    documents: list[str]


class ExperiencePeriodOut(Schema):
    employer: str
    started_on: datetime.date
    ended_on: datetime.date
    related: bool = Field(description="Counted: related to the title.")


class AdmissibilityVerdictOut(Schema):
    path: int
    admissible: bool = Field(description="Whether an admissible notification could be recorded today.")
    rule: str
    reasons: list[str] = Field(description="Why it could not; empty when it could.")
    experience_months: int = Field(description="Months of related experience, overlaps counted once.")
    needed_months: int
    periods: list[ExperiencePeriodOut]
    recorded: str = Field(description="The admissibility recorded so far: pending, admissible or refused.")
    valid_until: datetime.date | None = Field(description="Last day a recorded admissibility lets the candidate sit.")


class MemberVerdictOut(Schema):
    id: int
    name: str
    problems: list[str]


class JuryVerdictOut(Schema):
    session: int
    valid: bool = Field(description="Whether a decision could be recorded with this jury.")
    rule: str
    reasons: list[str]
    members: list[MemberVerdictOut]


# --- Referential -----------------------------------------------------------------------------------


@router.get("/certification/titles", response=list[TitleOut])
@paginate(Pagination)
def list_titles(request: HttpRequest) -> QuerySet[Title]:
    return restricted(Title, request)


@router.get("/certification/titles/{title_id}", response=TitleDetailOut)
def get_title(request: HttpRequest, title_id: int) -> Title:
    titles = restricted(Title, request).prefetch_related(
        "versions__regulation", "versions__ccps__competences", "ccs_set"
    )
    return get_visible(titles, title_id)


@router.get("/certification/ccps/{ccp_id}/holders", response=list[HolderOut])
def ccp_holders(request: HttpRequest, ccp_id: int) -> QuerySet[User]:
    """The technicians holding this CCP (alone, in their title, or through a correspondence), for dispatch."""
    user = acting_user(request)
    ccp = get_visible(restricted(ActivityType, request).select_related("version"), ccp_id)
    if not services.may_list_holders(user):
        raise PermissionDenied(_("Your role may not list the holders of a CCP."))
    return services.holders_of(ccp)


@router.get("/certification/centres", response=list[CentreOut])
@paginate(Pagination)
def list_centres(request: HttpRequest) -> QuerySet[Centre]:
    return restricted(Centre, request)


# --- Candidates and paths ----------------------------------------------------------------------------


def _account(user_id: int | None) -> User | None:
    """The technician or candidate account a candidate is linked to; the training centre sees no user list."""
    if user_id is None:
        return None
    account = services.linkable_accounts().filter(pk=user_id).first()
    if account is None:
        raise ValidationError({"user": _("No technician or candidate account %(id)s.") % {"id": user_id}})
    return account


def _save_candidate(request: HttpRequest, candidate: Candidate, changes: dict[str, Any]) -> Candidate:
    if "user" in changes:
        changes["user"] = _account(changes["user"])
    for name, value in changes.items():
        setattr(candidate, name, value)
    save_restricted(acting_user(request), candidate)
    return candidate


@router.get("/certification/candidates", response=list[CandidateOut])
@paginate(Pagination)
def list_candidates(request: HttpRequest) -> QuerySet[Candidate]:
    return restricted(Candidate, request)


@router.post("/certification/candidates", response={201: CandidateOut})
def create_candidate(request: HttpRequest, payload: CandidateIn) -> Candidate:
    return _save_candidate(request, Candidate(), payload.model_dump())


@router.get("/certification/candidates/{candidate_id}", response=CandidateOut)
def get_candidate(request: HttpRequest, candidate_id: int) -> Candidate:
    return get_visible(restricted(Candidate, request), candidate_id)


@router.patch("/certification/candidates/{candidate_id}", response=CandidateOut)
def update_candidate(request: HttpRequest, candidate_id: int, payload: CandidatePatch) -> Candidate:
    candidate = get_visible(restricted(Candidate, request), candidate_id)
    return _save_candidate(request, candidate, payload.model_dump(exclude_unset=True))


@router.get("/certification/candidates/{candidate_id}/paths", response=list[PathOut])
def list_paths(request: HttpRequest, candidate_id: int) -> QuerySet[Path]:
    candidate = get_visible(restricted(Candidate, request), candidate_id)
    paths = restricted(Path, request).filter(candidate=candidate).select_related("admissibility_regulation")
    return paths.prefetch_related("experience_periods")


@router.post("/certification/candidates/{candidate_id}/paths", response={201: PathOut})
def create_path(request: HttpRequest, candidate_id: int, payload: PathIn) -> Path:
    candidate = get_visible(restricted(Candidate, request), candidate_id)
    path = apply_changes(request, Path(candidate=candidate), payload.model_dump(), PATH_KEYS)
    save_restricted(acting_user(request), path)
    return path


@router.get("/certification/candidates/{candidate_id}/standing", response=list[StandingOut])
def candidate_standing(request: HttpRequest, candidate_id: int) -> list[dict[str, Any]]:
    """For each title the candidate works towards: CCPs held and missing, until when, what is due."""
    candidate = get_visible(restricted(Candidate, request), candidate_id)
    return [
        {
            "title": standing.title.pk,
            "version": standing.version.pk,
            "title_granted": standing.title_granted,
            "held": [
                {"ccp": held.ccp.pk, "name": held.ccp.name, "obtained_on": held.obtained_on} for held in standing.held
            ],
            "missing": [{"ccp": ccp.pk, "name": ccp.name} for ccp in standing.missing],
            "deadline": standing.deadline,
            "final_interview": standing.final_interview,
            "documents": standing.documents,
        }
        for standing in (services.standing(candidate, title) for title in services.titles_of(candidate))
    ]


def _named(model: type[M], request: HttpRequest, pk: int, field: str) -> M:
    """The object a required id names, if the user may see it; else a 422 on that field."""
    return cast(M, resolve(model, request, pk, field))


@router.get("/certification/candidates/{candidate_id}/titles/{title_id}/livret", response={200: PdfFile})
def livret(request: HttpRequest, candidate_id: int, title_id: int) -> HttpResponse:
    """The livret de certification of a title: every CCP obtained, with its date and session, as PDF."""
    candidate = get_visible(restricted(Candidate, request), candidate_id)
    title = get_visible(restricted(Title, request), title_id)
    pdf = documents.livret(acting_user(request), candidate, title)
    return pdf_response(pdf, f"livret-{candidate.pk}-{title.pk}.pdf")


@router.get("/certification/decisions/{decision_id}/parchemin", response={200: PdfFile})
def parchemin(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The parchemin of the title or CCS granted by this decision, as PDF."""
    decisions = restricted(Decision, request).select_related(
        "registration__candidate", "registration__session__version__title", "registration__session__ccs"
    )
    decision = get_visible(decisions, decision_id)
    pdf = documents.parchemin(acting_user(request), decision)
    return pdf_response(pdf, f"parchemin-{decision.pk}.pdf")


@router.post("/certification/paths/{path_id}/experience", response={201: ExperienceOut})
def add_experience(request: HttpRequest, path_id: int, payload: ExperienceIn) -> ExperiencePeriod:
    path = get_visible(restricted(Path, request), path_id)
    period = ExperiencePeriod(path=path, **payload.model_dump())
    save_restricted(acting_user(request), period)
    return period


@router.patch("/certification/paths/{path_id}", response=PathOut)
def update_path(request: HttpRequest, path_id: int, payload: PathPatch) -> Path:
    path = get_visible(restricted(Path, request), path_id)
    apply_changes(request, path, payload.model_dump(exclude_unset=True), PATH_KEYS)
    return services.change_path(acting_user(request), path)


@router.post("/certification/paths/{path_id}/admissibility", response=PathOut)
def decide_admissibility(request: HttpRequest, path_id: int, payload: AdmissibilityIn) -> Path:
    """Record the notification of admissibility of a VAE application (refused if the experience falls short)."""
    path = get_visible(restricted(Path, request).select_related("version__regulation"), path_id)
    return services.decide_admissibility(acting_user(request), path, payload.admissible, payload.on)


@router.get("/certification/paths/{path_id}/admissibility", response=AdmissibilityVerdictOut)
@answers(409)  # a path that is not a VAE application
def vae_admissibility(request: HttpRequest, path_id: int) -> dict[str, Any]:
    """Whether this VAE application is admissible on its declared experience; records nothing."""
    paths = restricted(Path, request).select_related("version__regulation").prefetch_related("experience_periods")
    verdict = questions.vae_admissibility(get_visible(paths, path_id))
    return {
        "path": path_id,
        "admissible": verdict.admissible,
        "rule": verdict.rule,
        "reasons": verdict.reasons,
        "experience_months": verdict.months,
        "needed_months": verdict.needed_months,
        "periods": verdict.periods,
        "recorded": verdict.recorded,
        "valid_until": verdict.valid_until,
    }


# --- Sessions ---------------------------------------------------------------------------------------


def _sessions(request: HttpRequest) -> QuerySet[Session]:
    return restricted(Session, request).select_related("version__regulation").prefetch_related("jury")


@router.get("/certification/sessions", response=list[SessionOut])
@paginate(Pagination)
def list_sessions(request: HttpRequest) -> QuerySet[Session]:
    return _sessions(request)


@router.post("/certification/sessions", response={201: SessionOut})
def create_session(request: HttpRequest, payload: SessionIn) -> Session:
    session = apply_changes(request, Session(), payload.model_dump(), SESSION_KEYS)
    save_restricted(acting_user(request), session)
    return session


@router.get("/certification/sessions/{session_id}", response=SessionOut)
def get_session(request: HttpRequest, session_id: int) -> Session:
    return get_visible(_sessions(request), session_id)


@router.patch("/certification/sessions/{session_id}", response=SessionOut)
def update_session(request: HttpRequest, session_id: int, payload: SessionPatch) -> Session:
    session = get_visible(_sessions(request), session_id)
    apply_changes(request, session, payload.model_dump(exclude_unset=True), SESSION_KEYS)
    return services.change_session(acting_user(request), session)


@router.get("/certification/sessions/{session_id}/jury-validity", response=JuryVerdictOut)
def jury_validity(request: HttpRequest, session_id: int) -> dict[str, Any]:
    """Whether the session's jury is validly composed, as a decision requires, and who disqualifies it; records
    nothing."""
    verdict = questions.jury_validity(get_visible(_sessions(request), session_id))
    return {
        "session": session_id,
        "valid": verdict.valid,
        "rule": verdict.rule,
        "reasons": verdict.reasons,
        "members": [
            {"id": checked.member.pk, "name": checked.member.name, "problems": checked.problems}
            for checked in verdict.members
        ],
    }


@router.post("/certification/sessions/{session_id}/jury", response={201: JuryMemberOut})
def add_jury_member(request: HttpRequest, session_id: int, payload: JuryMemberIn) -> JuryMember:
    session = get_visible(_sessions(request), session_id)
    return services.add_jury_member(acting_user(request), JuryMember(session=session, **payload.model_dump()))


@router.delete("/certification/sessions/{session_id}/jury/{member_id}", response={204: None})
def remove_jury_member(request: HttpRequest, session_id: int, member_id: int) -> Status[None]:
    """Remove a member from the jury; refused once a decision is recorded for the session."""
    session = get_visible(_sessions(request), session_id)
    member = get_visible(restricted(JuryMember, request).filter(session=session), member_id)
    services.remove_jury_member(acting_user(request), member)
    return Status(204, None)


@router.get("/certification/sessions/{session_id}/registrations", response=list[RegistrationOut])
def list_registrations(request: HttpRequest, session_id: int) -> QuerySet[Registration]:
    session = get_visible(_sessions(request), session_id)
    return restricted(Registration, request).filter(session=session)


@router.post("/certification/sessions/{session_id}/registrations", response={201: RegistrationOut})
def register(request: HttpRequest, session_id: int, payload: RegistrationIn) -> Registration:
    session = get_visible(_sessions(request), session_id)
    candidate = _named(Candidate, request, payload.candidate, "candidate")
    path = _named(Path, request, payload.path, "path")
    return services.register(acting_user(request), session, candidate, path)


def _registration(request: HttpRequest, registration_id: int) -> Registration:
    registrations = restricted(Registration, request).select_related(
        "session__version__regulation", "path", "candidate"
    )
    return get_visible(registrations, registration_id)


@router.post("/certification/registrations/{registration_id}/elements", response={201: ElementOut})
def record_element(request: HttpRequest, registration_id: int, payload: ElementIn) -> EvaluationElement:
    registration = _registration(request, registration_id)
    element = apply_changes(
        request, EvaluationElement(registration=registration), payload.model_dump(), {"ccp": ActivityType}
    )
    return services.record_element(acting_user(request), element)


@router.post("/certification/registrations/{registration_id}/decision", response={201: DecisionOut})
def record_decision(request: HttpRequest, registration_id: int, payload: DecisionIn) -> Decision:
    registration = _registration(request, registration_id)
    return services.record_decision(
        acting_user(request),
        registration,
        title_granted=payload.title_granted,
        ccps=resolve_many(ActivityType, request, payload.ccps, "ccps"),
        ccs_granted=payload.ccs_granted,
        notes=payload.notes,
    )


# --- Keeping the referential: administrators write, the training centre reads -------------------------


class VersionIn(Input):
    name: str
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    status: VersionStatus = VersionStatus.ACTIVE
    regulation: int = Field(description="The regulation version (rules in force) of this title version.")


class VersionPatch(partial_schema(VersionIn)):  # type: ignore[misc]
    """Only the fields sent are changed; a closed version has its closing date (`valid_until`)."""


class RevisionIn(Input):
    name: str
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    regulation: int | None = Field(None, description="The regulation version; the revised version's if omitted.")


VERSION_KEYS: dict[str, type[Model]] = {"regulation": RegulationVersion}


class CorrespondenceIn(Input):
    old_ccps: list[int] = Field(description="The old CCPs that together give the new CCP, all of them needed.")
    new_ccp: int


class CorrespondenceOut(Schema):
    id: int
    old_ccps: list[int]
    new_ccp: int = Field(alias="new_ccp_id")

    @staticmethod
    def resolve_old_ccps(correspondence: Correspondence) -> list[int]:
        return sorted(ccp.pk for ccp in correspondence.old_ccps.all())


class VersionDetailOut(Schema):
    id: int
    title: int = Field(alias="title_id")
    name: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    status: str
    regulation: int = Field(alias="regulation_id")
    revises: int | None = Field(None, alias="revises_id")
    ccps: list[CcpOut]
    correspondences: list[CorrespondenceOut] = Field(description="Into this version's CCPs.")

    @staticmethod
    def resolve_ccps(version: TitleVersion) -> list[Any]:
        return list(version.ccps.all())

    @staticmethod
    def resolve_correspondences(version: TitleVersion) -> list[Any]:
        return list(referential.correspondences_into(version))


class ClosureIn(Input):
    valid_until: datetime.date = Field(description="The closing date: the end of the version's validity.")


class ClosureEffectOut(Schema):
    candidate: int
    name: str
    ccps_held: int
    first_ccp_on: datetime.date
    deadline: datetime.date | None = Field(description="Last day to obtain the title.")


class CcpIn(Input):
    position: int = Field(ge=1)
    name: str


class CcpCreatedOut(Schema):
    id: int
    version: int = Field(alias="version_id")
    position: int
    name: str


class CcsIn(Input):
    name: str


class CcsDetailOut(CcsIn):
    id: int
    title: int = Field(alias="title_id")


class CentreIn(Input):
    name: str
    approval_number: str
    city: str = ""


class CentrePatch(partial_schema(CentreIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


def _kept(model: type[M], request: HttpRequest) -> QuerySet[M]:
    """The referential objects, for those who keep or read its keeping (403 for the other roles)."""
    referential.check_read(acting_user(request))
    return restricted(model, request)


def _effects(effects: list[referential.ClosureEffect]) -> list[dict[str, Any]]:
    return [
        {
            "candidate": effect.candidate.pk,
            "name": str(effect.candidate),
            "ccps_held": effect.ccps_held,
            "first_ccp_on": effect.first_ccp_on,
            "deadline": effect.deadline,
        }
        for effect in effects
    ]


@router.post("/certification/titles/{title_id}/versions", response={201: VersionDetailOut})
def create_version(request: HttpRequest, title_id: int, payload: VersionIn) -> Model:
    title = get_visible(_kept(Title, request), title_id)
    version = apply_changes(request, TitleVersion(title=title), payload.model_dump(), VERSION_KEYS)
    return referential.save(acting_user(request), version)


@router.get("/certification/versions/{version_id}", response=VersionDetailOut)
def get_version(request: HttpRequest, version_id: int) -> TitleVersion:
    return get_visible(_kept(TitleVersion, request), version_id)


@router.patch("/certification/versions/{version_id}", response=VersionDetailOut)
def update_version(request: HttpRequest, version_id: int, payload: VersionPatch) -> Model:
    version = get_visible(_kept(TitleVersion, request), version_id)
    apply_changes(request, version, payload.model_dump(exclude_unset=True), VERSION_KEYS)
    return referential.save(acting_user(request), version)


@router.get("/certification/versions/{version_id}/changes", response=list[ChangeOut])
@paginate(Pagination)
def version_changes(request: HttpRequest, version_id: int) -> QuerySet[ObjectChange]:
    """The change log of the version, its CCPs and the correspondences into it."""
    return changes_for(get_visible(_kept(TitleVersion, request), version_id))


@router.post("/certification/versions/{version_id}/revisions", response={201: VersionDetailOut})
def revise_version(request: HttpRequest, version_id: int, payload: RevisionIn) -> TitleVersion:
    """Create the version that revises this one (same title); this one is marked revised."""
    old = get_visible(_kept(TitleVersion, request).select_related("title", "regulation"), version_id)
    changes = payload.model_dump()
    if changes["regulation"] is None:
        changes["regulation"] = old.regulation_id
    new = apply_changes(request, TitleVersion(), changes, VERSION_KEYS)
    return referential.revise(acting_user(request), old, new)


@router.get("/certification/versions/{version_id}/closure", response=list[ClosureEffectOut])
def closure_preview(request: HttpRequest, version_id: int, valid_until: datetime.date) -> list[dict[str, Any]]:
    """The candidates holding CCPs of this version, with their deadline were it closed on `valid_until`;
    records nothing."""
    version = get_visible(_kept(TitleVersion, request).select_related("regulation"), version_id)
    return _effects(referential.closure_effects(version, valid_until))


@router.post("/certification/versions/{version_id}/closure", response=list[ClosureEffectOut])
def close_version(request: HttpRequest, version_id: int, payload: ClosureIn) -> list[dict[str, Any]]:
    """Close the version on its closing date; answers its CCP holders with their new deadlines."""
    version = get_visible(_kept(TitleVersion, request).select_related("regulation"), version_id)
    return _effects(referential.close(acting_user(request), version, payload.valid_until))


@router.post("/certification/versions/{version_id}/ccps", response={201: CcpCreatedOut})
def create_ccp(request: HttpRequest, version_id: int, payload: CcpIn) -> Model:
    version = get_visible(_kept(TitleVersion, request), version_id)
    return referential.save(acting_user(request), ActivityType(version=version, **payload.model_dump()))


@router.get("/certification/versions/{version_id}/correspondences", response=list[CorrespondenceOut])
def list_correspondences(request: HttpRequest, version_id: int) -> QuerySet[Correspondence]:
    return referential.correspondences_into(get_visible(_kept(TitleVersion, request), version_id))


@router.post("/certification/versions/{version_id}/correspondences", response={201: CorrespondenceOut})
def create_correspondence(request: HttpRequest, version_id: int, payload: CorrespondenceIn) -> Correspondence:
    """Record that holding all of `old_ccps` (CCPs of the version this one revises) counts as holding `new_ccp`."""
    version = get_visible(_kept(TitleVersion, request), version_id)
    new_ccp = get_visible(restricted(ActivityType, request).filter(version=version), payload.new_ccp)
    old_ccps = [_named(ActivityType, request, pk, "old_ccps") for pk in payload.old_ccps]
    return services.add_correspondence(acting_user(request), new_ccp, old_ccps)


@router.delete("/certification/correspondences/{correspondence_id}", response={204: None})
def remove_correspondence(request: HttpRequest, correspondence_id: int) -> Status[None]:
    correspondence = get_visible(_kept(Correspondence, request), correspondence_id)
    referential.remove_correspondence(acting_user(request), correspondence)
    return Status(204, None)


@router.post("/certification/titles/{title_id}/ccs", response={201: CcsDetailOut})
def create_ccs(request: HttpRequest, title_id: int, payload: CcsIn) -> Model:
    title = get_visible(_kept(Title, request), title_id)
    return referential.save(acting_user(request), Ccs(title=title, **payload.model_dump()))


@router.patch("/certification/ccs/{ccs_id}", response=CcsDetailOut)
def update_ccs(request: HttpRequest, ccs_id: int, payload: CcsIn) -> Model:
    ccs = get_visible(_kept(Ccs, request), ccs_id)
    ccs.name = payload.name
    return referential.save(acting_user(request), ccs)


@router.post("/certification/centres", response={201: CentreOut})
def create_centre(request: HttpRequest, payload: CentreIn) -> Model:
    referential.check_read(acting_user(request))
    return referential.save(acting_user(request), Centre(**payload.model_dump()))


@router.get("/certification/centres/{centre_id}", response=CentreOut)
def get_centre(request: HttpRequest, centre_id: int) -> Centre:
    return get_visible(_kept(Centre, request), centre_id)


@router.patch("/certification/centres/{centre_id}", response=CentreOut)
def update_centre(request: HttpRequest, centre_id: int, payload: CentrePatch) -> Model:
    centre = get_visible(_kept(Centre, request), centre_id)
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(centre, name, value)
    return referential.save(acting_user(request), centre)


@router.get("/certification/centres/{centre_id}/changes", response=list[ChangeOut])
@paginate(Pagination)
def centre_changes(request: HttpRequest, centre_id: int) -> QuerySet[ObjectChange]:
    return changes_for(get_visible(_kept(Centre, request), centre_id))
