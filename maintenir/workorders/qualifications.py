"""What work requires and who is qualified for it: the one place the rule lives.

A work order requires its own requirements (some copied from its gamme's steps) and those of its work
type. A person satisfies a skill at that level or above, a habilitation valid on the day, a CCP held
(alone, by a title, or through a correspondence). Everything loads in a fixed number of queries, so
the dispatch planner can ask about every order and every technician at once.

Assignment: everyone assigned must be qualified, except a trainee, who may work with a qualified
technician (their tutor) on the same order; the tutor covers the trainee's skills and CCPs, but not
habilitations, which are personal (NF C 18-510: the employer grants them to one person).
"""

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maintenir.certification.services import ccps_held_by
from maintenir.core.models import User
from maintenir.people.choices import SkillLevel
from maintenir.people.models import Habilitation, Technician, TechnicianSkill
from maintenir.workorders.models import Requirement, WorkOrder, WorkOrderRequirement, WorkTypeRequirement

SKILL = "skill"
HABILITATION = "habilitation"
CCP = "ccp"
RELATED = ("skill", "habilitation_type", "ccp")


@dataclass(frozen=True)
class Need:
    """One thing the work requires, with the name people read."""

    kind: str
    target: int
    label: str
    min_level: int | None = None

    @property
    def key(self) -> str:
        if self.kind == SKILL:
            return f"skill:{self.target}:{self.min_level}"
        return f"hab:{self.target}" if self.kind == HABILITATION else f"ccp:{self.target}"


def need_of(requirement: Requirement) -> Need:
    """The need a requirement row states (its skill, habilitation type or CCP loaded with it)."""
    if requirement.skill is not None:
        level = requirement.min_level or SkillLevel.BASIC
        label = _("skill %(skill)s, level %(level)s") % {
            "skill": requirement.skill.name,
            "level": SkillLevel(level).label,
        }
        return Need(SKILL, requirement.skill.pk, label, level)
    if requirement.habilitation_type is not None:
        label = _("habilitation %(code)s") % {"code": requirement.habilitation_type.code}
        return Need(HABILITATION, requirement.habilitation_type.pk, label)
    # Requirement.clean guarantees one of the three.
    assert requirement.ccp is not None
    return Need(CCP, requirement.ccp.pk, _("CCP %(name)s") % {"name": requirement.ccp.name})


def requirements_of(orders: Iterable[WorkOrder]) -> dict[int, list[Need]]:
    """Each order's needs: its own requirements, then its work type's, once each. Two queries."""
    orders = list(orders)
    own: dict[int, list[Need]] = defaultdict(list)
    for row in WorkOrderRequirement.objects.filter(work_order_id__in=[order.pk for order in orders]).select_related(
        *RELATED
    ):
        own[row.work_order_id].append(need_of(row))
    by_type: dict[str, list[Need]] = defaultdict(list)
    for type_row in WorkTypeRequirement.objects.filter(
        work_type__in={order.work_type for order in orders}
    ).select_related(*RELATED):
        by_type[type_row.work_type].append(need_of(type_row))
    return {
        order.pk: list({need.key: need for need in [*own[order.pk], *by_type[order.work_type]]}.values())
        for order in orders
    }


@dataclass
class Profile:
    """What one person holds, as far as the needs asked about go."""

    user_id: int
    skills: dict[int, int] = field(default_factory=dict)
    habilitations: dict[int, tuple[datetime.date, datetime.date | None]] = field(default_factory=dict)
    ccps: set[int] = field(default_factory=set)
    is_trainee: bool = False
    referent_user_id: int | None = None

    def qualification_keys(self, on: datetime.date | None = None) -> dict[str, datetime.date | None]:
        """The need keys this person satisfies, each with the last day it holds (None: no end).

        A skill at level 3 satisfies levels 1 to 3. With `on`, habilitations granted after that day are
        left out; without, they count from their grant day on, which the caller checks.
        """
        keys: dict[str, datetime.date | None] = {}
        for skill_id, level in self.skills.items():
            keys.update({f"skill:{skill_id}:{below}": None for below in range(SkillLevel.BASIC, level + 1)})
        for type_id, (granted_on, expires_on) in self.habilitations.items():
            if on is None or granted_on <= on:
                keys[f"hab:{type_id}"] = expires_on
        keys.update({f"ccp:{ccp_id}": None for ccp_id in self.ccps})
        return keys


