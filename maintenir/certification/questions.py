"""Questions asked of a record without recording anything: "is this VAE application admissible?",
"is this jury validly composed for this session?".

Each answer is the verdict the recording service would reach (`services.decide_admissibility`,
`services.record_decision`), asked of the same `rules`, with what it was reached on: the months
counted and needed, the members and what disqualifies each of them. Nothing here writes.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from maintenir.certification import rules
from maintenir.certification.choices import Admissibility, CcpEvaluators, MemberProfile, PathKind, SessionKind
from maintenir.certification.models import ExperiencePeriod, JuryMember, Path, Session
from maintenir.core.services import TransitionError

VAE_EXPERIENCE_RULE = "vae_experience"
JURY_COMPOSITION_RULE = "jury_composition"


@dataclass(frozen=True)
class AdmissibilityVerdict:
    """Whether a VAE application meets the experience rule, on the periods declared today."""

    path: Path
    admissible: bool
    rule: str
    reasons: list[str]
    months: int
    needed_months: int
    periods: list[ExperiencePeriod]
    recorded: str
    valid_until: datetime.date | None

    @property
    def counted(self) -> list[ExperiencePeriod]:
        return [period for period in self.periods if period.related]


def vae_admissibility(path: Path) -> AdmissibilityVerdict:
    """Whether the labour administration's admissibility could be recorded for this VAE application.

    `admissible` is what `services.decide_admissibility` would accept; `recorded` is what was recorded
    already, and `valid_until` the last day an admissibility recorded lets the candidate sit.
    """
    if path.kind != PathKind.VAE:
        raise TransitionError({"kind": _("Only a VAE application has an admissibility decision.")})
    regulation = path.regulation()
    months = path.experience()
    verdict = rules.vae_admissible(regulation, months)
    recorded_until = None
    if path.admissibility == Admissibility.ADMISSIBLE and path.admissibility_on is not None:
        recorded_until = rules.admissibility_expires(path.admissibility_on)
    return AdmissibilityVerdict(
        path=path,
        admissible=verdict.allowed,
        rule=VAE_EXPERIENCE_RULE,
        reasons=[] if verdict else [verdict.reason],
        months=months,
        needed_months=regulation.vae_min_experience_months,
        periods=list(path.experience_periods.all()),
        recorded=path.admissibility,
        valid_until=recorded_until,
    )


@dataclass(frozen=True)
class MemberVerdict:
    member: JuryMember
    problems: list[str]


@dataclass(frozen=True)
class JuryVerdict:
    """Whether a session's jury is validly composed, as a decision would require, and who disqualifies it."""

    session: Session
    valid: bool
    rule: str
    reasons: list[str]
    members: list[MemberVerdict]


def jury_validity(session: Session) -> JuryVerdict:
    """The verdict `services.record_decision` would reach on the session's jury, with each member's problems."""
    regulation = session.regulation()
    members = list(session.jury.all())
    reasons = rules.jury_problems(regulation, session.kind, members)
    pair = session.kind == SessionKind.CCP and regulation.ccp_evaluators == CcpEvaluators.PAIR
    return JuryVerdict(
        session=session,
        valid=not reasons,
        rule=JURY_COMPOSITION_RULE,
        reasons=reasons,
        members=[MemberVerdict(member, _member_problems(regulation, pair, member)) for member in members],
    )


def _member_problems(regulation: rules.Regulation, pair: bool, member: JuryMember) -> list[str]:
    """What disqualifies one member, named, under the conditions `rules.jury_problems` sets on every member."""
    problems = []
    values = {"name": member.name}
    if member.profile == MemberProfile.TRAINER and not pair:
        problems.append(_("%(name)s is a trainer; the jury is made of professionals only.") % values)
    if not member.approved:
        problems.append(_("%(name)s is not approved.") % values)
    if member.profile != MemberProfile.PROFESSIONAL:
        return problems
    if member.years_in_trade < regulation.member_min_years_in_trade:
        problems.append(
            _("%(name)s has %(years)s years in the trade; %(needed)s are needed.")
            % {**values, "years": member.years_in_trade, "needed": regulation.member_min_years_in_trade}
        )
    limit = regulation.member_max_years_out
    if limit is not None and member.years_out_of_trade > limit:
        problems.append(
            _("%(name)s left the trade %(years)s years ago; at most %(limit)s are allowed.")
            % {**values, "years": member.years_out_of_trade, "limit": limit}
        )
    return problems
