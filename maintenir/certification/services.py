"""Certification operations: paths, sessions, registrations, juries, evaluations, decisions, what a candidate holds.

Each operation checks the acting user's rights, validates with the models' `clean()` (which asks
`rules`), and writes in one transaction. The questions ("what is missing, until when?") load the
records once and hand them to the pure functions of `rules`.
"""

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.certification import rules
from maintenir.certification.choices import Admissibility, ElementKind, PathKind, SessionKind
from maintenir.certification.models import (
    ACCOUNT_ROLES,
    DISPATCH_ROLES,
    ActivityType,
    Candidate,
    Correspondence,
    Decision,
    EvaluationElement,
    GrantedCcp,
    JuryMember,
    Path,
    Registration,
    RegulationVersion,
    Session,
    Title,
    TitleVersion,
    ccps_granted,
    correspondences,
)
from maintenir.core.choices import Action, Role
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_permission, delete_restricted, save_restricted


@transaction.atomic
def decide_admissibility(user: User, path: Path, admissible: bool, on: datetime.date) -> Path:
    """Record the labour administration's notification of (in)admissibility of a VAE application.

    An admissible notification is refused where the declared experience does not meet the rule. The path
    keeps who recorded it and when.
    """
    check_permission(user, Action.CHANGE, path)
    if path.kind != PathKind.VAE:
        raise TransitionError({"kind": _("Only a VAE application has an admissibility decision.")})
    if path.admissibility != Admissibility.PENDING:
        raise TransitionError({"admissibility": _("The admissibility was already decided.")})
    regulation = path.regulation()
    if admissible:
        verdict = rules.vae_admissible(regulation, path.experience())
        if not verdict:
            raise TransitionError({"admissibility": verdict.reason})
    path.admissibility_regulation = regulation
    path.admissibility = Admissibility.ADMISSIBLE if admissible else Admissibility.REFUSED
    path.admissibility_on = on
    path.admissibility_recorded_by = user
    path.admissibility_recorded_at = timezone.now()
    save_restricted(user, path)
    return path


@transaction.atomic
def change_path(user: User, path: Path) -> Path:
    """Save a path edited after its creation, with the checks of its creation and of its registrations.

    Refused once a decision is recorded on one of its registrations: the decision was taken on that path.
    """
    check_permission(user, Action.CHANGE, path)
    if Decision.objects.filter(registration__path_id=path.pk).exists():
        raise TransitionError({"path": _("A decision is recorded on this path: it can no longer change.")})
    for registration in path.registrations.select_related("candidate", "session__version__regulation"):
        registration.path = path
        _check_registration(registration)
    save_restricted(user, path)
    return path


@transaction.atomic
def change_session(user: User, session: Session) -> Session:
    """Save a session edited after its creation, with the checks of its creation and of its registrations.

    Refused once a decision is recorded for the session: the decision was taken at that session.
    """
    check_permission(user, Action.CHANGE, session)
    _check_undecided(session)
    for registration in session.registrations.select_related("candidate", "path__version"):
        registration.session = session
        _check_registration(registration)
    save_restricted(user, session)
    return session


def _check_registration(registration: Registration) -> None:
    """A registration must still be valid after a change to its session or path (`Registration.clean`)."""
    try:
        registration.clean()
    except ValidationError as error:
        raise TransitionError(
            {
                "registrations": [
                    _("Registration of %(candidate)s: %(reason)s")
                    % {"candidate": registration.candidate, "reason": message}
                    for message in error.messages
                ]
            }
        ) from error


def is_decided(session: Session) -> bool:
    """Whether a decision is recorded for the session: from then on the session and its jury are final."""
    return Decision.objects.filter(registration__session_id=session.pk).exists()


def _check_undecided(session: Session) -> None:
    if is_decided(session):
        raise TransitionError(
            {"session": _("The session's decisions are recorded: the session and its jury are final.")}
        )


def register(user: User, session: Session, candidate: Candidate, path: Path) -> Registration:
    """Register a candidate to a session on one of their paths (`Registration.clean` checks the rules)."""
    registration = Registration(session=session, candidate=candidate, path=path)
    save_restricted(user, registration)
    return registration


def add_jury_member(user: User, member: JuryMember) -> JuryMember:
    _check_undecided(member.session)
    save_restricted(user, member)
    return member


@transaction.atomic
def remove_jury_member(user: User, member: JuryMember) -> None:
    """Remove a member from a session's jury, until the session's decisions are recorded."""
    check_permission(user, Action.DELETE, member)
    _check_undecided(member.session)
    delete_restricted(user, member)


