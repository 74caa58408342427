"""The rules of obtaining a titre professionnel, as pure functions.

Each function encodes one rule and quotes it from the seed texts ("Modalités d'obtention du titre
professionnel"): the newer rules (arrêté of 22 December 2015, the connected-building title) and the
older ones (arrêté of 9 March 2006, the industrial maintenance title). What differs between the two
is read from the regulation version attached to a title version, never decided by a date in code.

They take plain values and objects read by attribute (a `RegulationVersion`, jury members), query
nothing, and are tested on their own; `services` loads the records and asks them.
"""

import calendar
import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

from maintenir.certification.choices import (
    CapitalisationWindow,
    CcpEvaluators,
    CcsRoute,
    Document,
    ElementKind,
    FinalInterview,
    MemberProfile,
    PathKind,
    SessionKind,
    VersionStatus,
)

# "une notification de recevabilité" is valid one year (both texts' règlement des sessions).
ADMISSIBILITY_VALIDITY_MONTHS = 12
TRAINING_PATHS = frozenset({PathKind.CONTINUOUS, PathKind.DISCONTINUOUS})


class Regulation(Protocol):
    """The rules that differ between the two texts (a `RegulationVersion` row)."""

    vae_min_experience_months: int
    ccs_route: str
    ccs_experience_months: int
    ccp_evaluators: str
    jury_min_members: int
    member_min_years_in_trade: int
    member_max_years_out: int | None
    capitalisation_window: str
    capitalisation_years: int
    closure_grace_months: int
    final_interview: str


class Member(Protocol):
    profile: str
    years_in_trade: int
    years_out_of_trade: int
    approved: bool


@dataclass(frozen=True)
class Verdict:
    """A rule's answer: allowed, or refused with the reason a person can read."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months`; a month-end day lands on the last day of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def validity_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of a validity of `months` months from `start`: the anniversary date, inclusive.

    One rule for every period the texts count from a date: the year of a notification of
    admissibility, the years of capitalisation from the first CCP, the year of grace after a closure.
    A notification of 10 January is still in force on 10 January of the next year.
    """
    return add_months(start, months)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from `start` to `end` (exclusive): 1 Jan → 1 Jul is 6."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def experience_months(periods: Iterable[tuple[datetime.date, datetime.date]]) -> int:
    """Whole months of experience in periods given as (first day, last day), overlaps counted once.

    Two jobs held at the same time are one period of experience, not two.
    """
    merged: list[list[datetime.date]] = []
    for start, last in sorted(periods):
        end = last + datetime.timedelta(days=1)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return sum(months_between(start, end) for start, end in merged)


def vae_admissible(regulation: Regulation, months: int) -> Verdict:
    """Whether a VAE application is admissible on its experience.

    Newer rules: "justifiant, en tant que salarié ou bénévole, d'une expérience professionnelle d'un
    an en rapport avec le titre visé". Older rules: "d'une expérience professionnelle de trois ans en
    rapport avec le titre visé". The minimum is the regulation version's (0 since 1 January 2024,
    when the minimum was lifted); some related experience is always needed.
    """
    needed = regulation.vae_min_experience_months
    if months <= 0 and needed == 0:
        return Verdict(False, _("A VAE application needs professional experience related to the title."))
    if months < needed:
        return Verdict(
            False,
            _("A VAE application needs %(needed)s months of experience related to the title; there are %(months)s.")
            % {"needed": needed, "months": months},
        )
    return ALLOWED


def admissibility_expires(decided_on: datetime.date) -> datetime.date:
    """The last day a notification of admissibility lets the candidate sit a session.

    "Il reçoit … une notification de recevabilité lui permettant de s'inscrire à une session titre",
    valid one year from its date, anniversary included.
    """
    return validity_end(decided_on, ADMISSIBILITY_VALIDITY_MONTHS)


def ccs_route(regulation: Regulation, title: str, holds_title: bool, path_kind: str) -> Verdict:
    """Whether a candidate may prepare a CCS on this path: checked when the path is created.

    Both texts: "Un candidat peut préparer un CCS s'il est déjà titulaire du titre professionnel
    auquel le CCS est associé." Newer rules: "soit à la suite d'un parcours de formation, soit
    directement s'il justifie de 1 an d'expérience dans le métier visé" — no VAE, no notification of
    admissibility. Older rules: "à la suite d'un parcours de formation ou par la validation des acquis
    de l'expérience (VAE)". The route without training is the regulation version's `ccs_route`.
    """
    if not holds_title:
        return Verdict(
            False,
            _("A CCS can only be prepared by a holder of the title it is attached to: %(title)s.") % {"title": title},
        )
    if path_kind in TRAINING_PATHS or path_kind == regulation.ccs_route:
        return ALLOWED
    route = CcsRoute(regulation.ccs_route).label
    return Verdict(False, _("Without a training path, this CCS is prepared this way: %(route)s.") % {"route": route})