def profiles_of(users: Iterable[User | int], ccp_ids: Collection[int]) -> dict[int, Profile]:
    """Each user's profile, with the CCPs among `ccp_ids` they hold. A fixed number of queries.

    Users without a technician's profile have no skills nor habilitations and are not trainees.
    """
    user_ids = [user if isinstance(user, int) else user.pk for user in users]
    profiles = {user_id: Profile(user_id) for user_id in user_ids}
    for user_id, is_trainee, referent in Technician.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "is_trainee", "technical_referent__user_id"
    ):
        profiles[user_id].is_trainee = is_trainee
        profiles[user_id].referent_user_id = referent
    for user_id, skill_id, level in TechnicianSkill.objects.filter(technician__user_id__in=user_ids).values_list(
        "technician__user_id", "skill_id", "level"
    ):
        profiles[user_id].skills[skill_id] = level
    for user_id, type_id, granted_on, expires_on in Habilitation.objects.filter(
        technician__user_id__in=user_ids
    ).values_list("technician__user_id", "habilitation_type_id", "granted_on", "expires_on"):
        profiles[user_id].habilitations[type_id] = (granted_on, expires_on)
    for user_id, held in ccps_held_by(user_ids, ccp_ids).items():
        profiles[user_id].ccps = held
    return profiles


def ccp_ids(needs: Iterable[Need]) -> set[int]:
    return {need.target for need in needs if need.kind == CCP}


def _lacking(profile: Profile, needs: Iterable[Need], on: datetime.date) -> list[tuple[Need, str]]:
    """The needs `profile` does not meet on day `on`, each with the reason people read."""
    lacking = []
    for need in needs:
        if need.kind == SKILL:
            if profile.skills.get(need.target, 0) < (need.min_level or SkillLevel.BASIC):
                lacking.append((need, need.label))
        elif need.kind == HABILITATION:
            span = profile.habilitations.get(need.target)
            if span is None:
                lacking.append((need, need.label))
            elif on < span[0]:
                lacking.append((need, _("%(need)s (not yet granted)") % {"need": need.label}))
            elif span[1] is not None and span[1] < on:
                lacking.append(
                    (need, _("%(need)s (expired on %(date)s)") % {"need": need.label, "date": date_format(span[1])})
                )
        elif need.target not in profile.ccps:
            lacking.append((need, need.label))
    return lacking


def missing(profile: Profile, needs: Iterable[Need], on: datetime.date) -> list[str]:
    """What `profile` lacks of `needs` on day `on`: one label each, saying when a habilitation expired."""
    return [reason for _need, reason in _lacking(profile, needs, on)]


@dataclass(frozen=True)
class Verdict:
    """Whether a set of people may do a piece of work: the refusals to show, and who tutors which trainee."""

    refusals: list[str]
    tutors: dict[int, int]  # trainee's user id -> tutor's user id


def check_assignment(needs: list[Need], people: list[User], on: datetime.date) -> Verdict:
    """Check everyone assigned to work with `needs` on day `on`; a trainee needs a qualified tutor beside them.

    The tutor is the trainee's technical referent if assigned and qualified, else the first qualified
    non-trainee. A trainee's missing habilitations are never covered.
    """
    profiles = profiles_of(people, ccp_ids(needs))
    lacking = {person.pk: _lacking(profiles[person.pk], needs, on) for person in people}
    qualified = [person.pk for person in people if not profiles[person.pk].is_trainee and not lacking[person.pk]]
    refusals: list[str] = []
    tutors: dict[int, int] = {}
    for person in people:
        profile = profiles[person.pk]
        if not profile.is_trainee:
            if lacking[person.pk]:
                refusals.append(_refusal(person, [reason for _need, reason in lacking[person.pk]]))
            continue
        personal = [reason for need, reason in lacking[person.pk] if need.kind == HABILITATION]
        if personal:
            refusals.append(_refusal(person, personal))
        elif not qualified:
            refusals.append(
                _("%(person)s is a trainee: assign a qualified technician with them.") % {"person": name_of(person)}
            )
        else:
            referent = profile.referent_user_id
            tutors[person.pk] = referent if referent in qualified else qualified[0]
    return Verdict(refusals, tutors)


def name_of(person: User) -> str:
    return person.get_full_name() or person.username


def _refusal(person: User, reasons: list[str]) -> str:
    return _("%(person)s lacks: %(missing)s.") % {"person": name_of(person), "missing": "; ".join(reasons)}


def planned_day(order: WorkOrder, planned_start: datetime.datetime | None = None) -> datetime.date:
    """The day an order's qualifications are checked for: its planned start's, else today."""
    start = planned_start or order.planned_start
    return timezone.localdate(start) if start is not None else timezone.localdate()


def lacking_by_person(order: WorkOrder, people: Iterable[User]) -> dict[int, list[str]]:
    """For the assign form: what each person lacks for the order on its planned day ([] = qualified)."""
    people = list(people)
    needs = requirements_of([order])[order.pk]
    if not needs:
        return {person.pk: [] for person in people}
    profiles = profiles_of(people, ccp_ids(needs))
    day = planned_day(order)
    return {person.pk: missing(profiles[person.pk], needs, day) for person in people}