def record_element(user: User, element: EvaluationElement) -> EvaluationElement:
    element.recorded_by = user
    save_restricted(user, element)
    return element


@transaction.atomic
def record_decision(
    user: User,
    registration: Registration,
    *,
    title_granted: bool = False,
    ccps: Iterable[ActivityType] = (),
    ccs_granted: bool = False,
    notes: str = "",
) -> Decision:
    """Record the jury's decision on a registered candidate, once, with the CCPs it grants.

    The jury must be validly composed. A title session grants the title or not, and if not, any of the
    version's CCPs; a CCP session grants its CCP, and the title too once all CCPs are held (after the
    final interview where it is due) — unless a pair of evaluators sits it: then a title session's jury
    of professionals grants the title after its interview (`rules.title_grant`); a CCS session grants the
    CCS or not. A title is never granted twice.
    """
    check_permission(user, Action.CHANGE, registration)
    session = registration.session
    problems = session.jury_problems()
    if problems:
        raise TransitionError({"session": problems})
    if Decision.objects.filter(registration=registration).exists():
        raise TransitionError({"registration": _("The decision on this registration is already recorded.")})
    ccps = list(ccps)
    regulation = session.regulation()
    _check_outcome(session, regulation, registration, title_granted, ccps, ccs_granted)
    decision = Decision(
        registration=registration,
        regulation=regulation,
        title_granted=title_granted,
        ccs_granted=ccs_granted,
        decided_on=session.date,
        recorded_by=user,
        notes=notes,
    )
    save_restricted(user, decision)
    for ccp in ccps:
        save_restricted(user, GrantedCcp(decision=decision, ccp=ccp))
    return decision


def _check_outcome(
    session: Session,
    regulation: RegulationVersion,
    registration: Registration,
    title_granted: bool,
    ccps: list[ActivityType],
    ccs_granted: bool,
) -> None:
    if ccs_granted and session.kind != SessionKind.CCS:
        raise TransitionError({"ccs_granted": _("Only a CCS session grants a CCS.")})
    if session.kind == SessionKind.CCS and (title_granted or ccps):
        raise TransitionError({"ccps": _("A CCS session grants the CCS only.")})
    allowed = (
        {session.ccp_id} if session.kind == SessionKind.CCP else set(session.version.ccps.values_list("pk", flat=True))
    )
    if any(ccp.pk not in allowed for ccp in ccps):
        raise TransitionError({"ccps": _("Only CCPs evaluated in this session can be granted.")})
    if not title_granted:
        return
    if ccps and session.kind == SessionKind.TITLE:
        raise TransitionError({"ccps": _("The title granted comprises its CCPs: grant the title or CCPs.")})
    candidate = registration.candidate
    if candidate.holds_title(session.version.title):
        raise TransitionError({"title_granted": _("The candidate already holds this title.")})
    held = {**candidate.ccps_held(session.version), **{ccp.pk: session.date for ccp in ccps}}
    verdict = rules.title_grant(
        regulation,
        session.kind,
        registration.path.kind,
        holds_all_ccps=not rules.missing_ccps(list(session.version.ccps.values_list("pk", flat=True)), held),
        interviewed=registration.elements.filter(kind=ElementKind.FINAL_INTERVIEW).exists(),
    )
    if not verdict:
        raise TransitionError({"title_granted": verdict.reason})


# --- What a candidate holds ----------------------------------------------------------------


@dataclass(frozen=True)
class HeldCcp:
    ccp: ActivityType
    obtained_on: datetime.date


@dataclass(frozen=True)
class Standing:
    """Where a candidate stands towards a title: what they hold, what is missing and until when."""

    title: Title
    version: TitleVersion
    title_granted: bool
    held: list[HeldCcp]
    missing: list[ActivityType]
    deadline: datetime.date | None
    final_interview: str | None
    documents: list[str]