def ccs_eligibility(regulation: Regulation, title: str, holds_title: bool, path_kind: str, months: int) -> Verdict:
    """Whether a candidate may sit a CCS: the route (`ccs_route`), then, without training, the experience.

    Newer rules: "directement s'il justifie de 1 an d'expérience dans le métier visé"; older rules, by
    VAE, whose experience minimum is the regulation version's `ccs_experience_months`.
    """
    verdict = ccs_route(regulation, title, holds_title, path_kind)
    if not verdict or path_kind in TRAINING_PATHS:
        return verdict
    needed = regulation.ccs_experience_months
    if months < needed:
        return Verdict(
            False,
            _(
                "Without a training path, a CCS needs %(needed)s months of experience in the trade; "
                "%(months)s are counted."
            )
            % {"needed": needed, "months": months},
        )
    return ALLOWED


def ccps_held(
    granted: Mapping[int, datetime.date], correspondences: Iterable[tuple[Collection[int], int]]
) -> dict[int, datetime.date]:
    """The CCPs held, by id with the date obtained, including those covered after a revision.

    Newer rules: "En cas de révision du titre, l'arrêté de spécialité fixe les correspondances entre
    les CCP de l'ancien titre et ceux du titre révisé." A correspondence is a set of old CCPs and the
    new CCP they give together: when the order says old CCP3 and CCP4 correspond to new CCP3, CCP3
    alone gives nothing. The new CCP is held from the day the last of its old CCPs was obtained
    (through successive revisions too); where several correspondences give it, the earliest counts.
    """
    held = dict(granted)
    sets = [(frozenset(old), new) for old, new in correspondences if old]
    changed = True
    while changed:
        changed = False
        for old, new in sets:
            if old <= held.keys():
                day = max(held[ccp] for ccp in old)
                if new not in held or day < held[new]:
                    held[new] = day
                    changed = True
    return held


def missing_ccps(required: Sequence[int], held: Mapping[int, datetime.date]) -> list[int]:
    """The CCPs of the version sat that are not held, in the version's order.

    "Le candidat se présente aux CCP manquants du nouveau titre."
    """
    return [ccp for ccp in required if ccp not in held]


def capitalisation_deadline(
    regulation: Regulation,
    valid_until: datetime.date | None,
    status: str,
    first_ccp_on: datetime.date,
) -> datetime.date | None:
    """The last day the missing CCPs can be sat; None while the title's validity has no end set.

    Newer rules: "Le candidat peut se présenter aux CCP manquants dans la limite de la durée de
    validité du titre." Older rules: "Le candidat dispose ensuite de cinq ans, à partir de la date
    d'obtention du premier CCP, pour capitaliser tous les CCP, à condition que le titre soit
    maintenu". Closure: "En cas de clôture du titre, le candidat ayant antérieurement obtenu des CCP
    dispose d'un an à compter de la date de la fin de validité du titre pour obtenir le titre
    initialement visé" — for older-rule candidates, never beyond their own five years.
    """
    if regulation.capitalisation_window == CapitalisationWindow.FROM_FIRST_CCP:
        own: datetime.date | None = validity_end(first_ccp_on, 12 * regulation.capitalisation_years)
    else:
        own = valid_until
    if status != VersionStatus.CLOSED or valid_until is None:
        return own
    closure = validity_end(valid_until, regulation.closure_grace_months)
    if regulation.capitalisation_window == CapitalisationWindow.TITLE_VALIDITY or own is None:
        return closure
    return min(own, closure)


def session_date_allowed(
    regulation: Regulation,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    status: str,
    day: datetime.date,
) -> Verdict:
    """Whether a session of a title version may be held on `day`.

    A session is held for a title in force. After the end of validity only a closed title still
    has sessions, for the year its CCP holders have to finish ("dispose d'un an à compter de la
    date de la fin de validité du titre"); a revised title's candidates sit the new title.
    """
    if valid_from is not None and day < valid_from:
        return Verdict(False, _("The title version is valid only from %(day)s.") % {"day": valid_from})
    if valid_until is None or day <= valid_until:
        return ALLOWED
    if status == VersionStatus.CLOSED and day <= validity_end(valid_until, regulation.closure_grace_months):
        return ALLOWED
    return Verdict(False, _("The title version's validity ended on %(day)s.") % {"day": valid_until})


def in_closure_grace(valid_until: datetime.date | None, day: datetime.date) -> bool:
    """Whether `day` falls after the end of validity: only holders of CCPs of the title may sit then."""
    return valid_until is not None and day > valid_until