def standing(candidate: Candidate, title: Title) -> Standing:
    """The candidate's position on the title's newest version (older CCPs count through correspondences)."""
    version = title.current_version()
    if version is None:
        raise TransitionError({"title": _("The title has no version.")})
    ccps = list(version.ccps.all())
    held = candidate.ccps_held(version)
    decisions = Decision.objects.filter(registration__candidate=candidate, registration__session__version__title=title)
    title_granted = decisions.filter(title_granted=True).exists()
    ccs_granted = decisions.filter(ccs_granted=True).exists()
    missing_ids = set(rules.missing_ccps([ccp.pk for ccp in ccps], held))
    deadline = None
    if held and missing_ids:
        deadline = rules.capitalisation_deadline(
            version.regulation, version.valid_until, version.status, min(held.values())
        )
    path = candidate.paths.filter(version__title=title).order_by("-started_on", "-pk").first()
    return Standing(
        title=title,
        version=version,
        title_granted=title_granted,
        held=[HeldCcp(ccp, held[ccp.pk]) for ccp in ccps if ccp.pk in held],
        missing=[ccp for ccp in ccps if ccp.pk in missing_ids],
        deadline=deadline,
        final_interview=None
        if title_granted
        else rules.final_interview(version.regulation, path.kind if path else "", not missing_ids),
        documents=rules.documents_due(title_granted, ccs_granted, len(held)),
    )


def titles_of(candidate: Candidate) -> list[Title]:
    """The titles the candidate has a path or a decision on."""
    return list(
        Title.objects.filter(
            Q(versions__paths__candidate=candidate) | Q(versions__sessions__registrations__candidate=candidate)
        ).distinct()
    )


def livret(candidate: Candidate, title: Title) -> QuerySet[GrantedCcp]:
    """The lines of the livret de certification: every CCP granted for the title, with its session and date.

    "Un livret de certification, qui enregistre les CCP progressivement acquis".
    """
    return (
        GrantedCcp.objects.filter(
            decision__registration__candidate=candidate, decision__registration__session__version__title=title
        )
        .select_related("ccp", "decision__registration__session__centre")
        .order_by("decision__decided_on", "ccp__position")
    )


def ccps_held_by(user_ids: Collection[int], ccp_ids: Collection[int]) -> dict[int, set[int]]:
    """Which of the CCPs `ccp_ids` each account holds — granted alone, as part of a title, or through a
    correspondence — in a fixed number of queries, for dispatch. Accounts holding none are left out."""
    if not user_ids or not ccp_ids:
        return {}
    found = correspondences(ActivityType.objects.filter(pk__in=ccp_ids).values("version__title_id"))
    wanted = set(ccp_ids)
    held = {
        user_id: set(rules.ccps_held(granted, found)) & wanted
        for user_id, granted in ccps_granted("candidate__user_id", user_ids).items()
    }
    return {user_id: ccps for user_id, ccps in held.items() if ccps}


@transaction.atomic
@transaction.atomic
def add_correspondence(user: User | Any, new_ccp: ActivityType, old_ccps: Collection[ActivityType]) -> Correspondence:
    """Record that holding all of `old_ccps` (of the revised version) counts as holding `new_ccp`."""
    Correspondence.check_ccps(new_ccp, old_ccps)
    correspondence = Correspondence(new_ccp=new_ccp)
    save_restricted(user, correspondence)
    correspondence.old_ccps.set(old_ccps)
    return correspondence


def may_list_holders(user: User | Any) -> bool:
    return bool(user.is_superuser or user.role in DISPATCH_ROLES)


def certificates_of(viewer: User | Any, person: User) -> dict[str, Any]:
    """What `person` holds — their candidate record, a standing per title, the CCS granted — as `viewer` may see it.

    The context of the "certification/certificates.html" include.
    """
    candidate = Candidate.objects.restrict(viewer).filter(user=person).first()
    ccs = (
        Decision.objects.restrict(viewer)
        .filter(registration__candidate=candidate, ccs_granted=True)
        .select_related("registration__session__ccs")
    )
    return {
        "candidate": candidate,
        "standings": [standing(candidate, title) for title in titles_of(candidate)] if candidate else [],
        "ccs_decisions": ccs,
    }


def linkable_accounts() -> QuerySet[User]:
    """The accounts a candidate can be linked to: technicians and candidates (whom the training centre cannot list
    through the user permissions)."""
    return User.objects.filter(is_active=True, role__in=ACCOUNT_ROLES)


def holders_of(ccp: ActivityType) -> QuerySet[User]:
    """Technicians holding CCP `ccp` — granted alone, as part of a title, or through a correspondence.

    For dispatch: "which of my technicians hold the hydraulic repair CCP?" The same rule as `ccps_held_by`.
    """
    technicians = User.objects.filter(role=Role.TECHNICIAN, is_active=True, candidate__isnull=False)
    holders = ccps_held_by(list(technicians.values_list("pk", flat=True)), [ccp.pk])
    return technicians.filter(pk__in=holders).order_by("last_name", "first_name")