def final_interview(regulation: Regulation, path_kind: str, holds_all_ccps: bool) -> str | None:
    """Whether an interview with the jury is due before the title is granted, once all CCPs are held.

    Newer rules: "Afin d'attribuer le titre, un entretien final se déroule en fin de session du
    dernier CCP, et au vu du livret de certification." Older rules, discontinuous path: "Après
    obtention de tous les CCP du titre visé le jury de professionnels conduit un entretien avec le
    candidat"; after a partial success: "le jury peut, s'il le souhaite, convoquer le candidat à un
    nouvel entretien". None while CCPs are missing.
    """
    if not holds_all_ccps:
        return None
    if regulation.final_interview == FinalInterview.REQUIRED or path_kind == PathKind.DISCONTINUOUS:
        return FinalInterview.REQUIRED
    return FinalInterview.JURY_MAY_CALL


def title_grant(
    regulation: Regulation, session_kind: str, path_kind: str, holds_all_ccps: bool, interviewed: bool
) -> Verdict:
    """Whether the decision of this session may grant the title.

    Older rules, discontinuous path: "Pour l'obtention de chaque CCP, le candidat est évalué par un
    binôme d'évaluateurs composé d'un professionnel et d'un formateur de la spécialité [...] Après
    obtention de tous les CCP du titre visé le jury de professionnels conduit un entretien avec le
    candidat en vue d'attribuer le titre": a pair grants CCPs, never the title, which a jury of
    professionals grants at a title session after that interview. Newer rules: "Afin d'attribuer le
    titre, un entretien final se déroule en fin de session du dernier CCP": the jury of the last CCP
    grants it. A candidate capitalising CCPs holds them all first; one sitting the whole title does not.
    """
    if session_kind == SessionKind.CCP and regulation.ccp_evaluators == CcpEvaluators.PAIR:
        return Verdict(
            False,
            _(
                "A pair of evaluators grants CCPs only: the title is granted at a title session by a jury of "
                "professionals, after an interview with the candidate."
            ),
        )
    if session_kind != SessionKind.CCP and path_kind != PathKind.DISCONTINUOUS:
        return ALLOWED
    if not holds_all_ccps:
        return Verdict(False, _("The title is granted once all its CCPs are held."))
    if final_interview(regulation, path_kind, holds_all_ccps) == FinalInterview.REQUIRED and not interviewed:
        return Verdict(False, _("The final interview with the jury is recorded first."))
    return ALLOWED


def documents_due(title_granted: bool, ccs_granted: bool, ccps_obtained: int) -> list[str]:
    """The documents the candidate receives.

    "Un parchemin est attribué au candidat ayant obtenu le titre complet ou le CCS. Un livret de
    certification est remis au candidat en réussite partielle."
    """
    documents: list[str] = []
    if title_granted:
        documents.append(Document.PARCHEMIN_TITLE)
    elif ccps_obtained:
        documents.append(Document.LIVRET)
    if ccs_granted:
        documents.append(Document.PARCHEMIN_CCS)
    return documents


def element_allowed(path_kind: str, kind: str) -> Verdict:
    """Whether an evaluation element may be recorded for a candidate of this path.

    "les résultats des évaluations passées en cours de formation pour les seuls candidats issus
    d'un parcours de formation" — a VAE candidate has none.
    """
    if kind == ElementKind.IN_TRAINING and path_kind not in TRAINING_PATHS:
        return Verdict(False, _("In-training evaluation results exist only for candidates of a training path."))
    return ALLOWED


def jury_problems(regulation: Regulation, session_kind: str, members: Sequence[Member]) -> list[str]:
    """What makes the evaluating body of a session invalid; empty when it is validly composed.

    Both texts: the candidate "est évalué par un jury composé de professionnels" (at least two,
    each approved). Older rules, one CCP outside a title session: "un binôme d'évaluateurs composé
    d'un professionnel et d'un formateur de la spécialité". Since 2017 each professional has at
    least 3 years in the trade and has not left it for more than 5 years (regulation parameters).
    """
    problems: list[str] = []
    professionals = [member for member in members if member.profile == MemberProfile.PROFESSIONAL]
    trainers = [member for member in members if member.profile == MemberProfile.TRAINER]
    if session_kind == SessionKind.CCP and regulation.ccp_evaluators == CcpEvaluators.PAIR:
        if len(professionals) != 1 or len(trainers) != 1 or len(members) != 2:
            problems.append(_("A CCP is evaluated by a pair: one professional and one trainer of the specialty."))
    else:
        if trainers:
            problems.append(_("The jury is made of professionals only."))
        if len(professionals) < regulation.jury_min_members:
            problems.append(
                _("The jury needs at least %(count)s professionals; it has %(have)s.")
                % {"count": regulation.jury_min_members, "have": len(professionals)}
            )
    if any(not member.approved for member in members):
        problems.append(_("Every member must be approved."))
    if any(member.years_in_trade < regulation.member_min_years_in_trade for member in professionals):
        problems.append(
            _("Every professional needs at least %(years)s years in the trade.")
            % {"years": regulation.member_min_years_in_trade}
        )
    limit = regulation.member_max_years_out
    if limit is not None and any(member.years_out_of_trade > limit for member in professionals):
        problems.append(_("No professional may have left the trade more than %(years)s years ago.") % {"years": limit})
    return problems
